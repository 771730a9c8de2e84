"""Inspection coverage of a campaign: which institutions it covers and how many were inspected.

Targets are per institution class (seed-004 §7.12: hospitals or county-level institutions 100%,
others at least 50%). An institution counts as inspected when it has a submitted on-site inspection
in the campaign; self-inspections do not count. Everything is computed by the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case, CharField, Count, Exists, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Substr

from weijian.core.models import DivisionLevel
from weijian.registry.models import Institution, InstitutionType

from .models import Campaign, InstitutionClass

COUNTY_LEVEL_TYPES = (
    InstitutionType.GENERAL_HOSPITAL,
    InstitutionType.TCM_HOSPITAL,
    InstitutionType.INTEGRATED_HOSPITAL,
    InstitutionType.SPECIALIST_HOSPITAL,
    InstitutionType.MCH_HOSPITAL,
    InstitutionType.DISEASE_CONTROL,
)

# The class of an institution by its type, once it is not county-level. Types not listed (OTHER)
# count with the clinics: small institutions whose target is the "others ≥ 50%" one.
CLASS_OF_TYPE = {
    InstitutionType.TOWNSHIP_HOSPITAL: InstitutionClass.TOWNSHIP_HOSPITAL,
    InstitutionType.COMMUNITY_CENTRE: InstitutionClass.COMMUNITY,
    InstitutionType.COMMUNITY_STATION: InstitutionClass.COMMUNITY,
    InstitutionType.VILLAGE_CLINIC: InstitutionClass.VILLAGE_CLINIC,
    InstitutionType.CLINIC: InstitutionClass.CLINIC,
    InstitutionType.OUTPATIENT_DEPARTMENT: InstitutionClass.CLINIC,
    InstitutionType.MEDICAL_BEAUTY: InstitutionClass.MEDICAL_BEAUTY,
}
DEFAULT_CLASS = InstitutionClass.CLINIC
TOWNSHIP_PREFIX = 9  # digits of the division code that name the township


def class_of(institution: Institution) -> InstitutionClass:
    """County-level (at a county-level division, or a hospital or CDC type) first, then by type."""
    if (
        institution.division.level == DivisionLevel.COUNTY
        or institution.institution_type in COUNTY_LEVEL_TYPES
    ):
        return InstitutionClass.COUNTY_LEVEL
    return CLASS_OF_TYPE.get(institution.institution_type, DEFAULT_CLASS)


def class_expression() -> Case:
    """`class_of` as a database expression, for grouping institutions by class in one query."""
    return Case(
        When(
            Q(organisation__division__level=DivisionLevel.COUNTY)
            | Q(institution_type__in=COUNTY_LEVEL_TYPES),
            then=Value(InstitutionClass.COUNTY_LEVEL.value),
        ),
        *[When(institution_type=t, then=Value(c.value)) for t, c in CLASS_OF_TYPE.items()],
        default=Value(DEFAULT_CLASS.value),
        output_field=CharField(),
    )


def institutions_in_scope(campaign: Campaign) -> QuerySet[Institution]:
    """Institutions inside the campaign's division matching its scope lists (an empty list = all)."""
    if campaign.division_id is None:
        return Institution.objects.none()
    qs = Institution.objects.filter(organisation__division__code__startswith=campaign.division.prefix)
    if campaign.scope_institution_types:
        qs = qs.filter(institution_type__in=campaign.scope_institution_types)
    if campaign.scope_ownerships:
        qs = qs.filter(ownership__in=campaign.scope_ownerships)
    if campaign.scope_grade_levels:
        qs = qs.filter(grade_level__in=campaign.scope_grade_levels)
    return qs


@dataclass(frozen=True)
class CoverageRow:
    dimension: str  # "class" or "township"
    key: str  # an InstitutionClass value, or a township's division code ("" = at county level)
    label: str
    in_scope: int
    inspected: int
    percent: Decimal | None  # None when nothing is in scope
    target: Decimal | None  # per class only
    met: bool | None  # None without a target or without institutions in scope


def _percent(inspected: int, in_scope: int) -> Decimal | None:
    if not in_scope:
        return None
    return (Decimal(inspected) * 100 / Decimal(in_scope)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _annotated(campaign: Campaign) -> QuerySet[Institution]:
    from weijian.inspections.models import Inspection, InspectionKind, InspectionStatus

    done = Inspection.objects.filter(
        campaign=campaign,
        institution=OuterRef("pk"),
        kind=InspectionKind.ON_SITE,
        status=InspectionStatus.SUBMITTED,
    )
    return (
        institutions_in_scope(campaign)
        .order_by()
        .annotate(
            klass=class_expression(),
            township=Substr("organisation__division__code", 1, TOWNSHIP_PREFIX),
            done=Exists(done),
        )
    )


def coverage(campaign: Campaign) -> list[CoverageRow]:
    """One row per institution class (every class, with its target), then one per township."""
    from weijian.core.models import Division

    base = _annotated(campaign)
    counted = dict(n=Count("pk"), inspected=Count("pk", filter=Q(done=True)))
    by_class = {r["klass"]: r for r in base.values("klass").annotate(**counted)}
    targets = dict(campaign.coverage_targets.values_list("institution_class", "target_percent"))
    rows = []
    for klass in InstitutionClass:
        counts = by_class.get(klass.value, {"n": 0, "inspected": 0})
        percent = _percent(counts["inspected"], counts["n"])
        target = targets.get(klass.value)
        rows.append(
            CoverageRow(
                dimension="class",
                key=klass.value,
                label=str(klass.label),
                in_scope=counts["n"],
                inspected=counts["inspected"],
                percent=percent,
                target=target,
                met=None if target is None or percent is None else percent >= target,
            )
        )
    by_township = list(base.values("township").annotate(**counted).order_by("township"))
    # Institutions directly at a county-level division have no township; their row is the county's.
    divisions = Division.objects.in_bulk([r["township"].ljust(12, "0") for r in by_township])
    for r in by_township:
        division = divisions.get(r["township"].ljust(12, "0"))
        rows.append(
            CoverageRow(
                dimension="township",
                key=division.code
                if division is not None and division.level == DivisionLevel.TOWNSHIP
                else "",
                label=division.name if division is not None else r["township"],
                in_scope=r["n"],
                inspected=r["inspected"],
                percent=_percent(r["inspected"], r["n"]),
                target=None,
                met=None,
            )
        )
    return rows
