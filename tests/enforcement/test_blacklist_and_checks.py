"""The blacklist (黑名单) and the on-site checks of a campaign."""

import datetime as dt

import pytest

from tests.enforcement import factories
from weijian.core.errors import DomainError, NotAllowed, NotVisible
from weijian.enforcement import selectors, services
from weijian.enforcement.models import BlacklistEntry, SiteCheck
from weijian.enforcement.subjects import InvalidSubject

pytestmark = pytest.mark.django_db

LISTED_ON = dt.date(2026, 5, 1)


def _list(world, user="commission_leader", **fields):
    if not {"institution", "practitioner", "party_name", "case"} & set(fields):
        fields["institution"] = world.institutions["beauty_t1"]
    fields.setdefault("listed_on", LISTED_ON)
    return services.blacklist_add(
        user=world.users[user],
        reason=fields.pop("reason", "非法开展医疗美容，情节严重"),
        punishment_scope=fields.pop("punishment_scope", "发改、医保、市场监管联合惩戒"),
        **fields,
    )


def _remove(world, entry, user="commission_leader", **fields):
    fields.setdefault("removed_on", dt.date(2026, 11, 1))
    fields.setdefault("reason", "信用修复")
    return services.blacklist_remove(user=world.users[user], entry_id=entry.pk, **fields)


def test_a_subject_is_listed_once_at_a_time(world):
    entry = _list(world)
    assert (entry.subject_type, entry.division) == ("organisation", world.divisions["t1"])
    with pytest.raises(services.AlreadyListed):
        _list(world, user="supervisor", listed_on=dt.date(2026, 6, 1))
    with pytest.raises(DomainError) as error:
        _remove(world, entry, reason=" ")
    assert error.value.field == "reason"
    with pytest.raises(DomainError) as error:
        _remove(world, entry, removed_on=dt.date(2026, 4, 30))
    assert error.value.field == "removed_on"
    entry = _remove(world, entry)
    assert (entry.removed_on, entry.removal_reason) == (dt.date(2026, 11, 1), "信用修复")
    with pytest.raises(DomainError) as error:
        _remove(world, entry)
    assert error.value.code == "already_removed"
    again = _list(world, listed_on=dt.date(2026, 12, 1))
    assert BlacklistEntry.objects.filter(subject_key=again.subject_key).count() == 2


def test_a_listing_that_has_ended_does_not_block_a_new_one(world):
    _list(world, until=dt.date(2026, 10, 31))
    with pytest.raises(services.AlreadyListed):
        _list(world, listed_on=dt.date(2026, 10, 31))
    with pytest.raises(services.AlreadyListed):
        _list(world, listed_on=dt.date(2026, 1, 1), until=dt.date(2026, 5, 1))
    assert _list(world, listed_on=dt.date(2026, 11, 1)).listed_on == dt.date(2026, 11, 1)
    with pytest.raises(DomainError) as error:
        _list(world, institution=world.institutions["th1"], until=dt.date(2026, 4, 1))
    assert error.value.field == "until"


def test_a_case_lists_its_subject(world):
    case = factories.open_case(
        world, party_name="丽人美容工作室", division=world.divisions["t2"], party_is_person=True
    )
    entry = _list(world, case=case)
    assert (entry.party_name, entry.subject_key, entry.subject_type, entry.case) == (
        "丽人美容工作室",
        case.subject_key,
        "person",
        case,
    )


def test_only_blacklist_managers_list_subjects_in_their_scope(world):
    for role in ("auditor", "department_officer", "institution_manager"):
        with pytest.raises(NotAllowed):
            _list(world, user=role)
    with pytest.raises(NotVisible):
        _list(world, institution=world.institutions["hospital_b"])
    with pytest.raises(NotVisible):
        _list(world, party_name="河西美容院", division=world.divisions["tb1"])
    entry = _list(world)
    with pytest.raises(NotAllowed):
        _remove(world, entry, user="auditor")
    assert not BlacklistEntry.objects.exclude(pk=entry.pk).exists()


def test_the_blacklist_shows_the_entries_in_force(world):
    current = _list(world)
    ended = _list(
        world,
        institution=world.institutions["th1"],
        listed_on=dt.date(2025, 1, 1),
        until=dt.date(2025, 12, 31),
    )
    removed = _remove(world, _list(world, institution=world.institutions["th2"]))
    user = world.users["auditor"]
    on = dt.date(2026, 11, 15)
    assert list(selectors.blacklist_list(user, on=on)) == [current]
    assert set(selectors.blacklist_list(user, active=False, on=on)) == {ended, removed}
    assert selectors.blacklist_list(user, active=None).count() == 3
    assert selectors.blacklist_get(user, current.pk) == current


# --- on-site checks ---------------------------------------------------------------------------------


def _check(world, user="supervisor", **fields):
    if not {"institution", "practitioner", "party_name", "inspection"} & set(fields):
        fields["party_name"] = "丽人美容工作室"
        fields.setdefault("division", world.divisions["t1"])
    fields.setdefault("campaign", factories.campaign(world))
    return services.site_check_record(
        user=world.users[user],
        category=factories.category(),
        checked_on=dt.date(2026, 3, 10),
        **fields,
    )


def test_a_supervisor_records_a_site_check_of_a_party_the_registry_does_not_know(world):
    check = _check(world, venue_type="hotel", violation_found=True, note="酒店客房内开展注射")
    assert (check.subject_type, check.division, check.inspector, check.venue_type) == (
        "organisation",
        world.divisions["t1"],
        world.users["supervisor"],
        "hotel",
    )
    assert list(selectors.site_check_list(world.users["commission_leader"], campaign=check.campaign)) == [
        check
    ]


def test_a_site_check_stays_in_scope_and_in_the_campaigns_area(world):
    with pytest.raises(NotVisible):
        _check(world, party_name="河西美容院", division=world.divisions["tb1"])
    with pytest.raises(NotVisible):
        _check(world, institution=world.institutions["hospital_b"])
    with pytest.raises(DomainError) as error:
        _check(world, campaign=factories.campaign(world, division="t2"))
    assert error.value.field == "campaign"
    with pytest.raises(InvalidSubject):
        _check(world, party_name="丽人", institution=world.institutions["beauty_t1"])
    for role in ("commission_leader", "auditor", "institution_manager"):
        with pytest.raises(NotAllowed):
            _check(world, user=role)
    assert not SiteCheck.objects.exists()


def test_a_site_check_from_a_complaint_must_see_the_complaint(world):
    hidden = factories.complaint(world, division="tb1")
    with pytest.raises(NotVisible):
        _check(world, complaint=hidden)
    check = _check(world, complaint=factories.complaint(world))
    assert check.complaint.site_checks.get() == check
