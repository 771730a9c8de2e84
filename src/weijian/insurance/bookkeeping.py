"""What the services write, built in memory: settlement rows from engine results, statement totals and
the ledger entries of each business event. No queries here, so the services (one record at a time) and
the demo county (hundreds of thousands in bulk) write exactly the same rows and lines.

Ledger lines are (account, sub_fund, detail, amount in yuan), debit-positive; see docs/architecture.md.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from .engine import scalar
from .engine.money import apply_share, fen_to_yuan, yuan_to_fen
from .engine.statement import amount_due, formulary_check
from .models import (
    GOVERNMENT_PAYERS,
    INPATIENT_POOL_TYPES,
    Account,
    Claim,
    Contribution,
    EntryKind,
    ItemDecision,
    PayerType,
    PolicyVersion,
    Settlement,
    SettlementKind,
    Statement,
    StatementItem,
    SubFund,
)

NOT_ENROLLED = "not_enrolled"
NOT_ENROLLED_CLAUSE = "篇6 §6.4.5(2)"
RESULT_FIELDS = (
    "eligible",
    "reason",
    "eligible_cost",
    "deductible",
    "pooled",
    "ratio",
    "reimbursed",
    "patient_pays",
    "cap_applied",
    "steps",
)


@dataclass(frozen=True)
class Entry:
    key: str
    kind: str
    posted_on: dt.date
    year: int
    description: str
    lines: list[tuple]


def labels(choices) -> dict[str, str]:
    """Display labels of a choices class, translated once (bulk writers build many descriptions)."""
    return {value: str(label) for value, label in choices.choices}


def _fen(value: Decimal) -> int:
    return yuan_to_fen(value)


# --- contributions ---------------------------------------------------------------------------------------


def pools_of(contribution: Contribution, policy) -> dict[str, Decimal]:
    """Subsidies all go to the inpatient pool ("各级财政补助资金全部划入大病统筹基金", 篇6 §6.2); personal
    and collective money is split by the policy's `individual_to_outpatient` share."""
    if contribution.payer_type in GOVERNMENT_PAYERS:
        return {SubFund.INPATIENT: contribution.amount}
    outpatient = fen_to_yuan(
        apply_share(_fen(contribution.amount), policy.financing.individual_to_outpatient)
    )
    return {SubFund.OUTPATIENT: outpatient, SubFund.INPATIENT: contribution.amount - outpatient}


def contribution_entry(
    contribution: Contribution, policy, payer_labels: dict[str, str] | None = None
) -> Entry:
    payer_labels = payer_labels or labels(PayerType)
    lines = []
    for sub_fund, amount in pools_of(contribution, policy).items():
        lines.append((Account.FUND, sub_fund, "", amount))
        lines.append((Account.CONTRIBUTIONS, sub_fund, contribution.payer_type, -amount))
    government = contribution.payer_type in GOVERNMENT_PAYERS
    return Entry(
        key=f"contribution:{contribution.pk}",
        kind=EntryKind.SUBSIDY if government else EntryKind.CONTRIBUTION,
        posted_on=contribution.paid_on,
        year=contribution.year,
        description=f"{payer_labels[contribution.payer_type]} {contribution.receipt_number}",
        lines=lines,
    )


# --- settlements -----------------------------------------------------------------------------------------


def sub_fund_of(claim_type: str) -> str:
    return SubFund.INPATIENT if claim_type in INPATIENT_POOL_TYPES else SubFund.OUTPATIENT


# The one-stop layers after basic insurance, as stored on a Settlement (basic is `reimbursed`).
LAYER_FIELDS = tuple(name for name in scalar.LAYER_NAMES if name != "basic")


def engine_result(settled: scalar.Settlement) -> dict:
    result = {name: getattr(settled, name) for name in RESULT_FIELDS}
    layers = settled.layers
    result.update({name: getattr(layers, name) if layers is not None else 0 for name in LAYER_FIELDS})
    return result


def not_enrolled_result(engine_claim: scalar.Claim) -> dict:
    """A patient not enrolled for the year is not compensated (篇6 §6.4.5(2)); the engine does not know
    enrolment, the records do."""
    return dict(
        eligible=False,
        reason=NOT_ENROLLED,
        eligible_cost=0,
        deductible=0,
        pooled=0,
        ratio=None,
        reimbursed=0,
        patient_pays=engine_claim.total,
        cap_applied=False,
        steps=(
            ("total", engine_claim.total, scalar.FORMULA),
            (NOT_ENROLLED, -engine_claim.total, NOT_ENROLLED_CLAUSE),
        ),
    )


def steps_as_stored(steps) -> list[list[str]]:
    return [[name, str(fen_to_yuan(amount)), clause] for name, amount, clause in steps]


def settlement_row(
    claim: Claim, version: PolicyVersion, result: dict, *, on: dt.date, user=None
) -> Settlement:
    """The unsaved settlement of a claim from an engine result (amounts in fen → yuan)."""
    ratio = result["ratio"]
    return Settlement(
        claim=claim,
        kind=SettlementKind.SETTLEMENT,
        policy=version,
        institution=claim.institution,
        division=claim.division,
        sub_fund=sub_fund_of(claim.claim_type),
        eligible=result["eligible"],
        reason="" if result["reason"] == scalar.OK else result["reason"],
        total=claim.total,
        eligible_cost=fen_to_yuan(result["eligible_cost"]),
        deductible=fen_to_yuan(result["deductible"]),
        pooled=fen_to_yuan(result["pooled"]),
        ratio=None if ratio is None else Decimal(ratio.numerator) / ratio.denominator,
        reimbursed=fen_to_yuan(result["reimbursed"]),
        **{name: fen_to_yuan(result.get(name, 0)) for name in LAYER_FIELDS},
        patient_pays=fen_to_yuan(result["patient_pays"]),
        cap_applied=result["cap_applied"],
        steps=steps_as_stored(result["steps"]),
        settled_on=on,
        settled_by=user,
    )


def settlement_entry(settlement: Settlement, kind_labels: dict[str, str] | None = None) -> Entry:
    """Compensation expense against what is owed to the institution; a reversal's amounts are negative."""
    kind_labels = kind_labels or labels(SettlementKind)
    amount = settlement.reimbursed
    reversal = settlement.kind == SettlementKind.REVERSAL
    return Entry(
        key=f"settlement:{settlement.pk}",
        kind=EntryKind.REVERSAL if reversal else EntryKind.SETTLEMENT,
        posted_on=settlement.settled_on,
        year=settlement.claim.discharge_date.year,
        description=f"{kind_labels[settlement.kind]} {settlement.claim.number}",
        lines=[
            (Account.COMPENSATION, settlement.sub_fund, "", amount),
            (Account.PAYABLE, settlement.sub_fund, settlement.institution_id, -amount),
        ],
    )


# --- statements ------------------------------------------------------------------------------------------


def statement_totals(statement: Statement, items: Iterable[StatementItem], policy) -> None:
    """Set the statement's totals from its items (each with its settlement and claim): settled,
    rejected, the out-of-formulary check over the approved items, and the amount to pay."""
    settled = rejected = drug = off = total_cost = 0
    for item in items:
        settlement = item.settlement
        sign = 1 if settlement.kind == SettlementKind.SETTLEMENT else -1
        reimbursed = _fen(settlement.reimbursed)
        settled += reimbursed
        if item.decision == ItemDecision.REJECTED:
            rejected += reimbursed
            continue
        claim = settlement.claim
        drug += sign * _fen(claim.drug_cost)
        off += sign * _fen(claim.off_formulary_drug_cost)
        total_cost += sign * _fen(claim.total)
    check = formulary_check(
        level=statement.facility_level,
        drug_cost=max(drug, 0),
        total_cost=max(total_cost, 0),
        off_formulary=max(off, 0),
        policy=policy,
    )
    statement.settled_amount = fen_to_yuan(settled)
    statement.rejected_amount = fen_to_yuan(rejected)
    statement.drug_cost = fen_to_yuan(max(drug, 0))
    statement.off_formulary_drug_cost = fen_to_yuan(check.off_formulary)
    statement.formulary_base = fen_to_yuan(check.base)
    statement.formulary_limit = Decimal(check.limit.numerator) / check.limit.denominator
    # The deduction comes out of what is owed; it cannot turn the statement into a bill.
    deduction = min(check.deduction, max(settled - rejected, 0))
    statement.formulary_deduction = fen_to_yuan(deduction)
    statement.amount_due = fen_to_yuan(amount_due(settled=settled, rejected=rejected, deduction=deduction))


def _by_pool(items: Iterable[StatementItem]) -> tuple[dict[str, Decimal], dict[str, Decimal]]:
    settled: dict[str, Decimal] = defaultdict(Decimal)
    rejected: dict[str, Decimal] = defaultdict(Decimal)
    for item in items:
        settled[item.settlement.sub_fund] += item.settlement.reimbursed
        if item.decision == ItemDecision.REJECTED:
            rejected[item.settlement.sub_fund] += item.settlement.reimbursed
    return settled, rejected


def deduction_by_pool(deduction: Decimal, settled, rejected) -> dict[str, Decimal]:
    """Share the formulary deduction between the pools in proportion to what each pays; rest to inpatient."""
    if not deduction:
        return {}
    payable = {pool: settled[pool] - rejected.get(pool, 0) for pool in settled}
    base = sum(payable.values())
    shares: dict[str, Decimal] = {}
    if base > 0 and payable.get(SubFund.OUTPATIENT, 0) > 0:
        shares[SubFund.OUTPATIENT] = (deduction * payable[SubFund.OUTPATIENT] / base).quantize(
            Decimal("0.01")
        )
    shares[SubFund.INPATIENT] = deduction - sum(shares.values(), Decimal(0))
    return shares


def approval_entry(statement: Statement, items: list[StatementItem], posted_on: dt.date) -> Entry:
    """Rejected items go back out of compensation; the formulary deduction is recovered for the fund."""
    settled, rejected = _by_pool(items)
    institution = statement.institution_id
    lines = []
    for sub_fund, amount in rejected.items():
        lines += [
            (Account.PAYABLE, sub_fund, institution, amount),
            (Account.COMPENSATION, sub_fund, "", -amount),
        ]
    for sub_fund, amount in deduction_by_pool(statement.formulary_deduction, settled, rejected).items():
        lines += [
            (Account.PAYABLE, sub_fund, institution, amount),
            (Account.RECOVERED, sub_fund, institution, -amount),
        ]
    return Entry(
        key=f"statement:{statement.pk}",
        kind=EntryKind.STATEMENT,
        posted_on=posted_on,
        year=statement.month.year,
        description=f"{statement.institution} {statement.month:%Y-%m}",
        lines=lines,
    )


def payment_entry(
    statement: Statement, items: list[StatementItem], approval: Entry, paid_on: dt.date
) -> Entry:
    """What the statement's settlements and its approval leave owed leaves the special account.

    The payment is never negative: when reversals outweigh the month's settlements nothing is paid and
    what the institution owes back stays on its account.
    """
    owed, _rejected = _by_pool(items)
    for account, sub_fund, _detail, amount in approval.lines:
        if account == Account.PAYABLE:
            owed[sub_fund] -= amount
    if sum(owed.values(), Decimal(0)) < 0:
        owed.clear()
    lines = []
    for sub_fund, amount in owed.items():
        lines += [
            (Account.PAYABLE, sub_fund, statement.institution_id, amount),
            (Account.FUND, sub_fund, "", -amount),
        ]
    return Entry(
        key=f"payment:{statement.pk}",
        kind=EntryKind.PAYMENT,
        posted_on=paid_on,
        year=statement.month.year,
        description=f"{statement.institution} {statement.month:%Y-%m}",
        lines=lines,
    )
