from django import forms
from django.utils.translation import gettext_lazy as _

from weijian.rectification.models import HazardLevel

from .models import AnswerType


class _InstitutionField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.organisation.name


class InspectionStartForm(forms.Form):
    """Start a self-inspection (institution users, their own institution) or an on-site inspection
    (regulators, institutions in their scope); the checklist's current version is used."""

    campaign = forms.ModelChoiceField(label=_("campaign"), queryset=None)
    institution = _InstitutionField(label=_("inspected institution"), queryset=None)
    checklist = forms.ModelChoiceField(label=_("checklist"), queryset=None)
    inspected_on = forms.DateField(
        label=_("inspection date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, campaigns, institutions, checklists, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns
        self.fields["institution"].queryset = institutions
        self.fields["checklist"].queryset = checklists


YES_NO = {"1": True, "0": False}


class InspectionEntryForm(forms.Form):
    """Every item of a checklist on one page: an input per item by its answer type, and for a
    FOUND item the fields to record the hazard found there."""

    def __init__(self, *args, sections, answers, **kwargs):
        super().__init__(*args, **kwargs)
        self.sections = sections
        self.answers = answers
        self.item_errors: dict[int, list[str]] = {}
        for section in sections:
            for item in section.items.all():
                self._add_item_fields(item, answers.get(item.pk))

    def _add_item_fields(self, item, answer) -> None:
        key = item.pk
        if item.answer_type in (AnswerType.FOUND, AnswerType.YES_NO):
            choices = (
                [("0", _("Not found")), ("1", _("Found"))]
                if item.answer_type == AnswerType.FOUND
                else [("1", _("Yes")), ("0", _("No"))]
            )
            self.fields[f"found_{key}"] = forms.ChoiceField(
                label=item.text, choices=choices, required=False, widget=forms.RadioSelect
            )
            if answer is not None and answer.found is not None:
                self.initial[f"found_{key}"] = "1" if answer.found else "0"
        if item.answer_type == AnswerType.NUMBER:
            self.fields[f"number_{key}"] = forms.DecimalField(
                label=item.text, required=False, max_digits=14, decimal_places=2
            )
            if answer is not None:
                self.initial[f"number_{key}"] = answer.number
        label = _("What was found") if item.answer_type == AnswerType.FOUND else _("Answer")
        if item.answer_type in (AnswerType.FOUND, AnswerType.TEXT):
            self.fields[f"text_{key}"] = forms.CharField(
                label=label, required=False, widget=forms.Textarea(attrs={"rows": 2})
            )
            if answer is not None:
                self.initial[f"text_{key}"] = answer.text
        if item.requires_evidence:
            self.fields[f"evidence_{key}"] = forms.FileField(label=_("evidence"), required=False)
        if item.answer_type == AnswerType.FOUND:
            self.fields[f"hazard_level_{key}"] = forms.ChoiceField(
                label=_("Record a hazard of level"),
                choices=[("", _("No hazard")), *HazardLevel.choices],
                required=False,
            )
            self.fields[f"hazard_location_{key}"] = forms.CharField(
                label=_("location or department"), max_length=100, required=False
            )
            self.fields[f"hazard_description_{key}"] = forms.CharField(
                label=_("Hazard description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
            )

    def rows(self):
        """(section, [(item, [bound answer fields], [bound hazard fields], answer)]) for the template."""
        for section in self.sections:
            items = []
            for item in section.items.all():
                names = [
                    f"{prefix}_{item.pk}"
                    for prefix in ("found", "number", "text", "evidence")
                    if f"{prefix}_{item.pk}" in self.fields
                ]
                hazard = [
                    f"hazard_{part}_{item.pk}"
                    for part in ("level", "location", "description")
                    if f"hazard_{part}_{item.pk}" in self.fields
                ]
                items.append(
                    {
                        "item": item,
                        "fields": [self[name] for name in names],
                        "hazard_fields": [self[name] for name in hazard],
                        "answer": self.answers.get(item.pk),
                        "errors": self.item_errors.get(item.pk, []),
                    }
                )
            yield section, items

    def entered(self, item) -> dict | None:
        """The answer entered for an item as service arguments, or None when nothing was entered."""
        data = self.cleaned_data
        key = item.pk
        found = YES_NO.get(data.get(f"found_{key}") or "")
        number = data.get(f"number_{key}")
        text = data.get(f"text_{key}") or ""
        evidence = data.get(f"evidence_{key}")
        if found is None and number is None and not text.strip() and not evidence:
            return None
        return {"found": found, "number": number, "text": text, "evidence": evidence}

    def hazard(self, item) -> dict | None:
        """The hazard to record for a FOUND item, or None when no level was chosen."""
        data = self.cleaned_data
        level = data.get(f"hazard_level_{item.pk}")
        if not level:
            return None
        return {
            "level": level,
            "location": data.get(f"hazard_location_{item.pk}") or "",
            "description": data.get(f"hazard_description_{item.pk}") or "",
        }


class InspectionSubmitForm(forms.Form):
    unit_head_name = forms.CharField(label=_("head of the inspected unit"), max_length=50)


class SamplingDrawForm(forms.Form):
    seed = forms.IntegerField(label=_("seed"), min_value=0, max_value=2**63 - 1)
    team_size = forms.IntegerField(label=_("Team size"), min_value=1, max_value=10, required=False)
