"""Producing an official form: check who asks and what for, then build the file.

`generate` is the one entry point for the command line, the web page and the background task. With a
user it applies their role and data scope (the campaign and the division must be visible to them);
with `user=None` it is a system run without limits. Problems with the request are domain errors whose
`field` names the argument at fault (campaign, division, date_from, date_to, fmt, inspection,
by_child, form).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from weijian.campaigns import selectors as campaign_selectors
from weijian.campaigns.models import Campaign
from weijian.core.errors import DomainError, NotVisible
from weijian.core.models import Division
from weijian.core.permissions import require
from weijian.core.scope import require_division_in_scope
from weijian.inspections.models import Inspection, InspectionStatus

from .engine.periods import Period, reporting_week
from .forms import FORMS, FormSpec, Request


class InvalidReportRequest(DomainError):
    code = "invalid_report_request"
    status = 422


def generate(
    user,
    form: str,
    *,
    campaign: Campaign | int,
    division: Division | str,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    fmt: str,
    inspection: Inspection | int | None = None,
    by_child: bool = False,
    today: dt.date | None = None,
) -> tuple[str, bytes]:
    """The form as (file name, file content).

    Without dates the period is the campaign's (start to end, or to today); the weekly report's is the
    reporting week ending on the Friday on or before `date_to` (default today) unless `date_from` is
    given; the checklist's is its inspection's date.
    """
    spec = FORMS.get(form)
    if spec is None:
        raise InvalidReportRequest(
            _("Unknown form %(form)s; choose one of %(forms)s.") % {"form": form, "forms": ", ".join(FORMS)},
            field="form",
        )
    if fmt not in spec.formats:
        raise InvalidReportRequest(
            _("%(form)s is produced as %(formats)s only.")
            % {"form": form, "formats": ", ".join(spec.formats)},
            field="fmt",
        )
    if by_child and not spec.rolls_up:
        raise InvalidReportRequest(
            _("%(form)s has no sheets by child division.") % {"form": form}, field="by_child"
        )
    if user is not None:
        require(user, "campaigns.view_campaign")
        if spec.permission:
            require(user, spec.permission)
    campaign = _campaign(user, campaign)
    division = _division(user, division)
    if spec.needs_inspection:
        inspection = _inspection(user, inspection, campaign, division)
    elif inspection is not None:
        raise InvalidReportRequest(
            _("Only the safety checklist is made for one inspection."), field="inspection"
        )
    period = _period(spec, campaign, inspection, date_from, date_to, today or timezone.localdate())
    request = Request(
        campaign=campaign, division=division, period=period, fmt=fmt, inspection=inspection, by_child=by_child
    )
    return _filename(spec, request), spec.build(request)


def _campaign(user, campaign: Campaign | int) -> Campaign:
    pk = campaign.pk if isinstance(campaign, Campaign) else campaign
    missing = NotVisible(_("No campaign %(id)s.") % {"id": pk}, field="campaign")
    if user is None:
        found = Campaign.objects.filter(pk=pk).select_related("division").first()
    else:
        try:
            found = campaign_selectors.campaign_get(user, pk)
        except NotVisible:
            raise missing from None
    if found is None or found.is_template:
        raise missing
    return found


def _division(user, division: Division | str) -> Division:
    code = division.code if isinstance(division, Division) else str(division)
    found = Division.objects.filter(code=code).first()
    missing = NotVisible(_("No division %(code)s.") % {"code": code}, field="division")
    if found is None:
        raise missing
    try:
        require_division_in_scope(user, found)
    except NotVisible:
        raise missing from None
    return found


def _inspection(
    user, inspection: Inspection | int | None, campaign: Campaign, division: Division
) -> Inspection:
    if inspection is None:
        raise InvalidReportRequest(_("Name the inspection the checklist is for."), field="inspection")
    pk = inspection.pk if isinstance(inspection, Inspection) else inspection
    qs = Inspection.objects.select_related("institution__organisation", "checklist_version__checklist")
    if user is not None:
        qs = qs.visible_to(user)
    found = qs.filter(pk=pk).first()
    if found is None:
        raise NotVisible(_("No inspection %(id)s.") % {"id": pk}, field="inspection")
    if found.campaign_id != campaign.pk:
        raise InvalidReportRequest(
            _("Inspection %(id)s belongs to another campaign.") % {"id": pk}, field="inspection"
        )
    if not division.contains(found.institution.organisation.division_id):
        raise InvalidReportRequest(
            _("Inspection %(id)s is of an institution outside %(division)s.")
            % {"id": pk, "division": division},
            field="inspection",
        )
    if found.status != InspectionStatus.SUBMITTED:
        raise InvalidReportRequest(
            _("Inspection %(id)s has not been submitted.") % {"id": pk}, field="inspection"
        )
    return found


def _period(
    spec: FormSpec,
    campaign: Campaign,
    inspection: Inspection | None,
    date_from: dt.date | None,
    date_to: dt.date | None,
    today: dt.date,
) -> Period:
    if inspection is not None:
        return Period(inspection.inspected_on, inspection.inspected_on)
    if spec.weekly and date_from is None:
        return reporting_week(date_to or today)
    start = date_from or campaign.start
    end = date_to or campaign.end or today
    if start is None:
        raise InvalidReportRequest(
            _("Give the first day of the period: the campaign has no start date."), field="date_from"
        )
    if start > end:
        raise InvalidReportRequest(
            _("The period starts (%(start)s) after it ends (%(end)s).") % {"start": start, "end": end},
            field="date_from",
        )
    return Period(start, end)


def _filename(spec: FormSpec, request: Request) -> str:
    if request.inspection is not None:
        place = request.inspection.institution.organisation.name
        dates = f"{request.period.start:%Y%m%d}"
    else:
        place = request.division.name
        dates = f"{request.period.start:%Y%m%d}-{request.period.end:%Y%m%d}"
    return f"{spec.title}-{place}-{dates}.{request.fmt}"
