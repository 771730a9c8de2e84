"""Pages of health poverty alleviation: the registry of the poor with each person's record, the
follow-ups due, contracts and fulfilment, the reconciliation work items, village cover, check-up
campaigns, the indicator dashboard with its drill-down and the monthly summary (统计汇总表).

Village doctors and township staff use these pages on a phone. Views only translate HTTP into selector
and service calls; every read starts from the user's scope, and a record out of scope is a 404.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from weijian.core.errors import DomainError, NotAllowed, NotVisible, is_refusal
from weijian.core.models import Division, DivisionLevel
from weijian.core.permissions import require
from weijian.core.selectors import divisions_visible_to
from weijian.insurance import selectors as insurance_selectors
from weijian.insurance.models import ClaimState, Enrolment
from weijian.registry.models import Institution, InstitutionType, Practitioner

from . import exports, selectors, services, workflow
from .catalogue import catalogue
from .engine import kpi
from .forms import (
    CampaignForm,
    CheckupForm,
    ContractForm,
    CoverAssignForm,
    FollowUpForm,
    FulfilmentForm,
    MismatchFilterForm,
    PersonFilterForm,
    ResolveForm,
    SittingForm,
    StatusChangeForm,
    TeamForm,
    TeamMembersForm,
)
from .models import (
    Contract,
    ContractCategory,
    ContractState,
    DoctorTeam,
    Mismatch,
    MismatchKind,
    MismatchState,
    PersonCategory,
    PoorPerson,
    PopulationGroup,
    PovertyStatus,
    VillageCover,
)

PAGE_SIZE = 50
PENDING_SHOWN = 100
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Indicators are counts, read by whoever works on the registry's services or oversees them.
KPI_PERMISSION = "poverty.view_contract"
INDICATOR_LABELS = {
    kpi.CONTRACT: gettext_lazy("Contract rate (resident poor)"),
    kpi.FULFILMENT: gettext_lazy("Fulfilment last quarter"),
    kpi.FOLLOW_UP: gettext_lazy("Follow-ups on time"),
    kpi.CHECKUP: gettext_lazy("Check-up coverage"),
    kpi.IN_COUNTY: gettext_lazy("In-county treatment"),
    kpi.SELF_PAY: gettext_lazy("Self-pay share of cost"),
    kpi.ONE_STOP: gettext_lazy("One-stop settlement"),
    kpi.ENROLMENT: gettext_lazy("Insurance enrolment"),
}
# The indicators whose missing persons a village doctor can work through (selectors.kpi_people).
PEOPLE_INDICATORS = (kpi.CONTRACT, kpi.ENROLMENT, kpi.FOLLOW_UP, kpi.FULFILMENT, kpi.CHECKUP)
COVER_MONTHS = 6
# Chart geometry (SVG user units; the drawing scales to the screen width).
CHART_WIDTH, CHART_BAR, CHART_GROUP, CHART_TOP = 360, 280, 46, 24


def _params(form) -> dict:
    return form.cleaned_data if form.is_bound and form.is_valid() else {}


def _show_error(form, error: DomainError) -> None:
    """A domain error goes on the field it names, else above the form; a refusal becomes 403/404."""
    if is_refusal(error):
        raise error
    form.add_error(error.field if error.field in form.fields else None, str(error.message))


def _area_param(request) -> Division | None:
    code = request.GET.get("area", "").strip()
    if not code:
        return None
    area = Division.objects.filter(code=code).first()
    if area is None:
        raise NotVisible()
    return area


def _month_param(request, today: dt.date) -> dt.date:
    value = request.GET.get("month", "").strip()
    if value:
        try:
            return dt.datetime.strptime(value, "%Y-%m").date()
        except ValueError:
            messages.error(request, _("The month is written as YYYY-MM."))
    return today.replace(day=1)


def _months_back(today: dt.date, count: int) -> list[dt.date]:
    """The first days of the last `count` months, oldest first, this month last."""
    months = [today.replace(day=1)]
    while len(months) < count:
        months.append((months[-1] - dt.timedelta(days=1)).replace(day=1))
    return list(reversed(months))


def _percent_text(rate: kpi.Rate) -> str:
    percent = rate.percent(1)
    return "—" if percent is None else f"{percent}%"


def _target_text(target: kpi.Target | None) -> str:
    if target is None:
        return ""
    percent = (Decimal(target.share.numerator) * 100 / Decimal(target.share.denominator)).normalize()
    return f"{'≥' if target.direction == kpi.AT_LEAST else '≤'} {percent:f}%"


# --- registry ---------------------------------------------------------------------------------------------


@login_required
def person_list(request):
    user = request.user
    require(user, "poverty.view_poorperson")
    divisions = divisions_visible_to(user).filter(level__in=(DivisionLevel.TOWNSHIP, DivisionLevel.VILLAGE))
    filters = PersonFilterForm(request.GET or None, divisions=divisions)
    params = _params(filters)
    found = selectors.person_list(
        user,
        area=params.get("division"),
        status=params.get("status", ""),
        query=params.get("q", "").strip(),
    )
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    contracted = set(
        Contract.objects.visible_to(user)
        .filter(
            person_id__in=[person.pk for person in page],
            state=ContractState.ACTIVE,
            signed_on__lte=today,
            valid_until__gte=today,
        )
        .values_list("person_id", flat=True)
    )
    programmes = catalogue().programmes
    rows = [
        {
            "person": person,
            "contracted": person.pk in contracted,
            "programmes": [programmes[c].name if c in programmes else c for c in person.programmes],
        }
        for person in page
    ]
    return render(request, "poverty/person_list.html", {"filters": filters, "page": page, "rows": rows})


def _settled_claims(user, person: PoorPerson) -> list[dict] | None:
    """The person's settled claims with the one-stop layers, or None when the user may not see claims."""
    if person.member_id is None or not user.has_perm("insurance.view_claim"):
        return None
    claims = insurance_selectors.claims(user, state=ClaimState.SETTLED).filter(member_id=person.member_id)
    out = []
    for claim in claims.select_related("institution__organisation"):
        settlement = insurance_selectors.active_settlement(claim)
        if settlement is None:
            continue
        out.append(
            {
                "claim": claim,
                "settlement": settlement,
                "layers": [
                    (exports.LAYER_LABELS[name], getattr(settlement, name)) for name in selectors.LAYERS
                ],
            }
        )
    return out


def _named(follow_ups) -> list:
    programmes = catalogue().programmes
    out = list(follow_ups)
    for item in out:
        item.programme_name = (
            programmes[item.programme].name if item.programme in programmes else item.programme
        )
    return out


@login_required
def person_detail(request, pk):
    user = request.user
    require(user, "poverty.view_poorperson")
    person = selectors.person_detail(user, pk)
    today = timezone.localdate()
    cat = catalogue()
    contract = selectors.active_contract(person, today)
    enrolled = (
        person.member_id is not None
        and Enrolment.objects.filter(member_id=person.member_id, year=today.year).exists()
    )
    return render(
        request,
        "poverty/person_detail.html",
        {
            "person": person,
            "today": today,
            "categories": [PersonCategory(c).label for c in person.categories if c in PersonCategory.values],
            "programmes": [cat.programmes[c].name if c in cat.programmes else c for c in person.programmes],
            "chronic": [cat.name_of(c) for c in person.chronic_diseases],
            "major_disease": cat.name_of(person.major_disease) if person.major_disease else "",
            "enrolled": enrolled,
            "history": selectors.status_history(person),
            "contract": contract,
            "fulfilments": contract.fulfilments.all() if contract else [],
            "dues": selectors.person_follow_ups(person, today),
            "recent_follow_ups": _named(person.follow_ups.all()[:10]),
            "checkups": person.checkups.select_related("campaign"),
            "claims": _settled_claims(user, person),
            "layer_labels": [exports.LAYER_LABELS[name] for name in selectors.LAYERS],
            "can_manage": user.has_perm(workflow.PERMISSION),
            "can_record": user.has_perm("poverty.record_service") and person.status == PovertyStatus.POOR,
        },
    )


@login_required
def person_status(request, pk):
    user = request.user
    require(user, workflow.PERMISSION)
    person = selectors.person_detail(user, pk)
    form = StatusChangeForm(
        request.POST or None,
        actions=workflow.actions_from(person.status),
        initial={"effective_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = services.person_status_change(
                user, person, action=data["action"], effective_on=data["effective_on"], reason=data["reason"]
            )
        except DomainError as error:
            _show_error(form, error)
        else:
            messages.success(
                request,
                _("%(name)s: %(status)s from %(date)s.")
                % {"name": person.name, "status": person.get_status_display(), "date": data["effective_on"]},
            )
            return redirect("poverty:person_detail", pk=person.pk)
    return render(request, "poverty/person_status.html", {"person": person, "form": form})


# --- services recorded on a phone ---------------------------------------------------------------------------


def _record_page(request, person, form, title: str, submit: str, extra: dict | None = None):
    return render(
        request,
        "poverty/record_form.html",
        {"person": person, "form": form, "title": title, "submit": submit, **(extra or {})},
    )


@login_required
def follow_up_new(request, pk):
    user = request.user
    require(user, "poverty.record_service")
    person = selectors.person_detail(user, pk)
    form = FollowUpForm(
        request.POST or None, programmes=person.programmes, initial={"done_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.follow_up_record(
                user,
                person=person,
                programme=data["programme"],
                done_on=data["done_on"],
                method=data["method"],
                result=data["result"],
                note=data["note"],
            )
        except DomainError as error:
            _show_error(form, error)
        else:
            messages.success(
                request,
                _("Follow-up of %(name)s (%(programme)s) recorded.")
                % {
                    "name": person.name,
                    "programme": dict(form.fields["programme"].choices)[data["programme"]],
                },
            )
            return redirect("poverty:follow_ups")
    return _record_page(request, person, form, _("Record a follow-up"), _("Save the follow-up"))


@login_required
def fulfilment_new(request, pk):
    user = request.user
    require(user, "poverty.record_service")
    person = selectors.person_detail(user, pk)
    today = timezone.localdate()
    contract = selectors.active_contract(person, today)
    form = FulfilmentForm(request.POST or None, initial={"done_on": today})
    if contract is not None and request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.fulfilment_record(
                user,
                contract=contract,
                done_on=data["done_on"],
                content=data["content"],
                done=data["done"],
                reason_not_done=data["reason_not_done"],
            )
        except DomainError as error:
            _show_error(form, error)
        else:
            messages.success(request, _("Service to %(name)s recorded.") % {"name": person.name})
            return redirect("poverty:person_detail", pk=person.pk)
    return _record_page(
        request,
        person,
        form,
        _("Record a contracted service"),
        _("Save the service"),
        {"contract": contract, "blocked": contract is None},
    )


def _teams_serving(person: PoorPerson):
    """Active teams whose area contains the person's village: the village doctor is a member of one
    of them, even when the team belongs to the township hospital (outside the doctor's own scope)."""
    areas = [person.village, *person.village.ancestors()]
    return (
        DoctorTeam.objects.filter(active=True, division__in=areas)
        .select_related("institution__organisation")
        .order_by("name")
    )


@login_required
def contract_new(request, pk):
    user = request.user
    require(user, "poverty.record_service")
    person = selectors.person_detail(user, pk)
    category = (
        ContractCategory.REGISTERED_POOR
        if person.group == PopulationGroup.REGISTERED_POOR
        else ContractCategory.KEY_GROUP
    )
    form = ContractForm(
        request.POST or None,
        teams=_teams_serving(person),
        initial={"signed_on": timezone.localdate(), "category": category, "package": "basic"},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.contract_sign(
                user,
                person=person,
                team=data["team"],
                signed_on=data["signed_on"],
                category=data["category"],
                package=data["package"],
                valid_until=data["valid_until"],
            )
        except DomainError as error:
            _show_error(form, error)
        else:
            messages.success(
                request, _("%(name)s signed with %(team)s.") % {"name": person.name, "team": data["team"]}
            )
            return redirect("poverty:person_detail", pk=person.pk)
    return _record_page(request, person, form, _("Sign a family-doctor contract"), _("Sign"))


@login_required
def follow_ups(request):
    user = request.user
    require(user, "poverty.view_followup")
    show_all = request.GET.get("all") == "1"
    dues = selectors.follow_ups_due(user, today=timezone.localdate(), overdue_only=not show_all)
    page = Paginator(dues, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "poverty/follow_ups.html",
        {"page": page, "show_all": show_all, "can_record": user.has_perm("poverty.record_service")},
    )


# --- reconciliation work items ----------------------------------------------------------------------------


@login_required
def mismatch_list(request):
    user = request.user
    require(user, "poverty.view_mismatch")
    divisions = divisions_visible_to(user).filter(
        level__in=(DivisionLevel.COUNTY, DivisionLevel.TOWNSHIP, DivisionLevel.VILLAGE)
    )
    filters = MismatchFilterForm(
        request.GET or None, divisions=divisions, initial={"state": MismatchState.OPEN}
    )
    params = _params(filters)
    # Open items unless the user chose a state (an empty choice is "all"); the pager keeps the choice.
    state = params.get("state", "") if "state" in request.GET else MismatchState.OPEN
    items = selectors.mismatch_list(user, state=state, kind=params.get("kind", ""), area=params.get("area"))
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = selectors.mismatch_counts(user)
    return render(
        request,
        "poverty/mismatch_list.html",
        {
            "filters": filters,
            "page": page,
            "today": timezone.localdate(),
            "counts": [
                {"kind": kind, "label": label, "count": counts.get(kind, 0)}
                for kind, label in MismatchKind.choices
            ],
            "open_total": sum(counts.values()),
            "can_resolve": user.has_perm("poverty.resolve_mismatch"),
        },
    )


@login_required
def mismatch_resolve(request, pk):
    user = request.user
    require(user, "poverty.resolve_mismatch")
    mismatch = Mismatch.objects.visible_to(user).select_related("division", "owner").filter(pk=pk).first()
    if mismatch is None:
        raise NotVisible()
    form = ResolveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.mismatch_resolve(user, mismatch, resolution=form.cleaned_data["resolution"])
        except DomainError as error:
            _show_error(form, error)
        else:
            messages.success(request, _("Mismatch #%(pk)d resolved.") % {"pk": mismatch.pk})
            return redirect("poverty:mismatch_list")
    return render(request, "poverty/mismatch_resolve.html", {"mismatch": mismatch, "form": form})


# --- village cover ----------------------------------------------------------------------------------------


def _cover_forms(user, *, sitting=None, assign=None):
    today = timezone.localdate()
    can_edit = user.has_perm("poverty.add_villagecover")
    if not can_edit:
        return None, None
    covers = (
        VillageCover.objects.visible_to(user)
        .filter(until__isnull=True)
        .select_related("village", "practitioner")
        .order_by("village__code")
    )
    sitting = sitting or SittingForm(covers=covers, initial={"month": today.replace(day=1), "days": 8})
    assign = assign or CoverAssignForm(
        villages=divisions_visible_to(user).filter(level=DivisionLevel.VILLAGE),
        practitioners=Practitioner.objects.visible_to(user)
        .filter(registered_institution__institution_type=InstitutionType.TOWNSHIP_HOSPITAL)
        .order_by("name"),
        institutions=Institution.objects.visible_to(user)
        .filter(institution_type=InstitutionType.TOWNSHIP_HOSPITAL)
        .select_related("organisation"),
        initial={"since": today},
    )
    return sitting, assign


def _covers_page(request, *, sitting=None, assign=None):
    user = request.user
    months = _months_back(timezone.localdate(), COVER_MONTHS)
    sitting, assign = _cover_forms(user, sitting=sitting, assign=assign)
    return render(
        request,
        "poverty/covers.html",
        {
            "months": months,
            "covers": selectors.village_covers(user, months=months),
            "sitting_form": sitting,
            "assign_form": assign,
            "low": selectors.SITTING_DAYS[0],
            "high": selectors.SITTING_DAYS[1],
        },
    )


@login_required
def covers(request):
    require(request.user, "poverty.view_villagecover")
    return _covers_page(request)


@login_required
def sitting_new(request):
    user = request.user
    require(user, "poverty.add_villagecover")
    if request.method != "POST":
        return redirect("poverty:covers")
    empty, _assign = _cover_forms(user)
    form = SittingForm(request.POST, covers=empty.fields["cover"].queryset)
    if form.is_valid():
        data = form.cleaned_data
        try:
            entry = services.sitting_record(user, cover=data["cover"], month=data["month"], days=data["days"])
        except DomainError as error:
            _show_error(form, error)
        else:
            messages.success(
                request,
                _("%(village)s, %(month)s: %(days)d days recorded.")
                % {
                    "village": data["cover"].village.name,
                    "month": f"{entry.month:%Y-%m}",
                    "days": entry.days,
                },
            )
            return redirect("poverty:covers")
    return _covers_page(request, sitting=form)


@login_required
def cover_assign(request):
    user = request.user
    require(user, "poverty.add_villagecover")
    if request.method != "POST":
        return redirect("poverty:covers")
    _sitting, empty = _cover_forms(user)
    form = CoverAssignForm(
        request.POST,
        villages=empty.fields["village"].queryset,
        practitioners=empty.fields["practitioner"].queryset,
        institutions=empty.fields["institution"].queryset,
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            cover = services.village_cover_assign(
                user,
                village=data["village"],
                practitioner=data["practitioner"],
                institution=data["institution"],
                since=data["since"],
                reason=data["reason"],
            )
        except DomainError as error:
            _show_error(form, error)
        else:
            messages.success(
                request,
                _("%(doctor)s covers %(village)s from %(date)s.")
                % {"doctor": cover.practitioner.name, "village": cover.village.name, "date": cover.since},
            )
            return redirect("poverty:covers")
    return _covers_page(request, assign=form)


# --- family-doctor teams -------------------------------------------------------------------------------------

# Teams belong to the primary-care institutions that sign contracts (seed-003 R3 L155).
TEAM_INSTITUTION_TYPES = (InstitutionType.TOWNSHIP_HOSPITAL, InstitutionType.COMMUNITY_CENTRE)


def _team_institutions(user):
    return (
        Institution.objects.visible_to(user)
        .filter(institution_type__in=TEAM_INSTITUTION_TYPES)
        .select_related("organisation__division")
        .order_by("organisation__division__code", "pk")
    )


def _team_candidates(user, institution: Institution, also=()):
    """The institution's own staff, then the village doctors of the clinics in its area (and anyone
    already in the team, so they can be taken out)."""
    return (
        Practitioner.objects.visible_to(user)
        .filter(
            Q(registered_institution=institution)
            | Q(
                registered_institution__institution_type=InstitutionType.VILLAGE_CLINIC,
                registered_institution__organisation__division__code__startswith=(
                    institution.organisation.division.prefix
                ),
            )
            | Q(pk__in=list(also))
        )
        .select_related("registered_institution__organisation__division")
        .order_by(
            "registered_institution__institution_type",
            "registered_institution__organisation__division__code",
            "name",
            "pk",
        )
    )


def _team_areas(user, institution: Institution):
    return (
        divisions_visible_to(user)
        .filter(
            level__in=(DivisionLevel.TOWNSHIP, DivisionLevel.VILLAGE),
            code__startswith=institution.organisation.division.prefix,
        )
        .order_by("code")
    )


def _chosen_institution(request, institutions) -> Institution | None:
    """The institution the new team belongs to: the one posted or picked, or the only one there is."""
    pk = request.POST.get("institution") or request.GET.get("institution")
    if pk:
        return institutions.filter(pk=pk).first() if str(pk).isdigit() else None
    return institutions.first() if institutions.count() == 1 else None


def _team_form(request, user) -> tuple[TeamForm | None, Institution | None, list[Institution]]:
    if not user.has_perm("poverty.add_doctorteam"):
        return None, None, []
    institutions = _team_institutions(user)
    institution = _chosen_institution(request, institutions)
    form = TeamForm(
        request.POST if request.method == "POST" else None,
        institutions=institutions,
        areas=_team_areas(user, institution) if institution else Division.objects.none(),
        candidates=_team_candidates(user, institution) if institution else [],
        initial={"institution": institution.pk if institution else None},
    )
    return form, institution, list(institutions)


@login_required
def teams(request):
    user = request.user
    require(user, "poverty.view_doctorteam")
    if request.method == "POST":
        require(user, "poverty.add_doctorteam")
    form, institution, institutions = _team_form(request, user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            team = services.team_create(
                user,
                institution=data["institution"],
                division=data["division"],
                name=data["name"],
                members=data["members"],
            )
        except DomainError as error:
            _show_error(form, error)
        else:
            messages.success(request, _("Team %(name)s created.") % {"name": team.name})
            return redirect(f"{reverse('poverty:teams')}#team-{team.pk}")
    return render(
        request,
        "poverty/teams.html",
        {
            "teams": selectors.team_list(user, today=timezone.localdate()),
            "form": form,
            "institution": institution,
            "institutions": institutions,
            "show_form": form is not None and (institution is not None or form.is_bound),
            "can_change": user.has_perm("poverty.change_doctorteam"),
        },
    )


def _visible_team(user, pk) -> DoctorTeam:
    team = DoctorTeam.objects.visible_to(user).select_related("institution__organisation", "division")
    team = team.filter(pk=pk).first()
    if team is None:
        raise NotVisible()
    return team


@login_required
def team_members(request, pk):
    user = request.user
    require(user, "poverty.change_doctorteam")
    team = _visible_team(user, pk)
    current = team.members.values_list("practitioner_id", flat=True)
    form = TeamMembersForm(
        request.POST or None, team=team, candidates=_team_candidates(user, team.institution, also=current)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.team_members_set(user, team, members=form.cleaned_data["members"])
        except DomainError as error:
            _show_error(form, error)
        else:
            messages.success(request, _("Members of %(name)s saved.") % {"name": team.name})
            return redirect(f"{reverse('poverty:teams')}#team-{team.pk}")
    return render(request, "poverty/teams.html", {"edit_team": team, "form": form, "show_form": True})


@login_required
def team_deactivate(request, pk):
    user = request.user
    require(user, "poverty.change_doctorteam")
    team = _visible_team(user, pk)
    if request.method == "POST":
        try:
            services.team_deactivate(user, team)
        except DomainError as error:
            if is_refusal(error):
                raise
            messages.error(request, str(error.message))
        else:
            messages.success(
                request, _("%(name)s is deactivated: it signs no new contracts.") % {"name": team.name}
            )
    return redirect(f"{reverse('poverty:teams')}#team-{team.pk}")


# --- check-ups ----------------------------------------------------------------------------------------------


def _campaign_form(user, data=None) -> CampaignForm | None:
    if not user.has_perm("poverty.add_checkupcampaign"):
        return None
    today = timezone.localdate()
    return CampaignForm(
        data,
        divisions=divisions_visible_to(user)
        .filter(level__in=(DivisionLevel.COUNTY, DivisionLevel.TOWNSHIP))
        .order_by("code"),
        initial={"starts_on": today, "ends_on": today + dt.timedelta(days=30)},
    )


@login_required
def checkups(request):
    return _checkups_page(request)


def _checkups_page(request, *, campaign_form: CampaignForm | None = None):
    user = request.user
    require(user, "poverty.view_checkupcampaign")
    today = timezone.localdate()
    campaigns = selectors.checkup_campaigns(user)
    # A campaign posted to its own view comes back here with its errors; the check-up form stays empty.
    posted = request.method == "POST" and campaign_form is None
    form = None
    if user.has_perm("poverty.record_service"):
        form = CheckupForm(
            request.POST if posted else None, campaigns=campaigns, initial={"examined_on": today}
        )
        if posted and form.is_valid():
            data = form.cleaned_data
            person = (
                PoorPerson.objects.visible_to(user)
                .filter(id_number=data["id_number"].strip().upper())
                .first()
            )
            if person is None:
                form.add_error("id_number", _("No poor person with this ID number in your area."))
            else:
                try:
                    services.checkup_record(
                        user, campaign=data["campaign"], person=person, examined_on=data["examined_on"]
                    )
                except DomainError as error:
                    _show_error(form, error)
                else:
                    messages.success(request, _("Check-up of %(name)s recorded.") % {"name": person.name})
                    return redirect(f"{reverse('poverty:checkups')}?campaign={data['campaign'].pk}")
    elif posted:
        raise NotAllowed()
    coverage = selectors.checkup_coverage(user, campaigns)
    selected = next(
        (item for item in coverage if str(item.campaign.pk) == request.GET.get("campaign")), None
    ) or next((item for item in coverage if item.campaign.starts_on <= today <= item.campaign.ends_on), None)
    return render(
        request,
        "poverty/checkups.html",
        {
            "coverage": coverage,
            "selected": selected,
            "pending": selected.pending[:PENDING_SHOWN] if selected else [],
            "form": form,
            "campaign_form": campaign_form or _campaign_form(user),
            "today": today,
            "open": bool(selected and selected.campaign.starts_on <= today <= selected.campaign.ends_on),
        },
    )


@login_required
def checkup_campaign_new(request):
    user = request.user
    require(user, "poverty.add_checkupcampaign")
    if request.method != "POST":
        return redirect("poverty:checkups")
    form = _campaign_form(user, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            campaign = services.checkup_campaign_create(
                user,
                name=data["name"],
                division=data["division"],
                target=data["target"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
            )
        except DomainError as error:
            _show_error(form, error)
        else:
            messages.success(request, _("Campaign %(name)s created.") % {"name": campaign.name})
            return redirect(f"{reverse('poverty:checkups')}?campaign={campaign.pk}")
    return _checkups_page(request, campaign_form=form)


# --- indicators -----------------------------------------------------------------------------------------------


def _targets(area: Division, today: dt.date) -> dict[str, kpi.Target]:
    targets = dict(kpi.TARGETS)
    targets[kpi.SELF_PAY] = selectors.self_pay_target(area, today)
    return targets


def _kpi_cells(row: selectors.KpiRow, targets, village: Division | None) -> list[dict]:
    cells = []
    for name in kpi.INDICATORS:
        rate = row.rates[name]
        people_url = None
        if village is not None and name in PEOPLE_INDICATORS and rate.denominator:
            people_url = (
                f"{reverse('poverty:kpi_people')}?{urlencode({'village': village.code, 'indicator': name})}"
            )
        cells.append(
            {
                "name": name,
                "rate": rate,
                "percent": _percent_text(rate),
                "status": kpi.status(rate, targets.get(name)),
                "people_url": people_url,
            }
        )
    return cells


def _chart(rows: list[selectors.KpiRow]) -> dict:
    """Horizontal bars of the contract and on-time follow-up rates per child area (inline SVG)."""
    groups = []
    for index, row in enumerate(rows):
        top = CHART_TOP + index * CHART_GROUP
        bars = []
        for offset, name in ((16, kpi.CONTRACT), (29, kpi.FOLLOW_UP)):
            rate = row.rates[name]
            value = rate.value or 0
            bars.append(
                {
                    "name": name,
                    "y": top + offset,
                    "width": round(float(min(value, 1)) * CHART_BAR, 1),
                    "text": _percent_text(rate),
                    "text_y": top + offset + 9,
                    "impossible": rate.impossible,
                }
            )
        groups.append({"label": row.division.name, "label_y": top + 12, "bars": bars})
    return {
        "width": CHART_WIDTH,
        "bar": CHART_BAR,
        "height": CHART_TOP + len(rows) * CHART_GROUP,
        "groups": groups,
    }


@login_required
def kpi_dashboard(request):
    user = request.user
    require(user, KPI_PERMISSION)
    today = timezone.localdate()
    area, rows, total = selectors.kpi_table(user, area=_area_param(request), today=today)
    targets = _targets(area, today)
    is_village = area.level == DivisionLevel.VILLAGE
    children = [
        {
            "division": row.division,
            "rates": row.rates,
            "cells": _kpi_cells(
                row, targets, row.division if row.division.level == DivisionLevel.VILLAGE else None
            ),
        }
        for row in rows
    ]
    parents = [
        division
        for division in area.ancestors()
        if division.level in (DivisionLevel.COUNTY, DivisionLevel.TOWNSHIP) and _may_read(user, division)
    ]
    return render(
        request,
        "poverty/kpi.html",
        {
            "area": area,
            "parents": parents,
            "indicators": [
                {"name": name, "label": INDICATOR_LABELS[name], "target": _target_text(targets.get(name))}
                for name in kpi.INDICATORS
            ],
            "rows": children,
            "total": {
                "division": area,
                "rates": total.rates,
                "cells": _kpi_cells(total, targets, area if is_village else None),
            },
            "chart": _chart(rows) if rows else None,
            "today": today,
        },
    )


def _may_read(user, division: Division) -> bool:
    try:
        selectors.area_for(user, division)
    except NotVisible:
        return False
    return True


@login_required
def kpi_people(request):
    user = request.user
    require(user, KPI_PERMISSION)
    indicator = request.GET.get("indicator", "")
    village = Division.objects.filter(
        code=request.GET.get("village", ""), level=DivisionLevel.VILLAGE
    ).first()
    if village is None or indicator not in PEOPLE_INDICATORS:
        raise NotVisible()
    today = timezone.localdate()
    persons = selectors.kpi_people(user, village=village, indicator=indicator, today=today)
    return render(
        request,
        "poverty/kpi_people.html",
        {
            "village": village,
            "indicator": indicator,
            "label": INDICATOR_LABELS[indicator],
            "persons": persons,
            "can_record": user.has_perm("poverty.record_service"),
            "can_view_person": user.has_perm("poverty.view_poorperson"),
        },
    )


# --- monthly report (统计汇总表) -------------------------------------------------------------------------------


def _report(request):
    user = request.user
    require(user, KPI_PERMISSION)
    month = _month_param(request, timezone.localdate())
    area, rows, total = selectors.monthly_report(user, area=_area_param(request), month=month)
    return area, month, rows, total


@login_required
def report(request):
    area, month, rows, total = _report(request)
    table = exports.report_table(rows, total)
    return render(
        request,
        "poverty/report.html",
        {
            "area": area,
            "month": month,
            "columns": exports.report_columns(),
            "rows": table["rows"],
            "total": table["total"],
            "check": table["check"],
            "query": urlencode({"area": area.code, "month": f"{month:%Y-%m}"}),
        },
    )


@login_required
def report_xlsx(request):
    area, month, rows, total = _report(request)
    response = HttpResponse(exports.report_workbook(area, month, rows, total), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="poverty-report-{area.code}-{month:%Y-%m}.xlsx"'
    return response
