"""The subject of a check, case, referral or blacklist entry: who it is, which column it counts in."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from weijian.core.errors import InvalidInput
from weijian.core.textsearch import search_key

from .models import SubjectType


class InvalidSubject(InvalidInput):
    """A subject named ambiguously or without its division."""


def fill_subject(record) -> None:
    """Set `subject_type`, `subject_key` and `division` from what the record names.

    Exactly one of institution, practitioner or party name. A registered subject takes its division
    from the registry; a party needs the division it was found in. The key counts one subject once:
    registered ones by id, parties by division and normalised name (or ID number when given).
    """
    named = [bool(record.institution_id), bool(record.practitioner_id), bool(record.party_name.strip())]
    if sum(named) != 1:
        raise InvalidSubject(
            _("Name exactly one subject: an institution, a practitioner or a party not in the registry."),
            field="institution",
        )
    if record.institution_id:
        record.subject_type = SubjectType.ORGANISATION
        record.division = record.institution.organisation.division
        record.subject_key = f"i:{record.institution_id}"
    elif record.practitioner_id:
        record.subject_type = SubjectType.PERSON
        registered = record.practitioner.registered_institution
        if registered is not None:
            record.division = registered.organisation.division
        elif not record.division_id:
            raise InvalidSubject(_("Give the division where the practitioner was found."), field="division")
        record.subject_key = f"p:{record.practitioner_id}"
    else:
        if not record.division_id:
            raise InvalidSubject(_("Give the division where the party was found."), field="division")
        record.party_name = record.party_name.strip()
        record.subject_type = SubjectType.PERSON if record.party_is_person else SubjectType.ORGANISATION
        ident = record.party_id_number.strip().upper() or search_key(record.party_name).split("|")[0]
        record.subject_key = f"x:{record.division_id}:{ident}"[:120]


def mark_first_checks(campaign_id: int, category_id: str, subject_key: str) -> None:
    """Keep `first_of_subject` true on exactly the earliest check (by date, then entry) of a subject in
    a campaign and category. A check entered late with an earlier date takes the mark over."""
    from .models import SiteCheck

    checks = list(
        SiteCheck.objects.filter(campaign_id=campaign_id, category_id=category_id, subject_key=subject_key)
        .select_for_update()
        .order_by("checked_on", "pk")
    )
    for index, check in enumerate(checks):
        first = index == 0
        if check.first_of_subject != first:
            check.first_of_subject = first
            check.save(update_fields=["first_of_subject"])


def first_check_flags(checks) -> None:
    """`mark_first_checks` for unsaved checks written in bulk (the demo): set the mark in memory."""
    earliest: dict[tuple, object] = {}
    for check in checks:
        key = (check.campaign_id or id(check.campaign), check.category_id, check.subject_key)
        if key not in earliest or check.checked_on < earliest[key].checked_on:
            earliest[key] = check
    for check in checks:
        check.first_of_subject = False
    for check in earliest.values():
        check.first_of_subject = True
