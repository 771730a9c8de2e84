"""Indicators of health poverty alleviation as numerator over denominator, with their targets.

A rate is kept as two counts and only turned into a percentage when shown, so rates of villages add up
to their township's and a rate above 100 % (seed-003 §3.9: 31,233 records over 30,891 residents) is
caught as impossible instead of being reported. No Django import.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

AT_LEAST = "at_least"
AT_MOST = "at_most"


@dataclass(frozen=True)
class Target:
    share: Fraction
    direction: str  # AT_LEAST or AT_MOST
    source: str

    def met_by(self, value: Fraction) -> bool:
        return value >= self.share if self.direction == AT_LEAST else value <= self.share


@dataclass(frozen=True)
class Rate:
    numerator: int
    denominator: int

    def __add__(self, other: Rate) -> Rate:
        return Rate(self.numerator + other.numerator, self.denominator + other.denominator)

    @property
    def value(self) -> Fraction | None:
        return Fraction(self.numerator, self.denominator) if self.denominator else None

    @property
    def impossible(self) -> bool:
        """A coverage rate over 100 % means duplicates or a wrong denominator."""
        return self.numerator > self.denominator or self.numerator < 0

    def percent(self, places: int = 2) -> Decimal | None:
        value = self.value
        if value is None:
            return None
        exact = Decimal(value.numerator * 100) / Decimal(value.denominator)
        return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


ZERO = Rate(0, 0)

# The indicators and their targets (seed-003 §6). The self-pay target depends on the one-stop policy's
# reading (9.5 % R3 or 5 % R6) and is filled in by the caller.
CONTRACT = "contract"
FULFILMENT = "fulfilment"
FOLLOW_UP = "follow_up"
CHECKUP = "checkup"
IN_COUNTY = "in_county"
SELF_PAY = "self_pay"
ONE_STOP = "one_stop"
ENROLMENT = "enrolment"
INDICATORS = (CONTRACT, FULFILMENT, FOLLOW_UP, CHECKUP, IN_COUNTY, SELF_PAY, ONE_STOP, ENROLMENT)
TARGETS = {
    CONTRACT: Target(Fraction(1), AT_LEAST, "R6 L291"),
    FULFILMENT: Target(Fraction(1), AT_LEAST, "R5 L245"),
    CHECKUP: Target(Fraction(1), AT_LEAST, "R6 L295"),
    IN_COUNTY: Target(Fraction(95, 100), AT_LEAST, "R6 L289"),
    ONE_STOP: Target(Fraction(1), AT_LEAST, "seed-001 (二十四)"),
    ENROLMENT: Target(Fraction(1), AT_LEAST, "R6 L277"),
}


def status(rate: Rate, target: Target | None) -> str:
    """'impossible', 'no_data', 'met', 'missed' or 'no_target' — what a dashboard colours a cell by."""
    if rate.denominator == 0:
        return "no_data"
    if rate.impossible:
        return "impossible"
    if target is None:
        return "no_target"
    return "met" if target.met_by(rate.value) else "missed"
