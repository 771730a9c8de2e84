from django import forms
from django.utils.translation import gettext_lazy as _

from .models import HazardLevel, HazardState
from .workflow import Action


class _CampaignField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.year or ''} {obj.name}".strip()


class HazardFilterForm(forms.Form):
    campaign = _CampaignField(label=_("campaign"), queryset=None, required=False, empty_label=_("All"))
    level = forms.ChoiceField(
        label=_("level"), required=False, choices=[("", _("All")), *HazardLevel.choices]
    )
    state = forms.ChoiceField(
        label=_("state"), required=False, choices=[("", _("All")), *HazardState.choices]
    )

    def __init__(self, *args, campaigns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns


class ActionForm(forms.Form):
    """An action with nothing to enter but an optional note (list, start, verify_pass, look_back)."""

    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class PlanForm(ActionForm):
    """The five elements of a rectification plan (五落实)."""

    responsible_person = forms.CharField(label=_("responsible person"), max_length=50)
    measures = forms.CharField(label=_("measures"), widget=forms.Textarea(attrs={"rows": 3}))
    funding = forms.DecimalField(label=_("funding (yuan)"), max_digits=14, decimal_places=2, min_value=0)
    deadline = forms.DateField(
        label=_("deadline"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    contingency_plan = forms.CharField(label=_("contingency plan"), widget=forms.Textarea(attrs={"rows": 3}))
    field_order = ["responsible_person", "measures", "funding", "deadline", "contingency_plan", "note"]


class CompleteForm(ActionForm):
    completion_evidence = forms.CharField(
        label=_("completion evidence"), widget=forms.Textarea(attrs={"rows": 3})
    )
    field_order = ["completion_evidence", "note"]


class VerifyFailForm(ActionForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
    field_order = ["reason", "note"]


class CloseForm(ActionForm):
    closed_on = forms.DateField(
        label=_("closed on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    field_order = ["closed_on", "note"]


FORM_OF_ACTION = {
    Action.PLAN: PlanForm,
    Action.COMPLETE: CompleteForm,
    Action.VERIFY_FAIL: VerifyFailForm,
    Action.CLOSE: CloseForm,
}


def action_form(action: str, data=None) -> ActionForm:
    """The form of one workflow action, prefixed with the action so several sit on one page."""
    return FORM_OF_ACTION.get(action, ActionForm)(data, prefix=action)
