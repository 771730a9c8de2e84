"""Department lists and their reconciliation: upload a list, start a comparison, follow its progress.

The comparison runs as a django-tasks task (in-process by default, so the page usually shows the result
at once; with a queue backend the run's progress shows until it is done).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from weijian.core.errors import DomainError, is_refusal
from weijian.core.models import Division, DivisionLevel
from weijian.core.permissions import require
from weijian.core.selectors import divisions_visible_to

from . import listio, selectors, services, tasks
from .models import DepartmentList, ListSource, MismatchKind, Reconciliation, RunState


class ListUploadForm(forms.Form):
    source = forms.ChoiceField(label=gettext_lazy("List"), choices=ListSource.choices)
    division = forms.ModelChoiceField(label=gettext_lazy("Area"), queryset=Division.objects.none())
    file = forms.FileField(label=gettext_lazy("File (xlsx or csv)"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["division"].queryset = divisions_visible_to(user).filter(
            level__in=(DivisionLevel.COUNTY, DivisionLevel.TOWNSHIP)
        )


class ReconcileForm(forms.Form):
    division = forms.ModelChoiceField(label=gettext_lazy("Area"), queryset=Division.objects.none())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["division"].queryset = divisions_visible_to(user).filter(
            level__in=(DivisionLevel.COUNTY, DivisionLevel.TOWNSHIP)
        )


@login_required
def lists_page(request):
    """The lists imported for the user's area, an upload form, and the comparisons run."""
    require(request.user, "poverty.view_departmentlist")
    may_reconcile = request.user.has_perm("poverty.reconcile")
    upload = ListUploadForm(user=request.user)
    reconcile = ReconcileForm(user=request.user)
    problems = None
    if request.method == "POST" and may_reconcile:
        if "upload" in request.POST:
            upload = ListUploadForm(request.POST, request.FILES, user=request.user)
            if upload.is_valid():
                data = upload.cleaned_data
                try:
                    rows = listio.read_list(data["file"], data["file"].name, area=data["division"])
                    services.list_import(
                        request.user,
                        source=data["source"],
                        division=data["division"],
                        file_name=data["file"].name,
                        rows=rows,
                    )
                except listio.ListFileError as error:
                    problems = error.problems
                except DomainError as error:
                    if is_refusal(error):
                        raise
                    upload.add_error(None, error.message)
                else:
                    messages.success(request, _("%(count)d rows imported.") % {"count": len(rows)})
                    return redirect("poverty:lists")
        elif "reconcile" in request.POST:
            reconcile = ReconcileForm(request.POST, user=request.user)
            if reconcile.is_valid():
                try:
                    run = services.reconciliation_start(
                        request.user, division=reconcile.cleaned_data["division"]
                    )
                except DomainError as error:
                    if is_refusal(error):
                        raise
                    reconcile.add_error(None, error.message)
                else:
                    tasks.reconcile_area.enqueue(run.pk, request.user.pk)
                    return redirect("poverty:lists")
    lists = DepartmentList.objects.visible_to(request.user).select_related("division", "imported_by")[:50]
    runs = Reconciliation.objects.visible_to(request.user).select_related("division")[:20]
    latest = next((run for run in runs if run.state == RunState.DONE), None)
    quality = selectors.reconciliation_quality(request.user, latest) if latest is not None else None
    return render(
        request,
        "poverty/lists/lists.html",
        {
            "lists": lists,
            "runs": runs,
            "upload": upload,
            "reconcile": reconcile,
            "problems": problems,
            "may_reconcile": may_reconcile,
            "latest": latest,
            "quality": quality,
            "kinds": MismatchKind.choices,
        },
    )
