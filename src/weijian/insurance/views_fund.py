"""The scheme office's pages: households and enrolment, collection progress with the government
subsidies, the fund report, the village notice board (报销公示栏) and policy versions.

Views only translate HTTP into selector and service calls; every read starts from the user's scope.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from weijian.core.errors import DomainError, NotAllowed, NotVisible, is_refusal
from weijian.core.models import Division, DivisionLevel
from weijian.core.permissions import require
from weijian.core.selectors import divisions_visible_to

from . import disclosure, selectors, services
from .engine.money import fen_to_yuan
from .forms_fund import (
    CollectionFilterForm,
    CollectiveContributionForm,
    EnrolForm,
    FundFilterForm,
    HouseholdFilterForm,
    HouseholdForm,
    MemberFormSet,
    NoticeBoardForm,
    PolicyPublishForm,
    default_coverage_year,
)
from .models import GOVERNMENT_PAYERS, Contribution, Enrolment, PayerType, SpecialGroup, SubFund

PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RECEIVE_SUBSIDIES = "receive_subsidies"


def _params(form) -> dict:
    return form.cleaned_data if form.is_bound and form.is_valid() else {}


def _counties(user):
    return divisions_visible_to(user).filter(level=DivisionLevel.COUNTY)


def _default_scheme(user) -> Division:
    """The county whose scheme the user works for: their organisation's, else the first they see."""
    organisation = getattr(user, "organisation", None)
    if organisation is not None:
        try:
            county = services.scheme_of(organisation.division)
        except DomainError:
            county = None
        if county is not None and _counties(user).filter(pk=county.pk).exists():
            return county
    county = _counties(user).first()
    if county is None:
        raise NotVisible()
    return county


# --- households -------------------------------------------------------------------------------------------


@login_required
def household_list(request):
    user = request.user
    require(user, "insurance.view_household")
    divisions = divisions_visible_to(user).filter(level__in=(DivisionLevel.TOWNSHIP, DivisionLevel.VILLAGE))
    filters = HouseholdFilterForm(request.GET or None, divisions=divisions)
    params = _params(filters)
    found = selectors.households(
        user, division=params.get("division"), query=params.get("q", "").strip()
    ).annotate(member_count=Count("members"))
    # Meta.ordering does not apply to a grouped query.
    found = found.order_by("division__code", "number")
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "insurance/fund/household_list.html",
        {"filters": filters, "page": page, "can_add": user.has_perm("insurance.add_household")},
    )


def _show_register_error(form, members, filled, error: DomainError) -> None:
    """A member's error (field `members[n].name`, n counted over the filled rows) goes on that row."""
    field = error.field or ""
    if field.startswith("members[") and "]" in field:
        index_text, _sep, member_field = field[len("members[") :].partition("]")
        member_field = member_field.lstrip(".")
        if index_text.isdigit() and 0 < int(index_text) <= len(filled):
            row = filled[int(index_text) - 1][1]
            on_field = member_field if member_field in row.fields else None
            row.add_error(on_field, str(error.message))
            # The service's message already names the member ("Member 2: …"); repeat it above the form.
            form.add_error(None, str(error.message))
            return
    form.add_error(field if field in form.fields else None, str(error.message))


@login_required
def household_new(request):
    user = request.user
    require(user, "insurance.add_household")
    villages = divisions_visible_to(user).filter(level=DivisionLevel.VILLAGE)
    form = HouseholdForm(request.POST or None, villages=villages)
    members = MemberFormSet(request.POST or None, prefix="members")
    if request.method == "POST" and form.is_valid() and members.is_valid():
        # Row numbers as the user sees them; blank rows are skipped.
        filled = [(number, row) for number, row in enumerate(members.forms, start=1) if row.is_filled]
        data = form.cleaned_data
        try:
            household = services.household_register(
                user,
                division=data["division"],
                number=data["number"].strip(),
                head_name=data["head_name"].strip(),
                address=data["address"].strip(),
                members=[row.member_fields() for _number, row in filled],
            )
        except DomainError as error:
            if is_refusal(error):
                raise
            _show_register_error(form, members, filled, error)
        else:
            messages.success(request, _("Household %(number)s registered.") % {"number": household.number})
            return redirect("insurance:household_detail", pk=household.pk)
    return render(request, "insurance/fund/household_new.html", {"form": form, "members": members})


def _covered_members(household, members, year: int) -> list:
    """Members whose personal share the civil-affairs fund pays under the policy for the year."""
    try:
        version = selectors.policy_version_in_force(household.division, dt.date(year, 1, 1))
        groups = selectors.engine_policy(version).financing.civil_affairs_groups
    except DomainError:
        return [m for m in members if m.certified_group != SpecialGroup.NONE]
    return [m for m in members if m.certified_group in groups]


@login_required
def household_detail(request, pk):
    user = request.user
    require(user, "insurance.view_household")
    household = selectors.household_get(user, pk)
    today = timezone.localdate()
    enrol_form = None
    if user.has_perm("insurance.add_enrolment"):
        enrol_form = EnrolForm(
            request.POST or None,
            initial={"year": default_coverage_year(today), "paid_on": today},
        )
        if request.method == "POST" and enrol_form.is_valid():
            data = enrol_form.cleaned_data
            try:
                services.household_enrol(
                    user,
                    household,
                    year=data["year"],
                    paid_on=data["paid_on"],
                    receipt_number=data["receipt_number"].strip(),
                    civil_affairs_receipt=data["civil_affairs_receipt"].strip(),
                )
            except DomainError as error:
                if is_refusal(error):
                    raise
                field = error.field if error.field in enrol_form.fields else None
                enrol_form.add_error(field, str(error.message))
            else:
                messages.success(
                    request,
                    _("Household %(number)s enrolled for %(year)d.")
                    % {"number": household.number, "year": data["year"]},
                )
                return redirect("insurance:household_detail", pk=household.pk)
    elif request.method == "POST":
        raise NotAllowed()
    members = list(household.members.all())
    enrolled_years: dict[int, set[int]] = {}
    for member_id, year in (
        Enrolment.objects.visible_to(user).filter(household=household).values_list("member_id", "year")
    ):
        enrolled_years.setdefault(year, set()).add(member_id)
    year = default_coverage_year(today)
    if enrol_form is not None and enrol_form.is_bound and enrol_form.is_valid():
        year = enrol_form.cleaned_data["year"]
    return render(
        request,
        "insurance/fund/household_detail.html",
        {
            "household": household,
            "members": [
                {"member": m, "years": sorted(y for y, ids in enrolled_years.items() if m.pk in ids)}
                for m in members
            ],
            "enrolments": [
                {"year": y, "count": len(ids), "complete": len(ids) == len(members)}
                for y, ids in sorted(enrolled_years.items(), reverse=True)
            ],
            "contributions": Contribution.objects.visible_to(user).filter(household=household),
            "enrol_form": enrol_form,
            "covered": _covered_members(household, members, year),
        },
    )


@login_required
def member_photo(request, pk, member_pk):
    """Upload (POST) or show (GET) a member's photo; photos are served only to those who may see the member."""
    user = request.user
    require(user, "insurance.view_household")
    household = selectors.household_get(user, pk)
    member = household.members.filter(pk=member_pk).first()
    if member is None:
        raise NotVisible()
    if request.method == "POST":
        photo = request.FILES.get("photo")
        try:
            if photo is None:
                raise services.InvalidFinancing.required("photo")
            services.member_photo_set(user, member, photo)
        except DomainError as error:
            if is_refusal(error):
                raise
            messages.error(request, f"{member.name}: {error.message}")
        else:
            messages.success(request, _("Photo of %(name)s saved.") % {"name": member.name})
        return redirect("insurance:household_detail", pk=household.pk)
    if not member.photo:
        raise NotVisible()
    return FileResponse(member.photo.open("rb"), content_type=_photo_type(member.photo.name))


def _photo_type(name: str) -> str:
    return "image/png" if name.lower().endswith(".png") else "image/jpeg"


# --- collection -------------------------------------------------------------------------------------------


def _collection_query(year: int, area: Division) -> str:
    return urlencode({"year": year, "division": area.pk})


def _subsidies(user, county: Division, year: int, enrolled: int) -> list[dict]:
    """Each government level's subsidy for the year: due from the enrolled headcount, and received."""
    received = dict(
        Contribution.objects.visible_to(user)
        .filter(year=year, division=county, payer_type__in=GOVERNMENT_PAYERS)
        .values_list("payer_type")
        .annotate(Sum("amount"))
    )
    try:
        version = selectors.policy_version_in_force(county, dt.date(year, 1, 1))
        rates = selectors.engine_policy(version).financing.subsidy
    except DomainError:
        rates = {}
    return [
        {
            "payer": payer,
            "label": PayerType(payer).label,
            "due": fen_to_yuan(rates.get(payer, 0) * enrolled),
            # SQLite sums drop the scale; amounts are shown with two places.
            "received": received.get(payer, Decimal(0)).quantize(Decimal("0.01")),
        }
        for payer in GOVERNMENT_PAYERS
    ]


@login_required
def collection(request):
    user = request.user
    require(user, "insurance.view_enrolment")
    today = timezone.localdate()
    areas = divisions_visible_to(user).filter(level__in=(DivisionLevel.COUNTY, DivisionLevel.TOWNSHIP))
    source = request.POST if request.method == "POST" else (request.GET or None)
    filters = CollectionFilterForm(source, divisions=areas)
    if filters.is_bound and "division" in filters.errors and source.get("division"):
        raise NotVisible()
    params = _params(filters)
    year = params.get("year") or default_coverage_year(today)
    area = params.get("division") or _default_scheme(user)
    if request.method == "POST":
        if not filters.is_valid():
            # Never receive for a year or area the clerk did not choose.
            messages.error(request, _("Choose the coverage year and the county."))
            return redirect("insurance:collection")
        return _receive_subsidies(request, area, year)
    filters = CollectionFilterForm(
        request.GET or None, divisions=areas, initial={"year": year, "division": area}
    )
    progress = error = None
    try:
        progress = selectors.collection_progress(user, area, year, today=today)
    except DomainError as failure:
        if is_refusal(failure):
            raise
        error = failure.message
    subsidies = None
    if progress is not None and area.level == DivisionLevel.COUNTY:
        subsidies = _subsidies(user, area, year, progress.total.enrolled)
    return render(
        request,
        "insurance/fund/collection.html",
        {
            "filters": filters,
            "area": area,
            "year": year,
            "progress": progress,
            "error": error,
            "subsidies": subsidies,
            "can_receive": user.has_perm("insurance.add_contribution") and area.level == DivisionLevel.COUNTY,
            "collective_form": _collective_form(user, None, year, area),
        },
    )


def _collective_form(user, data, year: int, area: Division):
    if not user.has_perm("insurance.add_contribution"):
        return None
    divisions = divisions_visible_to(user).filter(
        level__in=(DivisionLevel.TOWNSHIP, DivisionLevel.VILLAGE), code__startswith=area.prefix
    )
    return CollectiveContributionForm(
        data, divisions=divisions, initial={"year": year, "paid_on": timezone.localdate()}
    )


@login_required
def collective_contribution(request):
    """Record a collective's support (POST from the collection page)."""
    user = request.user
    require(user, "insurance.add_contribution")
    if request.method != "POST":
        return redirect("insurance:collection")
    form = _collective_form(
        user, request.POST, default_coverage_year(timezone.localdate()), _default_scheme(user)
    )
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))
        return redirect("insurance:collection")
    data = form.cleaned_data
    try:
        contribution = services.collective_contribution(
            user,
            division=data["division"],
            year=data["year"],
            amount=data["amount"],
            paid_on=data["paid_on"],
            receipt_number=data["receipt_number"],
        )
    except DomainError as error:
        if is_refusal(error):
            raise
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            _("Recorded %(amount)s yuan from the collective of %(division)s (receipt %(receipt)s).")
            % {
                "amount": contribution.amount,
                "division": contribution.division.name,
                "receipt": contribution.receipt_number,
            },
        )
    return redirect(
        f"{reverse('insurance:collection')}?{_collection_query(data['year'], _default_scheme(user))}"
    )


def _receive_subsidies(request, area: Division, year: int):
    user = request.user
    require(user, "insurance.add_contribution")
    if request.POST.get("action") != RECEIVE_SUBSIDIES:
        raise NotAllowed()
    try:
        received = services.subsidy_receive(user, county=area, year=year, paid_on=timezone.localdate())
    except DomainError as error:
        if is_refusal(error):
            raise
        messages.error(request, str(error.message))
    else:
        if received:
            for contribution in received:
                messages.success(
                    request,
                    _("Received %(payer)s: %(amount)s yuan for %(count)d persons (receipt %(receipt)s).")
                    % {
                        "payer": contribution.get_payer_type_display(),
                        "amount": contribution.amount,
                        "count": contribution.headcount,
                        "receipt": contribution.receipt_number,
                    },
                )
        else:
            messages.info(request, _("Nothing new to receive: the subsidies match the enrolled headcount."))
    return redirect(f"{reverse('insurance:collection')}?{_collection_query(year, area)}")


# --- the fund -----------------------------------------------------------------------------------------------


def _fund_report(request):
    user = request.user
    require(user, "insurance.view_ledgerentry")
    today = timezone.localdate()
    filters = FundFilterForm(request.GET or None, schemes=_counties(user))
    if filters.is_bound and "scheme" in filters.errors and request.GET.get("scheme"):
        raise NotVisible()
    params = _params(filters)
    year = params.get("year") or today.year
    scheme = params.get("scheme") or _default_scheme(user)
    report = selectors.fund_report(user, scheme, year, today=today)
    filters = FundFilterForm(
        request.GET or None, schemes=_counties(user), initial={"year": year, "scheme": scheme}
    )
    return filters, report


@login_required
def fund_report(request):
    try:
        filters, report = _fund_report(request)
    except DomainError as error:
        if is_refusal(error):
            raise
        return render(request, "insurance/fund/fund_report.html", {"error": error.message})
    return render(
        request,
        "insurance/fund/fund_report.html",
        {
            "filters": filters,
            "report": report,
            "payers": [(payer, PayerType(payer).label) for payer in disclosure.PAYER_HEADERS],
            "balance": sum(report.balance_by_pool.values(), Decimal("0.00")),
            "pools": [
                {"pool": pool, "label": SubFund(pool).label, "amount": amount}
                for pool, amount in report.balance_by_pool.items()
            ],
            "rows": [
                {"month": month, "values": values}
                for month, values in zip(report.months, disclosure.fund_rows(report), strict=True)
            ],
            "query": request.GET.urlencode(),
        },
    )


@login_required
def fund_report_xlsx(request):
    _filters, report = _fund_report(request)
    response = HttpResponse(disclosure.fund_report_workbook(report), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="fund-{report.scheme.pk}-{report.year}.xlsx"'
    return response


def _percent(part, whole) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


# --- disclosure ---------------------------------------------------------------------------------------------


def _notice_board(request):
    user = request.user
    require(user, "insurance.view_settlement")
    villages = divisions_visible_to(user).filter(level=DivisionLevel.VILLAGE)
    form = NoticeBoardForm(request.GET or None, villages=villages)
    if form.is_bound and "village" in form.errors and request.GET.get("village"):
        raise NotVisible()
    params = _params(form)
    village = params.get("village") or villages.first()
    if village is None:
        raise NotVisible()
    month = params.get("month") or timezone.localdate().replace(day=1)
    board = selectors.notice_board(user, village, month)
    form = NoticeBoardForm(
        request.GET or None, villages=villages, initial={"village": village, "month": board.month}
    )
    return form, board


@login_required
def notice_board(request):
    form, board = _notice_board(request)
    return render(
        request,
        "insurance/fund/notice_board.html",
        {
            "form": form,
            "board": board,
            "enrolment_rate": _percent(board.enrolled, board.members),
            "query": urlencode({"village": board.village.pk, "month": f"{board.month:%Y-%m}"}),
        },
    )


@login_required
def notice_board_xlsx(request):
    _form, board = _notice_board(request)
    response = HttpResponse(disclosure.notice_board_workbook(board), content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="notice-board-{board.village.pk}-{board.month:%Y-%m}.xlsx"'
    )
    return response


# --- policy versions ----------------------------------------------------------------------------------------


@login_required
def policy_list(request):
    user = request.user
    require(user, "insurance.view_policyversion")
    return render(
        request,
        "insurance/fund/policy_list.html",
        {
            "versions": selectors.policy_versions(user).select_related("created_by"),
            "can_publish": user.has_perm("insurance.edit_policy"),
        },
    )


def _policy_get(user, pk) -> object:
    version = selectors.policy_versions(user).select_related("created_by").filter(pk=pk).first()
    if version is None:
        raise NotVisible()
    return version


@login_required
def policy_detail(request, pk):
    user = request.user
    require(user, "insurance.view_policyversion")
    return render(
        request,
        "insurance/fund/policy_detail.html",
        {"version": _policy_get(user, pk), "can_publish": user.has_perm("insurance.edit_policy")},
    )


@login_required
def policy_new(request):
    user = request.user
    require(user, "insurance.edit_policy")
    regions = divisions_visible_to(user).filter(
        level__in=(DivisionLevel.PROVINCE, DivisionLevel.CITY, DivisionLevel.COUNTY)
    )
    initial = {}
    source = None
    if request.GET.get("from", "").isdigit():
        source = _policy_get(user, int(request.GET["from"]))
        initial = {"document": source.document, "division": source.division}
    form = PolicyPublishForm(request.POST or None, divisions=regions, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            version = services.policy_publish(
                user, document=data["document"], division=data["division"], note=data["note"].strip()
            )
        except DomainError as error:
            if is_refusal(error):
                raise
            form.add_error(error.field if error.field in form.fields else None, str(error.message))
        else:
            messages.success(request, _("Published %(version)s.") % {"version": version})
            return redirect("insurance:policy_detail", pk=version.pk)
    return render(request, "insurance/fund/policy_new.html", {"form": form, "source": source})
