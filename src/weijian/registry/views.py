"""Registry pages. Views only translate HTTP into selector and service calls."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django_tasks import TaskResultStatus

from weijian.core.errors import InvalidRecord
from weijian.core.permissions import require

from . import selectors, services
from .forms import (
    EnterpriseFilterForm,
    EnterpriseForm,
    ImportForm,
    InstitutionFilterForm,
    InstitutionForm,
    PractitionerFilterForm,
    PractitionerForm,
)

PAGE_SIZE = 50


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _apply_service(form, action) -> bool:
    """Run a service with the form's data; put domain validation errors back on the form."""
    try:
        action(form.cleaned_data)
    except InvalidRecord as error:
        for field, field_messages in error.errors.items():
            for message in field_messages:
                form.add_error(field if field in form.fields else None, message)
        return False
    return True


def _edit(request, pk, *, model: str, form_class, update):
    """The edit page of a registry record: role check, scoped read, form, then the update service."""
    require(request.user, f"registry.change_{model}")
    record = getattr(selectors, f"{model}_get")(request.user, pk)
    form = form_class(request.POST or None, instance=record, user=request.user)
    if request.method == "POST" and form.is_valid() and _apply_service(form, update):
        messages.success(request, _("Saved."))
        return redirect(f"registry:{model}_detail", pk=pk)
    return render(
        request,
        "registry/edit.html",
        {"form": form, "record": record, "back": (f"registry:{model}_detail", pk)},
    )


@login_required
def institution_list(request):
    filters = InstitutionFilterForm(request.GET or None)
    params = filters.cleaned_data if filters.is_valid() else {}
    institutions = selectors.institution_list(
        request.user,
        q=params.get("q", ""),
        institution_type=params.get("institution_type", ""),
        division=params.get("division", ""),
    )
    return render(
        request,
        "registry/institution_list.html",
        {
            "filters": filters,
            "page": _page(request, institutions),
        },
    )


@login_required
def institution_detail(request, pk):
    institution = selectors.institution_get(request.user, pk)
    return render(
        request,
        "registry/institution_detail.html",
        {
            "institution": institution,
            "service_lines": institution.service_lines.all(),
            "can_change": request.user.has_perm("registry.change_institution"),
            "can_view_history": request.user.has_perm("core.view_auditentry"),
            "practitioners": (
                _page(request, selectors.practitioner_list(request.user, institution=institution))
                if request.user.has_perm("registry.view_practitioner")
                else None
            ),
        },
    )


@login_required
def institution_edit(request, pk):
    return _edit(
        request,
        pk,
        model="institution",
        form_class=InstitutionForm,
        update=lambda data: services.institution_update(user=request.user, institution_id=pk, **data),
    )


@login_required
def practitioner_list(request):
    filters = PractitionerFilterForm(request.GET or None)
    params = filters.cleaned_data if filters.is_valid() else {}
    practitioners = selectors.practitioner_list(
        request.user, q=params.get("q", ""), category=params.get("category", "")
    )
    return render(
        request,
        "registry/practitioner_list.html",
        {
            "filters": filters,
            "page": _page(request, practitioners),
        },
    )


@login_required
def practitioner_detail(request, pk):
    practitioner = selectors.practitioner_get(request.user, pk)
    return render(
        request,
        "registry/practitioner_detail.html",
        {
            "practitioner": practitioner,
            "additional_sites": practitioner.additional_sites.select_related("organisation"),
            "can_change": request.user.has_perm("registry.change_practitioner"),
            "can_view_history": request.user.has_perm("core.view_auditentry"),
        },
    )


@login_required
def practitioner_edit(request, pk):
    return _edit(
        request,
        pk,
        model="practitioner",
        form_class=PractitionerForm,
        update=lambda data: services.practitioner_update(user=request.user, practitioner_id=pk, **data),
    )


@login_required
def enterprise_list(request):
    filters = EnterpriseFilterForm(request.GET or None)
    params = filters.cleaned_data if filters.is_valid() else {}
    enterprises = selectors.enterprise_list(request.user, q=params.get("q", ""), kind=params.get("kind", ""))
    return render(
        request,
        "registry/enterprise_list.html",
        {
            "filters": filters,
            "page": _page(request, enterprises),
        },
    )


@login_required
def enterprise_detail(request, pk):
    enterprise = selectors.enterprise_get(request.user, pk)
    return render(
        request,
        "registry/enterprise_detail.html",
        {
            "enterprise": enterprise,
            "can_change": request.user.has_perm("registry.change_enterprise"),
            "can_view_history": request.user.has_perm("core.view_auditentry"),
        },
    )


@login_required
def enterprise_edit(request, pk):
    return _edit(
        request,
        pk,
        model="enterprise",
        form_class=EnterpriseForm,
        update=lambda data: services.enterprise_update(user=request.user, enterprise_id=pk, **data),
    )


@login_required
def import_page(request):
    """Upload a file; the import runs as a task (in-process by default) and its report is shown."""
    from . import imports, tasks

    require(request.user, "registry.import_registry")
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        stored = tasks.store_upload(form.cleaned_data["file"])
        result = tasks.import_registry_file.enqueue(
            form.cleaned_data["kind"],
            str(stored),
            request.user.pk,
            form.cleaned_data["dry_run"],
            form.cleaned_data["file"].name,
        )
        if result.status == TaskResultStatus.FAILED:
            messages.error(
                request, _("The file could not be read: save it as xlsx or UTF-8 csv from the template.")
            )
        elif result.is_finished:
            report = result.return_value
        else:
            messages.info(request, _("The import is running; refresh this page to see its report."))
    return render(request, "registry/import.html", {"form": form, "report": report, "kinds": imports.KINDS})


@login_required
def import_template(request, kind: str):
    from . import imports

    require(request.user, "registry.import_registry")
    if kind not in imports.KINDS:
        from django.http import Http404

        raise Http404()
    response = HttpResponse(
        imports.template_workbook(kind),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="weijian-{kind}-template.xlsx"'
    return response
