"""Business actions of enforcement: on-site checks, the case ledger and its workflow, referrals between
organisations, transfers to the police or judiciary (行刑衔接), and the blacklist.

`case_transition` is the only code that changes `Case.state`; `referral_transition` and
`judicial_transfer_transition` the only code that changes theirs. Each action runs in one transaction
and checks, in order: the role's permission, the record's scope (out of scope is reported as missing),
the side of the actor, then the data. A refused action changes nothing.

Case numbers read 卫监0007〔2026〕00012号: 卫监, the handling organisation's number (four digits), the
year the lead was recorded, and that organisation's running number in the year (five digits). They are
unique across organisations because the organisation is part of the number.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from weijian.campaigns.models import Campaign
from weijian.complaints.models import Complaint
from weijian.core.audit import record_transition
from weijian.core.errors import (
    DomainError,
    InvalidInput,
    InvalidRecord,
    NotAllowed,
    NotVisible,
    full_clean_or_raise,
)
from weijian.core.models import Organisation
from weijian.core.permissions import require
from weijian.core.scope import require_division_in_scope
from weijian.inspections.models import Inspection
from weijian.registry.models import Institution, Practitioner

from . import credit, selectors, workflow
from .models import (
    PENALTY_KINDS_WITH_AMOUNT,
    BlacklistEntry,
    Case,
    CaseEvent,
    CaseSource,
    CaseState,
    JudicialTransfer,
    Penalty,
    PenaltyKind,
    Procedure,
    Referral,
    ReferralState,
    SiteCheck,
    SubjectType,
)
from .subjects import fill_subject, mark_first_checks
from .workflow import Action, ReplyAction, TransitionNotAllowed

CASE_NUMBER_PREFIX = "卫监"  # part of the official document number, not interface text
NUMBER_ATTEMPTS = 5

SUBJECT_FIELDS = (
    "institution",
    "practitioner",
    "party_name",
    "party_is_person",
    "party_id_number",
    "party_address",
    "venue_type",
)
EDITABLE_CASE_FIELDS = ("title", "facts", "law_violated", "penalty_basis", "narrative")
PENALTY_KEYS = frozenset({"kind", "amount", "description", "subject_type", "practitioner"})


class InvalidEnforcementData(InvalidInput):
    """A check, case, referral, transfer or blacklist step given data that breaks a rule."""


class CaseFinished(DomainError):
    code = "case_finished"
    status = 409
    default_message = _("The case is finished and can no longer be changed.")


class AlreadyListed(DomainError):
    code = "already_listed"
    status = 409
    default_message = _("The subject is already on the blacklist.")


# --- small checks -----------------------------------------------------------------------------------


_required = InvalidEnforcementData.required


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _required_text(data: Mapping[str, Any], name: str) -> str:
    value = _text(data.get(name))
    if not value:
        raise _required(name)
    return value


def _is_date(value: Any) -> bool:
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)


def _date(value: Any, name: str, *, not_before: dt.date | None = None, message=None) -> dt.date:
    if value is None or value == "":
        raise _required(name)
    if not _is_date(value):
        raise InvalidEnforcementData(_("Enter a date."), field=name)
    if not_before is not None and value < not_before:
        raise InvalidEnforcementData(message or _("This date is too early."), field=name)
    return value


def _own_organisation(user) -> Organisation:
    if user.organisation_id is None:
        raise NotAllowed(_("Only a user of an organisation may do this."))
    return user.organisation


def _visible(model, user, record):
    """The record as the user may see it; NotVisible when it is out of the user's scope."""
    found = model.objects.visible_to(user).filter(pk=record.pk).first()
    if found is None:
        raise NotVisible()
    return found


def _check_unknown(data: Mapping[str, Any], allowed) -> None:
    unknown = set(data) - set(allowed) - {"note"}
    if unknown:
        raise DomainError(
            _("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))}, code="unknown_field"
        )


def _names_subject(subject: Mapping[str, Any]) -> bool:
    return bool(subject["institution"] or subject["practitioner"] or _text(subject["party_name"]))


def _copy_subject(record, division) -> tuple[dict[str, Any], Any]:
    """The subject of an existing record, to name on a new one, and the division to use: the one
    given, else the record's."""
    return {name: getattr(record, name) for name in SUBJECT_FIELDS}, division or record.division


def _set_subject(user, record, subject: Mapping[str, Any], division) -> None:
    """Name the record's subject: a registered one must be visible to the user, and the division the
    subject counts in must lie in the user's scope."""
    institution, practitioner = subject["institution"], subject["practitioner"]
    if institution is not None:
        institution = _visible(Institution, user, institution)
    if practitioner is not None:
        practitioner = _visible(Practitioner, user, practitioner)
    record.institution = institution
    record.practitioner = practitioner
    record.party_name = subject["party_name"] or ""
    record.party_is_person = bool(subject["party_is_person"])
    record.party_id_number = (subject["party_id_number"] or "").strip().upper()
    record.party_address = subject["party_address"] or ""
    record.venue_type = subject["venue_type"] or ""
    if division is not None:
        record.division = division
    fill_subject(record)
    require_division_in_scope(user, record.division)


def _check_campaign(campaign: Campaign | None, record) -> None:
    """A record belongs only to a campaign run for its division or one above it."""
    if campaign is None:
        return
    if campaign.is_template or not campaign.division.contains(record.division_id):
        raise InvalidEnforcementData(_("The campaign does not cover this division."), field="campaign")


# --- on-site checks ---------------------------------------------------------------------------------


@transaction.atomic
def site_check_record(
    *,
    user,
    campaign: Campaign,
    category,
    checked_on: dt.date,
    institution: Institution | None = None,
    practitioner: Practitioner | None = None,
    party_name: str = "",
    party_is_person: bool = False,
    party_id_number: str = "",
    party_address: str = "",
    venue_type: str = "",
    division=None,
    inspection: Inspection | None = None,
    complaint: Complaint | None = None,
    violation_found: bool = False,
    note: str = "",
) -> SiteCheck:
    """Record one object inspected in a campaign (检查对象), registered or not."""
    require(user, "enforcement.add_sitecheck")
    subject = dict(
        institution=institution,
        practitioner=practitioner,
        party_name=party_name,
        party_is_person=party_is_person,
        party_id_number=party_id_number,
        party_address=party_address,
        venue_type=venue_type,
    )
    if inspection is not None:
        inspection = _visible(Inspection, user, inspection)
        if institution is not None and inspection.institution_id != institution.pk:
            raise InvalidEnforcementData(_("The inspection is of another institution."), field="inspection")
        if campaign is not None and inspection.campaign_id != campaign.pk:
            raise InvalidEnforcementData(_("The inspection belongs to another campaign."), field="inspection")
        if not _names_subject(subject):
            subject["institution"] = inspection.institution
    if complaint is not None:
        complaint = _visible(Complaint, user, complaint)
    check = SiteCheck(
        campaign=campaign,
        category=category,
        checked_on=_date(checked_on, "checked_on"),
        inspector=user,
        inspection=inspection,
        complaint=complaint,
        violation_found=bool(violation_found),
        note=_text(note),
    )
    _set_subject(user, check, subject, division)
    _check_campaign(campaign, check)
    full_clean_or_raise(check)
    check.save()
    mark_first_checks(check.campaign_id, check.category_id, check.subject_key)
    check.refresh_from_db(fields=["first_of_subject"])
    return check


# --- cases ------------------------------------------------------------------------------------------


def case_number_prefix(organisation_id: int, year: int) -> str:
    return f"{CASE_NUMBER_PREFIX}{organisation_id:04d}〔{year}〕"


def case_number(organisation_id: int, year: int, sequence: int) -> str:
    return f"{case_number_prefix(organisation_id, year)}{sequence:05d}号"


def _next_sequence(organisation_id: int, year: int) -> int:
    prefix = case_number_prefix(organisation_id, year)
    last = (
        Case.objects.filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    return int(last[len(prefix) : len(prefix) + 5]) + 1 if last else 1


def _save_numbered(case: Case) -> None:
    """Give the case the organisation's next number and save it. The organisation's row is locked so
    two clerks of one organisation wait for each other; should a number still collide (a database
    without row locks), the next one is tried."""
    Organisation.objects.select_for_update().filter(pk=case.organisation_id).first()
    year = case.opened_on.year
    for _attempt in range(NUMBER_ATTEMPTS):
        case.number = case_number(case.organisation_id, year, _next_sequence(case.organisation_id, year))
        full_clean_or_raise(case, exclude=["number"])
        try:
            with transaction.atomic():
                case.save()
            return
        except IntegrityError:
            case.pk = None
            case._state.adding = True
    raise DomainError(_("No case number could be given; try again."), code="number_conflict")


@transaction.atomic
def case_open(
    *,
    user,
    category,
    title: str,
    source: str,
    opened_on: dt.date,
    campaign: Campaign | None = None,
    institution: Institution | None = None,
    practitioner: Practitioner | None = None,
    party_name: str = "",
    party_is_person: bool = False,
    party_id_number: str = "",
    party_address: str = "",
    venue_type: str = "",
    division=None,
    inspection: Inspection | None = None,
    complaint: Complaint | None = None,
    referral: Referral | None = None,
    facts: str = "",
) -> Case:
    """Record a lead (线索) in the user's organisation, which handles it, with the user as handler.

    The source must agree with the links: a complaint source needs the complaint, a referral source
    the referral (sent to the user's organisation and accepted), and a linked inspection means an
    inspection finding. With no subject named, the complaint's, referral's or inspection's subject
    is taken; so are their campaign and division when not given."""
    require(user, "enforcement.add_case")
    organisation = _own_organisation(user)
    if source not in CaseSource.values:
        raise InvalidEnforcementData(_("Choose a source."), field="source")
    if (source == CaseSource.COMPLAINT) != (complaint is not None):
        raise InvalidEnforcementData(
            _("A case from a complaint names the complaint, and only such a case does."), field="complaint"
        )
    if (source == CaseSource.REFERRAL) != (referral is not None):
        raise InvalidEnforcementData(
            _("A case from a referral names the referral, and only such a case does."), field="referral"
        )
    if inspection is not None and source != CaseSource.INSPECTION:
        raise InvalidEnforcementData(_("A linked inspection means an inspection finding."), field="source")
    opened_on = _date(opened_on, "opened_on")
    subject = dict(
        institution=institution,
        practitioner=practitioner,
        party_name=party_name,
        party_is_person=party_is_person,
        party_id_number=party_id_number,
        party_address=party_address,
        venue_type=venue_type,
    )

    if complaint is not None:
        complaint = _visible(Complaint, user, complaint)
        campaign = campaign or complaint.campaign
        division = division or complaint.division
        if not _names_subject(subject):
            if complaint.institution_id:
                subject["institution"] = complaint.institution
            else:
                subject["party_name"] = complaint.subject_name
                subject["party_address"] = complaint.subject_address
    if referral is not None:
        referral = _visible(Referral, user, referral)
        if referral.to_organisation_id != organisation.pk:
            raise InvalidEnforcementData(
                _("The referral was sent to another organisation."), field="referral"
            )
        if referral.state != ReferralState.ACCEPTED:
            raise InvalidEnforcementData(_("Accept the referral before opening a case."), field="referral")
        campaign = campaign or referral.campaign
        if not _names_subject(subject):
            subject, division = _copy_subject(referral, division)
    if inspection is not None:
        inspection = _visible(Inspection, user, inspection)
        if subject["institution"] is not None and subject["institution"].pk != inspection.institution_id:
            raise InvalidEnforcementData(_("The inspection is of another institution."), field="inspection")
        if not _names_subject(subject):
            subject["institution"] = inspection.institution
        campaign = campaign or inspection.campaign
        if opened_on < inspection.inspected_on:
            raise InvalidEnforcementData(
                _("A lead cannot be recorded before its inspection."), field="opened_on"
            )

    case = Case(
        organisation=organisation,
        handler=user,
        campaign=campaign,
        source=source,
        inspection=inspection,
        complaint=complaint,
        referral=referral,
        category=category,
        title=_text(title),
        facts=_text(facts),
        opened_on=opened_on,
        state=CaseState.LEAD,
    )
    _set_subject(user, case, subject, division)
    _check_campaign(campaign, case)
    _save_numbered(case)
    return case


def _handled_case(user, case_id, *, lock: bool = True) -> Case:
    case = selectors.case_get(user, case_id)
    if lock:
        case = Case.objects.select_for_update().get(pk=case.pk)
    return case


def _require_handling(user, case: Case) -> None:
    if not selectors.is_handling(user, case):
        raise NotAllowed(_("Only the organisation handling the case may do this."))


def _penalty_error(index: int, field: str, problem) -> InvalidEnforcementData:
    return InvalidEnforcementData(
        _("Penalty %(row)d: %(problem)s") % {"row": index + 1, "problem": problem},
        field=f"penalties.{index}.{field}",
    )


def _amount(index: int, kind: str, value: Any) -> Decimal | None:
    """Fines and confiscations carry an amount in yuan, above zero, to the fen; other measures none."""
    if kind not in PENALTY_KINDS_WITH_AMOUNT:
        if value is not None and value != "":
            raise _penalty_error(index, "amount", _("this measure carries no amount."))
        return None
    if value is None or value == "":
        raise _penalty_error(index, "amount", _("enter the amount in yuan."))
    if isinstance(value, float | bool):
        raise _penalty_error(index, "amount", _("enter the amount as a decimal number."))
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise _penalty_error(index, "amount", _("enter the amount in yuan.")) from None
    if not amount.is_finite() or amount <= 0:
        raise _penalty_error(index, "amount", _("the amount must be more than zero."))
    if amount.as_tuple().exponent < -2:
        raise _penalty_error(index, "amount", _("the amount has at most two decimal places."))
    if amount >= Decimal(10) ** 12:
        raise _penalty_error(index, "amount", _("the amount is too large."))
    return amount.quantize(Decimal("0.01"))


def _penalty(user, case: Case, index: int, item: Any, decided_on: dt.date) -> Penalty:
    if not isinstance(item, Mapping):
        raise _penalty_error(index, "kind", _("describe the measure."))
    unknown = set(item) - PENALTY_KEYS
    if unknown:
        raise _penalty_error(index, sorted(unknown)[0], _("unknown field."))
    kind = item.get("kind")
    if kind not in PenaltyKind.values:
        raise _penalty_error(index, "kind", _("choose a measure."))
    practitioner = item.get("practitioner")
    if practitioner is not None:
        if not isinstance(practitioner, Practitioner):
            raise _penalty_error(index, "practitioner", _("choose a registered practitioner."))
        if practitioner.pk != case.practitioner_id:
            try:
                practitioner = _visible(Practitioner, user, practitioner)
            except NotVisible:
                raise _penalty_error(index, "practitioner", _("no such practitioner.")) from None
    subject_type = item.get("subject_type") or (
        SubjectType.PERSON if practitioner is not None else case.subject_type
    )
    if subject_type not in SubjectType.values:
        raise _penalty_error(index, "subject_type", _("choose organisation or person."))
    if practitioner is not None and subject_type != SubjectType.PERSON:
        raise _penalty_error(index, "subject_type", _("a penalty on a practitioner penalises a person."))
    description = _text(item.get("description"))
    if len(description) > Penalty._meta.get_field("description").max_length:
        raise _penalty_error(index, "description", _("the details are too long."))
    penalty = Penalty(
        case=case,
        kind=kind,
        amount=_amount(index, kind, item.get("amount")),
        description=description,
        subject_type=subject_type,
        practitioner=practitioner,
        campaign=case.campaign,
        division=case.division,
        category=case.category,
        decided_on=decided_on,
    )
    try:
        full_clean_or_raise(penalty)
    except InvalidRecord as error:
        raise _penalty_error(index, error.field or "kind", error.message) from error
    return penalty


def _decision(user, case: Case, data: Mapping[str, Any]) -> tuple[dict[str, Any], list[Penalty]]:
    """The penalty decision: its date (not before filing), the facts, the law violated and the basis,
    and at least one measure."""
    decided_on = _date(
        data.get("decided_on"),
        "decided_on",
        not_before=case.filed_on,
        message=_("A penalty cannot be decided before the case was filed."),
    )
    changes = {
        "decided_on": decided_on,
        "facts": _required_text(data, "facts"),
        "law_violated": _required_text(data, "law_violated"),
        "penalty_basis": _required_text(data, "penalty_basis"),
    }
    items = data.get("penalties")
    if not isinstance(items, list | tuple) or not items:
        raise InvalidEnforcementData(_("Record at least one penalty."), field="penalties")
    penalties = [_penalty(user, case, index, item, decided_on) for index, item in enumerate(items)]
    return changes, penalties


def _hand_over(case: Case, data: Mapping[str, Any]) -> Referral:
    to_organisation = data.get("to_organisation")
    if not isinstance(to_organisation, Organisation):
        raise _required("to_organisation")
    if to_organisation.pk == case.organisation_id:
        raise InvalidEnforcementData(
            _("Hand the case over to another organisation."), field="to_organisation"
        )
    facts = _text(data.get("facts")) or case.facts
    if not facts:
        raise _required("facts")
    sent_on = data.get("sent_on") or timezone.localdate()
    sent_on = _date(
        sent_on,
        "sent_on",
        not_before=case.opened_on,
        message=_("A case cannot be handed over before it was recorded."),
    )
    referral = Referral(
        from_organisation=case.organisation,
        to_organisation=to_organisation,
        case=case,
        campaign=case.campaign,
        category=case.category,
        facts=facts,
        sent_on=sent_on,
        subject_type=case.subject_type,
        subject_key=case.subject_key,
        division=case.division,
        **{name: getattr(case, name) for name in SUBJECT_FIELDS},
    )
    full_clean_or_raise(referral)
    return referral


def mark_complaint_penalised(case: Case) -> None:
    """A penalty decided on a case opened from a complaint makes the complaint one that led to a
    penalty (实施行政处罚件)."""
    complaint = case.complaint
    if complaint is not None and not complaint.led_to_penalty:
        complaint.led_to_penalty = True
        complaint.save(update_fields=["led_to_penalty"])


@transaction.atomic
def case_transition(*, user, case_id, action: str, **data) -> Case:
    """Apply `action` to the case. Refused, with nothing changed, when the table has no such step from
    the case's state and procedure, the role lacks the permission, the user does not work for the
    handling organisation, the case is out of scope, or the data is incomplete.

    decide: `decided_on`, `facts`, `law_violated`, `penalty_basis` and `penalties`, a list of
    {kind, amount, description, subject_type, practitioner}. close: `closed_on`; scores the
    bad-conduct points. hand_over: `to_organisation`, optionally `facts` and `sent_on` (today); writes
    the referral. Every action accepts a `note`."""
    case = _handled_case(user, case_id)
    kinds = list(case.penalties.values_list("kind", flat=True))
    row = workflow.transition(case.state, action, case.procedure, kinds)
    require(user, row.permission)
    _require_handling(user, case)
    _check_unknown(data, row.requires + row.accepts)

    note = _text(data.get("note"))
    changes: dict[str, Any] = {}
    penalties: list[Penalty] = []
    referral = None
    if action == Action.DROP:
        note = _required_text(data, "reason") + (f"\n{note}" if note else "")
    elif action == Action.FILE:
        if data.get("procedure") not in Procedure.values:
            raise InvalidEnforcementData(_("Choose the summary or the general procedure."), field="procedure")
        changes = {
            "procedure": data["procedure"],
            "filed_on": _date(
                data.get("filed_on"),
                "filed_on",
                not_before=case.opened_on,
                message=_("A case cannot be filed before the lead was recorded."),
            ),
        }
    elif action == Action.DECIDE:
        changes, penalties = _decision(user, case, data)
    elif action == Action.CLOSE:
        changes = {
            "closed_on": _date(
                data.get("closed_on"),
                "closed_on",
                not_before=case.decided_on,
                message=_("A case cannot be closed before the penalty was decided."),
            )
        }
    elif action == Action.HAND_OVER:
        referral = _hand_over(case, data)

    old = case.state
    for name, value in changes.items():
        setattr(case, name, value)
    case.state = row.next_state
    full_clean_or_raise(case)
    case.save()
    for penalty in penalties:
        penalty.save()
    if penalties:
        mark_complaint_penalised(case)
    if referral is not None:
        referral.save()
    CaseEvent.objects.create(
        case=case,
        action=action,
        from_state=old,
        to_state=case.state,
        actor=user,
        at=timezone.now(),
        note=note,
    )
    record_transition(case, field="state", old=old, new=case.state, note=note)
    if action == Action.CLOSE:
        credit.score_case(case)
    return case


@transaction.atomic
def case_update(*, user, case_id, **fields) -> Case:
    """Edit the title, facts, law violated, penalty basis or narrative of a case not yet finished."""
    require(user, "enforcement.change_case")
    case = _handled_case(user, case_id)
    _require_handling(user, case)
    if case.state in workflow.FINAL_STATES:
        raise CaseFinished()
    unknown = set(fields) - set(EDITABLE_CASE_FIELDS)
    if unknown:
        raise DomainError(
            _("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))}, code="unknown_field"
        )
    for name, value in fields.items():
        setattr(case, name, _text(value))
    if not case.title:
        raise _required("title")
    full_clean_or_raise(case)
    case.save()
    return case


@transaction.atomic
def case_mark_typical(*, user, case_id, narrative: str = "", typical: bool = True) -> Case:
    """Mark a decided case as typical (典型案例, for exposure and warning education) with its narrative,
    or (`typical=False`) take the mark away."""
    require(user, "enforcement.change_case")
    case = _handled_case(user, case_id)
    _require_handling(user, case)
    narrative = _text(narrative)
    if typical:
        if case.state not in workflow.DECIDED_OR_LATER:
            raise TransitionNotAllowed(_("Only a case with a penalty decision can be a typical case."))
        if not narrative:
            raise _required("narrative")
        case.narrative = narrative
    elif narrative:
        case.narrative = narrative
    case.is_typical = typical
    full_clean_or_raise(case)
    case.save()
    return case


# --- referrals --------------------------------------------------------------------------------------


@transaction.atomic
def referral_send(
    *,
    user,
    to_organisation: Organisation,
    category,
    facts: str,
    sent_on: dt.date,
    campaign: Campaign | None = None,
    case: Case | None = None,
    institution: Institution | None = None,
    practitioner: Practitioner | None = None,
    party_name: str = "",
    party_is_person: bool = False,
    party_id_number: str = "",
    party_address: str = "",
    venue_type: str = "",
    division=None,
) -> Referral:
    """Pass a lead or a case to another organisation (线索通报 / 移送). With no subject named, the case's
    subject is taken."""
    require(user, "enforcement.add_referral")
    organisation = _own_organisation(user)
    if not isinstance(to_organisation, Organisation):
        raise _required("to_organisation")
    if to_organisation.pk == organisation.pk:
        raise InvalidEnforcementData(_("Send the referral to another organisation."), field="to_organisation")
    subject = dict(
        institution=institution,
        practitioner=practitioner,
        party_name=party_name,
        party_is_person=party_is_person,
        party_id_number=party_id_number,
        party_address=party_address,
        venue_type=venue_type,
    )
    if case is not None:
        case = _visible(Case, user, case)
        campaign = campaign or case.campaign
        if not _names_subject(subject):
            subject, division = _copy_subject(case, division)
    referral = Referral(
        from_organisation=organisation,
        to_organisation=to_organisation,
        case=case,
        campaign=campaign,
        category=category,
        facts=_required_text({"facts": facts}, "facts"),
        sent_on=_date(sent_on, "sent_on"),
    )
    _set_subject(user, referral, subject, division)
    _check_campaign(campaign, referral)
    full_clean_or_raise(referral)
    referral.save()
    return referral


def _reply_changes(record, row: workflow.ReplyTransition, data: Mapping[str, Any]) -> dict[str, Any]:
    """The dates and outcome an answer records; each date follows the one before it."""
    action = row.action
    if action == ReplyAction.ACKNOWLEDGE:
        return {
            "acknowledged_on": _date(
                data.get("acknowledged_on"),
                "acknowledged_on",
                not_before=record.sent_on,
                message=_("Receipt cannot be acknowledged before sending."),
            )
        }
    if action in (ReplyAction.ACCEPT, ReplyAction.DECLINE):
        changes = {
            "decided_on": _date(
                data.get("decided_on"),
                "decided_on",
                not_before=record.acknowledged_on,
                message=_("The answer cannot come before the receipt."),
            )
        }
        if action == ReplyAction.DECLINE:
            changes["outcome"] = _required_text(data, "reason")
        return changes
    return {
        "outcome": _required_text(data, "outcome"),
        "outcome_on": _date(
            data.get("outcome_on"),
            "outcome_on",
            not_before=record.decided_on,
            message=_("The outcome cannot come before the acceptance."),
        ),
    }


def _apply_reply(record, row, changes: Mapping[str, Any], note: str) -> None:
    old = record.state
    for name, value in changes.items():
        setattr(record, name, value)
    record.state = row.next_state
    full_clean_or_raise(record)
    record.save()
    record_transition(record, field="state", old=old, new=record.state, note=note)


@transaction.atomic
def referral_transition(*, user, referral_id, action: str, **data) -> Referral:
    """The receiving organisation answers a referral: acknowledge (`acknowledged_on`), accept
    (`decided_on`; `open_case=True` opens a case from it, found in the referral's `opened_cases`,
    titled `title` or after the subject), decline (`decided_on`, `reason`), report_outcome (`outcome`,
    `outcome_on`)."""
    referral = selectors.referral_get(user, referral_id)
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    row = workflow.reply_transition(referral.state, action)
    require(user, "enforcement.change_referral")
    if not selectors.may_answer_referral(user, referral):
        raise NotAllowed(_("Only the receiving organisation may do this."))
    _check_unknown(data, row.requires + row.accepts)
    changes = _reply_changes(referral, row, data)
    _apply_reply(referral, row, changes, _text(data.get("note")))
    if action == ReplyAction.ACCEPT and data.get("open_case"):
        case_open(
            user=user,
            category=referral.category,
            title=(_text(data.get("title")) or f"{referral.subject_name} {referral.category}")[:200],
            source=CaseSource.REFERRAL,
            opened_on=referral.decided_on,
            referral=referral,
            facts=referral.facts,
        )
    return referral


# --- transfers to the police or judiciary (行刑衔接) ------------------------------------------------


@transaction.atomic
def judicial_transfer_send(
    *,
    user,
    case_id,
    receiving_body: str,
    evidence: list[str],
    sent_on: dt.date,
    to_organisation: Organisation | None = None,
) -> JudicialTransfer:
    """Transfer a suspected crime found in a filed, unfinished case to the police or the judiciary,
    with the list of evidence handed over."""
    require(user, "enforcement.transfer_case")
    case = _handled_case(user, case_id)
    _require_handling(user, case)
    if case.state not in workflow.TRANSFERABLE_STATES:
        raise TransitionNotAllowed(_("Only a filed case that is not finished can be transferred."))
    if to_organisation is not None and to_organisation.pk == case.organisation_id:
        raise InvalidEnforcementData(_("Transfer the case to another body."), field="to_organisation")
    items = [_text(item) for item in evidence] if isinstance(evidence, list | tuple) else []
    items = [item for item in items if item]
    if not items:
        raise InvalidEnforcementData(_("List the evidence handed over."), field="evidence")
    transfer = JudicialTransfer(
        case=case,
        receiving_body=_required_text({"receiving_body": receiving_body}, "receiving_body"),
        to_organisation=to_organisation,
        evidence=items,
        sent_on=_date(
            sent_on,
            "sent_on",
            not_before=case.filed_on,
            message=_("A case cannot be transferred before it was filed."),
        ),
        campaign=case.campaign,
        division=case.division,
        category=case.category,
        subject_type=case.subject_type,
    )
    full_clean_or_raise(transfer)
    transfer.save()
    return transfer


@transaction.atomic
def judicial_transfer_transition(*, user, transfer_id, action: str, **data) -> JudicialTransfer:
    """Record the answer to a transfer: acknowledge, accept (立案侦查), decline or report_outcome, with
    the data of `referral_transition` (no case is opened). The police usually answer on paper, so the
    sending organisation records the 回执; users of the receiving organisation may record it too."""
    transfer = selectors.judicial_transfer_get(user, transfer_id)
    transfer = JudicialTransfer.objects.select_for_update().select_related("case").get(pk=transfer.pk)
    row = workflow.reply_transition(transfer.state, action)
    require(user, "enforcement.change_judicialtransfer")
    if not selectors.may_answer_transfer(user, transfer):
        raise NotAllowed(_("Only the sending or the receiving organisation may do this."))
    _check_unknown(data, set(row.requires + row.accepts) - {"open_case", "title"})
    changes = _reply_changes(transfer, row, data)
    _apply_reply(transfer, row, changes, _text(data.get("note")))
    return transfer


# --- blacklist --------------------------------------------------------------------------------------


@transaction.atomic
def blacklist_add(
    *,
    user,
    reason: str,
    listed_on: dt.date,
    punishment_scope: str,
    case: Case | None = None,
    until: dt.date | None = None,
    institution: Institution | None = None,
    practitioner: Practitioner | None = None,
    party_name: str = "",
    party_is_person: bool = False,
    party_id_number: str = "",
    party_address: str = "",
    venue_type: str = "",
    division=None,
) -> BlacklistEntry:
    """Put a seriously illegal institution or person on the blacklist for joint punishment (联合惩戒).
    With no subject named, the case's subject is listed. A subject is listed once at a time."""
    require(user, "enforcement.manage_blacklist")
    subject = dict(
        institution=institution,
        practitioner=practitioner,
        party_name=party_name,
        party_is_person=party_is_person,
        party_id_number=party_id_number,
        party_address=party_address,
        venue_type=venue_type,
    )
    if case is not None:
        case = _visible(Case, user, case)
        if not _names_subject(subject):
            subject, division = _copy_subject(case, division)
    listed_on = _date(listed_on, "listed_on")
    if until is not None:
        until = _date(
            until, "until", not_before=listed_on, message=_("The listing cannot end before it starts.")
        )
    entry = BlacklistEntry(
        case=case,
        reason=_required_text({"reason": reason}, "reason"),
        listed_on=listed_on,
        punishment_scope=_required_text({"punishment_scope": punishment_scope}, "punishment_scope"),
        until=until,
    )
    _set_subject(user, entry, subject, division)
    # Listings of one subject may follow each other but not overlap.
    overlapping = BlacklistEntry.objects.filter(
        subject_key=entry.subject_key, removed_on__isnull=True
    ).filter(Q(until__isnull=True) | Q(until__gte=listed_on))
    if until is not None:
        overlapping = overlapping.filter(listed_on__lte=until)
    if overlapping.exists():
        raise AlreadyListed()
    full_clean_or_raise(entry)
    entry.save()
    return entry


@transaction.atomic
def blacklist_remove(*, user, entry_id, removed_on: dt.date, reason: str) -> BlacklistEntry:
    """Take an entry off the blacklist (credit repair, a decision revoked), with the reason."""
    require(user, "enforcement.manage_blacklist")
    entry = selectors.blacklist_get(user, entry_id)
    entry = BlacklistEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.removed_on is not None:
        raise DomainError(_("The entry has already been removed."), code="already_removed")
    entry.removed_on = _date(
        removed_on,
        "removed_on",
        not_before=entry.listed_on,
        message=_("An entry cannot be removed before it was listed."),
    )
    entry.removal_reason = _required_text({"reason": reason}, "reason")
    full_clean_or_raise(entry)
    entry.save()
    return entry
