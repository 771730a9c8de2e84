"""Business actions on inspections and sampling draws. Each checks the role, the scope, validates and
saves in one transaction; the audit trail is written by the models and `record_transition`.

Who may inspect what:
- a self-inspection (自查) is done by the institution itself: its own users, for their institution;
- an on-site inspection (现场检查/督导检查) is done by a subtree organisation (the supervision
  institute, the commission, a township hospital for its villages) for institutions in its scope;
  users of an own-institution organisation never start one.
"""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from weijian.campaigns.coverage import class_expression, institutions_in_scope
from weijian.campaigns.models import Campaign, InstitutionClass
from weijian.core.audit import record_transition
from weijian.core.errors import DomainError, NotAllowed, NotVisible, full_clean_or_raise
from weijian.core.models import Organisation, OrganisationKind, User
from weijian.core.permissions import require
from weijian.core.scope import scope_of
from weijian.registry.models import Institution

from . import sampling
from .catalogue import current_version
from .models import (
    Answer,
    AnswerType,
    ChecklistItem,
    ChecklistVersion,
    Inspection,
    InspectionKind,
    InspectionStatus,
    SamplingDraw,
)

# The inspection workflow: (state, action) → next state. Who may act is checked by `_editable`.
TRANSITIONS = {
    (InspectionStatus.DRAFT, "submit"): InspectionStatus.SUBMITTED,
}


class InvalidAnswer(DomainError):
    code = "invalid_answer"
    status = 422


def _own_institution_only(user) -> bool:
    return scope_of(user).organisation_id is not None


def _check_kind(user, kind: str, institution: Institution) -> None:
    if user.is_superuser:
        return
    if kind == InspectionKind.SELF and institution.pk != user.organisation_id:
        raise NotAllowed(_("A self-inspection is done by the institution itself."))
    if kind == InspectionKind.ON_SITE and _own_institution_only(user):
        raise NotAllowed(_("Institution users may only inspect their own institution."))


@transaction.atomic
def inspection_start(
    *,
    user,
    campaign: Campaign,
    institution: Institution,
    kind: str,
    checklist_version: ChecklistVersion,
    inspected_on,
    team=(),
) -> Inspection:
    require(user, "inspections.add_inspection")
    visible = Institution.objects.visible_to(user).filter(pk=institution.pk).first()
    if visible is None:
        raise NotVisible()
    _check_kind(user, kind, visible)
    if not institutions_in_scope(campaign).filter(pk=visible.pk).exists():
        raise DomainError(_("The institution is not in the campaign's scope."), code="not_in_campaign")
    if current_version(checklist_version.checklist) != checklist_version:
        raise DomainError(_("A newer version of this checklist exists."), code="outdated_checklist")
    inspection = Inspection(
        campaign=campaign,
        institution=visible,
        kind=kind,
        checklist_version=checklist_version,
        inspected_on=inspected_on,
    )
    full_clean_or_raise(inspection)
    inspection.save()
    if kind == InspectionKind.ON_SITE:
        inspection.team.set(list(team) or [user])
    elif team:
        inspection.team.set(team)
    return inspection


def _editable(user, inspection: Inspection) -> Inspection:
    """The inspection, locked, if this user may still change it."""
    found = Inspection.objects.visible_to(user).select_for_update().filter(pk=inspection.pk).first()
    if found is None:
        raise NotVisible()
    _check_kind(user, found.kind, found.institution)
    if (
        found.kind == InspectionKind.ON_SITE
        and not user.is_superuser
        and not found.team.filter(pk=user.pk).exists()
    ):
        raise NotAllowed(_("Only the inspection team may record this inspection."))
    if found.status != InspectionStatus.DRAFT:
        raise DomainError(_("The inspection has been submitted."), code="submitted")
    return found


def _validate_answer(item: ChecklistItem, found, number, text: str) -> Decimal | None:
    if item.answer_type in (AnswerType.FOUND, AnswerType.YES_NO):
        if not isinstance(found, bool):
            raise InvalidAnswer(_("Answer 未发现 / 发现 (or yes / no)."), field="found")
        if item.answer_type == AnswerType.FOUND and found and not text.strip():
            raise InvalidAnswer(_("Describe what was found."), field="text")
    if item.answer_type == AnswerType.NUMBER:
        try:
            return Decimal(str(number)) if number is not None else None
        except InvalidOperation as error:
            raise InvalidAnswer(_("Enter a number."), field="number") from error
    if item.answer_type == AnswerType.TEXT and not text.strip():
        raise InvalidAnswer(_("Enter the answer."), field="text")
    return None


@transaction.atomic
def inspection_answer(
    *,
    user,
    inspection: Inspection,
    item: ChecklistItem,
    found=None,
    number=None,
    text: str = "",
    evidence=None,
) -> Answer:
    require(user, "inspections.change_inspection")
    inspection = _editable(user, inspection)
    item = (
        ChecklistItem.objects.filter(pk=item.pk, section__version=inspection.checklist_version_id)
        .select_related("section")
        .first()
    )
    if item is None:
        raise InvalidAnswer(_("The item is not on this inspection's checklist."), field="item")
    value = _validate_answer(item, found, number, text)
    if item.answer_type == AnswerType.NUMBER and value is None:
        raise InvalidAnswer(_("Enter a number."), field="number")
    answer = Answer.objects.filter(inspection=inspection, item=item).first() or Answer(
        inspection=inspection, item=item
    )
    if item.requires_evidence and not evidence and not answer.evidence:
        raise InvalidAnswer(_("This item needs evidence (a photo or a document)."), field="evidence")
    uses_found = item.answer_type in (AnswerType.FOUND, AnswerType.YES_NO)
    answer.found = found if uses_found else None
    answer.number = value
    answer.text = text.strip()
    if evidence:
        answer.evidence = evidence
    full_clean_or_raise(answer, exclude=["inspection", "item"])
    answer.save()
    return answer


@transaction.atomic
def inspection_submit(*, user, inspection: Inspection, unit_head_name: str) -> Inspection:
    """Submit with the inspected unit's head signing off (A18 附件3: 被检单位负责人签字)."""
    require(user, "inspections.change_inspection")
    inspection = _editable(user, inspection)
    if not unit_head_name.strip():
        raise DomainError(
            _("Enter the name of the inspected unit's head."), code="required", field="unit_head_name"
        )
    unanswered = ChecklistItem.objects.filter(section__version=inspection.checklist_version_id).exclude(
        answers__inspection=inspection
    )
    if missing := unanswered.count():
        raise DomainError(
            _("%(count)d items are not answered.") % {"count": missing}, code="unanswered", field="answers"
        )
    old = inspection.status
    now = timezone.now()
    inspection.status = TRANSITIONS[(old, "submit")]
    inspection.unit_head_name = unit_head_name.strip()
    inspection.unit_head_signed_at = now
    inspection.submitted_by = user
    inspection.submitted_at = now
    full_clean_or_raise(inspection)
    inspection.save()
    record_transition(inspection, field="status", old=old, new=inspection.status)
    return inspection


# Random sampling (双随机一公开, seed-004 §7.13) ------------------------------------------------------


def supervisors_of(organisation) -> list[int]:
    """Active users of the organisation who may carry out inspections: the inspector pool."""
    if organisation is None:
        return []
    perm = Permission.objects.get(content_type__app_label="inspections", codename="add_inspection")
    return sorted(
        User.objects.filter(organisation=organisation, is_active=True)
        .filter(Q(groups__permissions=perm) | Q(user_permissions=perm))
        .values_list("pk", flat=True)
        .distinct()
    )


def _default_counts(campaign: Campaign, pools: dict[str, list[int]]) -> dict[str, int]:
    """ceil(target % × institutions of the class in scope), for each class with a target."""
    return {
        klass: math.ceil(Decimal(target) * len(pools.get(klass, [])) / 100)
        for klass, target in campaign.coverage_targets.values_list("institution_class", "target_percent")
    }


@transaction.atomic
def sampling_draw(
    *, user, campaign: Campaign, seed: int, counts=None, inspectors=None, team_size: int = 2
) -> SamplingDraw:
    """Draw institutions and inspection teams and record inputs, seed and result.

    `user=None` is a system run (a command without --as): no role check, inspectors from the
    campaign owner's organisation.
    """
    if user is not None:
        require(user, "inspections.add_samplingdraw")
        if not Campaign.objects.visible_to(user).filter(pk=campaign.pk).exists():
            raise NotVisible()
    pools: dict[str, list[int]] = {}
    in_scope = institutions_in_scope(campaign).annotate(klass=class_expression()).order_by("pk")
    for pk, klass in in_scope.values_list("pk", "klass"):
        pools.setdefault(klass, []).append(pk)
    counts = dict(counts) if counts is not None else _default_counts(campaign, pools)
    if unknown := set(counts) - set(InstitutionClass.values):
        raise DomainError(
            f"unknown institution classes: {', '.join(sorted(unknown))}", code="invalid", field="counts"
        )
    if inspectors is None:
        inspectors = supervisors_of(user.organisation) if user is not None else []
        if not inspectors:
            # A commission user (or the system) draws from the supervision institutes of the area.
            for institute in Organisation.objects.filter(
                kind=OrganisationKind.SUPERVISION_INSTITUTE,
                division__code__startswith=campaign.division.prefix,
            ).order_by("pk"):
                inspectors += supervisors_of(institute)
    inspectors = sorted({int(getattr(i, "pk", i)) for i in inspectors})
    if len(inspectors) != User.objects.filter(pk__in=inspectors, is_active=True).count():
        raise DomainError("unknown or inactive inspectors", code="invalid", field="inspectors")
    inputs = {"institutions": pools, "counts": counts, "inspectors": inspectors, "team_size": team_size}
    try:
        result = sampling.draw(pools, counts, inspectors, team_size, seed)
    except ValueError as error:
        raise DomainError(str(error), code="invalid") from error
    if not result:
        raise DomainError(
            _("Nothing to draw: the campaign has no coverage targets and no counts per class were given."),
            code="nothing_to_draw",
            field="counts",
        )
    record = SamplingDraw(campaign=campaign, seed=seed, inputs=inputs, result=result, drawn_by=user)
    full_clean_or_raise(record)
    record.save()
    return record


def sampling_rerun(draw: SamplingDraw) -> list[dict]:
    """Recompute a recorded draw from its stored inputs and seed (anyone can check a draw)."""
    inputs = draw.inputs
    return sampling.draw(
        inputs["institutions"], inputs["counts"], inputs["inspectors"], inputs["team_size"], draw.seed
    )


@transaction.atomic
def sampling_publish(*, user, draw: SamplingDraw) -> SamplingDraw:
    """Publish a draw (一公开). A draw whose stored result does not re-run is refused."""
    require(user, "inspections.change_samplingdraw")
    found = SamplingDraw.objects.visible_to(user).select_for_update().filter(pk=draw.pk).first()
    if found is None:
        raise NotVisible()
    if found.published_at is not None:
        raise DomainError(_("The draw has been published."), code="published")
    if sampling_rerun(found) != found.result:
        raise DomainError(_("The recorded result does not match a re-run of the draw."), code="tampered")
    found.published_at = timezone.now()
    found.save()
    record_transition(found, field="published", old="draft", new="published")
    return found
