"""Forms of the health poverty alleviation pages. Most are filled in on a phone by a village doctor or a
township hospital's staff: few fields, dates defaulting to today, choices as large radio buttons.
Choices of divisions, persons, teams and covers are always the ones the view passes in (the user's scope).
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from weijian.registry.models import InstitutionType

from .catalogue import catalogue
from .models import (
    CheckupTarget,
    ContractCategory,
    FollowUpMethod,
    FollowUpResult,
    MismatchKind,
    MismatchState,
    NotDoneReason,
    PovertyStatus,
    ServicePackage,
    StatusAction,
    TeamRole,
)

DATE_WIDGET = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
MONTH_WIDGET = {
    "input_formats": ["%Y-%m"],
    "widget": forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
}


class _DivisionField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        # Villages are indented under their township, so the list reads as the map does.
        indent = {"township": "— ", "village": "—— "}.get(obj.level, "")
        return f"{indent}{obj.name}"


class PersonFilterForm(forms.Form):
    q = forms.CharField(label=_("Name, ID number or household"), required=False, max_length=50)
    division = _DivisionField(
        label=_("township / village"), queryset=None, required=False, empty_label=_("All")
    )
    status = forms.ChoiceField(
        label=_("status"), choices=[("", _("All")), *PovertyStatus.choices], required=False
    )

    def __init__(self, *args, divisions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["division"].queryset = divisions


class StatusChangeForm(forms.Form):
    action = forms.ChoiceField(label=_("action"), widget=forms.RadioSelect)
    effective_on = forms.DateField(label=_("effective on"), **DATE_WIDGET)
    reason = forms.CharField(label=_("reason"), max_length=200, required=False)

    def __init__(self, *args, actions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [(action, StatusAction(action).label) for action in actions]


class FollowUpForm(forms.Form):
    programme = forms.ChoiceField(label=_("programme"), widget=forms.RadioSelect)
    done_on = forms.DateField(label=_("date"), **DATE_WIDGET)
    method = forms.ChoiceField(label=_("method"), choices=FollowUpMethod.choices, widget=forms.RadioSelect)
    result = forms.ChoiceField(label=_("result"), choices=FollowUpResult.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("findings"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, programmes, **kwargs):
        super().__init__(*args, **kwargs)
        cat = catalogue()
        self.fields["programme"].choices = [
            (code, cat.programmes[code].name if code in cat.programmes else code) for code in programmes
        ]
        if len(programmes) == 1:
            self.fields["programme"].initial = programmes[0]


class FulfilmentForm(forms.Form):
    done_on = forms.DateField(label=_("date"), **DATE_WIDGET)
    content = forms.CharField(label=_("service content"), max_length=200)
    done = forms.TypedChoiceField(
        label=_("done"),
        choices=[("1", _("Done")), ("0", _("Not done"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
        initial="1",
    )
    reason_not_done = forms.ChoiceField(
        label=_("why not done"),
        choices=[("", "—"), *NotDoneReason.choices],
        required=False,
    )


class ContractForm(forms.Form):
    team = forms.ModelChoiceField(label=_("team"), queryset=None, empty_label=None)
    signed_on = forms.DateField(label=_("signed on"), **DATE_WIDGET)
    category = forms.ChoiceField(label=_("population category"), choices=ContractCategory.choices)
    package = forms.ChoiceField(
        label=_("service package"), choices=ServicePackage.choices, widget=forms.RadioSelect
    )
    valid_until = forms.DateField(
        label=_("valid until"),
        required=False,
        help_text=_("Leave empty for one year."),
        **DATE_WIDGET,
    )

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams


class MismatchFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("state"), choices=[("", _("All")), *MismatchState.choices], required=False
    )
    kind = forms.ChoiceField(label=_("kind"), choices=[("", _("All")), *MismatchKind.choices], required=False)
    area = _DivisionField(label=_("area"), queryset=None, required=False, empty_label=_("All"))

    def __init__(self, *args, divisions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = divisions


class ResolveForm(forms.Form):
    resolution = forms.CharField(label=_("how it was resolved"), max_length=300)


class SittingForm(forms.Form):
    cover = forms.ModelChoiceField(label=_("village cover"), queryset=None, empty_label=None)
    month = forms.DateField(label=_("month"), **MONTH_WIDGET)
    days = forms.IntegerField(label=_("days at the village"), min_value=0, max_value=31)

    def __init__(self, *args, covers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cover"].queryset = covers
        self.fields["cover"].label_from_instance = lambda cover: (
            f"{cover.village.name} · {cover.practitioner.name}"
        )


class CoverAssignForm(forms.Form):
    village = _DivisionField(label=_("village"), queryset=None, empty_label=None)
    practitioner = forms.ModelChoiceField(label=_("covering doctor"), queryset=None, empty_label=None)
    institution = forms.ModelChoiceField(label=_("township hospital"), queryset=None, empty_label=None)
    since = forms.DateField(label=_("since"), **DATE_WIDGET)
    reason = forms.CharField(
        label=_("reason for the change"),
        max_length=200,
        required=False,
        help_text=_("Required when the village already has a covering doctor."),
    )

    def __init__(self, *args, villages, practitioners, institutions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages
        self.fields["practitioner"].queryset = practitioners
        self.fields["institution"].queryset = institutions
        self.fields["institution"].label_from_instance = lambda institution: institution.organisation.name


class CheckupForm(forms.Form):
    campaign = forms.ModelChoiceField(label=_("campaign"), queryset=None, empty_label=None)
    id_number = forms.CharField(label=_("resident ID number"), max_length=18)
    examined_on = forms.DateField(label=_("examined on"), **DATE_WIDGET)

    def __init__(self, *args, campaigns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns


# Staff of the team's institution take these roles; a village clinic's doctor joins as the village doctor.
STAFF_ROLES = (TeamRole.DOCTOR, TeamRole.NURSE, TeamRole.PUBLIC_HEALTH)
CLINIC_ROLES = (TeamRole.VILLAGE_DOCTOR,)


class _MemberRows(forms.Form):
    """One row per candidate practitioner with a role select ("—" leaves them out): one tap per person
    on a phone, and a member and a role always come together. `members` carries the rows' errors and,
    once clean, the chosen (practitioner, role) pairs."""

    members = forms.Field(required=False, widget=forms.HiddenInput)

    def _add_member_rows(self, candidates, roles: dict[int, str]) -> None:
        self.candidates = list(candidates)
        for practitioner in self.candidates:
            at_clinic = practitioner.registered_institution.institution_type == InstitutionType.VILLAGE_CLINIC
            choices = [(role.value, role.label) for role in (CLINIC_ROLES if at_clinic else STAFF_ROLES)]
            self.fields[f"role_{practitioner.pk}"] = forms.ChoiceField(
                label=practitioner.name,
                choices=[("", "—"), *choices],
                required=False,
                initial=roles.get(practitioner.pk, ""),
            )

    def member_rows(self):
        return [(practitioner, self[f"role_{practitioner.pk}"]) for practitioner in self.candidates]

    def head_fields(self):
        return [field for field in self.visible_fields() if not field.name.startswith("role_")]

    def _chosen(self) -> list[tuple]:
        return [
            (practitioner, self.cleaned_data[f"role_{practitioner.pk}"])
            for practitioner in self.candidates
            if self.cleaned_data.get(f"role_{practitioner.pk}")
        ]

    def _check_area(self, members, area, *, keep=frozenset()) -> None:
        """A village doctor serves the village of the clinic: the clinic lies in the area the team serves."""
        for practitioner, _role in members:
            clinic = practitioner.registered_institution
            if (
                practitioner.pk not in keep
                and clinic.institution_type == InstitutionType.VILLAGE_CLINIC
                and not area.contains(clinic.organisation.division.code)
            ):
                self.add_error(
                    "members",
                    _("%(name)s works at a village clinic outside the area served.")
                    % {"name": practitioner.name},
                )


class TeamForm(_MemberRows):
    institution = forms.ModelChoiceField(
        label=_("institution"), queryset=None, empty_label=None, widget=forms.HiddenInput
    )
    division = _DivisionField(label=_("area served"), queryset=None, empty_label=None)
    name = forms.CharField(label=_("team name"), max_length=100)

    def __init__(self, *args, institutions, areas, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions
        self.fields["division"].queryset = areas
        self._add_member_rows(candidates, {})

    def clean(self):
        data = super().clean()
        members = self._chosen()
        if not members:
            self.add_error("members", _("Give at least one member a role."))
        elif data.get("division") is not None:
            self._check_area(members, data["division"])
        data["members"] = members
        return data


class TeamMembersForm(_MemberRows):
    def __init__(self, *args, team, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.team = team
        self.current = {member.practitioner_id: member.role for member in team.members.all()}
        self._add_member_rows(candidates, self.current)

    def clean(self):
        data = super().clean()
        members = self._chosen()
        if not members:
            self.add_error("members", _("Give at least one member a role."))
        else:
            # Members already in the team stay even if their clinic is outside the area now.
            self._check_area(members, self.team.division, keep=frozenset(self.current))
        data["members"] = members
        return data


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("campaign name"), max_length=100)
    division = _DivisionField(label=_("area"), queryset=None, empty_label=None)
    target = forms.ChoiceField(
        label=_("target group"), choices=CheckupTarget.choices, widget=forms.RadioSelect
    )
    starts_on = forms.DateField(label=_("starts on"), **DATE_WIDGET)
    ends_on = forms.DateField(label=_("ends on"), **DATE_WIDGET)

    def __init__(self, *args, divisions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["division"].queryset = divisions
