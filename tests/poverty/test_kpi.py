"""Indicators as numerator over denominator: the arithmetic of engine/kpi.py, and the table a county
official reads per township, counted by hand from the people of tests/poverty/fixtures.py."""

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.poverty.fixtures import TODAY, build_poverty
from weijian.core.errors import NotVisible
from weijian.poverty import selectors
from weijian.poverty.engine import kpi
from weijian.poverty.engine.kpi import AT_LEAST, AT_MOST, Rate, Target

# --- the engine -----------------------------------------------------------------------------------------


def test_rates_add_as_two_counts_not_as_percentages():
    village_a, village_b = Rate(1, 4), Rate(9, 10)
    # 25 % and 90 % make 10/14 = 71.43 %, not the 57.5 % mean of the two.
    assert village_a + village_b == Rate(10, 14)
    assert (village_a + village_b).percent() == Decimal("71.43")
    assert kpi.ZERO + village_a == village_a


@pytest.mark.parametrize(
    ("rate", "places", "expected"),
    [
        (Rate(1, 8), 0, Decimal("13")),  # 12.5 → 13 (half-up, not to even)
        (Rate(5, 8), 0, Decimal("63")),  # 62.5 → 63
        (Rate(1, 800), 2, Decimal("0.13")),  # 0.125 → 0.13
        (Rate(3, 8), 1, Decimal("37.5")),
        (Rate(1, 3), 2, Decimal("33.33")),
        (Rate(2, 3), 2, Decimal("66.67")),
        (Rate(0, 7), 2, Decimal("0.00")),
        (Rate(7, 7), 2, Decimal("100.00")),
    ],
)
def test_percent_rounds_half_up(rate, places, expected):
    assert rate.percent(places) == expected
    assert str(rate.percent(places)) == str(expected)


def test_a_rate_without_a_denominator_has_no_value():
    assert Rate(0, 0).value is None
    assert Rate(0, 0).percent() is None
    assert kpi.status(Rate(0, 0), kpi.TARGETS[kpi.CONTRACT]) == "no_data"


def test_more_health_records_than_residents_is_flagged_impossible():
    # seed-003 §3.9: 31,233 health records over 30,891 residents is 101.11 %.
    records = Rate(31_233, 30_891)
    assert records.percent() == Decimal("101.11")
    assert records.value == Fraction(31_233, 30_891)
    assert records.impossible
    assert kpi.status(records, kpi.TARGETS[kpi.CONTRACT]) == "impossible"
    assert kpi.status(records, None) == "impossible"
    assert not Rate(30_891, 30_891).impossible
    assert kpi.status(Rate(30_891, 30_891), kpi.TARGETS[kpi.CONTRACT]) == "met"


def test_targets_at_their_boundaries():
    in_county = kpi.TARGETS[kpi.IN_COUNTY]  # at least 95 %
    assert kpi.status(Rate(95, 100), in_county) == "met"
    assert kpi.status(Rate(949, 1000), in_county) == "missed"
    self_pay = Target(Fraction(1, 10), AT_MOST, "test")
    assert kpi.status(Rate(10, 100), self_pay) == "met"
    assert kpi.status(Rate(11, 100), self_pay) == "missed"
    assert kpi.status(Rate(1, 2), None) == "no_target"
    assert Target(Fraction(1), AT_LEAST, "").met_by(Fraction(1))


counts = st.integers(min_value=0, max_value=10**6)


@given(st.lists(st.tuples(counts, counts), max_size=8))
def test_a_sum_of_rates_is_the_sum_of_numerators_over_the_sum_of_denominators(pairs):
    total = kpi.ZERO
    for numerator, denominator in pairs:
        total = total + Rate(numerator, denominator)
    assert total == Rate(sum(n for n, _d in pairs), sum(d for _n, d in pairs))


@given(counts, st.integers(min_value=1, max_value=10**6), st.integers(min_value=0, max_value=4))
def test_percent_is_the_exact_value_rounded_half_up(numerator, denominator, places):
    shown = Rate(numerator, denominator).percent(places)
    exact = Fraction(numerator * 100, denominator)
    step = Fraction(1, 10**places)
    # Within half a step of the exact value, and a tie goes up.
    assert abs(Fraction(shown) - exact) <= step / 2
    if abs(Fraction(shown) - exact) == step / 2:
        assert Fraction(shown) > exact
    assert -shown.as_tuple().exponent == places


@given(counts, counts)
def test_impossible_exactly_when_the_numerator_exceeds_the_denominator(numerator, denominator):
    rate = Rate(numerator, denominator)
    assert rate.impossible == (numerator > denominator)
    if denominator and not rate.impossible:
        assert Decimal(0) <= rate.percent() <= Decimal(100)


# --- the table of the county ----------------------------------------------------------------------------


@pytest.fixture
def poverty(world):
    return build_poverty(world)


def _counts(row) -> dict:
    return {
        name: (rate.numerator, rate.denominator)
        for name, rate in row.rates.items()
        if name in (kpi.CONTRACT, kpi.ENROLMENT, kpi.FOLLOW_UP, kpi.FULFILMENT, kpi.CHECKUP)
    }


# Counted by hand from the fixture on 2026-07-01 (poor persons only; 陈一 has exited):
# contract  — resident poor with a contract in force: t1 张一 of 张一, 张二 (张三 is away for work);
#             t2 李一 of 李一 (李二 is long absent).
# enrolment — poor enrolled in 2026: t1 张一, 张二 of three (张三 has no insurance record);
#             t2 李一 of 李一, 李二 (李二's household is not enrolled).
# follow-up — programme items not overdue: t1 张一 hypertension (due 07-30) on time, 张二 diabetes
#             (due 04-01) overdue; t2 李一 diabetes (due 09-13) on time, hypertension (due 05-30) overdue.
# fulfilment — contracts in force on 2026-06-30 with a service delivered in Q2: t1 张一's (05-01);
#             t2 none of 李一's (not delivered) and 李二's.
# checkup   — the county's campaign from 2026-04-01 for the poor aged 7–64: t1 张一 examined of
#             张一, 张三 (张二 is 70); t2 none of 李一, 李二.
T1 = {"contract": (1, 2), "enrolment": (2, 3), "follow_up": (1, 2), "fulfilment": (1, 1), "checkup": (1, 2)}
T2 = {"contract": (1, 1), "enrolment": (1, 2), "follow_up": (1, 2), "fulfilment": (0, 2), "checkup": (0, 2)}
COUNTY = {
    "contract": (2, 3),
    "enrolment": (3, 5),
    "follow_up": (2, 4),
    "fulfilment": (1, 3),
    "checkup": (1, 4),
}


def test_the_county_table_counts_each_township_by_hand(world, poverty):
    area, rows, total = selectors.kpi_table(world.users["commission_leader"], area=None, today=TODAY)
    assert area == world.divisions["county_a"]
    assert [row.division for row in rows] == [world.divisions["t1"], world.divisions["t2"]]
    assert _counts(rows[0]) == T1
    assert _counts(rows[1]) == T2
    assert _counts(total) == COUNTY
    assert total.rates[kpi.CONTRACT].percent() == Decimal("66.67")
    # No settled claims: the claim indicators have no data rather than a zero rate.
    assert all(total.rates[name] == kpi.ZERO for name in (kpi.IN_COUNTY, kpi.SELF_PAY, kpi.ONE_STOP))


def test_the_township_reads_its_villages_and_no_wider_area(world, poverty):
    staff = world.users["township_staff"]
    area, rows, total = selectors.kpi_table(staff, area=None, today=TODAY)
    assert area == world.divisions["t1"]
    assert [row.division for row in rows] == [world.divisions["v11"]]
    assert _counts(rows[0]) == _counts(total) == T1
    with pytest.raises(NotVisible):
        selectors.kpi_table(staff, area=world.divisions["county_a"], today=TODAY)
    with pytest.raises(NotVisible):
        selectors.kpi_table(staff, area=world.divisions["v21"], today=TODAY)


def test_the_village_doctor_reads_the_village_only(world, poverty):
    area, rows, total = selectors.kpi_table(world.users["village_doctor"], area=None, today=TODAY)
    assert (area, rows) == (world.divisions["v11"], [])
    assert _counts(total) == T1
    with pytest.raises(NotVisible):
        selectors.kpi_table(world.users["village_doctor"], area=world.divisions["v21"], today=TODAY)


def test_a_contract_signed_today_counts_and_one_cancelled_does_not(world, poverty):
    from weijian.poverty import services

    superuser = world.users["superuser"]
    services.contract_cancel(superuser, poverty.contracts["zhang_yi"], on=dt.date(2026, 6, 30), reason="迁出")
    services.contract_sign(
        superuser,
        person=poverty.persons["zhang_er"],
        team=poverty.teams["th1"],
        signed_on=dt.date(2026, 6, 30),
        category="registered_poor",
        package="basic",
    )
    _area, rows, _total = selectors.kpi_table(world.users["commission_leader"], area=None, today=TODAY)
    assert _counts(rows[0])["contract"] == (1, 2)
    # The cancelled contract no longer counts for Q2; the new one was in force on 06-30, nothing delivered.
    assert _counts(rows[0])["fulfilment"] == (0, 1)


def test_the_village_doctors_lists_of_who_is_missing_match_the_table(world, poverty):
    doctor = world.users["village_doctor"]
    v11 = world.divisions["v11"]

    def missing(indicator):
        return [p.name for p in selectors.kpi_people(doctor, village=v11, indicator=indicator, today=TODAY)]

    assert missing(kpi.CONTRACT) == ["张二"]
    assert missing(kpi.ENROLMENT) == ["张三"]
    assert missing(kpi.FOLLOW_UP) == ["张二"]
    assert missing(kpi.FULFILMENT) == []
    assert missing(kpi.CHECKUP) == ["张三"]
    with pytest.raises(NotVisible):
        selectors.kpi_people(doctor, village=world.divisions["v21"], indicator=kpi.CONTRACT, today=TODAY)


def test_the_monthly_report_counts_who_was_poor_at_the_end_of_that_month(world, poverty):
    # 陈一 entered on 2025-06-01 with the others and exited on 2026-02-01: January still counts him.
    reader = world.users["commission_leader"]
    county = world.divisions["county_a"]
    _, _, january = selectors.monthly_report(reader, area=county, month=dt.date(2026, 1, 1))
    _, _, february = selectors.monthly_report(reader, area=county, month=dt.date(2026, 2, 1))
    assert (january.persons, february.persons) == (6, 5)


def test_the_report_consistency_line_shows_what_the_parts_leave_unaccounted():
    from weijian.poverty.exports import consistency

    row = selectors.ReportRow(None, total=Decimal("1000.00"), patient_pays=Decimal("95.00"))
    row.layers["reimbursed"] = Decimal("800.00")
    row.layers["backstop"] = Decimal("100.00")
    check = consistency(row)
    assert (check["recomputed"], check["difference"]) == (Decimal("995.00"), Decimal("5.00"))
    row.layers["waiver"] = Decimal("5.00")
    assert consistency(row)["difference"] == Decimal("0.00")
