"""Every step of the complaint workflow through the one service, and the refusals: wrong state, wrong
role, wrong side, out of scope, incomplete data. A refused step changes nothing."""

import datetime as dt

import pytest

from tests.complaints import factories
from tests.rectification.factories import campaign as make_campaign
from weijian.complaints.models import Complaint, ComplaintEvent
from weijian.complaints.services import NotInTriage, complaint_set_campaign, complaint_transition
from weijian.complaints.workflow import TransitionNotAllowed
from weijian.core.audit import field_values
from weijian.core.errors import DomainError, NotAllowed, NotVisible
from weijian.core.models import AuditEntry

pytestmark = pytest.mark.django_db

D = dt.date


def _move(world, complaint, user, action, **data):
    return complaint_transition(user=world.users[user], complaint_id=complaint.pk, action=action, **data)


def _handled(**overrides):
    data = {"substantiated": True, "result": "经现场核查属实，已立案查处", "handled_on": D(2026, 10, 20)}
    data.update(overrides)
    return data


def _checking(world, **fields):
    return factories.complaint(world, state="checking", **fields)


def test_a_complaint_goes_round_in_house(world):
    complaint = factories.submit(world)
    _move(world, complaint, "supervisor", "assign", handler=world.users["commission_leader"])
    _move(world, complaint, "commission_leader", "start_check")
    _move(world, complaint, "commission_leader", "handle", **_handled())
    _move(
        world,
        complaint,
        "commission_leader",
        "reply",
        reply="经查属实，已依法处理。",
        replied_on=D(2026, 10, 22),
    )
    complaint = _move(world, complaint, "supervisor", "rate", satisfaction="satisfied", note="电话回访")
    assert complaint.state == "rated"
    assert complaint.handler == world.users["commission_leader"]
    assert (complaint.substantiated, complaint.handled_on, complaint.replied_on) == (
        True,
        D(2026, 10, 20),
        D(2026, 10, 22),
    )
    assert complaint.replied_late is False
    assert list(complaint.events.values_list("action", flat=True)) == [
        "assign",
        "start_check",
        "handle",
        "reply",
        "rate",
    ]


def test_a_complaint_transferred_to_the_hospital_is_handled_there(world):
    complaint = factories.submit(
        world, institution=world.institutions["county_hospital"], division="county_a"
    )
    complaint = _move(
        world, complaint, "commission_leader", "transfer", to_organisation=world.orgs["county_hospital"]
    )
    assert complaint.state == "transferred"
    assert complaint.handling_organisation == world.orgs["county_hospital"]
    assert complaint.received_by == world.orgs["commission_a"]
    assert complaint.events.get().note == "→ 示范县人民医院"

    complaint = _move(world, complaint, "institution_manager", "start_check")
    assert complaint.handler == world.users["institution_manager"]  # who starts the check handles it
    _move(world, complaint, "institution_manager", "handle", **_handled(substantiated=False, result="不属实"))
    complaint = _move(
        world, complaint, "institution_manager", "reply", reply="经核查不属实。", replied_on=D(2026, 11, 2)
    )
    assert complaint.state == "replied"
    assert complaint.replied_late is True  # due 10-30
    with pytest.raises(NotAllowed):
        _move(world, complaint, "institution_manager", "rate", satisfaction="satisfied")
    assert _move(world, complaint, "commission_leader", "rate", satisfaction="dissatisfied").state == "rated"


def test_an_assigned_complaint_may_still_be_transferred_and_the_handler_is_cleared(world):
    complaint = factories.submit(world, division="t1")
    _move(world, complaint, "commission_leader", "assign", handler=world.users["commission_leader"])
    complaint = _move(world, complaint, "supervisor", "transfer", to_organisation=world.orgs["supervision_a"])
    assert (complaint.state, complaint.handler) == ("transferred", None)
    assert _move(world, complaint, "supervisor", "start_check").handler == world.users["supervisor"]


def test_the_handler_is_a_user_of_the_handling_organisation_who_may_handle_complaints(world):
    complaint = factories.submit(world)
    with pytest.raises(DomainError) as error:
        _move(world, complaint, "commission_leader", "assign", handler=world.users["supervisor"])
    assert error.value.field == "handler"
    at_hospital = factories.complaint(world, handling="county_hospital")
    with pytest.raises(DomainError) as error:
        _move(world, at_hospital, "supervisor", "assign", handler=world.users["institution_cashier"])
    assert error.value.field == "handler"
    assert _move(
        world, at_hospital, "supervisor", "assign", handler=world.users["institution_manager"]
    ).state == ("assigned")


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("commission_a", "already handled there"),
        ("commission_b", "outside the user's county"),
        ("th1", "a township hospital would not see a county-wide complaint"),
    ],
)
def test_a_transfer_goes_to_another_organisation_that_can_see_the_complaint(world, target, reason):
    complaint = factories.submit(world, division="county_a")
    with pytest.raises(DomainError) as error:
        _move(world, complaint, "supervisor", "transfer", to_organisation=world.orgs[target])
    assert error.value.field == "to_organisation", reason
    assert Complaint.objects.get(pk=complaint.pk).state == "received"


def test_a_township_complaint_may_go_to_the_township_hospital(world):
    complaint = factories.submit(world, division="t1")
    assert (
        _move(world, complaint, "supervisor", "transfer", to_organisation=world.orgs["th1"]).state
        == "transferred"
    )


def test_only_the_handling_organisation_checks_handles_and_replies(world):
    complaint = factories.complaint(world, state="assigned", handling="commission_a")
    with pytest.raises(NotAllowed):
        _move(world, complaint, "supervisor", "start_check")
    _move(world, complaint, "commission_leader", "start_check")
    with pytest.raises(NotAllowed):
        _move(world, complaint, "supervisor", "handle", **_handled())
    assert _move(world, complaint, "superuser", "handle", **_handled()).state == "handled"


def test_the_institution_cannot_triage_even_what_it_handles(world):
    complaint = factories.complaint(world, state="received", handling="county_hospital")
    with pytest.raises(NotAllowed):
        _move(world, complaint, "institution_manager", "assign", handler=world.users["institution_manager"])


def test_the_institution_does_not_see_complaints_of_other_organisations(world):
    complaint = factories.complaint(world, state="checking", handling="commission_a")
    with pytest.raises(NotVisible):
        _move(world, complaint, "institution_manager", "handle", **_handled())


def test_a_complaint_of_the_neighbour_county_is_reported_as_missing(world):
    complaint = factories.complaint(world, division="county_b", handling="commission_b")
    with pytest.raises(NotVisible):
        _move(world, complaint, "supervisor", "assign", handler=world.users["supervisor"])


@pytest.mark.parametrize("role", ["auditor", "department_officer", "no_organisation"])
def test_roles_without_the_permissions_cannot_act(world, role):
    complaint = factories.complaint(world, state="received")
    with pytest.raises(NotAllowed):
        _move(world, complaint, role, "assign", handler=world.users["commission_leader"])


@pytest.mark.parametrize(
    ("state", "action"),
    [
        ("received", "start_check"),
        ("received", "handle"),
        ("transferred", "transfer"),
        ("transferred", "assign"),
        ("checking", "reply"),
        ("handled", "rate"),
        ("rated", "reply"),
        ("received", "delete"),
    ],
)
def test_steps_out_of_order_are_refused_with_a_conflict(world, state, action):
    complaint = factories.complaint(world, state=state)
    with pytest.raises(TransitionNotAllowed) as error:
        _move(world, complaint, "superuser", action)
    assert (error.value.code, error.value.status) == ("transition_not_allowed", 409)


def test_every_tip_of_a_one_tip_one_check_category_needs_its_on_site_check(world):
    complaint = _checking(world, category=factories.category("cell_therapy"))
    with pytest.raises(DomainError) as error:
        _move(world, complaint, "commission_leader", "handle", **_handled())
    assert error.value.field == "on_site_checked_on"
    assert Complaint.objects.get(pk=complaint.pk).state == "checking"
    complaint = _move(
        world, complaint, "commission_leader", "handle", **_handled(on_site_checked_on=D(2026, 10, 9))
    )
    assert complaint.on_site_checked_on == D(2026, 10, 9)


def test_the_on_site_check_falls_between_receipt_and_handling(world):
    complaint = _checking(world)
    for day in (D(2026, 9, 27), D(2026, 10, 21)):
        with pytest.raises(DomainError) as error:
            _move(world, complaint, "commission_leader", "handle", **_handled(on_site_checked_on=day))
        assert error.value.field == "on_site_checked_on"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"substantiated": None}, "substantiated"),
        ({"result": "  "}, "result"),
        ({"handled_on": D(2026, 9, 25)}, "handled_on"),
        ({"handled_on": "2026-10-20"}, "handled_on"),
    ],
)
def test_the_handling_result_is_complete(world, overrides, field):
    complaint = _checking(world)
    data = {k: v for k, v in _handled(**overrides).items() if v is not None}
    with pytest.raises(DomainError) as error:
        _move(world, complaint, "commission_leader", "handle", **data)
    assert error.value.field == field


def test_the_reply_has_text_and_comes_after_the_handling(world):
    complaint = factories.complaint(world, state="handled", handled_on=D(2026, 10, 20), result="已处理")
    with pytest.raises(DomainError) as error:
        _move(world, complaint, "commission_leader", "reply", reply=" ")
    assert error.value.field == "reply"
    with pytest.raises(DomainError) as error:
        _move(world, complaint, "commission_leader", "reply", reply="已处理", replied_on=D(2026, 10, 19))
    assert error.value.field == "replied_on"
    assert _move(
        world, complaint, "commission_leader", "reply", reply="已处理", replied_on=D(2026, 10, 20)
    ).state == ("replied")


def test_satisfaction_is_one_of_the_three_answers(world):
    complaint = factories.complaint(
        world, state="replied", handled_on=D(2026, 10, 20), replied_on=D(2026, 10, 21)
    )
    with pytest.raises(DomainError) as error:
        _move(world, complaint, "supervisor", "rate", satisfaction="delighted")
    assert error.value.field == "satisfaction"


def test_unknown_data_is_refused(world):
    complaint = factories.complaint(world, state="assigned")
    with pytest.raises(DomainError) as error:
        _move(world, complaint, "commission_leader", "start_check", state="rated")
    assert error.value.code == "unknown_field"


def test_a_transition_writes_an_event_and_an_audit_entry(world):
    complaint = factories.complaint(world, state="assigned")
    _move(world, complaint, "commission_leader", "start_check", note="已派员核查")
    event = ComplaintEvent.objects.get(complaint=complaint)
    assert (event.from_state, event.to_state, event.actor, event.note) == (
        "assigned",
        "checking",
        world.users["commission_leader"],
        "已派员核查",
    )
    entry = AuditEntry.objects.get(
        model="complaints.complaint", object_id=str(complaint.pk), action="transition"
    )
    assert entry.changes == {"state": ["assigned", "checking"], "note": [None, "已派员核查"]}


def test_a_refused_transition_changes_nothing(world):
    complaint = _checking(world, category=factories.category("cell_therapy"))
    before = field_values(Complaint.objects.get(pk=complaint.pk))
    entries = AuditEntry.objects.count()
    with pytest.raises(DomainError):
        _move(world, complaint, "commission_leader", "handle", **_handled())
    with pytest.raises(NotAllowed):
        _move(world, complaint, "auditor", "handle", **_handled(on_site_checked_on=D(2026, 10, 9)))
    assert field_values(Complaint.objects.get(pk=complaint.pk)) == before
    assert AuditEntry.objects.count() == entries
    assert not ComplaintEvent.objects.exists()


# --- campaign during triage ---------------------------------------------------------------------------


def test_a_complaint_is_tied_to_a_campaign_during_triage(world):
    campaign = make_campaign(world, year=2026)
    complaint = factories.submit(world)
    complaint = complaint_set_campaign(
        user=world.users["supervisor"], complaint_id=complaint.pk, campaign=campaign
    )
    assert complaint.campaign == campaign
    assert AuditEntry.objects.filter(
        model="complaints.complaint", object_id=str(complaint.pk), action="update"
    ).exists()
    assert (
        complaint_set_campaign(
            user=world.users["supervisor"], complaint_id=complaint.pk, campaign=None
        ).campaign
        is None
    )


def test_the_campaign_is_fixed_once_checking_starts(world):
    complaint = _checking(world)
    with pytest.raises(NotInTriage):
        complaint_set_campaign(
            user=world.users["supervisor"], complaint_id=complaint.pk, campaign=make_campaign(world)
        )


def test_only_the_receiving_side_ties_campaigns_it_can_see(world):
    complaint = factories.complaint(world, state="transferred", handling="county_hospital")
    with pytest.raises(NotAllowed):
        complaint_set_campaign(
            user=world.users["institution_manager"], complaint_id=complaint.pk, campaign=make_campaign(world)
        )
    neighbour = make_campaign(world, owner="commission_b", division="county_b")
    with pytest.raises(NotVisible):
        complaint_set_campaign(user=world.users["supervisor"], complaint_id=complaint.pk, campaign=neighbour)
    assert Complaint.objects.get(pk=complaint.pk).campaign is None
