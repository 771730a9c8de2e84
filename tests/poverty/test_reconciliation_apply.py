"""Turning reconciliation findings into work items: each mismatch gets the township hospital of its village
as owner and ten working days; running again neither duplicates nor forgets, and a fix that did not
reach the lists is caught by the next run."""

import datetime as dt

import pytest

from tests.poverty.fixtures import build_poverty
from weijian.core import synthetic
from weijian.core.audit import acting_as
from weijian.core.errors import InvalidInput, NotAllowed, NotVisible
from weijian.core.models import AuditEntry
from weijian.poverty import selectors, services
from weijian.poverty.models import Mismatch, MismatchState
from weijian.poverty.services import WrongState

pytestmark = pytest.mark.django_db

# A Friday before the Dragon Boat Festival (Friday 2026-06-19): ten working days later is Monday
# 2026-06-29 (15–18, 22–26, 29 June).
FOUND_ON = dt.date(2026, 6, 12)
DEADLINE = dt.date(2026, 6, 29)


@pytest.fixture
def poverty(world):
    return build_poverty(world)


@pytest.fixture
def leader(world):
    return world.users["commission_leader"]


def _run(world, leader):
    services.list_import(
        leader,
        source="poverty",
        division=world.divisions["county_a"],
        file_name="建档立卡名单.xlsx",
        rows=[{"row": 2, "id_number": "x", "name": "x"}],
    )
    return services.reconciliation_start(leader, division=world.divisions["county_a"])


def _finding(
    kind,
    *,
    source="poverty",
    row=None,
    other_source=None,
    other_row=None,
    id_number="",
    name="",
    village="",
    detail="",
):
    return {
        "kind": kind,
        "source": source,
        "row": row,
        "other_source": other_source,
        "other_row": other_row,
        "id_number": id_number,
        "name": name,
        "village": village,
        "detail": detail,
    }


@pytest.fixture
def findings(world, poverty):
    v11, v21 = world.divisions["v11"].code, world.divisions["v21"].code
    return {
        "not_enrolled": _finding(
            "not_enrolled",
            row=4,
            other_source="insurance",
            id_number=poverty.persons["zhang_san"].id_number,
            name="张三",
            village=v11,
            detail="建档立卡但未参合",
        ),
        "missing": _finding(
            "missing",
            row=9,
            other_source="health_records",
            id_number=synthetic.id_number(v21, dt.date(1960, 1, 1), 31),
            name="李七",
            village=v21,
        ),
        "invalid_id": _finding("invalid_id", source="civil_affairs", row=7, id_number="3699011", name="某某"),
        "records": _finding(
            "records_exceed_residents", source="health_records", village=v21, detail="31233 > 30891"
        ),
    }


def _items():
    return {
        item.kind: (item.division.code, item.owner.name, item.deadline, item.state)
        for item in Mismatch.objects.select_related("division", "owner")
    }


def test_new_items_go_to_the_township_hospital_of_the_village_with_ten_working_days(world, leader, findings):
    run = _run(world, leader)
    counts = services.reconciliation_apply(run, list(findings.values()), today=FOUND_ON)
    assert counts == {"not_enrolled": 1, "missing": 1, "invalid_id": 1, "records_exceed_residents": 1}
    v11, v21, county = (world.divisions[key].code for key in ("v11", "v21", "county_a"))
    assert _items() == {
        "not_enrolled": (v11, "城关镇卫生院", DEADLINE, "open"),
        "missing": (v21, "东山乡卫生院", DEADLINE, "open"),
        # No village: the item stays with the area and the office that ran the comparison.
        "invalid_id": (county, "示范县卫生健康委员会", DEADLINE, "open"),
        "records_exceed_residents": (v21, "东山乡卫生院", DEADLINE, "open"),
    }
    item = Mismatch.objects.get(kind="not_enrolled")
    assert (item.source, item.row, item.other_source, item.other_row, item.name, item.detail) == (
        "poverty",
        4,
        "insurance",
        None,
        "张三",
        "建档立卡但未参合",
    )
    assert item.found_by == item.last_seen_by == run
    assert AuditEntry.objects.filter(model="poverty.mismatch", action="create").count() == 4


def test_the_same_finding_twice_in_one_run_is_one_item(world, leader, findings):
    duplicate = dict(findings["missing"], row=12)
    counts = services.reconciliation_apply(
        _run(world, leader), [findings["missing"], duplicate], today=FOUND_ON
    )
    assert counts == {"missing": 1}
    assert Mismatch.objects.count() == 1


def test_running_again_with_the_same_findings_creates_nothing_new(world, leader, findings):
    first = _run(world, leader)
    services.reconciliation_apply(first, list(findings.values()), today=FOUND_ON)
    before = _items()
    ids = set(Mismatch.objects.values_list("pk", flat=True))
    second = _run(world, leader)
    # The person moved to another row of the new file: the same item, its row updated.
    moved = dict(findings["not_enrolled"], row=40)
    counts = services.reconciliation_apply(
        second,
        [moved, findings["missing"], findings["invalid_id"], findings["records"]],
        today=dt.date(2026, 6, 22),
    )
    assert counts == {"not_enrolled": 1, "missing": 1, "invalid_id": 1, "records_exceed_residents": 1}
    assert set(Mismatch.objects.values_list("pk", flat=True)) == ids
    # Open items keep their deadline; they are marked as seen by the second run.
    assert _items() == before
    item = Mismatch.objects.get(kind="not_enrolled")
    assert (item.row, item.found_by, item.last_seen_by) == (40, first, second)


def test_a_finding_that_disappears_is_resolved_by_the_run(world, leader, findings):
    services.reconciliation_apply(_run(world, leader), list(findings.values()), today=FOUND_ON)
    second = _run(world, leader)
    rest = [f for key, f in findings.items() if key != "missing"]
    counts = services.reconciliation_apply(second, rest, today=dt.date(2026, 6, 22))
    assert "missing" not in counts
    gone = Mismatch.objects.get(kind="missing")
    assert gone.state == MismatchState.RESOLVED
    assert gone.resolved_at is not None
    assert gone.resolved_by is None
    assert str(second.pk) in gone.resolution
    assert Mismatch.objects.filter(state=MismatchState.OPEN).count() == 3
    assert [m.kind for m in selectors.mismatch_list(leader, state=MismatchState.RESOLVED)] == ["missing"]


def test_an_item_resolved_by_hand_that_is_found_again_reopens_with_a_new_deadline(world, leader, findings):
    services.reconciliation_apply(_run(world, leader), [findings["not_enrolled"]], today=FOUND_ON)
    item = Mismatch.objects.get()
    services.mismatch_resolve(world.users["insurance_clerk"], item, resolution="已通知补缴参合费")
    assert Mismatch.objects.get().state == MismatchState.RESOLVED
    later = _run(world, leader)
    services.reconciliation_apply(later, [findings["not_enrolled"]], today=dt.date(2026, 7, 1))
    reopened = Mismatch.objects.get()
    assert Mismatch.objects.count() == 1
    # 2026-07-01 (Wednesday) + 10 working days = 2026-07-15.
    assert (reopened.state, reopened.deadline, reopened.resolved_at, reopened.resolved_by) == (
        MismatchState.OPEN,
        dt.date(2026, 7, 15),
        None,
        None,
    )
    assert reopened.last_seen_by == later


def test_an_item_resolved_by_the_run_stays_resolved_while_it_is_not_found(world, leader, findings):
    services.reconciliation_apply(_run(world, leader), [findings["missing"]], today=FOUND_ON)
    services.reconciliation_apply(_run(world, leader), [], today=FOUND_ON)
    resolved = Mismatch.objects.get()
    resolution, resolved_at = resolved.resolution, resolved.resolved_at
    services.reconciliation_apply(_run(world, leader), [], today=FOUND_ON)
    again = Mismatch.objects.get()
    assert (again.state, again.resolution, again.resolved_at) == ("resolved", resolution, resolved_at)


def test_resolving_needs_a_text_and_is_audited(world, leader, findings):
    services.reconciliation_apply(_run(world, leader), [findings["not_enrolled"]], today=FOUND_ON)
    item = Mismatch.objects.get()
    clerk = world.users["insurance_clerk"]
    with pytest.raises(InvalidInput) as caught:
        services.mismatch_resolve(clerk, item, resolution="  ")
    assert caught.value.field == "resolution"
    assert Mismatch.objects.get().state == MismatchState.OPEN
    assert not AuditEntry.objects.filter(model="poverty.mismatch", action="transition").exists()
    with acting_as(clerk):
        services.mismatch_resolve(clerk, item, resolution=" 已补缴 ")
    resolved = Mismatch.objects.get()
    assert (resolved.state, resolved.resolution, resolved.resolved_by) == ("resolved", "已补缴", clerk)
    entry = AuditEntry.objects.get(model="poverty.mismatch", action="transition")
    assert entry.changes == {"state": ["open", "resolved"], "note": [None, "已补缴"]}
    assert entry.actor == clerk
    with pytest.raises(WrongState):
        services.mismatch_resolve(clerk, resolved, resolution="再次处理")


def test_only_roles_with_the_permission_resolve_and_only_in_their_scope(world, leader, findings):
    services.reconciliation_apply(
        _run(world, leader), [findings["not_enrolled"], findings["missing"]], today=FOUND_ON
    )
    v11_item, v21_item = Mismatch.objects.get(kind="not_enrolled"), Mismatch.objects.get(kind="missing")
    for role in ("village_doctor", "auditor", "institution_cashier"):
        with pytest.raises(NotAllowed):
            services.mismatch_resolve(world.users[role], v11_item, resolution="x")
    with pytest.raises(NotVisible):
        services.mismatch_resolve(world.users["township_staff"], v21_item, resolution="不归本院")
    services.mismatch_resolve(world.users["township_staff"], v11_item, resolution="已核实")
    assert dict(Mismatch.objects.values_list("kind", "state")) == {
        "not_enrolled": "resolved",
        "missing": "open",
    }
