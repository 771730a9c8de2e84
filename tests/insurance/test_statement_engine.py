"""The monthly statement's out-of-formulary check (篇6 §6.4.1), worked by hand from the level limits
(grade I 5%, grade II 10%, grade III 25%) and the denominator switch (B8 #5)."""

from hypothesis import given
from hypothesis import strategies as st

from weijian.insurance.engine.policy import demo_policy
from weijian.insurance.engine.statement import amount_due, formulary_check

from .support import fen, policy_with

POLICY = demo_policy()


def test_limits_by_level_from_the_source():
    # 4000 yuan of drugs, 600 out of the formulary: grade I allows 200, II 400, III 1000.
    deductions = [
        formulary_check(
            level=level, drug_cost=fen(4000), total_cost=fen(10000), off_formulary=fen(600), policy=POLICY
        )
        for level in (1, 2, 3)
    ]
    assert [d.allowed for d in deductions] == [fen(200), fen(400), fen(1000)]
    assert [d.deduction for d in deductions] == [fen(400), fen(200), 0]


def test_total_cost_denominator_switch():
    policy = policy_with({"formulary_denominator": "total_cost"})
    # 10% of the 10000 total = 1000 allowed: the 600 is within it.
    check = formulary_check(
        level=2, drug_cost=fen(4000), total_cost=fen(10000), off_formulary=fen(600), policy=policy
    )
    assert (check.base, check.allowed, check.deduction) == (fen(10000), fen(1000), 0)


def test_limit_reached_exactly_deducts_nothing():
    check = formulary_check(
        level=1, drug_cost=fen(2000), total_cost=fen(2000), off_formulary=fen(100), policy=POLICY
    )
    assert check.deduction == 0


def test_amount_due_is_settled_less_rejected_and_deduction():
    assert amount_due(settled=fen(5785), rejected=fen(300), deduction=fen(200)) == fen(5285)


amounts = st.integers(min_value=0, max_value=10**9)


@given(
    drug=amounts,
    extra=amounts,
    off_share=st.fractions(min_value=0, max_value=1),
    level=st.sampled_from([1, 2, 3]),
)
def test_deduction_is_the_excess_over_the_limit(drug, extra, off_share, level):
    off = int(drug * off_share)
    check = formulary_check(
        level=level, drug_cost=drug, total_cost=drug + extra, off_formulary=off, policy=POLICY
    )
    assert 0 <= check.deduction <= off
    assert check.off_formulary - check.deduction <= check.allowed
    # What is left after the deduction is within the limit, and nothing more than needed is deducted.
    assert check.deduction == 0 or check.off_formulary - check.deduction == check.allowed
