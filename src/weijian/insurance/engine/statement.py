"""Monthly statement arithmetic (篇6 §6.4.1): the out-of-formulary drug share against the level limit.

"超过以上比例的目录外药品费用从其药品收入上交款中扣除": the cost above the allowed share is deducted
from what the scheme pays the institution. Amounts in fen.
"""

from dataclasses import dataclass
from fractions import Fraction

from .money import apply_share
from .policy import Policy


@dataclass(frozen=True)
class FormularyCheck:
    base: int  # the share's denominator: drug cost or total cost, per the policy switch
    off_formulary: int
    limit: Fraction
    allowed: int  # the most out-of-formulary cost the limit allows
    deduction: int

    @property
    def share(self) -> Fraction | None:
        return Fraction(self.off_formulary, self.base) if self.base else None


def formulary_check(
    *, level: int, drug_cost: int, total_cost: int, off_formulary: int, policy: Policy
) -> FormularyCheck:
    if min(drug_cost, total_cost, off_formulary) < 0:
        raise ValueError("statement amounts are not negative")
    limit = policy.formulary_limits[level]
    base = drug_cost if policy.switches.formulary_denominator == "drug_cost" else total_cost
    allowed = apply_share(base, limit)
    return FormularyCheck(
        base=base,
        off_formulary=off_formulary,
        limit=limit,
        allowed=allowed,
        deduction=max(0, off_formulary - allowed),
    )


def amount_due(*, settled: int, rejected: int, deduction: int) -> int:
    """What the scheme pays: settled on the spot, less rejected items and the formulary deduction."""
    return max(0, settled - rejected - deduction)
