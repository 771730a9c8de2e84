"""Business actions of health financing: policy versions, enrolment and contributions, the fund ledger,
on-the-spot settlement with reversal, and monthly institution statements.

Every action runs in one transaction and checks the role and the scope. Money reaches the ledger only
through `post`, whose idempotency key makes a retried action find the entry it already wrote.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from weijian.core.audit import record_transition
from weijian.core.errors import DomainError, InvalidInput, NotAllowed, NotVisible, full_clean_or_raise
from weijian.core.models import Division
from weijian.core.permissions import require
from weijian.core.scope import require_division_in_scope, scope_of
from weijian.registry.models import Institution

from . import bookkeeping, selectors
from .engine import scalar
from .engine.money import fen_to_yuan, yuan_to_fen
from .engine.policy import POLICY_DIR, PolicyError, parse_policy, read_policy_file
from .models import (
    GOVERNMENT_PAYERS,
    Claim,
    ClaimState,
    Contribution,
    Enrolment,
    Household,
    ItemDecision,
    LedgerEntry,
    Member,
    PayerType,
    PolicyVersion,
    Posting,
    Settlement,
    SettlementKind,
    Statement,
    StatementItem,
    StatementState,
)

NOT_ENROLLED = bookkeeping.NOT_ENROLLED
CLAIM_AMOUNTS = scalar.AMOUNT_FIELDS
EXTRA_AMOUNTS = ("drug_cost", "off_formulary_drug_cost")
# What is recorded about a visit or stay besides its amounts (the institution's facts come from the registry).
CLAIM_FACTS = (
    "claim_type",
    "specialist",
    "admit_date",
    "discharge_date",
    "disease",
    "chronic_disease",
    "eyes",
    "out_of_county",
    "referral",
    "migrant_certificate",
    "major_disease",
    "over_treatment",
)


class InvalidFinancing(InvalidInput):
    """Health-financing data that breaks a rule, named by its field."""


class WrongState(DomainError):
    code = "wrong_state"
    status = 409


def _yuan(value: Any, field: str) -> Decimal:
    try:
        return fen_to_yuan(yuan_to_fen(value if value not in (None, "") else 0))
    except ValueError:
        raise InvalidFinancing(_("Enter an amount in yuan with at most two decimals."), field=field) from None


def _require(user, permission: str) -> None:
    """`user=None` is a system run (the demo, a queued job without a requester)."""
    if user is not None:
        require(user, permission)


def _fen(value: Decimal) -> int:
    return yuan_to_fen(value)


# --- policy versions -------------------------------------------------------------------------------------


def _stored_document(code: str, as_of: dt.datetime | None = None) -> dict:
    """The newest stored version of a policy another one extends, as it stood at `as_of` (when the
    extending version was published); the built-in file if none is stored."""
    versions = PolicyVersion.objects.filter(code=code)
    if as_of is not None:
        versions = versions.filter(created_at__lte=as_of)
    version = versions.order_by("-version").first()
    if version is None:
        return read_policy_file(code)
    return tomllib.loads(version.document)


def parse_document(document: str, *, as_of: dt.datetime | None = None):
    """The engine's policy for a document, or InvalidFinancing naming the offending key. A document that
    extends another (`extends = "demo-ncms"`) is laid over the version of that policy stored when it was
    published (`as_of`; now, when publishing), so a stored version always settles by the same rules."""
    try:
        return parse_policy(tomllib.loads(document), resolve=lambda code: _stored_document(code, as_of))
    except tomllib.TOMLDecodeError as error:
        raise InvalidFinancing(_("Not valid TOML: %(error)s") % {"error": error}, field="document") from None
    except PolicyError as error:
        raise InvalidFinancing(
            _("%(key)s: %(rule)s") % {"key": error.key, "rule": error.rule}, field="document"
        ) from None


@transaction.atomic
def policy_publish(user, *, document: str, division: Division | None = None, note: str = "") -> PolicyVersion:
    """Validate a policy document and store it as the next version of its code."""
    if user is not None:
        require(user, "insurance.edit_policy")
        if division is not None:
            require_division_in_scope(user, division)
        elif not scope_of(user).everything:
            raise NotAllowed()
    policy = parse_document(document)
    latest = (
        PolicyVersion.objects.select_for_update().filter(code=policy.code).aggregate(v=Max("version"))["v"]
    )
    return PolicyVersion.objects.create(
        code=policy.code,
        version=(latest or 0) + 1,
        name=policy.name,
        division=division,
        valid_from=policy.valid_from,
        valid_to=policy.valid_to,
        document=document,
        note=note,
        created_by=user,
    )


def policy_load_builtin() -> list[PolicyVersion]:
    """Store each base policy shipped in the policies folder as version 1, unless its code is there
    already. A policy laid over another (`extends`, such as the one-stop layers of demo-poverty) is
    adopted by a region, so it is published for that region, not loaded for everyone."""
    loaded = []
    for path in sorted(POLICY_DIR.glob("*.toml")):
        document = path.read_text(encoding="utf-8")
        if "extends" in tomllib.loads(document).get("policy", {}):
            continue
        if not PolicyVersion.objects.filter(code=path.stem).exists():
            loaded.append(policy_publish(None, document=document, note="built-in"))
    return loaded


# --- ledger ----------------------------------------------------------------------------------------------


def post(
    *,
    key: str,
    division: Division,
    kind: str,
    posted_on: dt.date,
    year: int,
    description: str,
    lines,
    user=None,
) -> LedgerEntry:
    """Write one balanced entry, or return the entry already written under `key`.

    `lines` are (account, sub_fund, detail, amount in yuan), debit-positive; zero lines are dropped.
    """
    existing = LedgerEntry.objects.filter(key=key).first()
    if existing is not None:
        return existing
    lines = [line for line in lines if line[3]]
    if sum((line[3] for line in lines), Decimal(0)) != 0:
        raise ValueError(f"ledger entry {key} does not balance")
    try:
        with transaction.atomic():
            entry = LedgerEntry.objects.create(
                key=key,
                division=division,
                kind=kind,
                posted_on=posted_on,
                year=year,
                description=description[:200],
                posted_by=user,
            )
    except IntegrityError:
        # Another worker posted the same event a moment ago.
        return LedgerEntry.objects.get(key=key)
    Posting.objects.bulk_create(
        Posting(entry=entry, account=account, sub_fund=sub_fund, detail=str(detail), amount=amount)
        for account, sub_fund, detail, amount in lines
    )
    return entry


def _post(entry: bookkeeping.Entry, scheme: Division, user) -> LedgerEntry:
    return post(
        key=entry.key,
        division=scheme,
        kind=entry.kind,
        posted_on=entry.posted_on,
        year=entry.year,
        description=entry.description,
        lines=entry.lines,
        user=user,
    )


def _post_contribution(contribution: Contribution, scheme: Division, policy, user) -> LedgerEntry:
    return _post(bookkeeping.contribution_entry(contribution, policy), scheme, user)


# --- households, enrolment, contributions ------------------------------------------------------------------


@transaction.atomic
def household_register(
    user, *, division: Division, number: str, head_name: str, address: str = "", members=()
):
    """Register a household and its members (dicts of Member fields)."""
    _require(user, "insurance.add_household")
    require_division_in_scope(user, division)
    if not members:
        raise InvalidFinancing(_("A household needs at least one member."), field="members")
    household = Household(division=division, number=number, head_name=head_name, address=address)
    full_clean_or_raise(household)
    household.save()
    for index, fields in enumerate(members, start=1):
        member = Member(household=household, **fields)
        try:
            full_clean_or_raise(member)
        except DomainError as error:
            raise InvalidFinancing(
                _("Member %(index)d: %(message)s") % {"index": index, "message": error.message},
                field=f"members[{index}].{error.field or ''}".rstrip("."),
            ) from None
        member.save()
    return household


PHOTO_TYPES = {"image/jpeg": (".jpg", ".jpeg"), "image/png": (".png",)}
PHOTO_MAX_BYTES = 2 * 1024 * 1024


@transaction.atomic
def member_photo_set(user, member: Member, photo) -> Member:
    """The member's photo for the scheme card (照片与系统一致, 篇5): a JPEG or PNG of at most 2 MB."""
    _require(user, "insurance.change_member")
    require_division_in_scope(user, member.household.division)
    extensions = PHOTO_TYPES.get(getattr(photo, "content_type", ""), ())
    if not extensions or not photo.name.lower().endswith(extensions):
        raise InvalidFinancing(_("The photo must be a JPEG or PNG image."), field="photo")
    if photo.size > PHOTO_MAX_BYTES:
        raise InvalidFinancing(_("The photo must be at most 2 MB."), field="photo")
    head = photo.read(8)
    photo.seek(0)
    if not (head.startswith(b"\xff\xd8\xff") or head.startswith(b"\x89PNG\r\n\x1a\n")):
        raise InvalidFinancing(_("The photo must be a JPEG or PNG image."), field="photo")
    member.photo = photo
    member.save()
    return member


def scheme_of(division: Division) -> Division:
    """The county whose scheme covers a division (the scheme is run by the county, 篇6 §6.1)."""
    from weijian.core.models import DivisionLevel

    for node in (division, *reversed(division.ancestors())):
        if node.level == DivisionLevel.COUNTY:
            return node
    raise InvalidFinancing(_("The division is not inside a county."), field="division")


@transaction.atomic
def household_enrol(
    user,
    household: Household,
    *,
    year: int,
    paid_on: dt.date,
    receipt_number: str,
    civil_affairs_receipt: str = "",
) -> list[Enrolment]:
    """Enrol every member of the household for `year` and record what they pay (篇6 §6.2).

    The household is the unit (以户为单位): all members enrol together. Certified members of the civil-
    affairs groups (五保, 低保, 特困) have their personal share paid by the civil-affairs fund, on its own
    receipt. Enrolling again with the same receipt returns the existing enrolments.
    """
    _require(user, "insurance.add_enrolment")
    household = Household.objects.visible_to(user).filter(pk=household.pk).first() if user else household
    if household is None:
        raise NotVisible()
    existing = list(Enrolment.objects.filter(household=household, year=year))
    if existing:
        if Contribution.objects.filter(
            household=household, year=year, receipt_number=receipt_number
        ).exists():
            return existing
        raise InvalidFinancing(
            _("Household %(number)s is already enrolled for %(year)d.")
            % {"number": household.number, "year": year},
            field="year",
        )
    if not receipt_number.strip():
        raise InvalidFinancing.required("receipt_number")
    scheme = scheme_of(household.division)
    version = selectors.policy_version_in_force(household.division, dt.date(year, 1, 1))
    policy = selectors.engine_policy(version)
    members = list(household.members.all())
    if not members:
        raise InvalidFinancing(_("A household needs at least one member."), field="members")
    covered = [m for m in members if m.certified_group in policy.financing.civil_affairs_groups]
    paying = len(members) - len(covered)
    if covered and not civil_affairs_receipt.strip():
        raise InvalidFinancing(
            _("%(count)d member(s) are paid for by the civil-affairs fund: enter its receipt number.")
            % {"count": len(covered)},
            field="civil_affairs_receipt",
        )
    enrolments = [
        Enrolment.objects.create(
            member=member, household=household, division=household.division, year=year, enrolled_on=paid_on
        )
        for member in members
    ]
    per_person = fen_to_yuan(policy.financing.individual)
    for payer, count, receipt in (
        (PayerType.INDIVIDUAL, paying, receipt_number),
        (PayerType.CIVIL_AFFAIRS, len(covered), civil_affairs_receipt),
    ):
        if not count:
            continue
        contribution = Contribution(
            year=year,
            payer_type=payer,
            amount=per_person * count,
            headcount=count,
            receipt_number=receipt.strip(),
            paid_on=paid_on,
            household=household,
            division=household.division,
            recorded_by=user,
        )
        try:
            full_clean_or_raise(contribution)
        except DomainError:
            raise InvalidFinancing(
                _("Receipt %(receipt)s is already used.") % {"receipt": receipt}, field="receipt_number"
            ) from None
        contribution.save()
        _post_contribution(contribution, scheme, policy, user)
    return enrolments


@transaction.atomic
def collective_contribution(
    user, *, division: Division, year: int, amount, paid_on: dt.date, receipt_number: str
) -> Contribution:
    """Support from a village or township collective (集体扶持); never levied on farmers (篇6 §6.2)."""
    _require(user, "insurance.add_contribution")
    require_division_in_scope(user, division)
    amount = _yuan(amount, "amount")
    if amount <= 0:
        raise InvalidFinancing(_("The amount must be more than zero."), field="amount")
    contribution = Contribution(
        year=year,
        payer_type=PayerType.COLLECTIVE,
        amount=amount,
        headcount=0,
        receipt_number=receipt_number.strip(),
        paid_on=paid_on,
        division=division,
        recorded_by=user,
    )
    full_clean_or_raise(contribution)
    contribution.save()
    version = selectors.policy_version_in_force(division, dt.date(year, 1, 1))
    _post_contribution(contribution, scheme_of(division), selectors.engine_policy(version), user)
    return contribution


@transaction.atomic
def subsidy_receive(user, *, county: Division, year: int, paid_on: dt.date) -> list[Contribution]:
    """Government subsidies from the actual enrolled headcount × the per-level rates (篇6 §6.2, §6.3).

    Each level's subsidy for the year is topped up to headcount × rate; run again after more people
    enrol and only the difference is received. With nothing new it writes nothing.
    """
    _require(user, "insurance.add_contribution")
    require_division_in_scope(user, county)
    county = scheme_of(county)
    headcount = Enrolment.objects.filter(year=year, division__code__startswith=county.prefix).count()
    version = selectors.policy_version_in_force(county, dt.date(year, 1, 1))
    policy = selectors.engine_policy(version)
    received = []
    for payer in GOVERNMENT_PAYERS:
        due = fen_to_yuan(policy.financing.subsidy[payer] * headcount)
        # To the fen: SQLite hands sums of decimals back in floating point.
        so_far = selectors._money(
            Contribution.objects.filter(year=year, payer_type=payer, division=county).aggregate(
                s=Sum("amount")
            )["s"]
        )
        if due <= so_far:
            continue
        contribution = Contribution.objects.create(
            year=year,
            payer_type=payer,
            amount=due - so_far,
            headcount=headcount,
            receipt_number=f"BZ{county.code[:6]}-{year}-{payer}-{headcount}",
            paid_on=paid_on,
            division=county,
            recorded_by=user,
        )
        _post_contribution(contribution, county, policy, user)
        received.append(contribution)
    return received


# --- claims and settlement ---------------------------------------------------------------------------------


def facility_level(institution: Institution) -> int:
    """The compensation level: the hospital grade; clinics without a grade settle at level 1."""
    return int(institution.grade_level) if institution.grade_level in ("1", "2", "3") else 1


def engine_claim_of(claim: Claim) -> scalar.Claim:
    try:
        return scalar.Claim(
            claim_id=claim.number,
            person_id=str(claim.member_id),
            claim_type=claim.claim_type,
            facility_level=claim.facility_level,
            admit_date=claim.admit_date,
            discharge_date=claim.discharge_date,
            disease=claim.disease,
            specialist=claim.specialist,
            special_group=claim.member.certified_group,
            designated=claim.institution.insurance_designated,
            for_profit=claim.institution.for_profit,
            out_of_county=claim.out_of_county,
            referral=claim.referral,
            migrant_certificate=claim.migrant_certificate,
            eyes=claim.eyes,
            chronic_disease=claim.chronic_disease,
            poor=claim.poor,
            major_disease=claim.major_disease,
            over_treatment=claim.over_treatment,
            **{name: _fen(getattr(claim, name)) for name in CLAIM_AMOUNTS},
        )
    except scalar.ClaimError as error:
        raise InvalidFinancing(str(error), field=error.field) from None


def next_claim_number(institution: Institution, year: int) -> str:
    prefix = f"BC{year}-{institution.pk:05d}-"
    last = Claim.objects.filter(number__startswith=prefix).aggregate(n=Max("number"))["n"]
    return f"{prefix}{int(last.rsplit('-', 1)[1]) + 1 if last else 1:06d}"


@transaction.atomic
def claim_enter(
    user, *, institution: Institution, member: Member, corrects: Claim | None = None, **fields
) -> Claim:
    """Record a claim at an institution; the engine's consistency rules apply before anything is saved."""
    _require(user, "insurance.add_claim")
    _require_claim_parties(user, institution, member)
    for name in (*CLAIM_AMOUNTS, *EXTRA_AMOUNTS):
        if name in fields:
            fields[name] = _yuan(fields[name], name)
    if fields.get("off_formulary_drug_cost", 0) > fields.get("drug_cost", 0):
        raise InvalidFinancing(
            _("Out-of-formulary drugs cannot exceed all drugs."), field="off_formulary_drug_cost"
        )
    if fields.get("drug_cost", 0) > fields.get("total", 0):
        raise InvalidFinancing(_("Drugs cannot exceed the total cost."), field="drug_cost")
    discharge = fields.get("discharge_date") or fields.get("admit_date")
    if discharge is None:
        raise InvalidFinancing.required("discharge_date")
    fields.setdefault("discharge_date", discharge)
    # The cashier recognises a poor patient from the card (seed-003 R2 L107); a correction keeps the
    # status the original claim was settled with.
    fields.setdefault("poor", corrects.poor if corrects is not None else member.registered_poor)
    if fields.get("major_disease"):
        _check_major_disease(member, discharge, fields["major_disease"])
    claim = Claim(
        number=next_claim_number(institution, discharge.year),
        institution=institution,
        member=member,
        division=member.household.division,
        facility_level=fields.pop("facility_level", None) or facility_level(institution),
        corrects=corrects,
        entered_by=user,
        **fields,
    )
    engine_claim_of(claim)
    full_clean_or_raise(claim, exclude=["number"])
    claim.save()
    return claim


def _check_major_disease(member: Member, discharge: dt.date, code: str) -> None:
    """A major disease is one of the list of the policy in force (settled as a fixed split)."""
    version = selectors.policy_version_in_force(member.household.division, discharge)
    rules = selectors.engine_policy(version).poverty if version is not None else None
    if rules is None or code not in rules.major_diseases:
        raise InvalidFinancing(_("Not a disease of the policy's major-disease list."), field="major_disease")


def _require_claim_parties(user, institution: Institution, member: Member) -> None:
    """A cashier records claims at their own institution for any patient; the scheme office records
    claims for its own members at any institution (treatment elsewhere, reimbursed after return)."""
    if user is None:
        return
    scope = scope_of(user)
    if scope.everything:
        return
    if scope.organisation_id is not None:
        if institution.pk != scope.organisation_id:
            raise NotVisible()
        return
    require_division_in_scope(user, member.household.division)


def year_so_far(claim: Claim, policy) -> scalar.PersonYear:
    """What the year has already paid the member: every claim of the year settled so far, replayed in
    discharge order. A claim entered late still sees claims settled before it, whatever their dates,
    so the annual caps and the year's one deductible hold across late entries."""
    state = scalar.PersonYear(person_id=str(claim.member_id), year=claim.discharge_date.year)
    earlier = (
        Claim.objects.filter(
            member_id=claim.member_id,
            state=ClaimState.SETTLED,
            discharge_date__year=claim.discharge_date.year,
        )
        .exclude(pk=claim.pk)
        .select_related("member", "institution")
        .order_by("discharge_date", "number")
    )
    for previous in earlier:
        if not selectors.is_enrolled(previous.member_id, previous.discharge_date.year):
            continue
        state = scalar.settle(engine_claim_of(previous), state, policy).state
    return state


@transaction.atomic
def claim_settle(user, claim: Claim, *, on: dt.date | None = None) -> Settlement:
    """Settle a claim on the spot with the policy in force at discharge; store the explanation; post it.

    Settling a claim that is already settled returns its settlement (a retried request posts nothing).
    """
    _require(user, "insurance.settle_claim")
    claim = Claim.objects.visible_to(user).select_for_update().filter(pk=claim.pk).first() if user else claim
    if claim is None:
        raise NotVisible()
    if claim.state == ClaimState.SETTLED:
        return claim.settlements.get(kind=SettlementKind.SETTLEMENT, reversed_by__isnull=True)
    if claim.state != ClaimState.ENTERED:
        raise WrongState(_("Only an entered claim can be settled."))
    on = on or timezone.localdate()
    version = selectors.policy_version_in_force(claim.division, claim.discharge_date)
    policy = selectors.engine_policy(version)
    engine_claim = engine_claim_of(claim)
    if not selectors.is_enrolled(claim.member_id, claim.discharge_date.year):
        result = bookkeeping.not_enrolled_result(engine_claim)
    else:
        result = bookkeeping.engine_result(scalar.settle(engine_claim, year_so_far(claim, policy), policy))
    settlement = bookkeeping.settlement_row(claim, version, result, on=on, user=user)
    settlement.save()
    record_transition(claim, field="state", old=claim.state, new=ClaimState.SETTLED)
    claim.state = ClaimState.SETTLED
    claim.save(update_fields=["state"])
    _post_settlement(settlement, user)
    return settlement


def _post_settlement(settlement: Settlement, user) -> LedgerEntry:
    return _post(bookkeeping.settlement_entry(settlement), scheme_of(settlement.division), user)


@transaction.atomic
def claim_reverse(user, claim: Claim, *, reason: str, on: dt.date | None = None) -> Settlement:
    """Undo a settlement with a negating one (a reversal posts the opposite entry; nothing is deleted)."""
    _require(user, "insurance.settle_claim")
    claim = Claim.objects.visible_to(user).select_for_update().filter(pk=claim.pk).first() if user else claim
    if claim is None:
        raise NotVisible()
    if claim.state != ClaimState.SETTLED:
        raise WrongState(_("Only a settled claim can be reversed."))
    if not reason.strip():
        raise InvalidFinancing.required("reason")
    original = claim.settlements.get(kind=SettlementKind.SETTLEMENT, reversed_by__isnull=True)
    # A settlement rejected on its statement was never owed; reversing it too would charge the
    # institution for it a second time.
    if StatementItem.objects.filter(settlement=original, decision=ItemDecision.REJECTED).exists():
        raise WrongState(_("The settlement was rejected on the institution's statement."))
    negated = {
        name: -getattr(original, name)
        for name in (
            "total",
            "eligible_cost",
            "deductible",
            "pooled",
            "reimbursed",
            "patient_pays",
            *bookkeeping.LAYER_FIELDS,
        )
    }
    reversal = Settlement.objects.create(
        claim=claim,
        kind=SettlementKind.REVERSAL,
        reverses=original,
        policy=original.policy,
        institution=original.institution,
        division=original.division,
        sub_fund=original.sub_fund,
        eligible=original.eligible,
        reason=original.reason,
        ratio=original.ratio,
        cap_applied=original.cap_applied,
        steps=[["reversal", str(-original.reimbursed), reason.strip()[:200]]],
        settled_on=on or timezone.localdate(),
        settled_by=user,
        **negated,
    )
    record_transition(claim, field="state", old=claim.state, new=ClaimState.REVERSED, note=reason.strip())
    claim.state = ClaimState.REVERSED
    claim.save(update_fields=["state"])
    _post_settlement(reversal, user)
    return reversal


@transaction.atomic
def claim_correct(user, claim: Claim, *, reason: str, on: dt.date | None = None, **changes) -> Settlement:
    """A correction is a reversal and a new settlement of the corrected claim."""
    claim_reverse(user, claim, reason=reason, on=on)
    fields = {name: getattr(claim, name) for name in (*CLAIM_FACTS, *CLAIM_AMOUNTS, *EXTRA_AMOUNTS)}
    fields.update(changes)
    corrected = claim_enter(
        user, institution=claim.institution, member=claim.member, corrects=claim, **fields
    )
    return claim_settle(user, corrected, on=on)


# --- monthly statements ------------------------------------------------------------------------------------


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


@transaction.atomic
def statement_generate(
    user, institution: Institution, month: dt.date, *, scheme: Division | None = None
) -> Statement:
    """Gather the month's settlements of the scheme's members at the institution into its statement.

    A statement is between one scheme (a county) and one institution, which may lie outside the county
    (a city hospital treating referred patients). The scheme defaults to the user's county, or for a
    system run to the institution's. Run again while the statement is under review and later
    settlements of the month join it.
    """
    _require(user, "insurance.review_statement")
    if scheme is None:
        home = user.organisation.division if user is not None and user.organisation_id else None
        scheme = home or institution.organisation.division
    scheme = scheme_of(scheme)
    require_division_in_scope(user, scheme)
    month = month_start(month)
    # Settlements of earlier months that missed their statement (settled after it was approved) join
    # this one: every settlement is paid once, in the first statement generated after it.
    pending = Settlement.objects.filter(
        institution=institution,
        division__code__startswith=scheme.prefix,
        settled_on__lt=_next_month(month),
        statement_item__isnull=True,
    )
    statement = (
        Statement.objects.select_for_update()
        .filter(institution=institution, month=month, division=scheme)
        .first()
    )
    if statement is None:
        if (
            user is not None
            and not pending.exists()
            and not Institution.objects.visible_to(user).filter(pk=institution.pk).exists()
        ):
            raise NotVisible()
        statement = Statement.objects.create(
            institution=institution, month=month, division=scheme, facility_level=facility_level(institution)
        )
    if statement.state != StatementState.OPEN:
        raise WrongState(_("The statement is approved; later settlements go into next month's."))
    StatementItem.objects.bulk_create(StatementItem(statement=statement, settlement=s) for s in pending)
    _recompute(statement)
    return statement


def _recompute(statement: Statement) -> None:
    items = list(statement.items.select_related("settlement__claim"))
    version = selectors.policy_version_in_force(statement.division, statement.month)
    bookkeeping.statement_totals(statement, items, selectors.engine_policy(version))
    statement.save()


def _open_statement(user, statement: Statement) -> Statement:
    _require(user, "insurance.review_statement")
    found = Statement.objects.visible_to(user) if user is not None else Statement.objects.all()
    statement = found.select_for_update().filter(pk=statement.pk).first()
    if statement is None:
        raise NotVisible()
    return statement


@transaction.atomic
def statement_item_review(user, item: StatementItem, *, decision: str, reason: str = "") -> StatementItem:
    """Approve or reject one item; a rejection needs its reason (违规费用不予结算)."""
    statement = _open_statement(user, item.statement)
    item = statement.items.get(pk=item.pk)
    if statement.state != StatementState.OPEN:
        raise WrongState(_("Items can be decided only while the statement is under review."))
    if decision not in ItemDecision.values:
        raise InvalidFinancing(_("Choose approve or reject."), field="decision")
    if decision == ItemDecision.REJECTED and not reason.strip():
        raise InvalidFinancing(_("Give the reason for rejecting the item."), field="reason")
    # A reversal and the settlement it undoes already cancel out: rejecting either one would pay the
    # institution for a claim it withdrew, or charge it for one it was never paid.
    if decision == ItemDecision.REJECTED and (
        item.settlement.kind == SettlementKind.REVERSAL
        or Settlement.objects.filter(reverses=item.settlement_id).exists()
    ):
        raise InvalidFinancing(_("A reversed settlement or a reversal cannot be rejected."), field="decision")
    item.decision = decision
    item.reason = reason.strip() if decision == ItemDecision.REJECTED else ""
    item.save()
    _recompute(statement)
    return item


@transaction.atomic
def statement_approve(user, statement: Statement) -> Statement:
    """Fix the amounts and post the rejected items and the formulary deduction back to the fund."""
    statement = _open_statement(user, statement)
    if statement.state != StatementState.OPEN:
        raise WrongState(_("The statement is not under review."))
    _recompute(statement)
    items = list(statement.items.select_related("settlement"))
    entry = bookkeeping.approval_entry(statement, items, timezone.localdate())
    _post(entry, scheme_of(statement.division), user)
    record_transition(statement, field="state", old=statement.state, new=StatementState.APPROVED)
    statement.state = StatementState.APPROVED
    statement.reviewed_by = user
    statement.approved_at = timezone.now()
    statement.save()
    return statement


@transaction.atomic
def statement_pay(user, statement: Statement, *, paid_on: dt.date) -> Statement:
    """Pay the approved amount from the special account (银行管钱: the payment leaves the fund)."""
    statement = _open_statement(user, statement)
    if statement.state != StatementState.APPROVED:
        raise WrongState(_("Only an approved statement can be paid."))
    items = list(statement.items.select_related("settlement"))
    approval = bookkeeping.approval_entry(statement, items, posted_on=paid_on)
    _post(bookkeeping.payment_entry(statement, items, approval, paid_on), scheme_of(statement.division), user)
    record_transition(statement, field="state", old=statement.state, new=StatementState.PAID)
    statement.state = StatementState.PAID
    statement.paid_on = paid_on
    statement.save()
    return statement
