from django import forms
from django.utils.translation import gettext_lazy as _

from weijian.core.selectors import divisions_visible_to

from .models import (
    Enterprise,
    EnterpriseKind,
    Institution,
    InstitutionType,
    Practitioner,
    PractitionerCategory,
)


class InstitutionFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Name, pinyin initials or code")}),
    )
    institution_type = forms.ChoiceField(
        label=_("Institution type"), required=False, choices=[("", _("All")), *InstitutionType.choices]
    )
    division = forms.CharField(label=_("Division code"), required=False)


class PractitionerFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Name, pinyin initials or ID number")}),
    )
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("All")), *PractitionerCategory.choices]
    )


class EnterpriseFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All")), *EnterpriseKind.choices]
    )


class _DivisionField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.name}"


class InstitutionForm(forms.ModelForm):
    name = forms.CharField(label=_("name"), max_length=200)
    credit_code = forms.CharField(label=_("unified social credit code"), max_length=18)
    division = _DivisionField(label=_("division"), queryset=None)

    class Meta:
        model = Institution
        fields = [
            "licence_number",
            "institution_type",
            "grade_level",
            "grade_class",
            "ownership",
            "for_profit",
            "beds",
            "service_lines",
            "insurance_designated",
            "medical_group",
            "head",
            "address",
            "phone",
            "licence_valid_until",
        ]
        widgets = {
            "service_lines": forms.CheckboxSelectMultiple,
            "licence_valid_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["division"].queryset = divisions_visible_to(user)
        if self.instance.pk:
            org = self.instance.organisation
            self.initial.update(name=org.name, credit_code=org.credit_code, division=org.division_id)


class PractitionerForm(forms.ModelForm):
    class Meta:
        model = Practitioner
        fields = [
            "name",
            "id_number",
            "category",
            "practice_category",
            "practice_scope",
            "qualification_certificate",
            "practice_certificate",
            "registered_institution",
            "additional_sites",
        ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        visible = Institution.objects.visible_to(user).select_related("organisation")
        self.fields["registered_institution"].queryset = visible
        self.fields["additional_sites"].queryset = visible

    def clean_id_number(self):
        # GB 11643 writes the check character as a capital X; people often type x.
        return self.cleaned_data["id_number"].strip().upper()


class EnterpriseForm(forms.ModelForm):
    division = _DivisionField(label=_("division"), queryset=None)

    class Meta:
        model = Enterprise
        fields = [
            "name",
            "credit_code",
            "kind",
            "division",
            "qualification",
            "qualification_valid_until",
            "legal_representative",
            "address",
        ]
        widgets = {"qualification_valid_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["division"].queryset = divisions_visible_to(user)


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What to import"),
        choices=[("institutions", _("Institutions")), ("practitioners", _("Practitioners"))],
    )
    file = forms.FileField(label=_("File (xlsx or csv)"))
    dry_run = forms.BooleanField(label=_("Check only, write nothing"), required=False, initial=True)
