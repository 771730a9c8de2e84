from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Channel, ComplaintCategory, ComplaintState, Satisfaction
from .workflow import Action

DATE_WIDGET = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class _CampaignField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.year or ''} {obj.name}".strip()


class _DivisionField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        # Townships are indented under their county, so the list reads as the map does.
        return f"— {obj.name}" if obj.level == "township" else obj.name


class ComplaintFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    state = forms.ChoiceField(
        label=_("state"), required=False, choices=[("", _("All")), *ComplaintState.choices]
    )
    category = forms.ModelChoiceField(
        label=_("complaint category"),
        queryset=ComplaintCategory.objects.all(),
        required=False,
        empty_label=_("All"),
    )
    campaign = _CampaignField(label=_("campaign"), queryset=None, required=False, empty_label=_("All"))
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args, campaigns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns


class _ComplaintFields(forms.Form):
    """What every intake asks: where, what about, and who complains (unless anonymous)."""

    category = forms.ModelChoiceField(label=_("complaint category"), queryset=ComplaintCategory.objects.all())
    subject_name = forms.CharField(label=_("complained about"), max_length=200, required=False)
    subject_address = forms.CharField(label=_("address"), max_length=200, required=False)
    content = forms.CharField(label=_("content"), widget=forms.Textarea(attrs={"rows": 6}))
    anonymous = forms.BooleanField(label=_("anonymous"), required=False)
    name = forms.CharField(label=_("complainant"), max_length=50, required=False)
    phone = forms.CharField(
        label=_("phone"), max_length=30, required=False, widget=forms.TextInput(attrs={"type": "tel"})
    )
    email = forms.EmailField(label=_("email"), max_length=100, required=False)

    # The service's field names for its errors, where they differ from the form's.
    SERVICE_FIELDS = {
        "complainant_name": "name",
        "complainant_phone": "phone",
        "complainant_email": "email",
    }

    def error_field(self, service_field: str | None) -> str | None:
        name = self.SERVICE_FIELDS.get(service_field or "", service_field)
        return name if name in self.fields else None


class PublicComplaintForm(_ComplaintFields):
    division = _DivisionField(label=_("where"), queryset=None, empty_label=None)
    # Left empty by people, who never see it; bots that fill every field give themselves away.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    field_order = [
        "division",
        "category",
        "subject_name",
        "subject_address",
        "content",
        "anonymous",
        "name",
        "phone",
        "email",
    ]

    def __init__(self, *args, divisions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["division"].queryset = divisions

    @property
    def is_bot(self) -> bool:
        return bool(self.cleaned_data.get("website"))


class IntakeForm(_ComplaintFields):
    channel = forms.ChoiceField(label=_("channel"), choices=Channel.choices)
    received_at = forms.DateTimeField(
        label=_("received"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    division = _DivisionField(label=_("division"), queryset=None)
    institution = forms.ModelChoiceField(
        label=_("institution complained about"), queryset=None, required=False
    )
    campaign = _CampaignField(label=_("campaign"), queryset=None, required=False)
    field_order = [
        "channel",
        "received_at",
        "division",
        "category",
        "institution",
        "subject_name",
        "subject_address",
        "content",
        "campaign",
        "anonymous",
        "name",
        "phone",
        "email",
    ]

    def __init__(self, *args, divisions, institutions, campaigns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["division"].queryset = divisions
        self.fields["institution"].queryset = institutions
        self.fields["campaign"].queryset = campaigns


class TrackForm(forms.Form):
    number = forms.CharField(label=_("number"), max_length=20)
    secret = forms.CharField(
        label=_("Phone, email or tracking key"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class CampaignForm(forms.Form):
    campaign = _CampaignField(label=_("campaign"), queryset=None, required=False, empty_label=_("None"))

    def __init__(self, *args, campaigns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns


# --- workflow actions ---------------------------------------------------------------------------------


class ActionForm(forms.Form):
    """An action with nothing to enter but an optional note (start_check)."""

    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class _UserField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return str(obj)


class AssignForm(ActionForm):
    handler = _UserField(label=_("handler"), queryset=None)
    field_order = ["handler", "note"]

    def __init__(self, *args, handlers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = handlers


class TransferForm(ActionForm):
    to_organisation = forms.ModelChoiceField(label=_("Transfer to"), queryset=None)
    field_order = ["to_organisation", "note"]

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_organisation"].queryset = organisations


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class HandleForm(ActionForm):
    substantiated = forms.TypedChoiceField(
        label=_("substantiated"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=_yes_no,
        widget=forms.RadioSelect,
    )
    result = forms.CharField(label=_("handling result"), widget=forms.Textarea(attrs={"rows": 3}))
    on_site_checked_on = forms.DateField(label=_("on-site check on"), required=False, **DATE_WIDGET)
    handled_on = forms.DateField(label=_("handled on"), required=False, **DATE_WIDGET)
    field_order = ["substantiated", "result", "on_site_checked_on", "handled_on", "note"]

    def __init__(self, *args, on_site_check_required: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on_site_checked_on"].required = on_site_check_required


class ReplyForm(ActionForm):
    reply = forms.CharField(label=_("reply"), widget=forms.Textarea(attrs={"rows": 4}))
    replied_on = forms.DateField(label=_("replied on"), required=False, **DATE_WIDGET)
    field_order = ["reply", "replied_on", "note"]


class RateForm(ActionForm):
    satisfaction = forms.ChoiceField(
        label=_("satisfaction"), choices=Satisfaction.choices, widget=forms.RadioSelect
    )
    field_order = ["satisfaction", "note"]


FORM_OF_ACTION = {
    Action.ASSIGN: AssignForm,
    Action.TRANSFER: TransferForm,
    Action.HANDLE: HandleForm,
    Action.REPLY: ReplyForm,
    Action.RATE: RateForm,
}


def action_form(action: str, data=None, **options) -> ActionForm:
    """The form of one workflow action, prefixed with the action so several sit on one page. `options`
    are the choices the form needs (handlers for assign, organisations for transfer, …)."""
    return FORM_OF_ACTION.get(action, ActionForm)(data, prefix=action, **options)
