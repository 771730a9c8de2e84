"""Family-doctor work as the township hospital records it: contracts (one active at a time), services
delivered under them, follow-ups under a person's programmes, and the follow-ups due and overdue that a
village doctor works through."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.poverty.fixtures import TODAY, build_poverty
from weijian.core.errors import InvalidInput
from weijian.poverty import selectors, services
from weijian.poverty.catalogue import catalogue
from weijian.poverty.models import (
    Contract,
    ContractCategory,
    ContractState,
    FollowUp,
    FollowUpMethod,
    FollowUpResult,
    Fulfilment,
    ServicePackage,
)
from weijian.poverty.services import WrongState

pytestmark = pytest.mark.django_db


@pytest.fixture
def poverty(world):
    return build_poverty(world)


@pytest.fixture
def staff(world):
    return world.users["township_staff"]


def _sign(user, person, team, signed_on, **extra):
    return services.contract_sign(
        user,
        person=person,
        team=team,
        signed_on=signed_on,
        category=ContractCategory.REGISTERED_POOR,
        package=ServicePackage.BASIC,
        **extra,
    )


def _follow(user, person, programme, done_on):
    return services.follow_up_record(
        user,
        person=person,
        programme=programme,
        done_on=done_on,
        method=FollowUpMethod.PHONE,
        result=FollowUpResult.STABLE,
    )


# --- contracts ------------------------------------------------------------------------------------------


def test_a_contract_runs_for_a_year_unless_the_form_says_otherwise(poverty):
    assert poverty.contracts["zhang_yi"].signed_on == dt.date(2026, 1, 10)
    assert poverty.contracts["zhang_yi"].valid_until == dt.date(2027, 1, 9)
    assert poverty.contracts["zhang_yi"].state == ContractState.ACTIVE


def test_a_person_has_one_active_contract_at_a_time(poverty, staff):
    zhang_yi = poverty.persons["zhang_yi"]
    with pytest.raises(InvalidInput) as caught:
        _sign(staff, zhang_yi, poverty.teams["th1"], dt.date(2026, 6, 1))
    assert caught.value.field == "person"
    assert zhang_yi.contracts.count() == 1


def test_after_cancelling_with_a_reason_the_person_can_sign_again(poverty, staff):
    zhang_yi = poverty.persons["zhang_yi"]
    contract = poverty.contracts["zhang_yi"]
    with pytest.raises(InvalidInput) as caught:
        services.contract_cancel(staff, contract, on=dt.date(2026, 5, 31), reason="  ")
    assert caught.value.field == "reason"
    assert Contract.objects.get(pk=contract.pk).state == ContractState.ACTIVE
    services.contract_cancel(staff, contract, on=dt.date(2026, 5, 31), reason="改签其他团队")
    cancelled = Contract.objects.get(pk=contract.pk)
    assert (cancelled.state, cancelled.cancelled_on, cancelled.cancel_reason) == (
        ContractState.CANCELLED,
        dt.date(2026, 5, 31),
        "改签其他团队",
    )
    with pytest.raises(WrongState):
        services.contract_cancel(staff, contract, on=dt.date(2026, 6, 1), reason="再次解约")
    again = _sign(staff, zhang_yi, poverty.teams["th1"], dt.date(2026, 6, 1))
    assert list(zhang_yi.contracts.filter(state=ContractState.ACTIVE)) == [again]


def test_a_contract_cannot_be_cancelled_before_it_was_signed_or_in_the_future(poverty, staff):
    contract = poverty.contracts["zhang_yi"]
    for on in (dt.date(2026, 1, 9), timezone.localdate() + dt.timedelta(days=1)):
        with pytest.raises(InvalidInput) as caught:
            services.contract_cancel(staff, contract, on=on, reason="解约")
        assert caught.value.field == "on"
    assert Contract.objects.get(pk=contract.pk).state == ContractState.ACTIVE


def test_an_expired_contract_does_not_block_a_new_one(poverty, staff):
    zhang_er = poverty.persons["zhang_er"]
    first = _sign(
        staff, zhang_er, poverty.teams["th1"], dt.date(2025, 7, 1), valid_until=dt.date(2026, 2, 28)
    )
    with pytest.raises(InvalidInput):
        _sign(staff, zhang_er, poverty.teams["th1"], dt.date(2026, 2, 28))
    second = _sign(staff, zhang_er, poverty.teams["th1"], dt.date(2026, 3, 1))
    assert second.valid_until == dt.date(2027, 2, 28)
    assert selectors.active_contract(zhang_er, dt.date(2026, 2, 28)) == first
    assert selectors.active_contract(zhang_er, dt.date(2026, 3, 1)) == second


def test_a_contract_that_ends_before_it_starts_is_refused(poverty, staff):
    with pytest.raises(InvalidInput) as caught:
        _sign(
            staff,
            poverty.persons["zhang_er"],
            poverty.teams["th1"],
            dt.date(2026, 3, 1),
            valid_until=dt.date(2026, 2, 28),
        )
    assert caught.value.field == "valid_until"
    assert not poverty.persons["zhang_er"].contracts.exists()


def test_a_contract_signed_in_the_future_or_with_an_inactive_team_is_refused(poverty, staff):
    zhang_er = poverty.persons["zhang_er"]
    with pytest.raises(InvalidInput) as caught:
        _sign(staff, zhang_er, poverty.teams["th1"], timezone.localdate() + dt.timedelta(days=1))
    assert caught.value.field == "signed_on"
    team = poverty.teams["th1"]
    team.active = False
    team.save()
    with pytest.raises(InvalidInput) as caught:
        _sign(staff, zhang_er, team, dt.date(2026, 3, 1))
    assert caught.value.field == "team"
    assert not zhang_er.contracts.exists()


# --- fulfilment -----------------------------------------------------------------------------------------


def test_a_service_not_delivered_needs_the_reason(poverty, staff):
    contract = poverty.contracts["zhang_yi"]
    before = Fulfilment.objects.count()
    with pytest.raises(InvalidInput) as caught:
        services.fulfilment_record(
            staff, contract=contract, done_on=dt.date(2026, 6, 2), content="上门服务", done=False
        )
    assert caught.value.field == "reason_not_done"
    assert Fulfilment.objects.count() == before
    recorded = services.fulfilment_record(
        staff,
        contract=contract,
        done_on=dt.date(2026, 6, 2),
        content="上门服务",
        done=False,
        reason_not_done="hospitalised",
    )
    assert (recorded.done, recorded.reason_not_done, recorded.recorded_by) == (False, "hospitalised", staff)


def test_a_reason_given_for_a_delivered_service_is_dropped(poverty, staff):
    recorded = services.fulfilment_record(
        staff,
        contract=poverty.contracts["zhang_yi"],
        done_on=dt.date(2026, 6, 2),
        content="测血压",
        reason_not_done="refused",
    )
    assert (recorded.done, recorded.reason_not_done) == (True, "")


def test_a_service_is_dated_inside_the_contract_and_not_in_the_future(poverty, staff):
    contract = services.contract_sign(
        staff,
        person=poverty.persons["zhang_er"],
        team=poverty.teams["th1"],
        signed_on=dt.date(2026, 2, 1),
        valid_until=dt.date(2026, 4, 30),
        category=ContractCategory.REGISTERED_POOR,
        package=ServicePackage.BASIC,
    )
    before = Fulfilment.objects.count()
    for day, field in (
        (dt.date(2026, 1, 31), "done_on"),
        (dt.date(2026, 5, 1), "done_on"),
    ):
        with pytest.raises(InvalidInput) as caught:
            services.fulfilment_record(staff, contract=contract, done_on=day, content="随访")
        assert caught.value.field == field
    assert Fulfilment.objects.count() == before
    first = services.fulfilment_record(
        staff, contract=contract, done_on=dt.date(2026, 2, 1), content="签约随访"
    )
    last = services.fulfilment_record(
        staff, contract=contract, done_on=dt.date(2026, 4, 30), content="季度随访"
    )
    assert [first.done_on, last.done_on] == [dt.date(2026, 2, 1), dt.date(2026, 4, 30)]
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(InvalidInput) as caught:
        services.fulfilment_record(
            staff, contract=poverty.contracts["zhang_yi"], done_on=tomorrow, content="x"
        )
    assert caught.value.field == "done_on"


def test_no_service_is_recorded_under_a_cancelled_contract(poverty, staff):
    contract = poverty.contracts["zhang_yi"]
    services.contract_cancel(staff, contract, on=dt.date(2026, 6, 1), reason="迁出")
    with pytest.raises(InvalidInput):
        services.fulfilment_record(staff, contract=contract, done_on=dt.date(2026, 5, 20), content="补录")
    assert contract.fulfilments.count() == 1


# --- follow-ups -----------------------------------------------------------------------------------------


def test_a_follow_up_is_only_for_one_of_the_persons_programmes(poverty, staff):
    zhang_yi = poverty.persons["zhang_yi"]
    with pytest.raises(InvalidInput) as caught:
        _follow(staff, zhang_yi, "diabetes", dt.date(2026, 6, 1))
    assert caught.value.field == "programme"
    with pytest.raises(InvalidInput) as caught:
        _follow(staff, poverty.persons["zhang_san"], "hypertension", dt.date(2026, 6, 1))
    assert caught.value.field == "programme"
    assert FollowUp.objects.filter(person__in=[zhang_yi, poverty.persons["zhang_san"]]).count() == 1


def test_a_follow_up_in_the_future_is_refused(poverty, staff):
    with pytest.raises(InvalidInput) as caught:
        _follow(
            staff, poverty.persons["zhang_yi"], "hypertension", timezone.localdate() + dt.timedelta(days=1)
        )
    assert caught.value.field == "done_on"
    recorded = _follow(staff, poverty.persons["zhang_yi"], "hypertension", timezone.localdate())
    assert recorded.done_on == timezone.localdate()


def test_the_intervals_come_from_the_catalogue():
    assert {code: p.interval_days for code, p in catalogue().programmes.items()} == {
        "hypertension": 90,
        "diabetes": 90,
        "severe_mental": 90,
        "tuberculosis": 30,
        "echinococcosis": 180,
    }


def _dues(user, today, **kwargs):
    return [
        (d.person_name, d.programme, d.last_done, d.due_on, d.overdue_days)
        for d in selectors.follow_ups_due(user, today=today, **kwargs)
    ]


def test_follow_ups_due_on_a_given_day_worked_out_by_hand(world, poverty):
    # 2026-05-01 + 90 = 2026-07-30; 2026-03-01 + 90 = 2026-05-30; 2026-06-15 + 90 = 2026-09-13.
    # 张二 never followed up: the clock starts when he entered the registry, 2025-06-01 + 90 =
    # 2025-08-30, and 2026-07-01 is 305 days later. 陈一 has exited and 张三, 李二 are in no programme.
    leader = world.users["commission_leader"]
    assert _dues(leader, TODAY, overdue_only=False) == [
        ("张二", "diabetes", None, dt.date(2025, 8, 30), 305),
        ("李一", "hypertension", dt.date(2026, 3, 1), dt.date(2026, 5, 30), 32),
        ("张一", "hypertension", dt.date(2026, 5, 1), dt.date(2026, 7, 30), 0),
        ("李一", "diabetes", dt.date(2026, 6, 15), dt.date(2026, 9, 13), 0),
    ]
    assert _dues(leader, TODAY) == [
        ("张二", "diabetes", None, dt.date(2025, 8, 30), 305),
        ("李一", "hypertension", dt.date(2026, 3, 1), dt.date(2026, 5, 30), 32),
    ]
    assert _dues(leader, TODAY, area=world.divisions["v21"]) == [
        ("李一", "hypertension", dt.date(2026, 3, 1), dt.date(2026, 5, 30), 32),
    ]
    # The village doctor of v11 sees the people of v11 only.
    assert _dues(world.users["village_doctor"], TODAY) == [
        ("张二", "diabetes", None, dt.date(2025, 8, 30), 305)
    ]


def test_overdue_starts_the_day_after_the_due_date(world, poverty):
    zhang_yi = poverty.persons["zhang_yi"]
    by_day = {
        day: [(d.due_on, d.overdue_days, d.overdue) for d in selectors.person_follow_ups(zhang_yi, day)]
        for day in (dt.date(2026, 7, 30), dt.date(2026, 7, 31), dt.date(2026, 8, 9))
    }
    assert by_day == {
        dt.date(2026, 7, 30): [(dt.date(2026, 7, 30), 0, False)],
        dt.date(2026, 7, 31): [(dt.date(2026, 7, 30), 1, True)],
        dt.date(2026, 8, 9): [(dt.date(2026, 7, 30), 10, True)],
    }


def test_recording_a_follow_up_clears_the_overdue_item(world, poverty, staff):
    leader = world.users["commission_leader"]
    on = dt.date(2026, 8, 9)
    assert ("张一", "hypertension", dt.date(2026, 5, 1), dt.date(2026, 7, 30), 10) in _dues(leader, on)
    _follow(staff, poverty.persons["zhang_yi"], "hypertension", dt.date(2026, 8, 5))
    assert [d for d in _dues(leader, on) if d[0] == "张一"] == []
    assert [
        (d.last_done, d.due_on, d.overdue_days)
        for d in selectors.person_follow_ups(poverty.persons["zhang_yi"], on)
    ] == [(dt.date(2026, 8, 5), dt.date(2026, 11, 3), 0)]


def test_the_latest_follow_up_counts_whatever_order_they_are_recorded_in(world, poverty):
    li_yi = poverty.persons["li_yi"]
    _follow(
        world.users["superuser"], li_yi, "hypertension", dt.date(2026, 2, 1)
    )  # a late entry of an older visit
    dues = {d.programme: (d.last_done, d.due_on) for d in selectors.person_follow_ups(li_yi, TODAY)}
    assert dues["hypertension"] == (dt.date(2026, 3, 1), dt.date(2026, 5, 30))


def test_a_person_who_re_entered_is_due_from_the_re_entry_not_from_an_old_follow_up(world, poverty, staff):
    # 李一 was followed up for hypertension on 2026-03-01, exited on 2026-03-10 and re-entered on
    # 2026-06-20: the 90 days run from 2026-06-20 (due 2026-09-18), not from 2026-03-01.
    li_yi = poverty.persons["li_yi"]
    superuser = world.users["superuser"]
    services.person_status_change(
        superuser, li_yi, action="exit", effective_on=dt.date(2026, 3, 10), reason="务工"
    )
    li_yi.refresh_from_db()
    assert selectors.person_follow_ups(li_yi, TODAY) == []
    services.person_status_change(
        superuser, li_yi, action="re_enter", effective_on=dt.date(2026, 6, 20), reason="因病返贫"
    )
    li_yi.refresh_from_db()
    dues = {d.programme: (d.due_on, d.overdue_days) for d in selectors.person_follow_ups(li_yi, TODAY)}
    assert dues == {
        "hypertension": (dt.date(2026, 9, 18), 0),
        "diabetes": (dt.date(2026, 9, 18), 0),
    }
    assert "李一" not in [d[0] for d in _dues(world.users["commission_leader"], TODAY)]


def test_a_tuberculosis_patient_is_due_every_30_days(world, poverty, staff):
    zhang_er = services.person_update(
        staff, poverty.persons["zhang_er"], programmes=["diabetes", "tuberculosis"]
    )
    _follow(staff, zhang_er, "tuberculosis", dt.date(2026, 6, 1))
    dues = {d.programme: (d.due_on, d.overdue_days) for d in selectors.person_follow_ups(zhang_er, TODAY)}
    assert dues == {"diabetes": (dt.date(2025, 8, 30), 305), "tuberculosis": (dt.date(2026, 7, 1), 0)}


def test_no_follow_up_is_recorded_for_a_person_who_has_exited(world, poverty, staff):
    zhang_yi = poverty.persons["zhang_yi"]
    services.person_status_change(
        staff, zhang_yi, action="exit", effective_on=dt.date(2026, 6, 1), reason="稳定脱贫"
    )
    with pytest.raises(InvalidInput) as caught:
        _follow(staff, zhang_yi, "hypertension", dt.date(2026, 6, 20))
    assert caught.value.field == "person"
    assert not zhang_yi.follow_ups.filter(done_on=dt.date(2026, 6, 20)).exists()
