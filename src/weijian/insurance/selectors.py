"""Reads of health financing, each scoped to what the user may see."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _

from weijian.core.errors import DomainError, NotVisible
from weijian.core.models import Division, DivisionLevel
from weijian.core.scope import require_division_in_scope
from weijian.registry.models import Institution

from .models import (
    GOVERNMENT_PAYERS,
    Account,
    Claim,
    Contribution,
    Enrolment,
    EntryKind,
    Household,
    LedgerEntry,
    Member,
    PayerType,
    PolicyVersion,
    Posting,
    Settlement,
    SettlementKind,
    Statement,
    SubFund,
)

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


def _money(value) -> Decimal:
    """A summed amount with two places (SQLite hands sums back without a fixed scale)."""
    return ZERO if value is None else Decimal(value).quantize(CENT)


class NoPolicy(DomainError):
    code = "no_policy"
    status = 422
    default_message = _("No compensation policy is in force for this place and date.")


def policy_version_in_force(division: Division, on: dt.date) -> PolicyVersion:
    """The newest version in force on the date whose region contains the division (or has none)."""
    regions = Q(division__isnull=True) | Q(division__in=[division, *division.ancestors()])
    version = (
        PolicyVersion.objects.filter(regions, valid_from__lte=on, valid_to__gte=on)
        # A region's own policy wins over one for everywhere (NULL sorts first in PostgreSQL's DESC).
        .order_by(F("division__code").desc(nulls_last=True), "-created_at", "-version")
        .first()
    )
    if version is None:
        raise NoPolicy()
    return version


@lru_cache(maxsize=64)
def _parsed(pk: int, document: str, created_at):
    from .services import parse_document

    return parse_document(document, as_of=created_at)


def engine_policy(version: PolicyVersion):
    """The engine's Policy for a stored version (parsed once per process; versions never change)."""
    return _parsed(version.pk, version.document, version.created_at)


def is_enrolled(member_id: int, year: int) -> bool:
    return Enrolment.objects.filter(member_id=member_id, year=year).exists()


def own_institution(user) -> Institution | None:
    """The institution the user works at, if any (a cashier enters claims only there)."""
    if not user.organisation_id:
        return None
    return (
        Institution.objects.select_related("organisation")
        .filter(organisation_id=user.organisation_id)
        .first()
    )


def policy_versions(user):
    if not user.has_perm("insurance.view_policyversion"):
        return PolicyVersion.objects.none()
    return PolicyVersion.objects.select_related("division")


def _visible(user, model, permission: str):
    """The user's scope of a model, and nothing without the role's view permission: a supervisor's or a
    partner department's county subtree must not open the scheme's records."""
    if user is None or not user.has_perm(permission):
        return model.objects.none()
    return model.objects.visible_to(user)


def households(user, *, division: Division | None = None, query: str = ""):
    found = _visible(user, Household, "insurance.view_household").select_related("division")
    if division is not None:
        found = found.filter(division__code__startswith=division.prefix)
    if query:
        found = found.filter(Q(number__startswith=query) | Q(head_name__contains=query))
    return found


def household_get(user, pk: int) -> Household:
    household = _visible(user, Household, "insurance.view_household").filter(pk=pk).first()
    if household is None:
        raise NotVisible()
    return household


def member_for_claim(user, identifier: str) -> Member | None:
    """A patient found by exact card or ID number, for users who enter claims.

    Institution staff cannot browse residents; a cashier finds only the person whose card is presented.
    """
    identifier = identifier.strip()
    if not identifier or not user.has_perm("insurance.add_claim"):
        return None
    return (
        Member.objects.select_related("household__division")
        .filter(Q(card_number=identifier) | Q(id_number=identifier.upper()))
        .first()
    )


def claims(user, *, state: str = "", month: dt.date | None = None):
    found = _visible(user, Claim, "insurance.view_claim").select_related(
        "member", "institution__organisation"
    )
    if state:
        found = found.filter(state=state)
    if month is not None:
        found = found.filter(discharge_date__year=month.year, discharge_date__month=month.month)
    return found


def claim_get(user, pk: int) -> Claim:
    claim = (
        _visible(user, Claim, "insurance.view_claim")
        .select_related("member__household__division", "institution__organisation")
        .filter(pk=pk)
        .first()
    )
    if claim is None:
        raise NotVisible()
    return claim


def settlement_get(user, pk: int) -> Settlement:
    settlement = (
        _visible(user, Settlement, "insurance.view_settlement")
        .select_related("claim__member__household__division", "institution__organisation", "policy")
        .filter(pk=pk)
        .first()
    )
    if settlement is None:
        raise NotVisible()
    return settlement


def active_settlement(claim: Claim) -> Settlement | None:
    return claim.settlements.filter(kind=SettlementKind.SETTLEMENT, reversed_by__isnull=True).first()


def statements(user, *, month: dt.date | None = None):
    found = _visible(user, Statement, "insurance.view_statement").select_related("institution__organisation")
    if month is not None:
        found = found.filter(month=month)
    return found


def statement_get(user, pk: int) -> Statement:
    statement = (
        _visible(user, Statement, "insurance.view_statement")
        .select_related("institution__organisation")
        .filter(pk=pk)
        .first()
    )
    if statement is None:
        raise NotVisible()
    return statement


def statement_items(statement: Statement):
    return statement.items.select_related("settlement__claim__member")


# --- enrolment and collection ------------------------------------------------------------------------------


@dataclass
class TownshipProgress:
    division: Division
    members: int = 0
    enrolled: int = 0
    households: int = 0
    households_enrolled: int = 0
    expected: Decimal = ZERO  # personal contributions due from those enrolled
    collected: Decimal = ZERO

    @property
    def enrolment_rate(self) -> Decimal | None:
        return _rate(self.enrolled, self.members)

    @property
    def collection_rate(self) -> Decimal | None:
        return _rate(self.collected, self.expected)


def _rate(part, whole) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


@dataclass
class CollectionProgress:
    year: int
    deadline: dt.date
    days_left: int
    rows: list[TownshipProgress] = field(default_factory=list)
    total: TownshipProgress | None = None


def collection_progress(user, area: Division, year: int, *, today: dt.date) -> CollectionProgress:
    """Enrolment and collection per township of the area against the 31 December deadline (篇6 §6.3)."""
    require_division_in_scope(user, area)
    if not user.has_perm("insurance.view_enrolment"):
        raise NotVisible()
    policy = engine_policy(policy_version_in_force(area, dt.date(year, 1, 1)))
    deadline = policy.financing.deadline(year)
    per_person = Decimal(policy.financing.individual) / 100
    children = list(Division.objects.filter(parent=area).order_by("code"))
    if area.level in (DivisionLevel.TOWNSHIP, DivisionLevel.VILLAGE) or not children:
        children = [area]
    rows = {child.prefix: TownshipProgress(division=child) for child in children}

    def row_of(code: str) -> TownshipProgress | None:
        for prefix, row in rows.items():
            if code.startswith(prefix):
                return row
        return None

    within = {"division__code__startswith": area.prefix}
    for code, members, households in (
        Household.objects.filter(**within)
        .values_list("division__code")
        .annotate(Count("members"), Count("id", distinct=True))
    ):
        row = row_of(code)
        if row:
            row.members += members
            row.households += households
    for code, enrolled, households in (
        Enrolment.objects.filter(year=year, **within)
        .values_list("division__code")
        .annotate(Count("id"), Count("household", distinct=True))
    ):
        row = row_of(code)
        if row:
            row.enrolled += enrolled
            row.households_enrolled += households
            row.expected += per_person * enrolled
    for code, amount in (
        Contribution.objects.filter(
            year=year, payer_type__in=(PayerType.INDIVIDUAL, PayerType.CIVIL_AFFAIRS), **within
        )
        .values_list("division__code")
        .annotate(Sum("amount"))
    ):
        row = row_of(code)
        if row:
            row.collected += _money(amount)
    total = TownshipProgress(division=area)
    for row in rows.values():
        for name in ("members", "enrolled", "households", "households_enrolled", "expected", "collected"):
            setattr(total, name, getattr(total, name) + getattr(row, name))
    return CollectionProgress(
        year=year, deadline=deadline, days_left=(deadline - today).days, rows=list(rows.values()), total=total
    )


# --- fund ledger -------------------------------------------------------------------------------------------


@dataclass
class FundMonth:
    month: dt.date
    income: dict[str, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))
    compensation: dict[str, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))
    recovered: Decimal = ZERO
    paid_out: Decimal = ZERO
    fund_change: Decimal = ZERO
    balance: Decimal = ZERO  # special account balance at the month's end

    @property
    def income_total(self) -> Decimal:
        return sum(self.income.values(), ZERO)

    @property
    def compensation_total(self) -> Decimal:
        return sum(self.compensation.values(), ZERO)


@dataclass
class FundReport:
    scheme: Division
    year: int
    months: list[FundMonth]
    income_plan: Decimal
    balance_by_pool: dict[str, Decimal]
    owed_to_institutions: Decimal
    compensation_to_date: Decimal
    plan_to_date: Decimal
    alert: bool


def fund_report(user, scheme: Division, year: int, *, today: dt.date) -> FundReport:
    """Income, compensation and balance by month for a coverage year; an alert when payouts run ahead.

    The income plan is the year's enrolled headcount × (personal + subsidy rates). The alert is raised
    when compensation so far exceeds the plan's share for the days elapsed (以收定支, 篇6 §6.3).
    """
    require_division_in_scope(user, scheme)
    if not user.has_perm("insurance.view_ledgerentry"):
        raise NotVisible()
    policy = engine_policy(policy_version_in_force(scheme, dt.date(year, 1, 1)))
    postings = Posting.objects.filter(entry__division=scheme, entry__year=year)
    months: dict[dt.date, FundMonth] = {}
    for month, account, sub_fund, detail, summed in (
        postings.annotate(month=TruncMonth("entry__posted_on"))
        .values_list("month", "account", "sub_fund", "detail")
        .annotate(Sum("amount"))
        .order_by("month")
    ):
        month = month.date() if isinstance(month, dt.datetime) else month
        amount = _money(summed)
        row = months.setdefault(month, FundMonth(month=month))
        if account == Account.CONTRIBUTIONS:
            row.income[detail] += -amount
        elif account == Account.COMPENSATION:
            row.compensation[sub_fund] += amount
        elif account == Account.RECOVERED:
            row.recovered += -amount
        elif account == Account.FUND:
            row.fund_change += amount
            if amount < 0:
                row.paid_out += -amount
    ordered = [months[key] for key in sorted(months)]
    balance = ZERO
    for row in ordered:
        balance += row.fund_change
        row.balance = balance
    balance_by_pool = {
        pool: _money(postings.filter(account=Account.FUND, sub_fund=pool).aggregate(s=Sum("amount"))["s"])
        for pool in SubFund.values
    }
    owed = -_money(postings.filter(account=Account.PAYABLE).aggregate(s=Sum("amount"))["s"])
    headcount = Enrolment.objects.filter(year=year, division__code__startswith=scheme.prefix).count()
    per_person = policy.financing.individual + policy.financing.subsidy_per_person
    income_plan = Decimal(per_person * headcount) / 100
    compensation = sum((row.compensation_total for row in ordered), ZERO)
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    elapsed = min(max((today - start).days + 1, 0), (end - start).days + 1)
    plan_to_date = (income_plan * elapsed / ((end - start).days + 1)).quantize(Decimal("0.01"))
    return FundReport(
        scheme=scheme,
        year=year,
        months=ordered,
        income_plan=income_plan.quantize(Decimal("0.01")),
        balance_by_pool=balance_by_pool,
        owed_to_institutions=owed,
        compensation_to_date=compensation,
        plan_to_date=plan_to_date,
        alert=compensation > plan_to_date,
    )


@dataclass(frozen=True)
class LedgerCheck:
    entries: int
    unbalanced: list[str]
    fund_balance: Decimal
    contributions: Decimal
    payments: Decimal
    compensation: Decimal
    settled_net: Decimal
    rejected: Decimal

    @property
    def holds(self) -> bool:
        return (
            not self.unbalanced
            and self.fund_balance == self.contributions - self.payments
            and self.compensation == self.settled_net - self.rejected
        )


def ledger_check(scheme: Division) -> LedgerCheck:
    """The ledger's invariants, recomputed from postings and from the business records."""
    from .models import ItemDecision, StatementItem

    entries = LedgerEntry.objects.filter(division=scheme)
    postings = Posting.objects.filter(entry__division=scheme)
    # Compared to the fen in Python: SQLite's floating-point sum of 0.10 + 0.20 − 0.30 is not zero.
    unbalanced = [
        key
        for key, summed in entries.annotate(total=Sum("postings__amount")).values_list("key", "total")
        if _money(summed)
    ]

    def total(queryset) -> Decimal:
        return _money(queryset.aggregate(s=Sum("amount"))["s"])

    within = {"division__code__startswith": scheme.prefix}
    return LedgerCheck(
        entries=entries.count(),
        unbalanced=unbalanced,
        fund_balance=total(postings.filter(account=Account.FUND)),
        contributions=total(Contribution.objects.filter(**within)),
        payments=-total(postings.filter(account=Account.FUND, entry__kind=EntryKind.PAYMENT)),
        compensation=total(postings.filter(account=Account.COMPENSATION)),
        settled_net=_money(Settlement.objects.filter(**within).aggregate(s=Sum("reimbursed"))["s"]),
        rejected=_money(
            StatementItem.objects.filter(
                decision=ItemDecision.REJECTED,
                statement__state__in=("approved", "paid"),
                settlement__division__code__startswith=scheme.prefix,
            ).aggregate(s=Sum("settlement__reimbursed"))["s"]
        ),
    )


# --- disclosure --------------------------------------------------------------------------------------------


@dataclass
class NoticeBoard:
    village: Division
    month: dt.date
    year: int
    members: int
    enrolled: int
    rows: list  # settlements of the month for the village's residents
    reimbursed: Decimal
    fund_income: Decimal = ZERO
    fund_compensation: Decimal = ZERO


def notice_board(user, village: Division, month: dt.date) -> NoticeBoard:
    """The village notice board (报销公示栏): enrolment and the month's compensation (篇6 §6.6)."""
    require_division_in_scope(user, village)
    month = month.replace(day=1)
    next_month = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    rows = list(
        _visible(user, Settlement, "insurance.view_settlement")
        .filter(division__code__startswith=village.prefix, settled_on__gte=month, settled_on__lt=next_month)
        .select_related("claim__member__household", "institution__organisation")
        .order_by("settled_on", "id")
    )
    within = {"division__code__startswith": village.prefix}
    return NoticeBoard(
        village=village,
        month=month,
        year=month.year,
        members=Member.objects.filter(household__division__code__startswith=village.prefix).count(),
        enrolled=Enrolment.objects.filter(year=month.year, **within).count(),
        rows=rows,
        reimbursed=sum((row.reimbursed for row in rows), ZERO),
        fund_income=Contribution.objects.filter(year=month.year, **within).aggregate(s=Sum("amount"))["s"]
        or ZERO,
    )


def government_payers() -> tuple[str, ...]:
    return tuple(GOVERNMENT_PAYERS)
