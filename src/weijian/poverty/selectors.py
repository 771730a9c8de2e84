"""Reads of health poverty alleviation: the registry, follow-ups due and overdue, work items, and the
indicators computed from records per village, township and county.

Lists start from `Model.objects.visible_to(user)`. Indicators are counts, not records, so they are read
for an area the user may look at (`area_for`): a subtree user any area inside the subtree, a village
clinic its own village.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Max, Q, Sum

from weijian.core.errors import NotVisible
from weijian.core.models import Division, DivisionLevel
from weijian.core.scope import scope_of
from weijian.insurance.bookkeeping import LAYER_FIELDS
from weijian.insurance.models import (
    INPATIENT_POOL_TYPES,
    Claim,
    ClaimState,
    Enrolment,
    PolicyVersion,
    Settlement,
    SettlementKind,
)

from .catalogue import catalogue
from .engine import kpi
from .models import (
    Checkup,
    CheckupCampaign,
    Contract,
    ContractState,
    DoctorTeam,
    FollowUp,
    Fulfilment,
    Mismatch,
    MismatchKind,
    MismatchState,
    PoorPerson,
    PovertyStatus,
    Residence,
    StatusChange,
    TeamRole,
    VillageCover,
)
from .rules import in_checkup_target, one_stop_rules

# What each payer paid on a settlement, basic insurance (`reimbursed`) first.
LAYERS = ("reimbursed", *LAYER_FIELDS)
SITTING_DAYS = (7, 10)  # R6 L335


def area_for(user, area: Division | None) -> Division:
    """The area whose indicators the user may read; no area means the widest the user has."""
    scope = scope_of(user)
    if scope.everything:
        return area or Division.objects.filter(level=DivisionLevel.COUNTY).order_by("code").first()
    if scope.division_prefix is not None:
        if area is None:
            return Division.objects.get(code=user.organisation.division.code)
        if not area.code.startswith(scope.division_prefix):
            raise NotVisible()
        return area
    # Of the own-institution users only a village clinic has an area: its village.
    if scope.organisation_id is not None and user.organisation.division.level == DivisionLevel.VILLAGE:
        own = user.organisation.division
        if area is not None and area.pk != own.pk:
            raise NotVisible()
        return own
    raise NotVisible()


def children_of(area: Division) -> list[Division]:
    return list(Division.objects.filter(parent=area).order_by("code"))


def roll_up(area: Division, make):
    """A row per child of the area (townships of a county, villages of a township) and one for the area,
    and the function giving the rows a record in a division adds to: its child's and the area's."""
    children = children_of(area) if area.level != DivisionLevel.VILLAGE else []
    rows = {child.code: make(child) for child in children}
    total = make(area)

    def rows_of(code: str) -> list:
        for child in children:
            if code.startswith(child.prefix):
                return [rows[child.code], total]
        return [total]

    return rows, total, rows_of


# --- registry ------------------------------------------------------------------------------------------


def person_list(
    user, *, area: Division | None = None, status: str = "", query: str = "", village_code: str = ""
):
    persons = PoorPerson.objects.visible_to(user).select_related("village", "household")
    if area is not None:
        persons = persons.filter(village__code__startswith=area.prefix)
    if village_code:
        persons = persons.filter(village__code=village_code)
    if status:
        persons = persons.filter(status=status)
    if query:
        persons = persons.filter(
            Q(name__contains=query) | Q(id_number=query.upper()) | Q(household__number=query)
        )
    return persons.order_by("village__code", "household__number", "id")


def person_detail(user, pk: int) -> PoorPerson:
    person = (
        PoorPerson.objects.visible_to(user)
        .select_related("village", "village__parent", "household", "member", "village_doctor", "clinic")
        .filter(pk=pk)
        .first()
    )
    if person is None:
        raise NotVisible()
    return person


def status_history(person: PoorPerson):
    return (
        StatusChange.objects.filter(person=person)
        .select_related("recorded_by")
        .order_by("effective_on", "id")
    )


def active_contract(person: PoorPerson, today: dt.date) -> Contract | None:
    return (
        person.contracts.filter(state=ContractState.ACTIVE, signed_on__lte=today, valid_until__gte=today)
        .select_related("team", "team__institution")
        .first()
    )


# --- follow-ups ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    person_id: int
    person_name: str
    village: str
    programme: str
    programme_name: str
    last_done: dt.date | None
    due_on: dt.date
    overdue_days: int

    @property
    def overdue(self) -> bool:
        return self.overdue_days > 0


def _follow_up_dues(persons: list[dict], last: dict, since: dict, today: dt.date) -> list[Due]:
    programmes = catalogue().programmes
    dues = []
    for person in persons:
        for code in person["programmes"]:
            programme = programmes.get(code)
            if programme is None:
                continue
            done = last.get((person["id"], code))
            # The clock restarts at a re-entry: a follow-up from before it does not make a person who
            # has just come back into the registry overdue.
            entered = since.get(person["id"])
            # Never followed up: the clock runs from entering the registry, across years.
            known = [day for day in (done, entered) if day is not None]
            start = max(known) if known else today
            due_on = start + dt.timedelta(days=programme.interval_days)
            dues.append(
                Due(
                    person_id=person["id"],
                    person_name=person["name"],
                    village=person["village__name"],
                    programme=code,
                    programme_name=programme.name,
                    last_done=done,
                    due_on=due_on,
                    overdue_days=max(0, (today - due_on).days),
                )
            )
    return dues


def _poor_rows(persons) -> list[dict]:
    return list(
        persons.filter(status=PovertyStatus.POOR).values(
            "id",
            "name",
            "village__name",
            "village__code",
            "programmes",
            "residence",
            "birth_date",
            "member_id",
        )
    )


def _last_follow_ups(person_ids) -> dict:
    rows = (
        FollowUp.objects.filter(person_id__in=person_ids)
        .values("person_id", "programme")
        .annotate(last=Max("done_on"))
    )
    return {(row["person_id"], row["programme"]): row["last"] for row in rows}


def _poor_since(person_ids) -> dict:
    rows = (
        StatusChange.objects.filter(person_id__in=person_ids)
        .values("person_id")
        .annotate(last=Max("effective_on"))
    )
    return {row["person_id"]: row["last"] for row in rows}


def follow_ups_due(
    user, *, today: dt.date, area: Division | None = None, overdue_only: bool = True
) -> list[Due]:
    """Each programme of each poor person the user sees, with its next due date; overdue first."""
    persons = PoorPerson.objects.visible_to(user)
    if area is not None:
        persons = persons.filter(village__code__startswith=area.prefix)
    rows = [row for row in _poor_rows(persons) if row["programmes"]]
    ids = [row["id"] for row in rows]
    dues = _follow_up_dues(rows, _last_follow_ups(ids), _poor_since(ids), today)
    if overdue_only:
        dues = [due for due in dues if due.overdue]
    return sorted(dues, key=lambda due: (-due.overdue_days, due.due_on, due.person_id, due.programme))


def person_follow_ups(person: PoorPerson, today: dt.date) -> list[Due]:
    row = {
        "id": person.pk,
        "name": person.name,
        "village__name": person.village.name,
        "programmes": person.programmes if person.status == PovertyStatus.POOR else [],
    }
    return _follow_up_dues([row], _last_follow_ups([person.pk]), _poor_since([person.pk]), today)


# --- family-doctor teams ---


def team_list(user, *, today: dt.date) -> list[DoctorTeam]:
    """The teams the user sees with their members by role and their active contracts today."""
    teams = list(
        DoctorTeam.objects.visible_to(user)
        .select_related("institution__organisation", "division")
        .prefetch_related("members__practitioner")
        .annotate(
            active_contracts=Count(
                "contracts",
                filter=Q(
                    contracts__state=ContractState.ACTIVE,
                    contracts__signed_on__lte=today,
                    contracts__valid_until__gte=today,
                ),
            )
        )
        .order_by("-active", "division__code", "name")
    )
    for team in teams:
        team.by_role = [
            (label, [member.practitioner for member in team.members.all() if member.role == role])
            for role, label in TeamRole.choices
        ]
        team.by_role = [(label, people) for label, people in team.by_role if people]
    return teams


# --- work items ----------------------------------------------------------------------------------------


def mismatch_list(user, *, state: str = MismatchState.OPEN, kind: str = "", area: Division | None = None):
    items = Mismatch.objects.visible_to(user).select_related("division", "owner")
    if state:
        items = items.filter(state=state)
    if kind:
        items = items.filter(kind=kind)
    if area is not None:
        items = items.filter(division__code__startswith=area.prefix)
    return items.order_by("deadline", "id")


def mismatch_counts(user) -> dict[str, int]:
    rows = (
        Mismatch.objects.visible_to(user)
        .filter(state=MismatchState.OPEN)
        .values("kind")
        .annotate(n=Count("id"))
    )
    return {row["kind"]: row["n"] for row in rows}


# --- village cover ----------------------------------------------------------------------------------------


def village_covers(user, *, months: list[dt.date]):
    """Current covers with their sitting days for the given months; a month outside 7–10 is flagged."""
    covers = list(
        VillageCover.objects.visible_to(user)
        .filter(until__isnull=True)
        .select_related("village", "practitioner", "institution")
        .prefetch_related("months")
        .order_by("village__code")
    )
    low, high = SITTING_DAYS
    for cover in covers:
        by_month = {entry.month: entry.days for entry in cover.months.all()}
        cover.sittings = [
            (
                month,
                by_month.get(month),
                by_month.get(month) is not None and not low <= by_month[month] <= high,
            )
            for month in months
        ]
    return covers


# --- check-up campaigns ---------------------------------------------------------------------------------


def checkup_campaigns(user):
    """Campaigns the user works in: those inside the user's area and those run for a wider area that
    contains it (a county campaign seen from a village clinic)."""
    area = area_for(user, None)
    return (
        CheckupCampaign.objects.filter(
            Q(division__code__startswith=area.prefix) | Q(pk__in=_campaigns_over(area))
        )
        .select_related("division")
        .order_by("-starts_on", "-id")
    )


@dataclass(frozen=True)
class Coverage:
    campaign: CheckupCampaign
    rate: kpi.Rate
    pending: list[PoorPerson]


def checkup_coverage(user, campaigns) -> list[Coverage]:
    """Per campaign, the poor persons the user sees who are in its target group, how many of them were
    examined, and who is still to be examined (R6 L295)."""
    persons = list(
        PoorPerson.objects.visible_to(user)
        .filter(status=PovertyStatus.POOR)
        .select_related("village")
        .order_by("village__code", "household_id", "id")
    )
    out = []
    for campaign in campaigns:
        targeted = [person for person in persons if in_checkup_target(campaign, person)]
        examined = set(
            Checkup.objects.filter(
                campaign=campaign, person_id__in=[person.pk for person in targeted]
            ).values_list("person_id", flat=True)
        )
        out.append(
            Coverage(
                campaign=campaign,
                rate=kpi.Rate(len(examined), len(targeted)),
                pending=[person for person in targeted if person.pk not in examined],
            )
        )
    return out


# --- indicators -----------------------------------------------------------------------------------------


@dataclass
class KpiRow:
    division: Division | None
    rates: dict[str, kpi.Rate] = field(default_factory=lambda: {name: kpi.ZERO for name in kpi.INDICATORS})

    def add(self, name: str, numerator: int, denominator: int) -> None:
        self.rates[name] = self.rates[name] + kpi.Rate(numerator, denominator)


def _quarter_before(today: dt.date) -> tuple[dt.date, dt.date]:
    first_month = 3 * ((today.month - 1) // 3) + 1
    this_quarter = dt.date(today.year, first_month, 1)
    end = this_quarter - dt.timedelta(days=1)
    start = dt.date(end.year, 3 * ((end.month - 1) // 3) + 1, 1)
    return start, end


def layered_policy_ids() -> set[int]:
    """Policy versions whose rules carry the one-stop layers for the poor."""
    from weijian.insurance import selectors as insurance_selectors

    return {
        version.pk
        for version in PolicyVersion.objects.all()
        if insurance_selectors.engine_policy(version).poverty is not None
    }


def self_pay_target(area: Division, today: dt.date) -> kpi.Target:
    """The self-pay cap of the area's one-stop policy: 9.5 % of total cost (R3), or 5 % read as R6."""
    from fractions import Fraction

    rules = one_stop_rules(area, today)
    return kpi.Target(Fraction(rules.self_pay_share()), kpi.AT_MOST, "R3 L137 / R6 L277")


def kpi_table(user, *, area: Division | None, today: dt.date) -> tuple[Division, list[KpiRow], KpiRow]:
    """Indicators for each child of the area (townships of a county, villages of a township) and the area."""
    area = area_for(user, area)
    rows, total, bucket = roll_up(area, KpiRow)

    persons = _poor_rows(PoorPerson.objects.filter(village__code__startswith=area.prefix))
    ids = [row["id"] for row in persons]
    contracted = set(
        Contract.objects.filter(
            person_id__in=ids, state=ContractState.ACTIVE, signed_on__lte=today, valid_until__gte=today
        ).values_list("person_id", flat=True)
    )
    start, end = _quarter_before(today)
    quarter_contracts = dict(
        Contract.objects.filter(
            person_id__in=ids, state=ContractState.ACTIVE, signed_on__lte=end, valid_until__gte=end
        ).values_list("id", "person_id")
    )
    fulfilled = set(
        Fulfilment.objects.filter(
            contract_id__in=quarter_contracts, done=True, done_on__range=(start, end)
        ).values_list("contract_id", flat=True)
    )
    dues = _follow_up_dues(
        [row for row in persons if row["programmes"]], _last_follow_ups(ids), _poor_since(ids), today
    )
    campaign = (
        CheckupCampaign.objects.filter(starts_on__year=today.year, starts_on__lte=today)
        .filter(Q(division__code__startswith=area.prefix) | Q(pk__in=_campaigns_over(area)))
        .order_by("-starts_on")
        .first()
    )
    examined = (
        set(Checkup.objects.filter(campaign=campaign).values_list("person_id", flat=True))
        if campaign
        else set()
    )
    enrolled = set(
        Enrolment.objects.filter(
            member_id__in=[row["member_id"] for row in persons if row["member_id"]], year=today.year
        ).values_list("member_id", flat=True)
    )
    by_id = {row["id"]: row for row in persons}
    for row in persons:
        targets = bucket(row["village__code"])
        resident = row["residence"] == Residence.RESIDENT
        for target in targets:
            if resident:
                target.add(kpi.CONTRACT, row["id"] in contracted, 1)
            target.add(kpi.ENROLMENT, row["member_id"] in enrolled, 1)
    for contract_id, person_id in quarter_contracts.items():
        if person_id in by_id:
            for target in bucket(by_id[person_id]["village__code"]):
                target.add(kpi.FULFILMENT, contract_id in fulfilled, 1)
    for due in dues:
        for target in bucket(by_id[due.person_id]["village__code"]):
            target.add(kpi.FOLLOW_UP, not due.overdue, 1)
    if campaign is not None:
        for person in PoorPerson.objects.filter(pk__in=ids).select_related("village"):
            if in_checkup_target(campaign, person):
                for target in bucket(person.village.code):
                    target.add(kpi.CHECKUP, person.pk in examined, 1)
    _claim_rates(area, today, bucket)
    return area, list(rows.values()), total


def _campaigns_over(area: Division) -> list[int]:
    """Campaigns run for a wider area that contains this one (a county campaign seen from a township)."""
    return [
        campaign.pk
        for campaign in CheckupCampaign.objects.select_related("division")
        if area.code.startswith(campaign.division.prefix)
    ]


def _claim_rates(area: Division, today: dt.date, bucket) -> None:
    """In-county treatment, self-pay share and one-stop coverage from the settled claims of poor patients."""
    layered = layered_policy_ids()
    claims = (
        Claim.objects.filter(
            poor=True,
            state=ClaimState.SETTLED,
            discharge_date__year=today.year,
            division__code__startswith=area.prefix,
        )
        .values("division__code", "out_of_county", "claim_type")
        .annotate(n=Count("id"))
    )
    for row in claims:
        for target in bucket(row["division__code"]):
            target.add(kpi.IN_COUNTY, 0 if row["out_of_county"] else row["n"], row["n"])
    settled = (
        Settlement.objects.filter(
            kind=SettlementKind.SETTLEMENT,
            reversed_by__isnull=True,
            claim__poor=True,
            claim__state=ClaimState.SETTLED,
            claim__discharge_date__year=today.year,
            division__code__startswith=area.prefix,
        )
        .values("division__code", "policy_id", "claim__claim_type", "eligible")
        .annotate(n=Count("id"), total=Sum("total"), patient=Sum("patient_pays"))
    )
    for row in settled:
        for target in bucket(row["division__code"]):
            target.add(kpi.ONE_STOP, row["n"] if row["policy_id"] in layered else 0, row["n"])
            if row["claim__claim_type"] in INPATIENT_POOL_TYPES and row["eligible"]:
                target.add(kpi.SELF_PAY, _fen(row["patient"]), _fen(row["total"]))


def _fen(amount: Decimal | None) -> int:
    return int((amount or Decimal(0)) * 100)


def kpi_people(user, *, village: Division, indicator: str, today: dt.date) -> list[PoorPerson]:
    """The persons of a village who are missing an indicator: the list a village doctor works through."""
    area_for(user, village)
    persons = (
        PoorPerson.objects.visible_to(user)
        .filter(village=village, status=PovertyStatus.POOR)
        .select_related("member")
    )
    if indicator == kpi.CONTRACT:
        signed = Contract.objects.filter(
            state=ContractState.ACTIVE, signed_on__lte=today, valid_until__gte=today
        ).values("person_id")
        return list(persons.filter(residence=Residence.RESIDENT).exclude(pk__in=signed))
    if indicator == kpi.ENROLMENT:
        enrolled = Enrolment.objects.filter(year=today.year).values("member_id")
        return list(persons.exclude(member_id__in=enrolled, member__isnull=False))
    if indicator == kpi.FOLLOW_UP:
        ids = {due.person_id for due in _village_dues(village, today) if due.overdue}
        return list(persons.filter(pk__in=ids))
    if indicator == kpi.FULFILMENT:
        start, end = _quarter_before(today)
        contracts = Contract.objects.filter(
            person__village=village, state=ContractState.ACTIVE, signed_on__lte=end, valid_until__gte=end
        )
        done = Fulfilment.objects.filter(done=True, done_on__range=(start, end)).values("contract_id")
        return list(persons.filter(pk__in=contracts.exclude(pk__in=done).values("person_id")))
    if indicator == kpi.CHECKUP:
        campaign = (
            CheckupCampaign.objects.filter(
                starts_on__year=today.year, starts_on__lte=today, pk__in=_campaigns_over(village)
            )
            .order_by("-starts_on")
            .first()
        )
        if campaign is None:
            return []
        examined = set(Checkup.objects.filter(campaign=campaign).values_list("person_id", flat=True))
        return [
            person
            for person in persons.select_related("village")
            if in_checkup_target(campaign, person) and person.pk not in examined
        ]
    raise NotVisible()


def _village_dues(village: Division, today: dt.date) -> list[Due]:
    rows = [row for row in _poor_rows(PoorPerson.objects.filter(village=village)) if row["programmes"]]
    ids = [row["id"] for row in rows]
    return _follow_up_dues(rows, _last_follow_ups(ids), _poor_since(ids), today)


# --- monthly report (统计汇总表) --------------------------------------------------------------------------


def _poor_on(area: Division, day: dt.date) -> dict[int, str]:
    """Person id → village code of everyone in the area whose last status change by `day` left them poor."""
    last: dict[int, tuple[str, str]] = {}
    changes = (
        StatusChange.objects.filter(person__village__code__startswith=area.prefix, effective_on__lte=day)
        .order_by("person_id", "effective_on", "id")
        .values_list("person_id", "status_after", "person__village__code")
    )
    for person_id, status, village_code in changes:
        last[person_id] = (status, village_code)
    return {pk: code for pk, (status, code) in last.items() if status == PovertyStatus.POOR}


@dataclass
class ReportRow:
    division: Division | None
    persons: int = 0
    contracted: int = 0
    fulfilments: int = 0
    follow_ups: int = 0
    admissions: int = 0
    total: Decimal = Decimal(0)
    layers: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    patient_pays: Decimal = Decimal(0)

    @property
    def self_pay(self) -> kpi.Rate:
        return kpi.Rate(_fen(self.patient_pays), _fen(self.total))


def monthly_report(
    user, *, area: Division | None, month: dt.date
) -> tuple[Division, list[ReportRow], ReportRow]:
    """The month's figures per child area: registry, contracts, services, and one-stop settlements by layer."""
    area = area_for(user, area)
    first = month.replace(day=1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    rows, total, targets = roll_up(area, ReportRow)

    # Who was poor on the month's last day, from the status history: a report for a past month keeps
    # its figures when people exit or come back later.
    poor_on = _poor_on(area, last)
    for village_code in poor_on.values():
        for target in targets(village_code):
            target.persons += 1
    contracts = Contract.objects.filter(
        person_id__in=list(poor_on),
        state=ContractState.ACTIVE,
        signed_on__lte=last,
        valid_until__gte=last,
    )
    for row in contracts.values("person__village__code").annotate(n=Count("id")):
        for target in targets(row["person__village__code"]):
            target.contracted += row["n"]
    fulfilments = Fulfilment.objects.filter(
        contract__person__village__code__startswith=area.prefix, done=True, done_on__range=(first, last)
    )
    for row in fulfilments.values("contract__person__village__code").annotate(n=Count("id")):
        for target in targets(row["contract__person__village__code"]):
            target.fulfilments += row["n"]
    follow_ups = FollowUp.objects.filter(
        person__village__code__startswith=area.prefix, done_on__range=(first, last)
    )
    for row in follow_ups.values("person__village__code").annotate(n=Count("id")):
        for target in targets(row["person__village__code"]):
            target.follow_ups += row["n"]
    settled = Settlement.objects.filter(
        kind=SettlementKind.SETTLEMENT,
        reversed_by__isnull=True,
        claim__poor=True,
        claim__claim_type__in=INPATIENT_POOL_TYPES,
        settled_on__range=(first, last),
        division__code__startswith=area.prefix,
    )
    sums = {name: Sum(name) for name in (*LAYERS, "total", "patient_pays")}
    for row in settled.values("division__code").annotate(n=Count("id"), **sums):
        for target in targets(row["division__code"]):
            target.admissions += row["n"]
            target.total += row["total"] or 0
            target.patient_pays += row["patient_pays"] or 0
            for name in LAYERS:
                target.layers[name] += row[name] or 0
    return area, list(rows.values()), total


# --- reconciliation results ----------------------------------------------------------------------------


@dataclass
class QualityRow:
    """One area's figures from a reconciliation: counts from the lists, rates computed from them."""

    division: Division
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    open_items: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    @property
    def enrolment(self) -> kpi.Rate:
        return kpi.Rate(self.counts["poor_enrolled"], self.counts["poor"])

    @property
    def records(self) -> kpi.Rate:
        """Health records over residents; above 100 % means duplicates or people who live elsewhere."""
        return kpi.Rate(self.counts["health_records"], self.counts["residents"])

    @property
    def open_by_kind(self) -> list[tuple[str, int]]:
        """(kind, open work items) in the order of MismatchKind, zeros included."""
        return [(kind, self.open_items.get(kind, 0)) for kind in MismatchKind.values]


def reconciliation_quality(user, run) -> tuple[list[QualityRow], QualityRow]:
    """Per child area of the run's area (townships of a county) and for the area: the data-quality counts
    of the run and the work items still open, by kind."""
    area = run.division
    rows, total, targets = roll_up(area, QualityRow)

    for village_code, counts in run.rates.items():
        for target in targets(village_code):
            for name, value in counts.items():
                target.counts[name] += value or 0
    items = Mismatch.objects.visible_to(user).filter(
        state=MismatchState.OPEN, division__code__startswith=area.prefix
    )
    for row in items.values("division__code", "kind").annotate(n=Count("id")):
        for target in targets(row["division__code"]):
            target.open_items[row["kind"]] += row["n"]
    return list(rows.values()), total
