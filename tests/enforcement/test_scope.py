"""Who sees which enforcement record: every role of the world against one record of each kind in
county A and one in county B. The expectations are written out by hand from roles.py and the world's
layout, independently of the scope mechanism."""

import datetime as dt

import pytest

from tests.enforcement import factories
from tests.scope_expectations import ROLES
from weijian.core.errors import NotAllowed, NotVisible
from weijian.core.models import Organisation, OrganisationKind
from weijian.enforcement import selectors, services

pytestmark = pytest.mark.django_db

KINDS = ("case", "site_check", "referral", "judicial_transfer", "blacklist", "credit")
COUNTY_A = frozenset({"A"})
BOTH = frozenset({"A", "B"})

# role → kind → the counties whose record the role sees; a kind missing from a role's row is refused
# outright (the role may not view it at all).
VISIBLE = {
    "commission_leader": dict.fromkeys(KINDS, COUNTY_A),
    "supervisor": dict.fromkeys(KINDS, COUNTY_A),
    "auditor": dict.fromkeys(KINDS, COUNTY_A),
    "superuser": dict.fromkeys(KINDS, BOTH),
    # A partner department sees the referrals of its county, nothing else of enforcement.
    "department_officer": {"referral": {"A"}},
}


def _records(world, county: str) -> dict:
    """One record of each kind in the county, made through the services by the county's supervisor."""
    if county == "A":
        user_key, institution, division, peer = "supervisor", "beauty_t1", "t1", world.orgs["market_a"]
        campaign = factories.campaign(world)
    else:
        world.users["supervisor_b"] = factories.user_at(world.orgs["commission_b"], "supervisor_b")
        user_key, institution, division = "supervisor_b", "hospital_b", "tb1"
        peer = Organisation.objects.create(
            name="邻县市场监督管理局", kind=OrganisationKind.DEPARTMENT, division=world.divisions["county_b"]
        )
        campaign = factories.campaign(world, division="county_b", owner="commission_b")
    user = world.users[user_key]
    institution = world.institutions[institution]
    closed = factories.to_closed(
        world,
        factories.open_case(world, user=user_key, institution=institution, campaign=campaign),
        user=user_key,
    )
    pending = factories.open_case(world, user=user_key, institution=institution)
    factories.move(world, pending, user_key, "verify")
    factories.move(world, pending, user_key, "file", procedure="general", filed_on=factories.FILED_ON)
    return {
        "case": closed,
        "site_check": services.site_check_record(
            user=user,
            campaign=campaign,
            category=factories.category(),
            checked_on=dt.date(2026, 3, 10),
            party_name="美容工作室",
            division=world.divisions[division],
        ),
        "referral": services.referral_send(
            user=user,
            to_organisation=peer,
            category=factories.category(),
            facts="涉嫌违法医疗美容广告",
            sent_on=dt.date(2026, 3, 3),
            case=closed,
        ),
        "judicial_transfer": services.judicial_transfer_send(
            user=user,
            case_id=pending.pk,
            receiving_body="县公安局",
            evidence=["检查笔录"],
            sent_on=dt.date(2026, 3, 6),
        ),
        "blacklist": services.blacklist_add(
            user=user,
            reason="情节严重",
            listed_on=dt.date(2026, 5, 1),
            punishment_scope="联合惩戒",
            institution=institution,
        ),
        "credit": institution,
    }


def _listed(user, kind: str) -> list:
    if kind == "case":
        return list(selectors.case_list(user))
    if kind == "site_check":
        return list(selectors.site_check_list(user))
    if kind == "referral":
        return list(selectors.referral_list(user))
    if kind == "judicial_transfer":
        return list(selectors.judicial_transfer_list(user))
    if kind == "blacklist":
        return list(selectors.blacklist_list(user, active=None))
    return [total.institution for total in selectors.credit_totals(user, year=2026)]


GETTERS = {
    "case": selectors.case_get,
    "referral": selectors.referral_get,
    "judicial_transfer": selectors.judicial_transfer_get,
    "blacklist": selectors.blacklist_get,
}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_exactly_the_records_of_its_scope(world, role):
    records = {county: _records(world, county) for county in ("A", "B")}
    user = world.users[role]
    for kind in KINDS:
        expected = VISIBLE.get(role, {}).get(kind)
        if expected is None:
            with pytest.raises(NotAllowed):
                _listed(user, kind)
            continue
        listed = _listed(user, kind)
        for county in ("A", "B"):
            record = records[county][kind]
            assert (record in listed) == (county in expected), (role, kind, county)
            if kind in GETTERS:
                if county in expected:
                    assert GETTERS[kind](user, record.pk) == record
                else:
                    with pytest.raises(NotVisible):
                        GETTERS[kind](user, record.pk)
