"""The small GET form under each official form on the campaign's forms page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from weijian.core.models import Division, DivisionLevel
from weijian.core.scope import scope_of
from weijian.inspections.models import Inspection, InspectionStatus

from .forms import FormSpec

# Villages are left out of the choice; the command line takes any division.
CHOICE_LEVELS = (DivisionLevel.PROVINCE, DivisionLevel.CITY, DivisionLevel.COUNTY, DivisionLevel.TOWNSHIP)
INSPECTION_CHOICES = 200


def division_choices(user, campaign):
    """Divisions of the campaign's subtree that the user's data scope covers."""
    scope = scope_of(user)
    qs = Division.objects.filter(level__in=CHOICE_LEVELS).order_by("code")
    if campaign.division_id:
        qs = qs.filter(code__startswith=campaign.division.prefix)
    if scope.everything:
        return qs
    if scope.division_prefix is None:
        return qs.none()
    return qs.filter(code__startswith=scope.division_prefix)


class ReportRequestForm(forms.Form):
    division = forms.ModelChoiceField(
        label=_("division"), queryset=Division.objects.none(), to_field_name="code"
    )
    date_from = forms.DateField(
        label=_("from"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label=_("to"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    fmt = forms.ChoiceField(label=_("format"))
    by_child = forms.BooleanField(label=_("one sheet per child division"), required=False)
    inspection = forms.ModelChoiceField(
        label=_("inspection"), queryset=Inspection.objects.none(), required=False
    )

    def __init__(self, *args, spec: FormSpec, user, campaign, **kwargs):
        kwargs.setdefault("auto_id", f"id_{spec.code}_%s")
        super().__init__(*args, **kwargs)
        self.spec = spec
        divisions = division_choices(user, campaign)
        self.fields["division"].queryset = divisions
        if campaign.division_id and "division" not in self.initial:
            self.initial["division"] = (
                divisions.filter(code=campaign.division_id).first() or divisions.first()
            )
        self.fields["fmt"].choices = [(f, f) for f in spec.formats]
        self.initial.setdefault("fmt", spec.formats[0])
        if not spec.rolls_up:
            del self.fields["by_child"]
        if spec.needs_inspection:
            self.fields["inspection"].required = True
            self.fields["inspection"].queryset = (
                Inspection.objects.visible_to(user)
                .filter(campaign=campaign, status=InspectionStatus.SUBMITTED)
                .select_related("institution__organisation")
                .order_by("-inspected_on", "-pk")
            )
            # A long campaign has many inspections; the list offers the latest ones.
            self.fields["inspection"].choices = [("", "---------")] + [
                (i.pk, f"{i.inspected_on:%Y-%m-%d} {i.institution.organisation.name}")
                for i in self.fields["inspection"].queryset[:INSPECTION_CHOICES]
            ]
        else:
            del self.fields["inspection"]
        if spec.needs_inspection:
            del self.fields["date_from"]
            del self.fields["date_to"]
