"""Forms of the claim, settlement and statement pages. They check the shape of what is typed; the rules
of the scheme are the services' (their errors are put back on the field they name)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ClaimState, ClaimType

DATE_WIDGET = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
AMOUNT_FIELDS = (
    "total",
    "self_pay",
    "special_exam",
    "special_treatment",
    "blood",
    "special_material",
    "partial_items",
    "tcm_amount",
    "excluded_amount",
    "other_insurance_paid",
    "drug_cost",
    "off_formulary_drug_cost",
)
FLAG_FIELDS = ("specialist", "out_of_county", "referral", "migrant_certificate", "over_treatment")


def _amount(label, *, required=False):
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
    )


class _InstitutionField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.organisation.name


class PatientSearchForm(forms.Form):
    identifier = forms.CharField(
        label=_("Scheme card or ID number"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True}),
    )


class ClaimFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("state"), required=False, choices=[("", _("All")), *ClaimState.choices])


class ClaimForm(forms.Form):
    """A claim as the cashier copies it from the hospital's bill; `institution` only for scheme staff."""

    institution = _InstitutionField(label=_("institution"), queryset=None)
    claim_type = forms.ChoiceField(label=_("claim type"), choices=ClaimType.choices)
    admit_date = forms.DateField(label=_("admitted / visit date"), **DATE_WIDGET)
    discharge_date = forms.DateField(
        label=_("discharged"),
        required=False,
        help_text=_("Empty for a visit on one day."),
        **DATE_WIDGET,
    )
    disease = forms.CharField(label=_("disease"), max_length=60, required=False)
    chronic_disease = forms.CharField(label=_("chronic disease"), max_length=60, required=False)
    eyes = forms.IntegerField(label=_("eyes operated"), min_value=0, max_value=2, required=False, initial=0)
    total = _amount(_("total cost"), required=True)
    self_pay = _amount(_("self-pay items"))
    special_exam = _amount(_("special examinations"))
    special_treatment = _amount(_("special treatments"))
    blood = _amount(_("blood"))
    special_material = _amount(_("special materials"))
    partial_items = _amount(_("partly paid items"))
    tcm_amount = _amount(_("TCM services"))
    excluded_amount = _amount(_("excluded amounts"))
    other_insurance_paid = _amount(_("paid by other insurance"))
    drug_cost = _amount(_("drugs"))
    off_formulary_drug_cost = _amount(_("out-of-formulary drugs"))
    specialist = forms.BooleanField(label=_("specialist hospital"), required=False)
    out_of_county = forms.BooleanField(label=_("out of county"), required=False)
    referral = forms.BooleanField(label=_("referral"), required=False)
    migrant_certificate = forms.BooleanField(label=_("migrant / student certificate"), required=False)
    # One-stop settlement of a poor patient (seed-003 R3 L137, L139).
    major_disease = forms.CharField(
        label=_("major disease"),
        max_length=40,
        required=False,
        help_text=_("A code of the major-disease list (poor patients, level-2 and level-3 hospitals)."),
    )
    over_treatment = forms.BooleanField(label=_("over-treatment recorded"), required=False)

    def __init__(self, *args, institutions=None, **kwargs):
        super().__init__(*args, **kwargs)
        if institutions is None:
            del self.fields["institution"]
        else:
            self.fields["institution"].queryset = institutions

    def claim_fields(self) -> dict:
        """The cleaned data as `services.claim_enter` takes it (empty amounts are zero)."""
        data = dict(self.cleaned_data)
        data.pop("institution", None)
        data.pop("reason", None)
        for name in AMOUNT_FIELDS:
            if data.get(name) is None:
                data[name] = 0
        data["eyes"] = data.get("eyes") or 0
        if data.get("discharge_date") is None:
            data["discharge_date"] = data["admit_date"]
        return data

    def error_field(self, service_field: str | None) -> str | None:
        return service_field if service_field in self.fields else None

    @property
    def flag_names(self):
        return FLAG_FIELDS


class CorrectionForm(ClaimForm):
    reason = forms.CharField(label=_("reason for the correction"), max_length=200)
    field_order = ["reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, institutions=None, **kwargs)


class ReverseForm(forms.Form):
    reason = forms.CharField(label=_("reason for the reversal"), max_length=200)


class MonthField(forms.DateField):
    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    input_formats = ["%Y-%m", "%Y-%m-%d"]


class StatementFilterForm(forms.Form):
    month = MonthField(label=_("month"), required=False)


class StatementGenerateForm(forms.Form):
    institution = _InstitutionField(label=_("institution"), queryset=None)
    month = MonthField(label=_("month"))

    def __init__(self, *args, institutions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions


class PaymentForm(forms.Form):
    paid_on = forms.DateField(label=_("paid on"), **DATE_WIDGET)
