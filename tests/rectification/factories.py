"""Hazards and the campaign, checklist and inspection rows they hang on, made directly with the ORM
(the campaigns and inspections services are written elsewhere)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from weijian.campaigns.models import Campaign, ViolationCategory
from weijian.inspections.models import Checklist, ChecklistVersion, Inspection, InspectionKind
from weijian.rectification.models import Hazard, HazardSource


def category(code: str = "fire") -> ViolationCategory:
    return ViolationCategory.objects.get_or_create(
        code=code, defaults={"name": "消防", "group": "安全生产", "is_safety_risk": True}
    )[0]


def campaign(world, *, owner: str = "commission_a", division: str = "county_a", year: int = 2025) -> Campaign:
    return Campaign.objects.create(
        name=f"{year}年医疗卫生行业安全集中整治",
        year=year,
        division=world.divisions[division],
        owner=world.orgs[owner],
    )


def inspection(world, *, institution: str = "county_hospital", on: dt.date, of=None) -> Inspection:
    checklist, _ = Checklist.objects.get_or_create(code="A18", defaults={"title": "安全集中整治检查表"})
    version = checklist.versions.first() or ChecklistVersion.objects.create(checklist=checklist, number=1)
    return Inspection.objects.create(
        campaign=of or campaign(world),
        checklist_version=version,
        institution=world.institutions[institution],
        kind=InspectionKind.ON_SITE,
        inspected_on=on,
    )


def hazard(world, *, institution: str = "county_hospital", level: str = "general", **fields) -> Hazard:
    """A hazard written straight to the table, in any state, for selector tests."""
    fields.setdefault("found_on", dt.date(2025, 9, 30))
    fields.setdefault("report_due", dt.date(2025, 10, 16))
    return Hazard.objects.create(
        institution=world.institutions[institution],
        category=category(),
        level=level,
        description="消防通道堆放杂物",
        source=HazardSource.ON_SITE,
        **fields,
    )


def plan(**overrides) -> dict:
    """Complete five-element plan data (五落实)."""
    data = {
        "responsible_person": "王科长",
        "measures": "清理通道，张贴禁止堆放标识",
        "funding": Decimal("1200.00"),
        "deadline": dt.date(2025, 10, 31),
        "contingency_plan": "整改期间安排专人值守",
    }
    data.update(overrides)
    return data
