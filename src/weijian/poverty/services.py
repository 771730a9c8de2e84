"""Business actions of health poverty alleviation: the registry and its status history, department lists
and their reconciliation into work items, family-doctor teams, contracts, fulfilment, follow-ups,
village cover with sitting days, and check-up campaigns.

Every action checks the role and the scope and runs in one transaction. A registry change keeps the
insurance member's `registered_poor` flag in step, so the cashier recognises a poor patient by the card.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from weijian.core.audit import record_bulk_create, record_transition
from weijian.core.calendar import current_calendar
from weijian.core.errors import DomainError, InvalidInput, NotVisible, full_clean_or_raise
from weijian.core.models import Division, DivisionLevel, Organisation, OrganisationKind
from weijian.core.permissions import require
from weijian.core.scope import require_division_in_scope
from weijian.core.validators import birth_date_from_id, id_number_error, sex_from_id
from weijian.insurance.models import Member
from weijian.registry.models import Institution, InstitutionType, Practitioner

from . import workflow
from .catalogue import catalogue
from .models import (
    Checkup,
    CheckupCampaign,
    Contract,
    ContractState,
    DepartmentList,
    DoctorTeam,
    FollowUp,
    Fulfilment,
    ListRow,
    ListSource,
    Mismatch,
    MismatchState,
    PersonCategory,
    PoorHousehold,
    PoorPerson,
    PovertyStatus,
    Reconciliation,
    RunState,
    SittingMonth,
    StatusAction,
    StatusChange,
    TeamMember,
    VillageCover,
)
from .rules import in_checkup_target, one_stop_rules

# Working days a new mismatch's owner has to resolve it (a demo choice: the sources give none).
MISMATCH_DAYS = 10
# A family-doctor contract runs for a year unless the form says otherwise.
CONTRACT_DAYS = 365
SITTING_DAYS_MAX = 31


class InvalidPoverty(InvalidInput):
    """Health poverty alleviation data that breaks a rule, named by its field."""


class WrongState(DomainError):
    code = "wrong_state"
    status = 409


def _require(user, permission: str) -> None:
    """`user=None` is a system run (the demo, a queued job without a requester)."""
    if user is not None:
        require(user, permission)


def _visible(user, queryset, pk):
    """The record if the user may see it; out of scope is reported like missing."""
    found = (queryset.visible_to(user) if user is not None else queryset).filter(pk=pk).first()
    if found is None:
        raise NotVisible()
    return found


def _not_future(day: dt.date, field: str) -> None:
    if day > timezone.localdate():
        raise InvalidPoverty(_("The date may not be in the future."), field=field)


# --- registry --------------------------------------------------------------------------------------------


def clinic_of_village(village: Division) -> Institution | None:
    """The village clinic that serves a village: it owns the village's people for scope."""
    return (
        Institution.objects.filter(
            institution_type=InstitutionType.VILLAGE_CLINIC, organisation__division=village
        )
        .order_by("pk")
        .first()
    )


@transaction.atomic
def household_register(
    user, *, number: str, village: Division, head_name: str, helper_name: str = "", helper_phone: str = ""
) -> PoorHousehold:
    _require(user, workflow.PERMISSION)
    require_division_in_scope(user, village)
    if village.level != DivisionLevel.VILLAGE:
        raise InvalidPoverty(_("A household belongs to a village."), field="village")
    household = PoorHousehold(
        number=number.strip(),
        village=village,
        clinic=clinic_of_village(village),
        head_name=head_name.strip(),
        helper_name=helper_name.strip(),
        helper_phone=helper_phone.strip(),
    )
    full_clean_or_raise(household)
    household.save()
    return household


def _codes(values: Iterable[str], allowed: Iterable[str], field: str) -> list[str]:
    values, allowed = list(dict.fromkeys(values)), set(allowed)
    unknown = [value for value in values if value not in allowed]
    if unknown:
        raise InvalidPoverty(
            _("Unknown code(s): %(codes)s.") % {"codes": ", ".join(unknown)},
            field=field,
        )
    return values


def _profile(fields: Mapping, village: Division) -> dict:
    """Validate the disease profile and categories against the catalogue and the area's policy."""
    cat = catalogue()
    out = {}
    if "categories" in fields:
        out["categories"] = _codes(fields["categories"], PersonCategory.values, "categories")
    if "programmes" in fields:
        out["programmes"] = _codes(fields["programmes"], cat.programmes, "programmes")
    if "chronic_diseases" in fields:
        out["chronic_diseases"] = _codes(
            fields["chronic_diseases"], (*cat.chronic_class_1, *cat.chronic_class_2), "chronic_diseases"
        )
    if "major_disease" in fields:
        code = fields["major_disease"] or ""
        if code and code not in one_stop_rules(village, timezone.localdate()).major_diseases:
            raise InvalidPoverty(_("Not a disease of the major-disease list."), field="major_disease")
        out["major_disease"] = code
    for name in ("residence", "impoverished_by_illness", "village_doctor", "group"):
        if name in fields:
            out[name] = fields[name]
    return out


def _sync_member(person: PoorPerson) -> None:
    """Link the person to the scheme member with the same ID number and keep the poor flag in step."""
    member = person.member or Member.objects.filter(id_number=person.id_number).first()
    if member is None:
        return
    if person.member_id != member.pk:
        person.member = member
        person.save(update_fields=["member"])
    poor = person.status == PovertyStatus.POOR
    if member.registered_poor != poor:
        member.registered_poor = poor
        member.save(update_fields=["registered_poor"])


@transaction.atomic
def person_register(
    user,
    *,
    household: PoorHousehold,
    id_number: str,
    name: str,
    group: str,
    registered_year: int,
    entered_on: dt.date,
    reason: str = "",
    **profile,
) -> PoorPerson:
    """Enter a person into the registry: identity checked (GB 11643), status history started."""
    _require(user, workflow.PERMISSION)
    household = _visible(user, PoorHousehold.objects, household.pk)
    id_number = id_number.strip().upper()
    problem = id_number_error(id_number)
    if problem:
        raise InvalidPoverty(problem, field="id_number")
    if PoorPerson.objects.filter(id_number=id_number).exists():
        raise InvalidPoverty(_("This person is already in the registry."), field="id_number")
    _not_future(entered_on, "entered_on")
    person = PoorPerson(
        household=household,
        id_number=id_number,
        name=name.strip(),
        sex=sex_from_id(id_number),
        birth_date=birth_date_from_id(id_number),
        village=household.village,
        clinic=household.clinic,
        group=group,
        status=workflow.next_status(None, StatusAction.ENTER),
        registered_year=registered_year,
        **_profile(profile, household.village),
    )
    full_clean_or_raise(person)
    person.save()
    StatusChange.objects.create(
        person=person,
        action=StatusAction.ENTER,
        status_after=person.status,
        effective_on=entered_on,
        reason=reason,
        recorded_by=user,
    )
    _sync_member(person)
    return person


@transaction.atomic
def person_update(user, person: PoorPerson, **profile) -> PoorPerson:
    """Change the residence, categories, disease profile or the assigned village doctor."""
    _require(user, workflow.PERMISSION)
    person = _visible(user, PoorPerson.objects.select_for_update(), person.pk)
    for name, value in _profile(profile, person.village).items():
        setattr(person, name, value)
    full_clean_or_raise(person)
    person.save()
    return person


@transaction.atomic
def person_status_change(
    user, person: PoorPerson, *, action: str, effective_on: dt.date, reason: str = ""
) -> PoorPerson:
    """Exit or re-enter, dated and with a reason; the insurance flag follows."""
    _require(user, workflow.PERMISSION)
    person = _visible(user, PoorPerson.objects.select_for_update(), person.pk)
    after = workflow.next_status(person.status, action)
    if after is None:
        raise WrongState(
            _("%(action)s is not possible from %(status)s.")
            % {"action": StatusAction(action).label, "status": person.get_status_display()}
        )
    if action in workflow.REASON_REQUIRED and not reason.strip():
        raise InvalidPoverty.required("reason")
    _not_future(effective_on, "effective_on")
    last = person.status_changes.order_by("-effective_on").first()
    if last is not None and effective_on < last.effective_on:
        raise InvalidPoverty(_("The date is before the person's last status change."), field="effective_on")
    before = person.status
    person.status = after
    person.save(update_fields=["status"])
    StatusChange.objects.create(
        person=person,
        action=action,
        status_after=after,
        effective_on=effective_on,
        reason=reason.strip(),
        recorded_by=user,
    )
    record_transition(person, field="status", old=before, new=after, note=reason.strip())
    _sync_member(person)
    return person


# --- department lists and reconciliation ------------------------------------------------------------------


@transaction.atomic
def list_import(user, *, source: str, division: Division, file_name: str, rows: list[dict]) -> DepartmentList:
    """Keep a department's list (already parsed and checked row by row, see listio) as one record."""
    _require(user, "poverty.reconcile")
    require_division_in_scope(user, division)
    if source not in ListSource.values:
        raise InvalidPoverty(_("Unknown list."), field="source")
    department_list = DepartmentList(
        source=source, division=division, file_name=file_name, row_count=len(rows)
    )
    full_clean_or_raise(department_list)
    department_list.save()
    ListRow.objects.bulk_create(
        [
            ListRow(
                department_list=department_list,
                row=row["row"],
                id_number=row.get("id_number", "")[:30],
                name=row.get("name", "")[:50],
                birth_date=row.get("birth_date"),
                village_code=row.get("village", "")[:12],
                status=row.get("status", "")[:10],
            )
            for row in rows
        ],
        batch_size=2000,
    )
    return department_list


def latest_lists(division: Division) -> dict[str, DepartmentList]:
    """The newest list of each source imported for the area."""
    latest: dict[str, DepartmentList] = {}
    for department_list in DepartmentList.objects.filter(division=division).order_by("-imported_at", "-id"):
        latest.setdefault(department_list.source, department_list)
    return latest


@transaction.atomic
def reconciliation_start(user, *, division: Division) -> Reconciliation:
    _require(user, "poverty.reconcile")
    require_division_in_scope(user, division)
    lists = latest_lists(division)
    if ListSource.POVERTY not in lists:
        raise InvalidPoverty(_("Import the poverty office's roster first."), field="division")
    run = Reconciliation.objects.create(division=division, started_by=user)
    run.lists.set(lists.values())
    return run


def _fingerprint(finding: Mapping) -> str:
    parts = [finding["kind"], finding["source"] or "", finding["other_source"] or ""]
    # The same person or village in the same situation, whatever row it is on in the next file.
    parts.append(finding["id_number"] or f"{finding['name']}|{finding['village']}")
    if finding["kind"] == "records_exceed_residents":
        parts.append(finding["village"] or "")
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _owner_of(division: Division, fallback: Organisation) -> Organisation:
    """The township hospital of the village's township, else the organisation that ran the comparison."""
    township = next((d for d in [division, *division.ancestors()] if d.level == DivisionLevel.TOWNSHIP), None)
    if township is not None:
        hospital = (
            Organisation.objects.filter(
                kind=OrganisationKind.MEDICAL_INSTITUTION,
                division=township,
                institution__institution_type=InstitutionType.TOWNSHIP_HOSPITAL,
            )
            .order_by("pk")
            .first()
        )
        if hospital is not None:
            return hospital
    return fallback


def reconciliation_apply(run: Reconciliation, findings: list[dict], *, today: dt.date | None = None) -> dict:
    """Turn a run's findings into work items: new ones opened with an owner and a deadline, open ones
    seen again kept, open ones no longer found resolved by the run. Returns counts by kind."""
    today = today or timezone.localdate()
    deadline = current_calendar().add_working_days(today, MISMATCH_DAYS)
    area = run.division
    fallback = (
        run.started_by.organisation
        if run.started_by is not None and run.started_by.organisation_id
        else Organisation.objects.filter(kind=OrganisationKind.COMMISSION, division=area).first()
    )
    villages = {d.code: d for d in Division.objects.filter(code__startswith=area.prefix)}
    owners: dict[str, Organisation] = {}
    counts: dict[str, int] = {}
    seen: set[str] = set()
    existing = {m.fingerprint: m for m in Mismatch.objects.filter(division__code__startswith=area.prefix)}
    new = []
    for finding in findings:
        fingerprint = _fingerprint(finding)
        if fingerprint in seen:
            continue
        seen.add(fingerprint)
        counts[finding["kind"]] = counts.get(finding["kind"], 0) + 1
        division = villages.get(finding.get("village") or "", area)
        item = existing.get(fingerprint)
        if item is not None:
            changes = {"last_seen_by": run, "row": finding.get("row"), "other_row": finding.get("other_row")}
            if item.state == MismatchState.RESOLVED:
                # Resolved by hand but still in the data: the fix did not reach the lists.
                changes.update(
                    state=MismatchState.OPEN, deadline=deadline, resolved_at=None, resolved_by=None
                )
            for name, value in changes.items():
                setattr(item, name, value)
            item.save()
            continue
        if division.code not in owners:
            owners[division.code] = _owner_of(division, fallback)
        new.append(
            Mismatch(
                fingerprint=fingerprint,
                kind=finding["kind"],
                source=finding.get("source") or "",
                row=finding.get("row"),
                other_source=finding.get("other_source") or "",
                other_row=finding.get("other_row"),
                id_number=(finding.get("id_number") or "")[:30],
                name=(finding.get("name") or "")[:50],
                division=division,
                detail=(finding.get("detail") or "")[:300],
                owner=owners[division.code],
                deadline=deadline,
                found_by=run,
                last_seen_by=run,
            )
        )
    Mismatch.objects.bulk_create(new, batch_size=1000)
    record_bulk_create(new)
    gone = [m for fp, m in existing.items() if fp not in seen and m.state == MismatchState.OPEN]
    for item in gone:
        item.state = MismatchState.RESOLVED
        item.resolution = str(_("No longer found by reconciliation #%(run)d.") % {"run": run.pk})
        item.resolved_at = timezone.now()
        item.save()
    return counts


@transaction.atomic
def mismatch_resolve(user, mismatch: Mismatch, *, resolution: str) -> Mismatch:
    _require(user, "poverty.resolve_mismatch")
    mismatch = _visible(user, Mismatch.objects.select_for_update(), mismatch.pk)
    if mismatch.state != MismatchState.OPEN:
        raise WrongState(_("This mismatch is already resolved."))
    if not resolution.strip():
        raise InvalidPoverty.required("resolution")
    mismatch.state = MismatchState.RESOLVED
    mismatch.resolution = resolution.strip()
    mismatch.resolved_at = timezone.now()
    mismatch.resolved_by = user
    mismatch.save()
    record_transition(
        mismatch, field="state", old=MismatchState.OPEN, new=MismatchState.RESOLVED, note=mismatch.resolution
    )
    return mismatch


# --- family-doctor teams, contracts, fulfilment, follow-ups ------------------------------------------------


@transaction.atomic
def team_create(
    user,
    *,
    institution: Institution,
    division: Division,
    name: str,
    members: Iterable[tuple[Practitioner, str]],
) -> DoctorTeam:
    """A family-doctor team of an institution in scope, serving an area inside the institution's."""
    _require(user, "poverty.add_doctorteam")
    require_division_in_scope(user, institution.organisation.division)
    require_division_in_scope(user, division)
    if not division.code.startswith(institution.organisation.division.prefix):
        raise InvalidPoverty(_("The area served lies outside the institution's area."), field="division")
    chosen = _team_members(institution, division, members)
    team = DoctorTeam(institution=institution, division=division, name=name.strip())
    full_clean_or_raise(team)
    team.save()
    for practitioner, role in chosen:
        member = TeamMember(team=team, practitioner=practitioner, role=role)
        full_clean_or_raise(member)
        member.save()
    return team


def _team_members(
    institution: Institution, division: Division, members: Iterable[tuple[Practitioner, str]]
) -> list[tuple[Practitioner, str]]:
    """Each member once, working at the team's institution or at a village clinic of the area served."""
    chosen: dict[int, tuple[Practitioner, str]] = {}
    for practitioner, role in members:
        if practitioner.pk in chosen:
            raise InvalidPoverty(_("A practitioner is in a team once."), field="members")
        works_at = practitioner.registered_institution
        at_clinic = (
            works_at is not None
            and works_at.institution_type == InstitutionType.VILLAGE_CLINIC
            and works_at.organisation.division.code.startswith(division.prefix)
        )
        if works_at is None or (works_at.pk != institution.pk and not at_clinic):
            raise InvalidPoverty(
                _("%(name)s works neither at the institution nor at a village clinic of the area served.")
                % {"name": practitioner.name},
                field="members",
            )
        chosen[practitioner.pk] = (practitioner, role)
    if not chosen:
        raise InvalidPoverty(_("A team has at least one member."), field="members")
    return list(chosen.values())


@transaction.atomic
def team_members_set(user, team: DoctorTeam, *, members: Iterable[tuple[Practitioner, str]]) -> DoctorTeam:
    """Make the team's members exactly `members`: those left out leave, a changed role is updated and
    newcomers join (each change audited, so who served in a team stays traceable)."""
    _require(user, "poverty.change_doctorteam")
    team = _visible(user, DoctorTeam.objects.select_for_update(), team.pk)
    if not team.active:
        raise WrongState(_("The team is not active."))
    wanted = {
        practitioner.pk: (practitioner, role)
        for practitioner, role in _team_members(team.institution, team.division, members)
    }
    current = {member.practitioner_id: member for member in team.members.select_for_update()}
    for practitioner_id, member in current.items():
        if practitioner_id not in wanted:
            member.delete()
    for practitioner_id, (practitioner, role) in wanted.items():
        member = current.get(practitioner_id) or TeamMember(team=team, practitioner=practitioner)
        if member.pk is not None and member.role == role:
            continue
        member.role = role
        full_clean_or_raise(member)
        member.save()
    return team


@transaction.atomic
def team_deactivate(user, team: DoctorTeam) -> DoctorTeam:
    """A deactivated team keeps its contracts until they run out but signs no new ones (contract_sign)."""
    _require(user, "poverty.change_doctorteam")
    team = _visible(user, DoctorTeam.objects.select_for_update(), team.pk)
    if not team.active:
        raise WrongState(_("The team is not active."))
    team.active = False
    team.save()
    record_transition(team, field="active", old="active", new="inactive")
    return team


@transaction.atomic
def contract_sign(
    user,
    *,
    person: PoorPerson,
    team: DoctorTeam,
    signed_on: dt.date,
    category: str,
    package: str,
    valid_until: dt.date | None = None,
) -> Contract:
    """Sign a person with a team; a person has one active contract at a time."""
    _require(user, "poverty.record_service")
    person = _visible(user, PoorPerson.objects.select_for_update(), person.pk)
    if not team.active:
        raise InvalidPoverty(_("The team is not active."), field="team")
    if not person.village.code.startswith(team.division.prefix):
        raise InvalidPoverty(_("The team does not serve the person's village."), field="team")
    if person.status != PovertyStatus.POOR:
        raise InvalidPoverty(_("The person has exited the registry."), field="person")
    if person.contracts.filter(state=ContractState.ACTIVE, valid_until__gte=signed_on).exists():
        raise InvalidPoverty(_("The person already has an active contract."), field="person")
    _not_future(signed_on, "signed_on")
    contract = Contract(
        person=person,
        team=team,
        signed_on=signed_on,
        valid_until=valid_until or signed_on + dt.timedelta(days=CONTRACT_DAYS - 1),
        category=category,
        package=package,
    )
    full_clean_or_raise(contract)
    if contract.valid_until < signed_on:
        raise InvalidPoverty(_("The contract ends before it starts."), field="valid_until")
    contract.save()
    return contract


@transaction.atomic
def contract_cancel(user, contract: Contract, *, on: dt.date, reason: str) -> Contract:
    _require(user, "poverty.record_service")
    contract = _visible(user, Contract.objects.select_for_update(), contract.pk)
    if contract.state != ContractState.ACTIVE:
        raise WrongState(_("The contract is not active."))
    if not reason.strip():
        raise InvalidPoverty.required("reason")
    if on < contract.signed_on:
        raise InvalidPoverty(_("The contract cannot end before it was signed."), field="on")
    _not_future(on, "on")
    contract.state, contract.cancelled_on, contract.cancel_reason = (
        ContractState.CANCELLED,
        on,
        reason.strip(),
    )
    contract.save()
    record_transition(
        contract, field="state", old=ContractState.ACTIVE, new=ContractState.CANCELLED, note=reason
    )
    return contract


@transaction.atomic
def fulfilment_record(
    user, *, contract: Contract, done_on: dt.date, content: str, done: bool = True, reason_not_done: str = ""
) -> Fulfilment:
    """Record a service under a contract, or why it could not be delivered (R5 L245)."""
    _require(user, "poverty.record_service")
    contract = _visible(user, Contract.objects, contract.pk)
    if contract.state != ContractState.ACTIVE or not contract.signed_on <= done_on <= contract.valid_until:
        raise InvalidPoverty(_("The date is outside the contract."), field="done_on")
    _not_future(done_on, "done_on")
    if not content.strip():
        raise InvalidPoverty.required("content")
    if not done and not reason_not_done:
        raise InvalidPoverty.required("reason_not_done")
    fulfilment = Fulfilment(
        contract=contract,
        done_on=done_on,
        content=content.strip(),
        done=done,
        reason_not_done="" if done else reason_not_done,
        recorded_by=user,
    )
    full_clean_or_raise(fulfilment)
    fulfilment.save()
    return fulfilment


@transaction.atomic
def follow_up_record(
    user, *, person: PoorPerson, programme: str, done_on: dt.date, method: str, result: str, note: str = ""
) -> FollowUp:
    """Record a follow-up under one of the person's programmes."""
    _require(user, "poverty.record_service")
    person = _visible(user, PoorPerson.objects, person.pk)
    if person.status != PovertyStatus.POOR:
        raise InvalidPoverty(_("The person has exited the registry."), field="person")
    if programme not in person.programmes:
        raise InvalidPoverty(_("The person is not in this programme."), field="programme")
    _not_future(done_on, "done_on")
    follow_up = FollowUp(
        person=person,
        programme=programme,
        done_on=done_on,
        method=method,
        result=result,
        note=note.strip(),
        recorded_by=user,
    )
    full_clean_or_raise(follow_up)
    follow_up.save()
    return follow_up


# --- village cover and sitting days ----------------------------------------------------------------------


@transaction.atomic
def village_cover_assign(
    user,
    *,
    village: Division,
    practitioner: Practitioner,
    institution: Institution,
    since: dt.date,
    reason: str = "",
) -> VillageCover:
    """Assign a township doctor to a village; replacing one needs a stated reason (不准擅自更换, R6 L335)."""
    _require(user, "poverty.add_villagecover")
    require_division_in_scope(user, village)
    require_division_in_scope(user, institution.organisation.division)
    if village.level != DivisionLevel.VILLAGE:
        raise InvalidPoverty(_("A covering doctor is assigned to a village."), field="village")
    if institution.institution_type != InstitutionType.TOWNSHIP_HOSPITAL:
        raise InvalidPoverty(_("Covering doctors come from a township hospital."), field="institution")
    if practitioner.registered_institution_id != institution.pk:
        raise InvalidPoverty(_("The doctor does not work at this hospital."), field="practitioner")
    _not_future(since, "since")
    current = VillageCover.objects.select_for_update().filter(village=village, until__isnull=True).first()
    if current is not None:
        if current.practitioner_id == practitioner.pk:
            return current
        if not reason.strip():
            raise InvalidPoverty(
                _("The village already has a covering doctor; give the reason for the change."),
                field="reason",
            )
        if since <= current.since:
            raise InvalidPoverty(_("The change must come after the current doctor's start."), field="since")
        current.until = since - dt.timedelta(days=1)
        current.save()
    cover = VillageCover(
        village=village,
        practitioner=practitioner,
        institution=institution,
        since=since,
        change_reason=reason.strip(),
    )
    full_clean_or_raise(cover)
    cover.save()
    return cover


@transaction.atomic
def sitting_record(user, *, cover: VillageCover, month: dt.date, days: int) -> SittingMonth:
    """Record (or correct) the days a covering doctor sat at the village in a month."""
    _require(user, "poverty.add_villagecover")
    cover = _visible(user, VillageCover.objects, cover.pk)
    month = month.replace(day=1)
    if not 0 <= days <= SITTING_DAYS_MAX:
        raise InvalidPoverty(_("Days must be between 0 and 31."), field="days")
    # Days belong to a month the doctor covered the village, and one that has begun.
    last = min(cover.until or timezone.localdate(), timezone.localdate())
    if not cover.since.replace(day=1) <= month <= last:
        raise InvalidPoverty(_("The month is outside the doctor's cover of the village."), field="month")
    entry, _created = SittingMonth.objects.get_or_create(cover=cover, month=month, defaults={"days": days})
    if entry.days != days:
        entry.days = days
        entry.save()
    return entry


# --- check-up campaigns --------------------------------------------------------------------------------


@transaction.atomic
def checkup_campaign_create(
    user, *, name: str, division: Division, target: str, starts_on: dt.date, ends_on: dt.date
) -> CheckupCampaign:
    _require(user, "poverty.add_checkupcampaign")
    require_division_in_scope(user, division)
    if ends_on < starts_on:
        raise InvalidPoverty(_("The campaign ends before it starts."), field="ends_on")
    campaign = CheckupCampaign(
        name=name.strip(), division=division, target=target, starts_on=starts_on, ends_on=ends_on
    )
    full_clean_or_raise(campaign)
    campaign.save()
    return campaign


@transaction.atomic
def checkup_record(user, *, campaign: CheckupCampaign, person: PoorPerson, examined_on: dt.date) -> Checkup:
    """Record that a person was examined in a campaign (once; a repeat returns the first record)."""
    _require(user, "poverty.record_service")
    person = _visible(user, PoorPerson.objects, person.pk)
    # Campaigns are public within the county; the person's scope and the target check decide.
    if not campaign.starts_on <= examined_on <= campaign.ends_on:
        raise InvalidPoverty(_("The date is outside the campaign."), field="examined_on")
    if not in_checkup_target(campaign, person):
        raise InvalidPoverty(_("The person is not in the campaign's target group."), field="person")
    _not_future(examined_on, "examined_on")
    checkup, _created = Checkup.objects.get_or_create(
        campaign=campaign, person=person, defaults={"examined_on": examined_on}
    )
    return checkup


def finish_run(
    run: Reconciliation, *, counts: dict | None = None, rates: dict | None = None, error: str = ""
) -> None:
    run.state = RunState.FAILED if error else RunState.DONE
    run.progress = 100
    run.counts = counts or {}
    run.rates = rates or {}
    run.error = error
    run.finished_at = timezone.now()
    run.save()
