"""Intake from the public web form and by staff: who receives it, what a complainant must give, the
number and the tracking key."""

import datetime as dt

import pytest

from tests.complaints import factories
from weijian.complaints import services
from weijian.complaints.models import Complaint
from weijian.complaints.selectors import public_status
from weijian.complaints.services import InvalidComplaint, NoReceivingCommission
from weijian.core.errors import NotAllowed, NotVisible
from weijian.core.models import AuditEntry, Division, DivisionLevel

pytestmark = pytest.mark.django_db


def test_a_public_complaint_from_a_township_is_received_by_the_county_commission(world):
    complaint = factories.submit(world, division="t1")
    assert complaint.received_by == world.orgs["commission_a"]
    assert complaint.handling_organisation == world.orgs["commission_a"]
    assert complaint.channel == "web"
    assert complaint.state == "received"
    assert complaint.handler is None


def test_a_public_complaint_in_the_neighbour_county_goes_to_its_own_commission(world):
    assert factories.submit(world, division="tb1").received_by == world.orgs["commission_b"]


def test_a_division_without_a_commission_above_it_cannot_receive_complaints(world):
    orphan = Division.objects.create(
        code="369903000000", name="无卫健委县", level=DivisionLevel.COUNTY, parent=world.divisions["city"]
    )
    with pytest.raises(NoReceivingCommission) as error:
        services.complaint_submit_public(
            division=orphan, category=factories.category(), content="内容", anonymous=True
        )
    assert error.value.field == "division"
    assert not Complaint.objects.exists()


def test_the_public_names_a_county_or_a_township_not_a_village(world):
    with pytest.raises(InvalidComplaint) as error:
        factories.submit(world, division="v11")
    assert error.value.field == "division"


def test_an_anonymous_complaint_keeps_no_contact_even_when_one_is_typed(world):
    complaint = factories.submit(
        world, anonymous=True, name="王五", phone="13900000000", email="w@example.cn"
    )
    complaint.refresh_from_db()
    assert complaint.anonymous
    assert (complaint.complainant_name, complaint.complainant_phone, complaint.complainant_email) == (
        "",
        "",
        "",
    )


@pytest.mark.parametrize(
    ("contact", "field"),
    [
        ({"name": "", "phone": "13800138000"}, "complainant_name"),
        ({"name": "李女士", "phone": "", "email": ""}, "complainant_phone"),
        ({"name": "李女士", "phone": "call me"}, "complainant_phone"),
        ({"name": "李女士", "phone": "", "email": "not-an-address"}, "complainant_email"),
    ],
)
def test_a_named_complaint_needs_a_name_and_a_valid_phone_or_email(world, contact, field):
    with pytest.raises(InvalidComplaint) as error:
        factories.submit(world, **contact)
    assert error.value.field == field
    assert not Complaint.objects.exists()


@pytest.mark.parametrize("contact", [{"phone": "0791-8822455"}, {"phone": "", "email": "li@example.cn"}])
def test_a_phone_or_an_email_is_enough(world, contact):
    complaint = factories.submit(world, **contact)
    assert complaint.complainant_name == "李女士"


def test_a_complaint_needs_content(world):
    with pytest.raises(InvalidComplaint) as error:
        factories.submit(world, content="   ")
    assert error.value.field == "content"


def test_a_complaint_cannot_be_received_in_the_future(world):
    with pytest.raises(InvalidComplaint) as error:
        factories.submit(world, received_at=factories.at(dt.date(2099, 1, 5)))
    assert error.value.field == "received_at"


def test_the_institution_complained_about_lies_in_the_division_named(world):
    complaint = factories.submit(world, division="t1", institution=world.institutions["beauty_t1"])
    assert complaint.institution == world.institutions["beauty_t1"]
    with pytest.raises(InvalidComplaint) as error:
        factories.submit(world, division="t2", institution=world.institutions["beauty_t1"])
    assert error.value.field == "institution"


def test_a_public_submission_is_audited_as_the_public(world):
    complaint = factories.submit(world)
    entry = AuditEntry.objects.get(model="complaints.complaint", object_id=str(complaint.pk), action="create")
    assert (entry.actor, entry.actor_label) == (None, "public")
    assert "tracking_key_hash" not in entry.changes


def test_numbers_run_per_year_of_receipt(world):
    first = factories.submit(world)
    second = factories.submit(world, anonymous=True)
    earlier = factories.submit(world, received_at=factories.at(dt.date(2025, 12, 31), hour=23, minute=30))
    assert (first.number, second.number, earlier.number) == (
        "TS2026-000001",
        "TS2026-000002",
        "TS2025-000001",
    )


def test_the_number_follows_the_highest_of_the_year(world):
    factories.complaint(world, number="TS2026-000041")
    assert factories.submit(world).number == "TS2026-000042"


def test_a_number_taken_meanwhile_by_another_intake_is_skipped(world, monkeypatch):
    factories.complaint(world, number="TS2026-000001")
    real = services._next_number
    stale = iter(["TS2026-000001"])  # what a concurrent intake computed before this one committed

    def next_number(year):
        return next(stale, None) or real(year)

    monkeypatch.setattr(services, "_next_number", next_number)
    complaint = factories.submit(world)
    assert complaint.number == "TS2026-000002"
    assert Complaint.objects.filter(number="TS2026-000001").count() == 1


def test_the_tracking_key_is_returned_once_and_only_its_hash_is_kept(world):
    complaint = factories.submit(world, anonymous=True)
    key = complaint.tracking_key
    assert len(key.replace("-", "")) == 12
    stored = Complaint.objects.get(pk=complaint.pk)
    assert key not in stored.tracking_key_hash
    assert not hasattr(stored, "tracking_key")
    assert public_status(complaint.number, key.lower()).number == complaint.number


# --- staff intake -------------------------------------------------------------------------------------


def test_a_supervisor_registers_a_hotline_complaint_for_their_institute(world):
    complaint = factories.register(world, user="supervisor", division="t2")
    assert complaint.channel == "hotline"
    assert complaint.received_by == world.orgs["supervision_a"]
    assert complaint.handling_organisation == world.orgs["supervision_a"]
    assert complaint.received_on == factories.RECEIVED_ON
    assert complaint.tracking_key


def test_staff_register_only_in_their_own_county(world):
    with pytest.raises(NotVisible):
        factories.register(world, user="supervisor", division="county_b")


@pytest.mark.parametrize("role", ["institution_manager", "auditor", "department_officer", "no_organisation"])
def test_roles_without_the_permission_cannot_register_complaints(world, role):
    with pytest.raises(NotAllowed):
        factories.register(world, user=role)


def test_a_superuser_without_an_organisation_registers_for_the_commission(world):
    complaint = factories.register(world, user="superuser", division="tb1")
    assert complaint.received_by == world.orgs["commission_b"]


def test_staff_name_only_institutions_and_campaigns_they_can_see(world):
    with pytest.raises(NotVisible):
        factories.register(world, institution=world.institutions["hospital_b"])
    from tests.rectification.factories import campaign

    other = campaign(world, owner="commission_b", division="county_b")
    with pytest.raises(NotVisible):
        factories.register(world, campaign=other)
    own = campaign(world)
    assert factories.register(world, campaign=own).campaign == own
