"""Complaint pages: the staff list, intake and a complaint's page with its workflow actions, and the
public form and tracking page (no login). Views only translate HTTP into selector and service calls;
`services.complaint_transition` changes state."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from weijian.core.errors import DomainError, is_refusal
from weijian.core.permissions import require
from weijian.registry.models import Institution

from . import selectors, services, workflow
from .forms import CampaignForm, ComplaintFilterForm, IntakeForm, PublicComplaintForm, TrackForm, action_form

PAGE_SIZE = 50
SET_CAMPAIGN = "set_campaign"


@login_required
def complaint_list(request):
    user = request.user
    filters = ComplaintFilterForm(request.GET or None, campaigns=selectors.campaign_choices(user))
    params = filters.cleaned_data if filters.is_valid() else {}
    today = timezone.localdate()
    category = params.get("category")
    complaints = selectors.complaint_list(
        user,
        state=params.get("state", ""),
        category=category.pk if category else "",
        overdue=params.get("overdue", False),
        campaign=params.get("campaign"),
        query=params.get("q", ""),
        today=today,
    )
    page = Paginator(complaints, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"complaint": c, "overdue": selectors.is_overdue(c, today), "late": c.replied_late} for c in page]
    return render(
        request,
        "complaints/complaint_list.html",
        {
            "filters": filters,
            "page": page,
            "rows": rows,
            "counters": selectors.summary_counters(complaints),
            "can_add": user.has_perm("complaints.add_complaint"),
        },
    )


@login_required
def complaint_new(request):
    user = request.user
    require(user, "complaints.add_complaint")
    form = IntakeForm(
        request.POST or None,
        divisions=selectors.intake_divisions(user),
        institutions=Institution.objects.visible_to(user).select_related("organisation"),
        campaigns=selectors.campaign_choices(user),
        initial={"received_at": timezone.localtime().replace(second=0, microsecond=0)},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            complaint = services.complaint_register(
                user=user,
                channel=data["channel"],
                received_at=data["received_at"],
                division=data["division"],
                category=data["category"],
                content=data["content"],
                subject_name=data["subject_name"],
                subject_address=data["subject_address"],
                institution=data["institution"],
                anonymous=data["anonymous"],
                name=data["name"],
                phone=data["phone"],
                email=data["email"],
                campaign=data["campaign"],
            )
        except DomainError as error:
            if is_refusal(error):
                raise
            form.add_error(form.error_field(error.field), str(error.message))
        else:
            messages.success(
                request,
                _("Complaint %(number)s recorded. Tracking key for the complainant: %(key)s")
                % {"number": complaint.number, "key": complaint.tracking_key},
            )
            return redirect("complaints:complaint_detail", pk=complaint.pk)
    return render(request, "complaints/complaint_new.html", {"form": form})


def _transition_data(cleaned: dict) -> dict:
    """The form's data as the service takes it: blank optional values are left out."""
    return {name: value for name, value in cleaned.items() if value not in (None, "")}


def _form_options(user, complaint, action: str) -> dict:
    if action == workflow.Action.ASSIGN:
        return {"handlers": selectors.handler_choices(complaint)}
    if action == workflow.Action.TRANSFER:
        return {"organisations": selectors.transfer_targets(user, complaint)}
    if action == workflow.Action.HANDLE:
        return {"on_site_check_required": complaint.category.requires_on_site_check}
    return {}


def _set_campaign(request, complaint):
    form = CampaignForm(request.POST, campaigns=selectors.campaign_choices(request.user))
    if form.is_valid():
        try:
            services.complaint_set_campaign(
                user=request.user, complaint_id=complaint.pk, campaign=form.cleaned_data["campaign"]
            )
        except DomainError as error:
            if is_refusal(error):
                raise
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("The campaign is saved."))
    else:
        messages.error(request, _("Choose a campaign from the list."))
    return redirect("complaints:complaint_detail", pk=complaint.pk)


def _linked_cases(user, complaint):
    if not user.has_perm("enforcement.view_case"):
        return []
    return list(complaint.cases.visible_to(user).order_by("opened_on", "pk"))


@login_required
def complaint_detail(request, pk):
    user = request.user
    complaint = selectors.complaint_get(user, pk)
    posted = request.POST.get("action") if request.method == "POST" else None
    if posted == SET_CAMPAIGN:
        return _set_campaign(request, complaint)
    forms = {}
    for action in selectors.complaint_actions(user, complaint):
        data = request.POST if action == posted else None
        forms[action] = action_form(action, data, **_form_options(user, complaint, action))
    if posted is not None and posted not in forms:
        # Not possible now for this user: the service says why (403 for the role or side, else a message).
        try:
            services.complaint_transition(user=user, complaint_id=pk, action=posted)
        except DomainError as error:
            if is_refusal(error):
                raise
            messages.error(request, str(error.message))
        return redirect("complaints:complaint_detail", pk=pk)
    if posted is not None and forms[posted].is_valid():
        form = forms[posted]
        try:
            services.complaint_transition(
                user=user, complaint_id=pk, action=posted, **_transition_data(form.cleaned_data)
            )
        except DomainError as error:
            if is_refusal(error):
                raise
            form.add_error(error.field if error.field in form.fields else None, str(error.message))
        else:
            messages.success(request, _("Done: %(action)s.") % {"action": workflow.Action(posted).label})
            return redirect("complaints:complaint_detail", pk=pk)
    today = timezone.localdate()
    days_left = selectors.working_days_left(complaint, today)
    campaign_form = None
    if selectors.may_set_campaign(user, complaint):
        campaign_form = CampaignForm(
            campaigns=selectors.campaign_choices(user), initial={"campaign": complaint.campaign_id}
        )
    return render(
        request,
        "complaints/complaint_detail.html",
        {
            "complaint": complaint,
            "events": [
                {"event": event, "label": dict(workflow.Action.choices).get(event.action, event.action)}
                for event in complaint.events.select_related("actor")
            ],
            "overdue": selectors.is_overdue(complaint, today),
            "days_left": days_left,
            "days_overdue": -days_left if days_left is not None and days_left < 0 else 0,
            "action_forms": [
                {"action": action, "label": workflow.Action(action).label, "form": form}
                for action, form in forms.items()
            ],
            "campaign_form": campaign_form,
            "cases": _linked_cases(user, complaint),
            "can_view_history": user.has_perm("core.view_auditentry"),
        },
    )


# --- public pages (no login) ------------------------------------------------------------------------


@never_cache
def public_submit(request):
    form = PublicComplaintForm(request.POST or None, divisions=selectors.public_divisions())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if form.is_bot:
            form.add_error(None, _("The complaint could not be accepted."))
        else:
            try:
                complaint = services.complaint_submit_public(
                    division=data["division"],
                    category=data["category"],
                    content=data["content"],
                    subject_name=data["subject_name"],
                    subject_address=data["subject_address"],
                    anonymous=data["anonymous"],
                    name=data["name"],
                    phone=data["phone"],
                    email=data["email"],
                )
            except DomainError as error:
                form.add_error(form.error_field(error.field), str(error.message))
            else:
                # Rendered, not redirected: the tracking key is shown this once and kept nowhere.
                return render(
                    request,
                    "complaints/public_submitted.html",
                    {"complaint": complaint, "tracking_key": complaint.tracking_key},
                )
    return render(request, "complaints/public_submit.html", {"form": form})


@never_cache
def public_track(request):
    # POST keeps the phone number or key out of addresses and server logs.
    form = TrackForm(request.POST or None)
    status = None
    searched = False
    if request.method == "POST" and form.is_valid():
        searched = True
        status = selectors.public_status(form.cleaned_data["number"], form.cleaned_data["secret"])
    return render(
        request, "complaints/public_track.html", {"form": form, "status": status, "searched": searched}
    )
