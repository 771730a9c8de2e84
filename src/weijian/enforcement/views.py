"""Enforcement pages: the case ledger and a case's page with its workflow actions, on-site checks,
referrals between organisations, the blacklist with its joint-punishment workbook, and the
bad-conduct points. Views only translate HTTP into selector and service calls; the services change
states and decide what is valid."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from weijian.campaigns import selectors as campaign_selectors
from weijian.campaigns.models import Campaign, ViolationCategory
from weijian.complaints import selectors as complaint_selectors
from weijian.core.errors import DomainError, NotAllowed, NotVisible, is_refusal
from weijian.core.models import Organisation, OrganisationKind
from weijian.core.permissions import require
from weijian.core.selectors import divisions_visible_to
from weijian.registry import selectors as registry_selectors
from weijian.registry.models import Institution

from . import exports, selectors, services, workflow
from .forms import (
    BlacklistAddForm,
    BlacklistRemoveForm,
    CampaignFilterForm,
    CaseFilterForm,
    CaseOpenForm,
    InstitutionSearchForm,
    JudicialTransferForm,
    PenaltyFormSet,
    ReferralForm,
    SiteCheckForm,
    TypicalForm,
    YearForm,
    action_form,
    reply_form,
)
from .models import CaseSource, SubjectType
from .workflow import Action, ReplyAction

PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The forms of a case's page besides its workflow actions, named by the `action` they post.
MARK_TYPICAL = "mark_typical"
SEND_TO_POLICE = "send_to_police"
ANSWER_TRANSFER = "answer_transfer"


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _transition_data(cleaned: dict) -> dict:
    """The form's data as the service takes it: blank optional values are left out."""
    return {name: value for name, value in cleaned.items() if value not in (None, "", [])}


# --- choices, each within the user's scope ----------------------------------------------------------


def _campaigns(user):
    if not user.has_perm("campaigns.view_campaign"):
        return Campaign.objects.none()
    return campaign_selectors.campaign_list(user)


def _institutions(user, find: str = ""):
    if not user.has_perm("registry.view_institution"):
        return Institution.objects.none()
    return registry_selectors.institution_list(user, q=find).order_by("organisation__name")


def _divisions(user):
    return divisions_visible_to(user).order_by("code")


def _organisations(user):
    """The organisations a case or lead may be sent to: those of the user's area other than their
    own, and not the medical institutions under supervision."""
    return (
        Organisation.objects.visible_to(user)
        .exclude(kind=OrganisationKind.MEDICAL_INSTITUTION)
        .exclude(pk=user.organisation_id)
        .order_by("division_id", "name")
    )


def _subject_choices(request) -> dict:
    search = InstitutionSearchForm(request.GET or None)
    find = search.cleaned_data["find"] if search.is_valid() else ""
    return {
        "institutions": _institutions(request.user, find),
        "divisions": _divisions(request.user),
    }


def _search_form(request) -> InstitutionSearchForm:
    return InstitutionSearchForm(request.GET or None)


# --- cases ------------------------------------------------------------------------------------------


@login_required
def case_list(request):
    user = request.user
    filters = CaseFilterForm(request.GET or None, campaigns=_campaigns(user))
    params = filters.cleaned_data if filters.is_valid() else {}
    category = params.get("category")
    cases = selectors.case_list(
        user,
        state=params.get("state", ""),
        campaign=params.get("campaign"),
        category=category.pk if category else "",
        source=params.get("source", ""),
        query=params.get("q", ""),
        typical=params.get("typical"),
    )
    return render(
        request,
        "enforcement/case_list.html",
        {"filters": filters, "page": _page(request, cases), "can_add": user.has_perm("enforcement.add_case")},
    )


def _complaint_of(user, raw):
    """The complaint a case is opened from (?complaint=<id>), read through the complaints' selector:
    one out of the user's scope is missing."""
    if raw in (None, ""):
        return None
    if not str(raw).isdigit():
        raise NotVisible()
    return complaint_selectors.complaint_get(user, int(raw))


def _from_complaint(complaint) -> dict:
    """What a complaint already says about the case to open from it."""
    subject = complaint.institution.organisation.name if complaint.institution_id else complaint.subject_name
    return {
        "complaint": complaint.pk,
        "source": CaseSource.COMPLAINT,
        "category": complaint.category.violation_category_id,
        "title": f"{subject} {complaint.category.name}".strip()[:200],
        "campaign": complaint.campaign_id,
        "institution": complaint.institution_id,
        "party_name": "" if complaint.institution_id else complaint.subject_name,
        "party_address": complaint.subject_address,
        "division": complaint.division_id,
        "facts": complaint.content,
    }


@login_required
def case_new(request):
    user = request.user
    require(user, "enforcement.add_case")
    data = request.POST if request.method == "POST" else None
    complaint = _complaint_of(user, (data or request.GET).get("complaint"))
    initial = {"opened_on": timezone.localdate(), "source": CaseSource.INSPECTION}
    if complaint is not None:
        initial |= _from_complaint(complaint)
    form = CaseOpenForm(data, initial=initial, campaigns=_campaigns(user), **_subject_choices(request))
    if data is not None and form.is_valid():
        cleaned = form.cleaned_data
        try:
            case = services.case_open(
                user=user,
                category=cleaned["category"],
                title=cleaned["title"],
                source=cleaned["source"],
                opened_on=cleaned["opened_on"],
                campaign=cleaned["campaign"],
                complaint=complaint,
                facts=cleaned["facts"],
                **form.subject(),
            )
        except DomainError as error:
            if is_refusal(error):
                raise
            form.add_service_error(error)
        else:
            messages.success(request, _("Case %(number)s recorded.") % {"number": case.number})
            return redirect("enforcement:case_detail", pk=case.pk)
    return render(
        request,
        "enforcement/case_new.html",
        {"form": form, "search": _search_form(request), "complaint": complaint},
    )


def _action_options(user, action: str) -> dict:
    if action == Action.HAND_OVER:
        return {"organisations": _organisations(user)}
    return {}


def _penalties(formset) -> list[dict]:
    """The filled rows of the penalty formset as the service takes them."""
    rows = []
    for form in formset.forms:
        cleaned = getattr(form, "cleaned_data", None)
        if not cleaned or not cleaned.get("kind"):
            continue
        row = {
            "kind": cleaned["kind"],
            "amount": cleaned.get("amount"),
            "description": cleaned["description"],
        }
        if cleaned.get("on_person"):
            row["subject_type"] = SubjectType.PERSON
        rows.append(row)
    return rows


def _show_penalty_error(formset, form, error) -> None:
    """An error of penalty n (field `penalties.n.kind`) on that row of the formset; counted over the
    filled rows, as they were sent."""
    parts = (error.field or "").split(".")
    filled = [f for f in formset.forms if getattr(f, "cleaned_data", None) and f.cleaned_data.get("kind")]
    if len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(filled):
        row = filled[int(parts[1])]
        row.add_error(parts[2] if parts[2] in row.fields else None, str(error.message))
    else:
        form.add_error(None, str(error.message))


def _apply_case_action(request, case, posted, forms, penalties):
    """Apply the posted workflow action; the redirect when done, else None (the forms show why)."""
    user = request.user
    if posted not in forms:
        # Not possible now for this user: the service says why (403 for the role or side, else a message).
        try:
            services.case_transition(user=user, case_id=case.pk, action=posted)
        except DomainError as error:
            if is_refusal(error):
                raise
            messages.error(request, str(error.message))
        return redirect("enforcement:case_detail", pk=case.pk)
    form = forms[posted]
    valid = form.is_valid()
    if penalties is not None and posted == Action.DECIDE:
        valid = penalties.is_valid() and valid
    if not valid:
        return None
    data = _transition_data(form.cleaned_data)
    if posted == Action.DECIDE:
        data["penalties"] = _penalties(penalties)
    try:
        services.case_transition(user=user, case_id=case.pk, action=posted, **data)
    except DomainError as error:
        if is_refusal(error):
            raise
        if (error.field or "").startswith("penalties."):
            _show_penalty_error(penalties, form, error)
        else:
            form.add_service_error(error)
        return None
    messages.success(request, _("Done: %(action)s.") % {"action": Action(posted).label})
    return redirect("enforcement:case_detail", pk=case.pk)


def _transfer_forms(request, transfers, posted_key) -> dict:
    """Answer forms of each transfer the user may answer, keyed by (transfer id, reply action)."""
    forms = {}
    for transfer in transfers:
        if not selectors.may_answer_transfer(request.user, transfer):
            continue
        for row in workflow.reply_actions_from(transfer.state):
            key = (transfer.pk, row.action)
            data = request.POST if key == posted_key else None
            forms[key] = reply_form(row.action, data, prefix=f"transfer-{transfer.pk}-{row.action}")
    return forms


def _posted_transfer_key(request):
    transfer, reply = request.POST.get("transfer", ""), request.POST.get("reply", "")
    if not transfer.isdigit() or reply not in ReplyAction.values:
        return None
    return int(transfer), reply


def _answer_transfer(request, case, key, forms):
    user = request.user
    if key is None:
        messages.error(request, _("Choose an answer to record."))
        return redirect("enforcement:case_detail", pk=case.pk)
    transfer_id, reply = key
    form = forms.get(key)
    if form is None:
        try:
            services.judicial_transfer_transition(user=user, transfer_id=transfer_id, action=reply)
        except DomainError as error:
            if is_refusal(error):
                raise
            messages.error(request, str(error.message))
        return redirect("enforcement:case_detail", pk=case.pk)
    if not form.is_valid():
        return None
    try:
        services.judicial_transfer_transition(
            user=user, transfer_id=transfer_id, action=reply, **_transition_data(form.cleaned_data)
        )
    except DomainError as error:
        if is_refusal(error):
            raise
        form.add_service_error(error)
        return None
    messages.success(request, _("Done: %(action)s.") % {"action": ReplyAction(reply).label})
    return redirect("enforcement:case_detail", pk=case.pk)


def _mark_typical(request, case, form):
    if form is None:
        raise NotAllowed()
    if not form.is_valid():
        return None
    try:
        services.case_mark_typical(
            user=request.user,
            case_id=case.pk,
            typical=form.cleaned_data["typical"],
            narrative=form.cleaned_data["narrative"],
        )
    except DomainError as error:
        if is_refusal(error):
            raise
        form.add_service_error(error)
        return None
    messages.success(request, _("The typical case mark is saved."))
    return redirect("enforcement:case_detail", pk=case.pk)


def _send_to_police(request, case, form):
    if form is None:
        raise NotAllowed()
    if not form.is_valid():
        return None
    cleaned = form.cleaned_data
    try:
        services.judicial_transfer_send(
            user=request.user,
            case_id=case.pk,
            receiving_body=cleaned["receiving_body"],
            to_organisation=cleaned["to_organisation"],
            evidence=cleaned["evidence"],
            sent_on=cleaned["sent_on"],
        )
    except DomainError as error:
        if is_refusal(error):
            raise
        form.add_service_error(error)
        return None
    messages.success(request, _("The case is transferred to %(body)s.") % {"body": cleaned["receiving_body"]})
    return redirect("enforcement:case_detail", pk=case.pk)


def _links(user, case) -> dict:
    """The records the case came from or led to, as far as the user may read them."""
    links = {"referrals_out": [], "complaint_visible": False, "inspection_visible": False}
    if case.complaint_id and user.has_perm("complaints.view_complaint"):
        links["complaint_visible"] = True
    if case.inspection_id and user.has_perm("inspections.view_inspection"):
        links["inspection_visible"] = True
    if user.has_perm("enforcement.view_referral"):
        links["referrals_out"] = list(
            selectors.referral_list(user).filter(case=case).select_related("to_organisation")
        )
    return links


@login_required
def case_detail(request, pk):
    user = request.user
    case = selectors.case_get(user, pk)
    posted = request.POST.get("action") if request.method == "POST" else None
    data = request.POST if posted else None

    forms = {
        row.action: action_form(
            row.action, data if row.action == posted else None, **_action_options(user, row.action)
        )
        for row in selectors.case_actions(user, case)
    }
    penalties = None
    if Action.DECIDE in forms:
        penalties = PenaltyFormSet(data if posted == Action.DECIDE else None, prefix="penalties")
    typical_form = None
    if selectors.may_mark_typical(user, case):
        typical_form = TypicalForm(
            data if posted == MARK_TYPICAL else None,
            prefix="typical",
            initial={"typical": True, "narrative": case.narrative},
        )
    police_form = None
    if selectors.may_send_to_police(user, case):
        police_form = JudicialTransferForm(
            data if posted == SEND_TO_POLICE else None,
            prefix="police",
            organisations=_organisations(user),
            initial={"sent_on": timezone.localdate()},
        )
    transfers = []
    if user.has_perm(selectors.VIEW_JUDICIAL_TRANSFER):
        transfers = list(selectors.judicial_transfer_list(user, case=case).order_by("sent_on", "pk"))
    posted_transfer = _posted_transfer_key(request) if posted == ANSWER_TRANSFER else None
    transfer_forms = _transfer_forms(request, transfers, posted_transfer)

    done = None
    if posted == MARK_TYPICAL:
        done = _mark_typical(request, case, typical_form)
    elif posted == SEND_TO_POLICE:
        done = _send_to_police(request, case, police_form)
    elif posted == ANSWER_TRANSFER:
        done = _answer_transfer(request, case, posted_transfer, transfer_forms)
    elif posted is not None:
        if posted not in Action.values:
            messages.error(request, _("Choose an action."))
            return redirect("enforcement:case_detail", pk=case.pk)
        done = _apply_case_action(request, case, posted, forms, penalties)
    if done is not None:
        return done

    penalty_rows = list(case.penalties.select_related("practitioner"))
    return render(
        request,
        "enforcement/case_detail.html",
        {
            "case": case,
            "penalties": penalty_rows,
            "penalty_total": sum((p.amount for p in penalty_rows if p.amount is not None), start=0),
            "events": [
                {"event": event, "label": dict(Action.choices).get(event.action, event.action)}
                for event in case.events.select_related("actor")
            ],
            "action_forms": [
                {"action": action, "label": Action(action).label, "form": form}
                for action, form in forms.items()
            ],
            "penalty_formset": penalties,
            "typical_form": typical_form,
            "police_form": police_form,
            "transfers": [
                {
                    "transfer": transfer,
                    "forms": [
                        {"reply": reply, "label": ReplyAction(reply).label, "form": form}
                        for (transfer_id, reply), form in transfer_forms.items()
                        if transfer_id == transfer.pk
                    ],
                }
                for transfer in transfers
            ],
            "can_refer": user.has_perm("enforcement.add_referral") and user.organisation_id is not None,
            "can_view_history": user.has_perm("core.view_auditentry"),
            **_links(user, case),
        },
    )


# --- on-site checks ---------------------------------------------------------------------------------


@login_required
def site_check_list(request):
    user = request.user
    campaigns = _campaigns(user)
    filters = CampaignFilterForm(request.GET or None, campaigns=campaigns)
    campaign = filters.cleaned_data.get("campaign") if filters.is_valid() else None
    checks = selectors.site_check_list(user, campaign=campaign)
    return render(
        request,
        "enforcement/site_check_list.html",
        {
            "filters": filters,
            "page": _page(request, checks),
            "can_add": user.has_perm("enforcement.add_sitecheck"),
        },
    )


def _categories_of(campaign):
    """The violation categories of the campaign's tasks; every category when it names none."""
    categories = ViolationCategory.objects.all()
    if campaign is None:
        return categories
    of_tasks = categories.filter(tasks__campaign=campaign).distinct()
    return of_tasks if of_tasks.exists() else categories


@login_required
def site_check_new(request):
    user = request.user
    require(user, "enforcement.add_sitecheck")
    campaigns = _campaigns(user)
    data = request.POST if request.method == "POST" else None
    chosen = (data or request.GET).get("campaign", "")
    campaign = campaigns.filter(pk=chosen).first() if chosen.isdigit() else None
    form = SiteCheckForm(
        data,
        initial={"campaign": campaign.pk if campaign else None, "checked_on": timezone.localdate()},
        campaigns=campaigns,
        categories=_categories_of(campaign),
        **_subject_choices(request),
    )
    if data is not None and form.is_valid():
        cleaned = form.cleaned_data
        try:
            services.site_check_record(
                user=user,
                campaign=cleaned["campaign"],
                category=cleaned["category"],
                checked_on=cleaned["checked_on"],
                violation_found=cleaned["violation_found"],
                note=cleaned["note"],
                **form.subject(),
            )
        except DomainError as error:
            if is_refusal(error):
                raise
            form.add_service_error(error)
        else:
            messages.success(request, _("The on-site check is recorded."))
            return redirect("enforcement:site_check_list")
    return render(
        request,
        "enforcement/site_check_new.html",
        {
            "form": form,
            "search": _search_form(request),
            "chooser": CampaignFilterForm(
                initial={"campaign": campaign.pk if campaign else None}, campaigns=campaigns
            ),
            "campaign": campaign,
        },
    )


# --- referrals --------------------------------------------------------------------------------------


@login_required
def referral_list(request):
    user = request.user
    direction = request.GET.get("direction") or ("in" if user.organisation_id else "all")
    if direction not in {"in", "out", "all"}:
        direction = "all"
    referrals = selectors.referral_list(user, direction="" if direction == "all" else direction)
    tabs = [
        {"direction": "in", "label": _("Received"), "active": direction == "in"},
        {"direction": "out", "label": _("Sent"), "active": direction == "out"},
        {"direction": "all", "label": _("All"), "active": direction == "all"},
    ]
    return render(
        request,
        "enforcement/referral_list.html",
        {
            "tabs": tabs,
            "direction": direction,
            "page": _page(request, referrals),
            "can_add": user.has_perm("enforcement.add_referral") and user.organisation_id is not None,
        },
    )


@login_required
def referral_detail(request, pk):
    user = request.user
    referral = selectors.referral_get(user, pk)
    posted = request.POST.get("action") if request.method == "POST" else None
    forms = {}
    if selectors.may_answer_referral(user, referral):
        for row in workflow.reply_actions_from(referral.state):
            data = request.POST if row.action == posted else None
            forms[row.action] = reply_form(row.action, data, prefix=row.action, referral=True)
    if posted is not None:
        if posted not in forms:
            try:
                services.referral_transition(user=user, referral_id=pk, action=posted)
            except DomainError as error:
                if is_refusal(error):
                    raise
                messages.error(request, str(error.message))
            return redirect("enforcement:referral_detail", pk=pk)
        form = forms[posted]
        if form.is_valid():
            try:
                services.referral_transition(
                    user=user, referral_id=pk, action=posted, **_transition_data(form.cleaned_data)
                )
            except DomainError as error:
                if is_refusal(error):
                    raise
                form.add_service_error(error)
            else:
                messages.success(request, _("Done: %(action)s.") % {"action": ReplyAction(posted).label})
                return redirect("enforcement:referral_detail", pk=pk)
    may_view_cases = user.has_perm(selectors.VIEW_CASE)
    return render(
        request,
        "enforcement/referral_detail.html",
        {
            "referral": referral,
            "action_forms": [
                {"action": action, "label": ReplyAction(action).label, "form": form}
                for action, form in forms.items()
            ],
            "case_visible": may_view_cases and referral.case_id is not None,
            "opened_cases": list(referral.opened_cases.visible_to(user)) if may_view_cases else [],
            "can_view_history": user.has_perm("core.view_auditentry"),
        },
    )


@login_required
def referral_new(request):
    user = request.user
    require(user, "enforcement.add_referral")
    data = request.POST if request.method == "POST" else None
    raw_case = (data or request.GET).get("case", "")
    case = None
    if raw_case:
        if not raw_case.isdigit():
            raise NotVisible()
        case = selectors.case_get(user, int(raw_case))
    initial = {"sent_on": timezone.localdate()}
    if case is not None:
        initial |= {
            "case": case.pk,
            "category": case.category_id,
            "facts": case.facts,
            "campaign": case.campaign_id,
        }
    form = ReferralForm(
        data,
        initial=initial,
        organisations=_organisations(user),
        campaigns=_campaigns(user),
        **_subject_choices(request),
    )
    if data is not None and form.is_valid():
        cleaned = form.cleaned_data
        try:
            referral = services.referral_send(
                user=user,
                to_organisation=cleaned["to_organisation"],
                category=cleaned["category"],
                facts=cleaned["facts"],
                sent_on=cleaned["sent_on"],
                campaign=cleaned["campaign"],
                case=case,
                **form.subject(),
            )
        except DomainError as error:
            if is_refusal(error):
                raise
            form.add_service_error(error)
        else:
            messages.success(request, _("The referral is sent."))
            return redirect("enforcement:referral_detail", pk=referral.pk)
    return render(
        request,
        "enforcement/referral_new.html",
        {"form": form, "search": _search_form(request), "case": case},
    )


# --- blacklist --------------------------------------------------------------------------------------


def _case_by_number(user, number: str):
    if not number or not user.has_perm(selectors.VIEW_CASE):
        return None
    return selectors.case_list(user).filter(number=number.strip()).first()


def _blacklist_add(request, form):
    if not form.is_valid():
        return None
    cleaned = form.cleaned_data
    case = _case_by_number(request.user, cleaned["case_number"])
    if cleaned["case_number"] and case is None:
        form.add_error("case_number", _("No such case."))
        return None
    try:
        services.blacklist_add(
            user=request.user,
            case=case,
            reason=cleaned["reason"],
            listed_on=cleaned["listed_on"],
            punishment_scope=cleaned["punishment_scope"],
            until=cleaned["until"],
            **form.subject(),
        )
    except DomainError as error:
        if is_refusal(error):
            raise
        form.add_service_error(error)
        return None
    messages.success(request, _("The subject is on the blacklist."))
    return redirect("enforcement:blacklist")


def _blacklist_remove(request, entry_id, form):
    if form is None or not form.is_valid():
        return None
    try:
        services.blacklist_remove(
            user=request.user,
            entry_id=entry_id,
            removed_on=form.cleaned_data["removed_on"],
            reason=form.cleaned_data["reason"],
        )
    except DomainError as error:
        if is_refusal(error):
            raise
        form.add_service_error(error)
        return None
    messages.success(request, _("The entry is removed from the blacklist."))
    return redirect("enforcement:blacklist")


@login_required
def blacklist(request):
    user = request.user
    active = list(selectors.blacklist_list(user, active=True))
    inactive = list(selectors.blacklist_list(user, active=False))
    may_manage = user.has_perm("enforcement.manage_blacklist")
    posted = request.POST.get("action") if request.method == "POST" else None
    if posted is not None and not may_manage:
        raise NotAllowed()
    posted_entry = request.POST.get("entry", "") if posted == "remove" else ""
    add_form = None
    remove_forms = {}
    if may_manage:
        add_form = BlacklistAddForm(
            request.POST if posted == "add" else None,
            prefix="add",
            initial={"listed_on": timezone.localdate()},
            **_subject_choices(request),
        )
        today = timezone.localdate()
        for entry in active:
            data = request.POST if str(entry.pk) == posted_entry else None
            remove_forms[entry.pk] = BlacklistRemoveForm(
                data, prefix=f"remove-{entry.pk}", initial={"removed_on": today}
            )
    done = None
    if posted == "add":
        done = _blacklist_add(request, add_form)
    elif posted == "remove":
        if posted_entry.isdigit() and int(posted_entry) not in remove_forms:
            selectors.blacklist_get(user, int(posted_entry))  # one out of scope is missing
            messages.error(request, _("Only an entry in force can be removed."))
            return redirect("enforcement:blacklist")
        done = _blacklist_remove(request, int(posted_entry or 0), remove_forms.get(int(posted_entry or 0)))
    if done is not None:
        return done
    return render(
        request,
        "enforcement/blacklist.html",
        {
            "active": [{"entry": entry, "remove_form": remove_forms.get(entry.pk)} for entry in active],
            "inactive": inactive,
            "add_form": add_form,
            "search": _search_form(request),
        },
    )


@login_required
def blacklist_export(request):
    """The joint-punishment workbook of the entries in force that the user may see."""
    today = timezone.localdate()
    entries = selectors.blacklist_list(request.user, active=True, on=today).order_by("listed_on", "pk")
    response = HttpResponse(exports.joint_punishment_workbook(entries, on=today), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="blacklist-{today:%Y-%m-%d}.xlsx"'
    return response


# --- bad-conduct points -----------------------------------------------------------------------------


@login_required
def credit(request):
    this_year = timezone.localdate().year
    form = YearForm(request.GET or None, initial={"year": this_year})
    year = form.cleaned_data["year"] if form.is_valid() else this_year
    totals = selectors.credit_totals(request.user, year=year)
    return render(request, "enforcement/credit.html", {"form": form, "year": year, "totals": totals})
