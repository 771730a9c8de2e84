"""Consistency check of settlement summaries (seed-003 R3 L147, R8 L441) and of generated statements."""

import datetime
from decimal import Decimal
from fractions import Fraction

from weijian.insurance.engine.batch import settle_batch, table_from_claims
from weijian.insurance.engine.money import yuan_to_fen
from weijian.insurance.engine.scalar import Claim, settle_year
from weijian.insurance.engine.summary import (
    PARTS_DO_NOT_ADD_UP,
    RATIO_DIFFERS,
    check_summary,
    summarise,
    summarise_columns,
)

from .support import poverty_policy_with


def wan(amount: str) -> int:
    """万元 as fen."""
    return yuan_to_fen(Decimal(amount) * 10000)


# R3 L147, 2018 to 30 November, 万元.
R3_TOTAL = wan("3871.57")
R3_PARTS = {
    "basic": wan("2274.59"),
    "serious_illness": wan("403.47"),
    "supplementary": wan("891.00"),
    "assistance": wan("52.86"),
    "hospital": wan("12.45"),
    "backstop": wan("34.64"),
}
R3_PERSONAL = wan("202.56")
R3_RATIO = Fraction(523, 10000)  # 5.23%


def test_r3_2018_figures_hold_together():
    assert check_summary(R3_TOTAL, R3_PARTS, R3_PERSONAL, R3_RATIO) == []


def test_r8_figures_hold_together_with_no_personal_share():
    # R8 L441: 277 = 236 (农合) + 18 (救助) + 1.5 (再保险) + 21.5 (专项减免) 万元; the deposit waiver is cash flow.
    parts = {"basic": wan("236"), "assistance": wan("18"), "reinsurance": wan("1.5"), "waiver": wan("21.5")}
    assert check_summary(wan("277"), parts, 0, Fraction(0)) == []


def test_a_part_changed_by_a_hundred_yuan_is_reported_with_the_difference():
    tampered = dict(R3_PARTS, backstop=R3_PARTS["backstop"] + 10000)
    (finding,) = check_summary(R3_TOTAL, tampered, R3_PERSONAL, R3_RATIO)
    assert finding.code == PARTS_DO_NOT_ADD_UP
    assert finding.difference == 10000
    assert "100.00 more than the total 38715700.00" in finding.message


def test_a_missing_part_is_reported_as_less_than_the_total():
    parts = {name: amount for name, amount in R3_PARTS.items() if name != "hospital"}
    (finding,) = check_summary(R3_TOTAL, parts, R3_PERSONAL)
    assert finding.difference == -R3_PARTS["hospital"]
    assert "124500.00 less" in finding.message


def test_a_stated_ratio_other_than_personal_over_total_is_reported():
    # 202.56 / 3871.57 = 5.2320…%, so 5.24% is wrong at two decimals and 5.2% right at one.
    (finding,) = check_summary(R3_TOTAL, R3_PARTS, R3_PERSONAL, Fraction(524, 10000))
    assert finding.code == RATIO_DIFFERS
    assert finding.difference == Fraction(1, 10000)
    assert "5.24% is not personal / total = 5.23%" in finding.message
    assert check_summary(R3_TOTAL, R3_PARTS, R3_PERSONAL, Fraction(52, 1000)) == []
    # "5.20%" stated with two decimals is wrong although 5.2% is right.
    assert check_summary(R3_TOTAL, R3_PARTS, R3_PERSONAL, Fraction(52, 1000), ratio_places=2)


def test_a_summary_of_generated_settlements_passes_the_check():
    policy = poverty_policy_with()
    day = datetime.date(2012, 5, 1)
    claims = [
        Claim("a", "p1", "inpatient", 2, day, day, total=5_000_000, poor=True, disease="stroke"),
        Claim("b", "p1", "inpatient", 3, day, day, total=9_000_000, poor=True, major_disease="mdr_tb"),
        Claim("c", "p2", "inpatient", 3, day, day, total=2_000_000, poor=True, over_treatment=True),
        Claim("d", "p3", "outpatient", 1, day, day, total=9_000, poor=True),
        Claim("e", "p4", "inpatient", 1, day, day, total=100_000, designated=False),
    ]
    summary = summarise(zip(claims, settle_year(claims, policy), strict=True))
    assert summary.total == sum(claim.total for claim in claims)
    assert summary.claims == 5
    assert summary.check(Fraction(round(summary.self_pay_ratio * 10000), 10000)) == []
    by_columns = summarise_columns(
        table_from_claims(claims)["total"], settle_batch(table_from_claims(claims), policy)
    )
    assert by_columns == summary
