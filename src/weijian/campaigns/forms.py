from django import forms
from django.utils.translation import gettext_lazy as _

from weijian.core.models import DivisionLevel
from weijian.core.selectors import divisions_visible_to


class _DivisionField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.name}"


class CampaignFromTemplateForm(forms.Form):
    """Start a campaign of a division and a year from a template (专项行动模板)."""

    template = forms.ModelChoiceField(label=_("Template"), queryset=None, to_field_name="template_code")
    division = _DivisionField(label=_("division"), queryset=None)
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)

    def __init__(self, *args, templates, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = templates
        self.fields["division"].queryset = divisions_visible_to(user).filter(
            level__in=[DivisionLevel.COUNTY, DivisionLevel.TOWNSHIP]
        )
