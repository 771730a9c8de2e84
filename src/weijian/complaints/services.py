"""Business actions on complaints: intake from the public and by staff, triage, and the workflow.

`complaint_transition` is the only code that changes `Complaint.state`: it applies a row of
`weijian.complaints.workflow.TRANSITIONS` after checking the role, the side (the receiving side or the
handling organisation) and the scope, and writes the complaint, a ComplaintEvent and the audit trail in
one transaction. A refused step changes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from weijian.campaigns.models import DepartmentRef
from weijian.campaigns.services import resolve_organisation
from weijian.core.audit import acting_as, record_transition
from weijian.core.calendar import add_working_days
from weijian.core.errors import DomainError, InvalidInput, NotAllowed, NotVisible, full_clean_or_raise
from weijian.core.models import Division, DivisionLevel, Organisation, OrganisationKind, User
from weijian.core.permissions import require
from weijian.core.scope import require_division_in_scope
from weijian.registry.models import Institution

from . import selectors, workflow
from .models import Channel, Complaint, ComplaintCategory, ComplaintEvent, Satisfaction

NUMBER_PREFIX = "TS"
# Two intakes may compute the same next number; the unique index refuses the second, which tries again.
NUMBER_ATTEMPTS = 5
# Readable on a phone and over the hotline: no 0/O or 1/I/L to mistake.
TRACKING_KEY_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
TRACKING_KEY_GROUPS = 3
TRACKING_KEY_GROUP_LENGTH = 4
PUBLIC_DIVISION_LEVELS = (DivisionLevel.COUNTY, DivisionLevel.TOWNSHIP)
PHONE_PATTERN = re.compile(r"^\+?[0-9][0-9 \-]{5,28}[0-9]$")


class InvalidComplaint(InvalidInput):
    """A complaint intake or step given data that breaks a rule."""


class NoReceivingCommission(DomainError):
    code = "no_receiving_organisation"
    status = 422
    default_message = _("No health commission receives complaints for this division.")


class NotInTriage(DomainError):
    code = "not_in_triage"
    status = 409
    default_message = _("The campaign can only be changed while the complaint is being triaged.")


_required = InvalidComplaint.required


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _is_date(value: Any) -> bool:
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)


# --- intake -------------------------------------------------------------------------------------------


def new_tracking_key() -> str:
    groups = (
        "".join(secrets.choice(TRACKING_KEY_ALPHABET) for _i in range(TRACKING_KEY_GROUP_LENGTH))
        for _g in range(TRACKING_KEY_GROUPS)
    )
    return "-".join(groups)


def _next_number(year: int) -> str:
    prefix = f"{NUMBER_PREFIX}{year}-"
    last = (
        Complaint.objects.filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    sequence = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{sequence:06d}"


def _save_numbered(complaint: Complaint) -> None:
    """Save a new complaint under the next free number of its year (TS2026-000123)."""
    for _attempt in range(NUMBER_ATTEMPTS):
        complaint.number = _next_number(complaint.received_on.year)
        try:
            with transaction.atomic():
                complaint.save()
        except IntegrityError:
            if not Complaint.objects.filter(number=complaint.number).exists():
                raise
            continue
        return
    raise DomainError(_("Too many complaints at once; please try again."), code="busy")


def _complainant(*, anonymous: bool, name: str, phone: str, email: str) -> tuple[str, str, str]:
    """An anonymous complaint keeps no contact; a named one needs a name and a phone or email."""
    if anonymous:
        return "", "", ""
    name, phone, email = _text(name), _text(phone), _text(email)
    if not name:
        raise _required("complainant_name")
    if not phone and not email:
        raise InvalidComplaint(
            _("Give a phone number or an email address, or complain anonymously."), field="complainant_phone"
        )
    if phone and not PHONE_PATTERN.match(phone):
        raise InvalidComplaint(_("Enter a valid phone number."), field="complainant_phone")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise InvalidComplaint(_("Enter a valid email address."), field="complainant_email") from None
    return name, phone, email


def _received(received_at: dt.datetime | None) -> tuple[dt.datetime, dt.date]:
    now = timezone.now()
    if received_at is None:
        received_at = now
    if not isinstance(received_at, dt.datetime):
        raise InvalidComplaint(_("Enter a date and time."), field="received_at")
    if timezone.is_naive(received_at):
        received_at = timezone.make_aware(received_at)
    if received_at > now + dt.timedelta(minutes=5):
        raise InvalidComplaint(_("A complaint cannot be received in the future."), field="received_at")
    return received_at, timezone.localdate(received_at)


def _check_subject(division: Division, institution: Institution | None) -> None:
    if institution is not None and not division.contains(institution.organisation.division_id):
        raise InvalidComplaint(_("The institution is not in the division named."), field="institution")


def _intake(
    *,
    channel: str,
    received_at: dt.datetime | None,
    division: Division,
    category: ComplaintCategory,
    content: str,
    subject_name: str,
    subject_address: str,
    institution: Institution | None,
    anonymous: bool,
    name: str,
    phone: str,
    email: str,
    campaign,
    received_by: Organisation,
) -> Complaint:
    content = _text(content)
    if not content:
        raise _required("content")
    if not isinstance(category, ComplaintCategory):
        raise _required("category")
    _check_subject(division, institution)
    name, phone, email = _complainant(anonymous=anonymous, name=name, phone=phone, email=email)
    received_at, received_on = _received(received_at)
    key = new_tracking_key()
    complaint = Complaint(
        number="-",  # replaced by the next free number when saved
        channel=channel,
        received_at=received_at,
        received_on=received_on,
        anonymous=bool(anonymous),
        complainant_name=name,
        complainant_phone=phone,
        complainant_email=email,
        institution=institution,
        subject_name=_text(subject_name),
        subject_address=_text(subject_address),
        division=division,
        category=category,
        campaign=campaign,
        content=content,
        received_by=received_by,
        handling_organisation=received_by,
        # Reply within the category's working days of receipt (20 by default, seed-000 篇6 §6.5).
        reply_due=add_working_days(received_on, category.reply_working_days),
        tracking_key_hash=selectors.hash_tracking_key(key),
    )
    full_clean_or_raise(complaint, exclude=["number"])
    _save_numbered(complaint)
    # Shown once to whoever records the complaint; only its hash is kept.
    complaint.tracking_key = key
    return complaint


def receiving_commission(division: Division) -> Organisation:
    """The health commission of the division or of its nearest ancestor that has one."""
    commission = resolve_organisation(DepartmentRef.COMMISSION, division)
    if commission is None:
        raise NoReceivingCommission(field="division")
    return commission


@transaction.atomic
def complaint_submit_public(
    *,
    division: Division,
    category: ComplaintCategory,
    content: str,
    subject_name: str = "",
    subject_address: str = "",
    institution: Institution | None = None,
    anonymous: bool = False,
    name: str = "",
    phone: str = "",
    email: str = "",
    received_at: dt.datetime | None = None,
    campaign=None,
) -> Complaint:
    """A complaint sent by a member of the public through the web form. The health commission of the
    division (or the nearest above) receives it. The returned complaint carries `tracking_key`."""
    if division.level not in PUBLIC_DIVISION_LEVELS:
        raise InvalidComplaint(_("Choose a county or a township."), field="division")
    if campaign is not None and campaign.is_template:
        raise InvalidComplaint(_("Choose a running campaign."), field="campaign")
    with acting_as(label="public"):
        return _intake(
            channel=Channel.WEB,
            received_at=received_at,
            division=division,
            category=category,
            content=content,
            subject_name=subject_name,
            subject_address=subject_address,
            institution=institution,
            anonymous=anonymous,
            name=name,
            phone=phone,
            email=email,
            campaign=campaign,
            received_by=receiving_commission(division),
        )


def _require_campaign_visible(user, campaign) -> None:
    if campaign is not None and not selectors.campaign_choices(user).filter(pk=campaign.pk).exists():
        raise NotVisible()


@transaction.atomic
def complaint_register(
    *,
    user,
    channel: str,
    received_at: dt.datetime,
    division: Division,
    category: ComplaintCategory,
    content: str,
    subject_name: str = "",
    subject_address: str = "",
    institution: Institution | None = None,
    anonymous: bool = False,
    name: str = "",
    phone: str = "",
    email: str = "",
    campaign=None,
) -> Complaint:
    """A complaint taken by staff (hotline, letter, email, walk-in, …) in a division of their scope.
    Their organisation receives and handles it until triage. The returned complaint carries
    `tracking_key`, to be given to the complainant."""
    require(user, "complaints.add_complaint")
    require_division_in_scope(user, division)
    if channel not in Channel.values:
        raise InvalidComplaint(_("Choose a channel."), field="channel")
    if (
        institution is not None
        and not Institution.objects.visible_to(user).filter(pk=institution.pk).exists()
    ):
        raise NotVisible()
    _require_campaign_visible(user, campaign)
    received_by = user.organisation if user.organisation_id else receiving_commission(division)
    return _intake(
        channel=channel,
        received_at=received_at,
        division=division,
        category=category,
        content=content,
        subject_name=subject_name,
        subject_address=subject_address,
        institution=institution,
        anonymous=anonymous,
        name=name,
        phone=phone,
        email=email,
        campaign=campaign,
        received_by=received_by,
    )


@transaction.atomic
def complaint_set_campaign(*, user, complaint_id, campaign) -> Complaint:
    """Tie the complaint to a campaign the user can see (or untie it) while it is being triaged."""
    require(user, workflow.TRIAGE)
    complaint = selectors.complaint_get(user, complaint_id)
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if not selectors.is_regulator(user):
        raise NotAllowed(_("Only the receiving side may triage a complaint."))
    if complaint.state not in workflow.TRIAGE_STATES:
        raise NotInTriage()
    _require_campaign_visible(user, campaign)
    complaint.campaign = campaign
    full_clean_or_raise(complaint)
    complaint.save()
    return complaint


# --- the workflow -------------------------------------------------------------------------------------


def _check_data(row: workflow.Transition, data: dict[str, Any]) -> None:
    unknown = set(data) - set(row.requires) - set(row.accepts) - {"note"}
    if unknown:
        raise DomainError(
            _("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))}, code="unknown_field"
        )


def _date(data: dict[str, Any], name: str, *, default: dt.date | None = None) -> dt.date | None:
    value = data.get(name)
    if value is None or value == "":
        return default
    if not _is_date(value):
        raise InvalidComplaint(_("Enter a date."), field=name)
    return value


def _assign(complaint: Complaint, data: dict[str, Any]) -> tuple[dict[str, Any], str]:
    handler = data.get("handler")
    if isinstance(handler, int | str) and str(handler).isdigit():
        handler = User.objects.filter(pk=handler).first()
    if not isinstance(handler, User):
        raise _required("handler")
    if not selectors.handler_choices(complaint).filter(pk=handler.pk).exists():
        raise InvalidComplaint(
            _("The handler must be a user of the handling organisation who may handle complaints."),
            field="handler",
        )
    return {"handler": handler}, f"→ {handler}"


def _transfer(user, complaint: Complaint, data: dict[str, Any]) -> tuple[dict[str, Any], str]:
    target = data.get("to_organisation")
    if isinstance(target, int | str) and str(target).isdigit():
        target = Organisation.objects.filter(pk=target).first()
    if not isinstance(target, Organisation):
        raise _required("to_organisation")
    if target.pk == complaint.handling_organisation_id:
        raise InvalidComplaint(_("The complaint is already handled there."), field="to_organisation")
    if not Organisation.objects.visible_to(user).filter(pk=target.pk).exists():
        raise InvalidComplaint(_("Choose an organisation of your area."), field="to_organisation")
    if target.kind == OrganisationKind.DEPARTMENT:
        # A lead within another department's remit is passed on as a referral (enforcement), which the
        # department answers; complaints stay with the health side and the institutions.
        raise InvalidComplaint(
            _("Pass a lead for another department on as a referral, not as a complaint transfer."),
            field="to_organisation",
        )
    if not selectors.organisation_sees(target, complaint):
        # A township's organisation would not see a county-wide complaint, and so could not handle it.
        raise InvalidComplaint(
            _("That organisation's area does not include the complaint's division."), field="to_organisation"
        )
    return {"handling_organisation": target, "handler": None}, f"→ {target.name}"


def _handle(complaint: Complaint, data: dict[str, Any]) -> dict[str, Any]:
    substantiated = data.get("substantiated")
    if not isinstance(substantiated, bool):
        raise _required("substantiated")
    result = _text(data.get("result"))
    if not result:
        raise _required("result")
    handled_on = _date(data, "handled_on", default=timezone.localdate())
    if handled_on < complaint.received_on:
        raise InvalidComplaint(_("A complaint cannot be handled before it was received."), field="handled_on")
    checked_on = _date(data, "on_site_checked_on")
    # 举报1例现场核查1例 (seed-004 §7.14): such a tip is not closed without its on-site check.
    if checked_on is None and complaint.category.requires_on_site_check:
        raise InvalidComplaint(
            _("Every complaint of this category needs an on-site check."), field="on_site_checked_on"
        )
    if checked_on is not None and not complaint.received_on <= checked_on <= handled_on:
        raise InvalidComplaint(
            _("The on-site check falls between receipt and handling."), field="on_site_checked_on"
        )
    return {
        "substantiated": substantiated,
        "result": result,
        "handled_on": handled_on,
        "on_site_checked_on": checked_on,
    }


def _reply(complaint: Complaint, data: dict[str, Any]) -> dict[str, Any]:
    reply = _text(data.get("reply"))
    if not reply:
        raise _required("reply")
    replied_on = _date(data, "replied_on", default=timezone.localdate())
    if replied_on < (complaint.handled_on or complaint.received_on):
        raise InvalidComplaint(_("The reply cannot precede the handling."), field="replied_on")
    return {"reply": reply, "replied_on": replied_on}


def _rate(data: dict[str, Any]) -> dict[str, Any]:
    satisfaction = data.get("satisfaction")
    if satisfaction not in Satisfaction.values:
        raise _required("satisfaction")
    return {"satisfaction": satisfaction}


@transaction.atomic
def complaint_transition(*, user, complaint_id, action: str, **data) -> Complaint:
    """Apply `action` to the complaint. Refused (with nothing changed) when the table has no such step
    from the complaint's state, the role lacks the permission, the user is on the wrong side, the
    complaint is out of scope, or the data is incomplete."""
    complaint = selectors.complaint_get(user, complaint_id)
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    row = workflow.transition(complaint.state, action)
    require(user, row.permission)
    if not selectors.may_apply(user, complaint, row):
        if row.who == workflow.HANDLING:
            raise NotAllowed(_("Only the handling organisation may do this."))
        raise NotAllowed(_("Only the receiving side may do this."))
    _check_data(row, data)

    note = _text(data.get("note"))
    changes: dict[str, Any] = {}
    if action == workflow.Action.ASSIGN:
        changes, what = _assign(complaint, data)
        note = f"{what}\n{note}" if note else what
    elif action == workflow.Action.TRANSFER:
        changes, what = _transfer(user, complaint, data)
        note = f"{what}\n{note}" if note else what
    elif action == workflow.Action.START_CHECK:
        if complaint.handler_id is None and user.organisation_id == complaint.handling_organisation_id:
            changes = {"handler": user}
    elif action == workflow.Action.HANDLE:
        changes = _handle(complaint, data)
    elif action == workflow.Action.REPLY:
        changes = _reply(complaint, data)
    elif action == workflow.Action.RATE:
        changes = _rate(data)

    old = complaint.state
    for name, value in changes.items():
        setattr(complaint, name, value)
    complaint.state = row.next_state
    full_clean_or_raise(complaint)
    complaint.save()
    ComplaintEvent.objects.create(
        complaint=complaint,
        action=action,
        from_state=old,
        to_state=complaint.state,
        actor=user,
        at=timezone.now(),
        note=note,
    )
    record_transition(complaint, field="state", old=old, new=complaint.state, note=note)
    return complaint
