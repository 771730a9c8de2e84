"""Who sees which health poverty alleviation record, and who may write it: every role of the world
against a record of each kind in village v11 (township t1), village v21 (township t2) and a village of
county B. The expectations are written out by hand from roles.py and the world's layout, independently
of the scope mechanism: what a role reaches is what its pages show, the role's view permission and
then the selector (or the scoped query where the module has no list selector)."""

import datetime as dt

import pytest

from tests.poverty.fixtures import build_poverty
from tests.scope_expectations import ROLES
from tests.world import _institution
from weijian.core import synthetic
from weijian.core.errors import NotAllowed, NotVisible
from weijian.core.models import Division, DivisionLevel, ScopeMode
from weijian.poverty import selectors, services
from weijian.poverty.models import (
    Contract,
    FollowUp,
    Mismatch,
    PoorPerson,
    StatusChange,
    TeamRole,
    VillageCover,
)
from weijian.registry.models import InstitutionType

pytestmark = pytest.mark.django_db

KINDS = ("person", "contract", "follow_up", "mismatch", "cover")
RECORDS = ("v11", "v21", "B")
EVERY_KIND = dict.fromkeys(KINDS, frozenset({"v11", "v21"}))

# role → kind → the records the role sees; a role or kind missing here sees nothing.
SEES = {
    "commission_leader": EVERY_KIND,
    "auditor": EVERY_KIND,
    # Township t1's hospital runs its villages (subtree scope).
    "township_staff": dict.fromkeys(KINDS, frozenset({"v11"})),
    # The village clinic vc11: the people of its village and their care; no work items, no covers.
    "village_doctor": {"person": {"v11"}, "contract": {"v11"}, "follow_up": {"v11"}},
    # Poor persons not enrolled are the scheme's to fix (seed-003 §4.2): persons and work items only.
    "insurance_clerk": {"person": {"v11", "v21"}, "mismatch": {"v11", "v21"}},
    "superuser": dict.fromkeys(KINDS, frozenset(RECORDS)),
}

VIEW_PERMISSION = {
    "person": "poverty.view_poorperson",
    "contract": "poverty.view_contract",
    "follow_up": "poverty.view_followup",
    "mismatch": "poverty.view_mismatch",
    "cover": "poverty.view_villagecover",
}
MODELS = {
    "person": PoorPerson,
    "contract": Contract,
    "follow_up": FollowUp,
    "mismatch": Mismatch,
    "cover": VillageCover,
}


def _findings(code, person):
    return [
        {
            "kind": "not_enrolled",
            "source": "poverty",
            "row": 2,
            "other_source": "insurance",
            "other_row": None,
            "id_number": person.id_number,
            "name": person.name,
            "village": code,
            "detail": "",
        }
    ]


def _mismatch(superuser, county, code, person):
    services.list_import(superuser, source="poverty", division=county, file_name="roster.xlsx", rows=[])
    run = services.reconciliation_start(superuser, division=county)
    services.reconciliation_apply(run, _findings(code, person), today=dt.date(2026, 6, 1))
    return Mismatch.objects.get(id_number=person.id_number)


def _county_b(world):
    """A village of county B with one poor person, a contract, a follow-up, a cover and a work item."""
    superuser = world.users["superuser"]
    vb1 = Division.objects.create(
        code="369902001001", name="河西村", level=DivisionLevel.VILLAGE, parent=world.divisions["tb1"]
    )
    # Covering doctors come from a township hospital: county B's.
    township_hospital = _institution(
        world, "th_b", "河西镇卫生院", "tb1", InstitutionType.TOWNSHIP_HOSPITAL, scope_mode=ScopeMode.SUBTREE
    )
    home = services.household_register(superuser, number="PH-VB1-001", village=vb1, head_name="邻县户")
    person = services.person_register(
        superuser,
        household=home,
        id_number=synthetic.id_number(vb1.code, dt.date(1966, 6, 6), 11),
        name="邻县人",
        group="registered_poor",
        registered_year=2025,
        entered_on=dt.date(2025, 6, 1),
        programmes=["hypertension"],
    )
    team = services.team_create(
        superuser,
        institution=world.institutions["hospital_b"],
        division=world.divisions["tb1"],
        name="河西镇家庭医生团队",
        members=[(world.practitioners["hospital_b"], TeamRole.DOCTOR)],
    )
    return {
        "person": person,
        "contract": services.contract_sign(
            superuser,
            person=person,
            team=team,
            signed_on=dt.date(2026, 1, 5),
            category="registered_poor",
            package="basic",
        ),
        "follow_up": services.follow_up_record(
            superuser,
            person=person,
            programme="hypertension",
            done_on=dt.date(2026, 5, 5),
            method="home",
            result="stable",
        ),
        "mismatch": _mismatch(superuser, world.divisions["county_b"], vb1.code, person),
        "cover": services.village_cover_assign(
            superuser,
            village=vb1,
            practitioner=world.practitioners["th_b"],
            institution=township_hospital,
            since=dt.date(2026, 1, 1),
        ),
    }


@pytest.fixture
def poverty(world):
    return build_poverty(world)


@pytest.fixture
def records(world, poverty):
    superuser = world.users["superuser"]
    services.list_import(
        superuser, source="poverty", division=world.divisions["county_a"], file_name="roster.xlsx", rows=[]
    )
    run = services.reconciliation_start(superuser, division=world.divisions["county_a"])
    services.reconciliation_apply(
        run,
        _findings(world.divisions["v11"].code, poverty.persons["zhang_san"])
        + _findings(world.divisions["v21"].code, poverty.persons["li_er"]),
        today=dt.date(2026, 6, 1),
    )
    found = {}
    for key, person in (("v11", "zhang_yi"), ("v21", "li_yi")):
        found[key] = {
            "person": poverty.persons[person],
            "contract": poverty.contracts[person],
            "follow_up": poverty.follow_ups[f"{person}:hypertension"],
            "mismatch": Mismatch.objects.get(division=world.divisions[key]),
            "cover": poverty.covers[key],
        }
    found["B"] = _county_b(world)
    return found


def _reached(user, kind) -> set:
    """What a role reaches of a kind: nothing without the view permission, else what the list shows."""
    if not user.has_perm(VIEW_PERMISSION[kind]):
        return set()
    if kind == "person":
        return set(selectors.person_list(user))
    if kind == "mismatch":
        return set(selectors.mismatch_list(user, state=""))
    if kind == "cover":
        return set(selectors.village_covers(user, months=[]))
    return set(MODELS[kind].objects.visible_to(user))


def test_the_owners_of_the_work_items_are_the_township_hospitals_of_their_villages(world, records):
    assert records["v11"]["mismatch"].owner == world.orgs["th1"]
    assert records["v21"]["mismatch"].owner == world.orgs["th2"]
    assert records["B"]["mismatch"].owner == world.orgs["th_b"]


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_exactly_the_poverty_records_of_its_scope(world, records, role):
    user = world.users[role]
    table = {kind: {key for key in RECORDS if records[key][kind] in _reached(user, kind)} for kind in KINDS}
    assert table == {kind: SEES.get(role, {}).get(kind, set()) for kind in KINDS}


@pytest.mark.parametrize("role", ROLES)
def test_a_person_out_of_scope_opens_as_missing(world, records, role):
    user = world.users[role]
    expected = SEES.get(role, {}).get("person", set())
    for key in RECORDS:
        person = records[key]["person"]
        if key in expected:
            assert selectors.person_detail(user, person.pk) == person
        elif user.has_perm("poverty.view_poorperson"):
            with pytest.raises(NotVisible):
                selectors.person_detail(user, person.pk)


def test_the_scoped_lists_never_reach_past_the_scope_whatever_the_role(world, records):
    # Without the permission the pages refuse first; the lists themselves stay inside the scope too.
    village_doctor, clerk = world.users["village_doctor"], world.users["insurance_clerk"]
    assert set(selectors.village_covers(village_doctor, months=[])) == set()
    assert set(selectors.mismatch_list(village_doctor, state="")) == set()
    assert {c.village.code for c in selectors.village_covers(clerk, months=[])} <= {
        world.divisions["v11"].code,
        world.divisions["v21"].code,
    }
    assert set(selectors.person_list(world.users["institution_cashier"])) == set()


# --- writes -------------------------------------------------------------------------------------------


def test_registry_writes_out_of_scope_are_not_visible_and_without_the_role_not_allowed(
    world, records, poverty
):
    staff, leader = world.users["township_staff"], world.users["commission_leader"]
    li_yi, neighbour = records["v21"]["person"], records["B"]["person"]
    changes = StatusChange.objects.count()
    with pytest.raises(NotVisible):
        services.household_register(staff, number="PH-X", village=world.divisions["v21"], head_name="越界")
    with pytest.raises(NotVisible):
        services.person_status_change(
            staff, li_yi, action="exit", effective_on=dt.date(2026, 6, 1), reason="越界"
        )
    with pytest.raises(NotVisible):
        services.person_status_change(
            leader, neighbour, action="exit", effective_on=dt.date(2026, 6, 1), reason="邻县"
        )
    with pytest.raises(NotVisible):
        services.person_update(staff, li_yi, residence="long_absent")
    for role in ("village_doctor", "insurance_clerk", "auditor", "institution_cashier"):
        with pytest.raises(NotAllowed):
            services.person_status_change(
                world.users[role],
                records["v11"]["person"],
                action="exit",
                effective_on=dt.date(2026, 6, 1),
                reason="x",
            )
        with pytest.raises(NotAllowed):
            services.household_register(
                world.users[role], number=f"PH-{role}", village=world.divisions["v11"], head_name="x"
            )
    assert StatusChange.objects.count() == changes
    assert PoorPerson.objects.get(pk=li_yi.pk).status == "poor"
    assert PoorPerson.objects.get(pk=li_yi.pk).residence == "resident"


def test_service_writes_out_of_scope_are_not_visible_and_without_the_role_not_allowed(
    world, records, poverty
):
    doctor = world.users["village_doctor"]
    li_yi = records["v21"]["person"]
    follow_ups, contracts = FollowUp.objects.count(), Contract.objects.count()
    with pytest.raises(NotVisible):
        services.follow_up_record(
            doctor,
            person=li_yi,
            programme="hypertension",
            done_on=dt.date(2026, 6, 1),
            method="home",
            result="stable",
        )
    with pytest.raises(NotVisible):
        services.contract_cancel(doctor, records["v21"]["contract"], on=dt.date(2026, 6, 1), reason="越界")
    with pytest.raises(NotVisible):
        services.fulfilment_record(
            doctor, contract=records["v21"]["contract"], done_on=dt.date(2026, 6, 1), content="越界"
        )
    with pytest.raises(NotVisible):
        services.contract_sign(
            world.users["township_staff"],
            person=li_yi,
            team=poverty.teams["th1"],
            signed_on=dt.date(2026, 6, 1),
            category="registered_poor",
            package="basic",
        )
    for role in ("insurance_clerk", "auditor", "institution_cashier", "commission_leader"):
        with pytest.raises(NotAllowed):
            services.follow_up_record(
                world.users[role],
                person=records["v11"]["person"],
                programme="hypertension",
                done_on=dt.date(2026, 6, 1),
                method="home",
                result="stable",
            )
    assert (FollowUp.objects.count(), Contract.objects.count()) == (follow_ups, contracts)
    # Inside its village the village doctor records.
    services.follow_up_record(
        doctor,
        person=records["v11"]["person"],
        programme="hypertension",
        done_on=dt.date(2026, 6, 1),
        method="home",
        result="stable",
    )
    assert FollowUp.objects.count() == follow_ups + 1


def test_cover_and_work_item_writes_out_of_scope_are_not_visible_and_without_the_role_not_allowed(
    world, records
):
    staff, leader = world.users["township_staff"], world.users["commission_leader"]
    with pytest.raises(NotVisible):
        services.sitting_record(staff, cover=records["v21"]["cover"], month=dt.date(2026, 5, 1), days=8)
    with pytest.raises(NotVisible):
        services.sitting_record(leader, cover=records["B"]["cover"], month=dt.date(2026, 5, 1), days=8)
    with pytest.raises(NotAllowed):
        services.sitting_record(
            world.users["village_doctor"], cover=records["v11"]["cover"], month=dt.date(2026, 5, 1), days=8
        )
    with pytest.raises(NotVisible):
        services.village_cover_assign(
            leader,
            village=records["B"]["cover"].village,
            practitioner=world.practitioners["th1"],
            institution=world.institutions["th1"],
            since=dt.date(2026, 6, 1),
            reason="跨县",
        )
    with pytest.raises(NotVisible):
        services.mismatch_resolve(leader, records["B"]["mismatch"], resolution="跨县")
    with pytest.raises(NotVisible):
        services.mismatch_resolve(staff, records["v21"]["mismatch"], resolution="越界")
    with pytest.raises(NotAllowed):
        services.mismatch_resolve(world.users["auditor"], records["v11"]["mismatch"], resolution="审计")
    assert set(Mismatch.objects.values_list("state", flat=True)) == {"open"}
    assert VillageCover.objects.filter(until__isnull=False).count() == 0
    assert not records["v11"]["cover"].months.exists()
