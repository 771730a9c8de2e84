"""Forms of the enforcement pages. They only parse what was posted; the services decide whether it
makes a valid record, and their errors are shown on the field they name."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from weijian.campaigns.models import ViolationCategory

from .models import CaseSource, CaseState, PenaltyKind, Procedure, VenueType
from .workflow import Action, ReplyAction

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SUBJECT_FIELDS = (
    "institution",
    "party_name",
    "party_is_person",
    "party_id_number",
    "party_address",
    "venue_type",
    "division",
)


def date_field(label, *, required: bool = True) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DATE_WIDGET)


def note_field() -> forms.CharField:
    return forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class _CampaignField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.year or ''} {obj.name}".strip()


class _DivisionField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class _InstitutionField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.organisation.name


class _OrganisationField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class ServiceErrors:
    """Shows a service's error on the field it names, or above the form when the form has no such
    field. `SERVICE_FIELDS` maps the service's field names to the form's where they differ."""

    SERVICE_FIELDS: dict[str, str] = {}

    def add_service_error(self, error) -> None:
        field = self.SERVICE_FIELDS.get(error.field or "", error.field)
        self.add_error(field if field in self.fields else None, str(error.message))


class SubjectForm(ServiceErrors, forms.Form):
    """Who the record is about: a registered institution, or a party the registry does not know,
    found in a division."""

    institution = _InstitutionField(label=_("institution"), queryset=None, required=False)
    party_name = forms.CharField(label=_("or a party not in the registry"), max_length=200, required=False)
    party_is_person = forms.BooleanField(label=_("the party is a person"), required=False)
    party_id_number = forms.CharField(label=_("ID number or credit code"), max_length=18, required=False)
    party_address = forms.CharField(label=_("address"), max_length=200, required=False)
    venue_type = forms.ChoiceField(label=_("venue"), required=False, choices=[("", "—"), *VenueType.choices])
    division = _DivisionField(label=_("division where it was found"), queryset=None, required=False)

    def __init__(self, *args, institutions, divisions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions
        self.fields["division"].queryset = divisions

    def subject(self) -> dict:
        return {name: self.cleaned_data[name] for name in SUBJECT_FIELDS}


# --- lists ------------------------------------------------------------------------------------------


class CaseFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    state = forms.ChoiceField(label=_("state"), required=False, choices=[("", _("All")), *CaseState.choices])
    campaign = _CampaignField(label=_("campaign"), queryset=None, required=False, empty_label=_("All"))
    category = forms.ModelChoiceField(
        label=_("violation category"),
        queryset=ViolationCategory.objects.all(),
        required=False,
        empty_label=_("All"),
    )
    source = forms.ChoiceField(
        label=_("source"), required=False, choices=[("", _("All")), *CaseSource.choices]
    )
    typical = forms.TypedChoiceField(
        label=_("typical case"),
        required=False,
        choices=[("", _("All")), ("yes", _("Typical cases")), ("no", _("Other cases"))],
        coerce=lambda value: {"yes": True, "no": False}.get(value),
        empty_value=None,
    )

    def __init__(self, *args, campaigns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns


class CampaignFilterForm(forms.Form):
    campaign = _CampaignField(label=_("campaign"), queryset=None, required=False, empty_label=_("All"))

    def __init__(self, *args, campaigns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns


class InstitutionSearchForm(forms.Form):
    """Narrows the institution list of a subject form (by name, pinyin, credit code or licence)."""

    find = forms.CharField(label=_("Find an institution"), required=False, max_length=100)


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("year"), min_value=1900, max_value=2099)


# --- records ----------------------------------------------------------------------------------------


class CaseOpenForm(SubjectForm):
    category = forms.ModelChoiceField(label=_("violation category"), queryset=ViolationCategory.objects.all())
    title = forms.CharField(label=_("title"), max_length=200)
    source = forms.ChoiceField(label=_("source"), choices=CaseSource.choices)
    opened_on = date_field(_("lead recorded on"))
    campaign = _CampaignField(label=_("campaign"), queryset=None, required=False)
    facts = forms.CharField(
        label=_("illegal facts"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    # Set from the complaint the case is opened from; the view reads it again through the selector.
    complaint = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # A link that does not fit the source is shown on the source.
    SERVICE_FIELDS = {"complaint": "source", "referral": "source", "inspection": "source"}
    field_order = [
        "complaint",
        "category",
        "title",
        "source",
        "opened_on",
        "campaign",
        *SUBJECT_FIELDS,
        "facts",
    ]

    def __init__(self, *args, campaigns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns


class SiteCheckForm(SubjectForm):
    campaign = _CampaignField(label=_("campaign"), queryset=None)
    category = forms.ModelChoiceField(label=_("category"), queryset=None)
    checked_on = date_field(_("checked on"))
    violation_found = forms.BooleanField(label=_("violation found"), required=False)
    note = note_field()
    field_order = ["campaign", "category", "checked_on", *SUBJECT_FIELDS, "violation_found", "note"]

    def __init__(self, *args, campaigns, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns
        self.fields["category"].queryset = categories


class ReferralForm(SubjectForm):
    to_organisation = _OrganisationField(label=_("to"), queryset=None)
    category = forms.ModelChoiceField(label=_("category"), queryset=ViolationCategory.objects.all())
    facts = forms.CharField(label=_("facts"), widget=forms.Textarea(attrs={"rows": 4}))
    sent_on = date_field(_("sent on"))
    campaign = _CampaignField(label=_("campaign"), queryset=None, required=False)
    # The case referred, when one is; its subject is taken if none is named.
    case = forms.IntegerField(required=False, widget=forms.HiddenInput)
    field_order = ["case", "to_organisation", "category", "facts", "sent_on", "campaign", *SUBJECT_FIELDS]

    def __init__(self, *args, organisations, campaigns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_organisation"].queryset = organisations
        self.fields["campaign"].queryset = campaigns


class BlacklistAddForm(SubjectForm):
    case_number = forms.CharField(label=_("case number"), max_length=40, required=False)
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}))
    listed_on = date_field(_("listed on"))
    punishment_scope = forms.CharField(label=_("joint punishment scope"), max_length=200)
    until = date_field(_("listed until"), required=False)
    SERVICE_FIELDS = {"case": "case_number"}
    field_order = ["case_number", *SUBJECT_FIELDS, "reason", "listed_on", "punishment_scope", "until"]


class BlacklistRemoveForm(ServiceErrors, forms.Form):
    removed_on = date_field(_("removed on"))
    reason = forms.CharField(label=_("reason for removal"), max_length=200)


# --- the case page ----------------------------------------------------------------------------------


class ActionForm(ServiceErrors, forms.Form):
    """An action with nothing to enter but an optional note (verify, investigate, execute)."""

    note = note_field()


class DropForm(ActionForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
    field_order = ["reason", "note"]


class FileForm(ActionForm):
    procedure = forms.ChoiceField(label=_("procedure"), choices=Procedure.choices, widget=forms.RadioSelect)
    filed_on = date_field(_("filed on"))
    field_order = ["procedure", "filed_on", "note"]


class DecideForm(ActionForm):
    decided_on = date_field(_("penalty decided on"))
    facts = forms.CharField(label=_("illegal facts"), widget=forms.Textarea(attrs={"rows": 3}))
    law_violated = forms.CharField(label=_("law violated"), widget=forms.Textarea(attrs={"rows": 2}))
    penalty_basis = forms.CharField(label=_("penalty basis"), widget=forms.Textarea(attrs={"rows": 2}))
    field_order = ["decided_on", "facts", "law_violated", "penalty_basis", "note"]


class CloseForm(ActionForm):
    closed_on = date_field(_("closed on"))
    field_order = ["closed_on", "note"]


class HandOverForm(ActionForm):
    to_organisation = _OrganisationField(label=_("Hand over to"), queryset=None)
    facts = forms.CharField(
        label=_("facts (the case's when empty)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    sent_on = date_field(_("sent on (today when empty)"), required=False)
    field_order = ["to_organisation", "facts", "sent_on", "note"]

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_organisation"].queryset = organisations


class PenaltyForm(forms.Form):
    """One measure of a decision. A row left blank is skipped."""

    kind = forms.ChoiceField(label=_("measure"), choices=[("", "—"), *PenaltyKind.choices])
    amount = forms.DecimalField(
        label=_("amount (yuan)"), required=False, max_digits=14, decimal_places=2, min_value=0
    )
    description = forms.CharField(label=_("details"), max_length=200, required=False)
    on_person = forms.BooleanField(label=_("on a person"), required=False)


PenaltyFormSet = forms.formset_factory(PenaltyForm, extra=3, min_num=1, validate_min=True)

FORM_OF_ACTION = {
    Action.DROP: DropForm,
    Action.FILE: FileForm,
    Action.DECIDE: DecideForm,
    Action.CLOSE: CloseForm,
    Action.HAND_OVER: HandOverForm,
}


def action_form(action: str, data=None, **options) -> ActionForm:
    """The form of one case action, prefixed with the action so several sit on one page."""
    return FORM_OF_ACTION.get(action, ActionForm)(data, prefix=action, **options)


class TypicalForm(ServiceErrors, forms.Form):
    typical = forms.BooleanField(label=_("typical case"), required=False)
    narrative = forms.CharField(
        label=_("case narrative"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )


class JudicialTransferForm(ServiceErrors, forms.Form):
    receiving_body = forms.CharField(label=_("receiving body"), max_length=100)
    to_organisation = _OrganisationField(label=_("receiving organisation"), queryset=None, required=False)
    evidence = forms.CharField(
        label=_("evidence handed over, one item per line"), widget=forms.Textarea(attrs={"rows": 4})
    )
    sent_on = date_field(_("transferred on"))

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_organisation"].queryset = organisations

    def clean_evidence(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["evidence"].splitlines() if line.strip()]


# --- answers to referrals and transfers -------------------------------------------------------------


class AcknowledgeForm(ActionForm):
    acknowledged_on = date_field(_("acknowledged on"))
    field_order = ["acknowledged_on", "note"]


class AcceptForm(ActionForm):
    decided_on = date_field(_("accepted on"))
    field_order = ["decided_on", "note"]


class AcceptReferralForm(AcceptForm):
    open_case = forms.BooleanField(label=_("Open a case from it"), required=False)
    title = forms.CharField(label=_("case title (optional)"), max_length=200, required=False)
    field_order = ["decided_on", "open_case", "title", "note"]


class DeclineForm(ActionForm):
    decided_on = date_field(_("declined on"))
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
    field_order = ["decided_on", "reason", "note"]


class OutcomeForm(ActionForm):
    outcome = forms.CharField(label=_("outcome"), widget=forms.Textarea(attrs={"rows": 3}))
    outcome_on = date_field(_("outcome on"))
    field_order = ["outcome", "outcome_on", "note"]


FORM_OF_REPLY = {
    ReplyAction.ACKNOWLEDGE: AcknowledgeForm,
    ReplyAction.ACCEPT: AcceptForm,
    ReplyAction.DECLINE: DeclineForm,
    ReplyAction.REPORT_OUTCOME: OutcomeForm,
}


def reply_form(action: str, data=None, *, prefix: str, referral: bool = False) -> ActionForm:
    """The form of an answer to a referral (accepting one may open a case) or to a transfer."""
    form_class = AcceptReferralForm if referral and action == ReplyAction.ACCEPT else FORM_OF_REPLY[action]
    return form_class(data, prefix=prefix)
