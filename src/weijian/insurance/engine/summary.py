"""Consistency check of a one-stop settlement summary (seed-003 R3 L147, R8 L441).

A summary states a total cost, what each layer paid, what patients paid themselves and, often, the
self-pay ratio. The parts must add up to the total to the fen, and the stated ratio must be
personal / total rounded (half-up) to the precision it is stated at. Amounts are integer fen.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from types import MappingProxyType

import numpy as np

from .scalar import LAYER_NAMES, Claim, Settlement

PARTS_DO_NOT_ADD_UP = "parts_do_not_add_up"
RATIO_DIFFERS = "self_pay_ratio_differs"
NO_TOTAL = "no_total"


@dataclass(frozen=True)
class Finding:
    """One inconsistency: a stable code, the difference found and a sentence naming it."""

    code: str
    difference: int | Fraction  # fen for amounts; a share of 1 for ratios
    message: str


def percent_places(ratio: Fraction) -> int:
    """The fewest decimal places of the percentage that write `ratio` exactly (5.23% → 2)."""
    percent = ratio * 100
    places = 0
    while (percent * 10**places).denominator != 1:
        places += 1
        if places > 12:
            raise ValueError(f"{ratio} is not a decimal percentage")
    return places


def _percent(ratio: Fraction, places: int) -> Decimal:
    exact = Decimal(ratio.numerator * 100) / Decimal(ratio.denominator)
    return exact.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)


def _yuan(fen: int) -> str:
    return f"{Decimal(fen) / 100:.2f}"


def check_summary(
    total: int,
    parts: Mapping[str, int],
    personal: int,
    stated_ratio: Fraction | None = None,
    *,
    ratio_places: int | None = None,
) -> list[Finding]:
    """Every inconsistency of a settlement summary; an empty list when it holds together.

    `parts` are what each payer paid (basic insurance, serious illness, …), `personal` what patients paid
    themselves. `stated_ratio` is the self-pay ratio as stated (Fraction(523, 10000) for "5.23%");
    `ratio_places` is the number of decimals of the percentage it was stated with, by default the fewest
    that write it (a "5.20%" should pass ratio_places=2).
    """
    findings = []
    difference = sum(parts.values()) + personal - total
    if difference:
        findings.append(
            Finding(
                PARTS_DO_NOT_ADD_UP,
                difference,
                f"the parts and the personal share add up to {_yuan(total + difference)}, "
                f"{_yuan(abs(difference))} {'more' if difference > 0 else 'less'} than the total {_yuan(total)}",
            )
        )
    if stated_ratio is not None:
        places = percent_places(stated_ratio) if ratio_places is None else ratio_places
        if total <= 0:
            findings.append(Finding(NO_TOTAL, 0, "a self-pay ratio is stated for a total of zero"))
        else:
            actual = _percent(Fraction(personal, total), places)
            stated = _percent(stated_ratio, places)
            if actual != stated:
                findings.append(
                    Finding(
                        RATIO_DIFFERS,
                        Fraction(stated - actual) / 100,
                        f"the stated self-pay ratio {stated}% is not personal / total = {actual}%",
                    )
                )
    return findings


@dataclass(frozen=True)
class SettlementSummary:
    """Totals of many layered settlements, in the shape check_summary takes."""

    total: int
    parts: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    personal: int = 0
    claims: int = 0

    @property
    def self_pay_ratio(self) -> Fraction | None:
        return Fraction(self.personal, self.total) if self.total else None

    def check(
        self, stated_ratio: Fraction | None = None, *, ratio_places: int | None = None
    ) -> list[Finding]:
        return check_summary(self.total, self.parts, self.personal, stated_ratio, ratio_places=ratio_places)


def summarise(settled: Iterable[tuple[Claim, Settlement]]) -> SettlementSummary:
    """The summary of (claim, settlement) pairs settled under a policy with the one-stop layers."""
    total, personal, count = 0, 0, 0
    parts = dict.fromkeys(LAYER_NAMES, 0)
    for claim, settlement in settled:
        if settlement.layers is None:
            raise ValueError(f"claim {settlement.claim_id} was settled without the one-stop layers")
        total += claim.total
        for name in LAYER_NAMES:
            parts[name] += getattr(settlement.layers, name)
        personal += settlement.layers.patient_pays
        count += 1
    return SettlementSummary(total, MappingProxyType(parts), personal, count)


def summarise_columns(total: np.ndarray, settled: Mapping[str, np.ndarray]) -> SettlementSummary:
    """The summary of the batch engine's output (settle_batch under a layered policy) and the claims' totals."""
    if "basic" not in settled:
        raise ValueError("the settlements were made without the one-stop layers")
    parts = {name: int(np.asarray(settled[name], dtype=np.int64).sum()) for name in LAYER_NAMES}
    return SettlementSummary(
        int(np.asarray(total, dtype=np.int64).sum()),
        MappingProxyType(parts),
        int(np.asarray(settled["patient_pays"], dtype=np.int64).sum()),
        int(np.asarray(total).size),
    )
