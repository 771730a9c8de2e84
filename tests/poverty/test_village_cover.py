"""Township doctors covering villages without their own doctor (包村医生, seed-003 R6 L335): a covering
doctor is not changed without a stated reason, and sits 7–10 days a month at the village clinic."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.poverty.fixtures import build_poverty
from weijian.core import synthetic
from weijian.core.errors import InvalidInput, NotAllowed, NotVisible
from weijian.poverty import selectors, services
from weijian.poverty.models import SittingMonth, VillageCover
from weijian.registry.models import Practitioner, PractitionerCategory

pytestmark = pytest.mark.django_db

MONTHS = [dt.date(2026, m, 1) for m in (3, 4, 5, 6, 7)]


@pytest.fixture
def poverty(world):
    return build_poverty(world)


@pytest.fixture
def staff(world):
    return world.users["township_staff"]


def _second_doctor(world) -> Practitioner:
    """Another doctor of the same township hospital: a covering doctor comes from the hospital."""
    found = Practitioner.objects.filter(name="城关镇卫生院第二医生").first()
    return found or Practitioner.objects.create(
        id_number=synthetic.id_number(world.divisions["t1"].code, dt.date(1985, 3, 1), 901),
        name="城关镇卫生院第二医生",
        category=PractitionerCategory.PHYSICIAN,
        registered_institution=world.institutions["th1"],
    )


def _replace(world, staff, reason, since=dt.date(2026, 5, 15)):
    return services.village_cover_assign(
        staff,
        village=world.divisions["v11"],
        practitioner=_second_doctor(world),
        institution=world.institutions["th1"],
        since=since,
        reason=reason,
    )


def test_replacing_the_covering_doctor_without_a_reason_is_refused(world, poverty, staff):
    with pytest.raises(InvalidInput) as caught:
        _replace(world, staff, " ")
    assert caught.value.field == "reason"
    assert list(VillageCover.objects.filter(village=world.divisions["v11"])) == [poverty.covers["v11"]]
    assert VillageCover.objects.get(pk=poverty.covers["v11"].pk).until is None


def test_replacing_the_covering_doctor_closes_the_previous_cover_the_day_before(world, poverty, staff):
    new = _replace(world, staff, "原包村医生调往县医院进修")
    old = VillageCover.objects.get(pk=poverty.covers["v11"].pk)
    assert (old.since, old.until) == (dt.date(2026, 1, 1), dt.date(2026, 5, 14))
    assert (new.practitioner, new.since, new.until, new.change_reason) == (
        _second_doctor(world),
        dt.date(2026, 5, 15),
        None,
        "原包村医生调往县医院进修",
    )
    current = selectors.village_covers(staff, months=[])
    assert [(c.village.code, c.practitioner.name) for c in current] == [
        (world.divisions["v11"].code, _second_doctor(world).name)
    ]


def test_a_change_must_come_after_the_current_doctors_start(world, poverty, staff):
    with pytest.raises(InvalidInput) as caught:
        _replace(world, staff, "调整", since=dt.date(2026, 1, 1))
    assert caught.value.field == "since"
    assert VillageCover.objects.get(pk=poverty.covers["v11"].pk).until is None


def test_assigning_the_same_doctor_again_keeps_the_current_cover(world, poverty, staff):
    again = services.village_cover_assign(
        staff,
        village=world.divisions["v11"],
        practitioner=world.practitioners["th1"],
        institution=world.institutions["th1"],
        since=dt.date(2026, 6, 1),
    )
    assert again == poverty.covers["v11"]
    assert VillageCover.objects.filter(village=world.divisions["v11"]).count() == 1


def test_only_a_manager_of_the_villages_township_assigns_a_cover(world, poverty, staff):
    with pytest.raises(NotVisible):
        services.village_cover_assign(
            staff,
            village=world.divisions["v21"],
            practitioner=world.practitioners["th1"],
            institution=world.institutions["th1"],
            since=dt.date(2026, 6, 1),
            reason="支援",
        )
    with pytest.raises(NotAllowed):
        _replace(world, world.users["village_doctor"], "自行更换")
    assert VillageCover.objects.count() == 2


@pytest.mark.parametrize("days", [0, 7, 10, 31])
def test_sitting_days_from_0_to_31_are_recorded(poverty, staff, days):
    entry = services.sitting_record(staff, cover=poverty.covers["v11"], month=dt.date(2026, 5, 20), days=days)
    assert (entry.month, entry.days) == (dt.date(2026, 5, 1), days)


@pytest.mark.parametrize("days", [-1, 32])
def test_sitting_days_outside_0_to_31_are_refused(poverty, staff, days):
    with pytest.raises(InvalidInput) as caught:
        services.sitting_record(staff, cover=poverty.covers["v11"], month=dt.date(2026, 5, 1), days=days)
    assert caught.value.field == "days"
    assert not SittingMonth.objects.exists()


def test_recording_a_month_again_corrects_it(poverty, staff):
    cover = poverty.covers["v11"]
    services.sitting_record(staff, cover=cover, month=dt.date(2026, 5, 1), days=6)
    services.sitting_record(staff, cover=cover, month=dt.date(2026, 5, 31), days=8)
    assert list(SittingMonth.objects.values_list("month", "days")) == [(dt.date(2026, 5, 1), 8)]


def test_sitting_days_are_recorded_only_for_months_of_the_cover(world, poverty, staff):
    cover = poverty.covers["v11"]  # since 2026-01-01
    _replace(world, staff, "调岗")  # the first cover ends on 2026-05-14
    for month in (dt.date(2025, 12, 1), dt.date(2026, 6, 1)):
        with pytest.raises(InvalidInput) as caught:
            services.sitting_record(staff, cover=cover, month=month, days=8)
        assert caught.value.field == "month"
    next_month = (timezone.localdate().replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    with pytest.raises(InvalidInput):
        services.sitting_record(
            world.users["superuser"], cover=poverty.covers["v21"], month=next_month, days=8
        )
    assert not SittingMonth.objects.exists()
    # The month of the handover belongs to both doctors.
    services.sitting_record(staff, cover=cover, month=dt.date(2026, 5, 1), days=4)


def test_months_outside_7_to_10_days_are_flagged(world, poverty, staff):
    for month, days in ((3, 6), (4, 7), (5, 10), (6, 11)):
        services.sitting_record(staff, cover=poverty.covers["v11"], month=dt.date(2026, month, 1), days=days)
    services.sitting_record(
        world.users["superuser"], cover=poverty.covers["v21"], month=dt.date(2026, 3, 1), days=0
    )
    covers = selectors.village_covers(world.users["commission_leader"], months=MONTHS)
    assert (
        [(c.village.code, c.sittings) for c in covers]
        == [
            (
                world.divisions["v11"].code,
                [
                    (dt.date(2026, 3, 1), 6, True),
                    (dt.date(2026, 4, 1), 7, False),
                    (dt.date(2026, 5, 1), 10, False),
                    (dt.date(2026, 6, 1), 11, True),
                    (dt.date(2026, 7, 1), None, False),  # nothing recorded yet: shown empty, not flagged
                ],
            ),
            (
                world.divisions["v21"].code,
                [(dt.date(2026, 3, 1), 0, True)] + [(month, None, False) for month in MONTHS[1:]],
            ),
        ]
    )
    # The township hospital of t1 sees its own village only.
    assert [c.village.code for c in selectors.village_covers(staff, months=MONTHS)] == [
        world.divisions["v11"].code
    ]


def test_a_covering_doctor_must_work_at_the_township_hospital_named(world, poverty, staff):
    with pytest.raises(InvalidInput) as caught:
        services.village_cover_assign(
            staff,
            village=world.divisions["v11"],
            practitioner=world.practitioners["county_hospital"],
            institution=world.institutions["th1"],
            since=dt.date(2026, 5, 15),
            reason="调整",
        )
    assert caught.value.field == "practitioner"
    assert VillageCover.objects.get(pk=poverty.covers["v11"].pk).until is None
