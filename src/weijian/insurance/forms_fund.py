"""Forms of the scheme office's pages: households and enrolment, collection, the fund, disclosure and
policy versions. Choices of divisions are always the ones the view passes in (the user's subtree)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import SpecialGroup

DATE_WIDGET = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
MEMBER_ROWS = 8


class _DivisionField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        # Villages are indented under their township, so the list reads as the map does.
        indent = {"township": "— ", "village": "—— "}.get(obj.level, "")
        return f"{indent}{obj.name}"


def year_field(**kwargs):
    return forms.IntegerField(label=_("coverage year"), min_value=2000, max_value=2100, **kwargs)


class HouseholdFilterForm(forms.Form):
    q = forms.CharField(label=_("Household number or head"), required=False, max_length=50)
    division = _DivisionField(label=_("division"), queryset=None, required=False, empty_label=_("All"))

    def __init__(self, *args, divisions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["division"].queryset = divisions


class HouseholdForm(forms.Form):
    division = _DivisionField(label=_("village"), queryset=None)
    number = forms.CharField(label=_("household number"), max_length=30)
    head_name = forms.CharField(label=_("head of household"), max_length=50)
    address = forms.CharField(label=_("address"), max_length=200, required=False)

    def __init__(self, *args, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["division"].queryset = villages


class MemberForm(forms.Form):
    """One member row; a row without a name is skipped."""

    name = forms.CharField(label=_("name"), max_length=50, required=False)
    id_number = forms.CharField(label=_("ID number"), max_length=18, required=False)
    birth_date = forms.DateField(label=_("date of birth"), required=False, **DATE_WIDGET)
    relation = forms.CharField(label=_("relation to head"), max_length=20, required=False)
    special_group = forms.ChoiceField(
        label=_("special group"), choices=SpecialGroup.choices, initial=SpecialGroup.NONE, required=False
    )
    certificate_number = forms.CharField(label=_("special-group certificate"), max_length=40, required=False)
    card_number = forms.CharField(label=_("scheme card number"), max_length=30, required=False)

    @property
    def is_filled(self) -> bool:
        return bool(getattr(self, "cleaned_data", None) and self.cleaned_data.get("name"))

    def member_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"].strip(),
            "id_number": data["id_number"].strip().upper(),
            "birth_date": data["birth_date"],
            "relation": data["relation"].strip(),
            "special_group": data["special_group"] or SpecialGroup.NONE,
            "certificate_number": data["certificate_number"].strip(),
            "card_number": data["card_number"].strip(),
        }


MemberFormSet = forms.formset_factory(MemberForm, extra=MEMBER_ROWS, max_num=MEMBER_ROWS)


class EnrolForm(forms.Form):
    year = year_field()
    paid_on = forms.DateField(label=_("paid on"), **DATE_WIDGET)
    receipt_number = forms.CharField(label=_("receipt number"), max_length=40)
    civil_affairs_receipt = forms.CharField(
        label=_("civil-affairs receipt number"),
        max_length=40,
        required=False,
        help_text=_("Needed when a certified member's share is paid by the civil-affairs fund."),
    )


class CollectiveContributionForm(forms.Form):
    """Support from a village or township collective (集体扶持), never levied on farmers."""

    division = _DivisionField(label=_("collective of"), queryset=None, empty_label=None)
    year = year_field()
    amount = forms.DecimalField(label=_("amount (yuan)"), min_value=0, max_digits=14, decimal_places=2)
    paid_on = forms.DateField(label=_("paid on"), **DATE_WIDGET)
    receipt_number = forms.CharField(label=_("receipt number"), max_length=40)

    def __init__(self, *args, divisions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["division"].queryset = divisions


class CollectionFilterForm(forms.Form):
    year = year_field(required=False)
    division = _DivisionField(label=_("area"), queryset=None, required=False, empty_label=None)

    def __init__(self, *args, divisions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["division"].queryset = divisions


class FundFilterForm(forms.Form):
    year = year_field(required=False)
    scheme = _DivisionField(label=_("scheme (county)"), queryset=None, required=False, empty_label=None)

    def __init__(self, *args, schemes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scheme"].queryset = schemes


class NoticeBoardForm(forms.Form):
    village = _DivisionField(label=_("village"), queryset=None, required=False, empty_label=None)
    month = forms.DateField(
        label=_("month"),
        required=False,
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )

    def __init__(self, *args, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages


class PolicyPublishForm(forms.Form):
    document = forms.CharField(
        label=_("policy document (TOML)"), widget=forms.Textarea(attrs={"rows": 30, "spellcheck": "false"})
    )
    division = _DivisionField(label=_("region"), queryset=None, required=False, empty_label=_("Anywhere"))
    note = forms.CharField(label=_("what changed"), max_length=300, required=False)

    def __init__(self, *args, divisions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["division"].queryset = divisions


def default_coverage_year(today: dt.date) -> int:
    """Collection for a coverage year runs in the year before it (deadline 31 December), so from
    October on the office is collecting for next year."""
    return today.year + 1 if today.month >= 10 else today.year
