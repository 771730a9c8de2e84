"""Reference data of campaigns, kept as data files in `data/`: the violation categories and the
campaign templates. Both loaders are idempotent (create or update, never delete) and run after every
migrate; the violation categories are also loaded by a data migration, for the apps that refer to them.

A template file is year-less ("MM-DD" dates) and is read into a *spec*: a plain dict with the
campaign's fields and its children. The same spec shape is read back from a campaign in the database
(`read_spec`) and written into one (`write_children`), so instantiating a template and cloning last
year's campaign are one copy with a year shift.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction

DATA_DIR = Path(__file__).parent / "data"
CATEGORIES_FILE = DATA_DIR / "violation_categories.toml"
TEMPLATES_DIR = DATA_DIR / "templates"

CAMPAIGN_FIELDS = (
    "name",
    "issuing_organisations",
    "legal_basis",
    "guiding_principle",
    "goals",
    "start",
    "end",
    "scope_institution_types",
    "scope_ownerships",
    "scope_grade_levels",
    "scope_note",
    "hotline",
    "email",
    "postal_address",
)
CAMPAIGN_DATE_FIELDS = ("start", "end")


# --- violation categories -------------------------------------------------------------------------


def violation_categories() -> list[dict[str, Any]]:
    """The categories of the data file in order (each group's own row first): code, name, group,
    is_safety_risk, order."""
    data = tomllib.loads(CATEGORIES_FILE.read_text(encoding="utf-8"))
    rows, order = [], 0
    for group in data["group"]:
        items = group["category"]
        if group["code"] not in {c["code"] for c in items}:
            items = [{"code": group["code"], "name": group["name"], "is_safety_risk": False}, *items]
        for category in items:
            order += 1
            rows.append(
                {
                    "code": category["code"],
                    "name": category["name"],
                    "group": group["name"],
                    "is_safety_risk": category.get("is_safety_risk", group.get("is_safety_risk", False)),
                    "order": order,
                }
            )
    return rows


def load_violation_categories(model=None) -> int:
    """Create or update every category of the data file; returns how many rows changed.

    `model` is the historical model when called from a migration."""
    if model is None:
        from .models import ViolationCategory as model
    existing = {c.code: c for c in model.objects.all()}
    changed = 0
    for row in violation_categories():
        current = existing.get(row["code"])
        if current is None:
            model.objects.create(**row)
            changed += 1
        elif any(getattr(current, k) != v for k, v in row.items()):
            for k, v in row.items():
                setattr(current, k, v)
            current.save()
            changed += 1
    return changed


# --- templates: files → specs ---------------------------------------------------------------------


def template_files() -> list[Path]:
    return sorted(TEMPLATES_DIR.glob("*.toml"))


def _month_day(value: str | None) -> dt.date | None:
    from .models import TEMPLATE_YEAR

    if not value:
        return None
    month, day = (int(part) for part in value.split("-"))
    return dt.date(TEMPLATE_YEAR, month, day)


def _partner(value: str | dict, *, co_lead: bool = False) -> dict[str, Any]:
    if isinstance(value, str):
        value = {"department": value}
    return {
        "department": value["department"],
        "label": value.get("label", ""),
        "co_lead": co_lead,
        "organisation_id": None,
    }


def spec_from_file(path: Path) -> dict[str, Any]:
    """Read a template file into a spec (dates in TEMPLATE_YEAR)."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    scope = data.get("scope", {})
    fields = {
        "name": data["name"],
        "issuing_organisations": data.get("issuing_organisations", ""),
        "legal_basis": [
            {"title": b.get("title", ""), "number": b.get("number", "")} for b in data.get("legal_basis", [])
        ],
        "guiding_principle": data.get("guiding_principle", ""),
        "goals": data.get("goals", ""),
        "start": _month_day(data.get("start")),
        "end": _month_day(data.get("end")),
        "scope_institution_types": scope.get("institution_types", []),
        "scope_ownerships": scope.get("ownerships", []),
        "scope_grade_levels": scope.get("grade_levels", []),
        "scope_note": scope.get("note", ""),
        "hotline": data.get("hotline", ""),
        "email": data.get("email", ""),
        "postal_address": data.get("postal_address", ""),
    }
    tasks = [
        {
            "title": t["title"],
            "description": t.get("description", ""),
            "lead_department": t["lead"],
            "lead_organisation_id": None,
            "categories": sorted(t.get("categories", [])),
            "partners": [_partner(p, co_lead=True) for p in t.get("co_leads", [])]
            + [_partner(p) for p in t.get("partners", [])],
        }
        for t in data.get("tasks", [])
    ]
    phases = [
        {
            "name": p["name"],
            "start": _month_day(p.get("start")),
            "end": _month_day(p.get("end")),
            "activities": p.get("activities", ""),
            "deliverables": [
                {
                    "title": d["title"],
                    "due": _month_day(d.get("due")),
                    "submitter_department": d["submitter"],
                    "recipient": d.get("recipient", ""),
                }
                for d in p.get("deliverables", [])
            ],
        }
        for p in data.get("phases", [])
    ]
    reporting = [
        {
            "title": r["title"],
            "cadence": r["cadence"],
            "weekday": r.get("weekday"),
            "cutoff": dt.time.fromisoformat(r["cutoff"]) if r.get("cutoff") else None,
            "dates": r.get("dates", []),
            "until": _month_day(r.get("until")),
            "within_working_days": r.get("within_working_days"),
            "form_code": r.get("form_code", ""),
            "submitter_department": r.get("submitter", ""),
            "note": r.get("note", ""),
        }
        for r in data.get("reporting", [])
    ]
    return {
        "fields": fields,
        "tasks": tasks,
        "phases": phases,
        "coverage": {
            k: Decimal(str(v)).quantize(Decimal("0.01")) for k, v in data.get("coverage", {}).items()
        },
        "reporting": reporting,
        "leading_group": [
            {"group_role": m["group_role"], "name": m.get("name", ""), "title": m.get("title", "")}
            for m in data.get("leading_group", [])
        ],
    }


# --- specs ↔ database -----------------------------------------------------------------------------


def read_spec(campaign) -> dict[str, Any]:
    """The spec of a campaign as stored, in the shape `spec_from_file` returns."""
    tasks = [
        {
            "title": t.title,
            "description": t.description,
            "lead_department": t.lead_department,
            "lead_organisation_id": t.lead_organisation_id,
            "categories": sorted(c.code for c in t.violation_categories.all()),
            "partners": [
                {
                    "department": p.department,
                    "label": p.label,
                    "co_lead": p.co_lead,
                    "organisation_id": p.organisation_id,
                }
                for p in t.partners.all()
            ],
        }
        for t in campaign.tasks.prefetch_related("violation_categories", "partners")
    ]
    phases = [
        {
            "name": p.name,
            "start": p.start,
            "end": p.end,
            "activities": p.activities,
            "deliverables": [
                {
                    "title": d.title,
                    "due": d.due,
                    "submitter_department": d.submitter_department,
                    "recipient": d.recipient,
                }
                for d in p.deliverables.order_by("id")
            ],
        }
        for p in campaign.phases.prefetch_related("deliverables")
    ]
    reporting = [
        {
            "title": r.title,
            "cadence": r.cadence,
            "weekday": r.weekday,
            "cutoff": r.cutoff,
            "dates": r.dates,
            "until": r.until,
            "within_working_days": r.within_working_days,
            "form_code": r.form_code,
            "submitter_department": r.submitter_department,
            "note": r.note,
        }
        for r in campaign.reporting_rules.order_by("id")
    ]
    return {
        "fields": {f: getattr(campaign, f) for f in CAMPAIGN_FIELDS},
        "tasks": tasks,
        "phases": phases,
        "coverage": {c.institution_class: c.target_percent for c in campaign.coverage_targets.all()},
        "reporting": reporting,
        "leading_group": [
            {"group_role": m.group_role, "name": m.name, "title": m.title}
            for m in campaign.leading_group.all()
        ],
    }


def shift_years(value: dt.date | None, years: int) -> dt.date | None:
    """The same month and day `years` later; 29 February becomes the 28th in a common year."""
    if value is None or years == 0:
        return value
    try:
        return value.replace(year=value.year + years)
    except ValueError:
        return value.replace(year=value.year + years, day=28)


def write_children(campaign, spec: dict[str, Any], *, years: int = 0, resolve=None) -> None:
    """Create the campaign's tasks, phases, deliverables, coverage targets, reporting rules and
    leading group from `spec`, dates shifted by `years`. `resolve(department)` returns the
    organisation for a department code when the spec names none (instantiating a template)."""
    from .models import (
        CampaignTask,
        CoverageTarget,
        Deliverable,
        LeadingGroupMember,
        Phase,
        ReportingRule,
        TaskPartner,
    )

    def organisation_id(department: str, given: int | None) -> int | None:
        if given is not None or resolve is None:
            return given
        organisation = resolve(department)
        return organisation.pk if organisation else None

    for order, t in enumerate(spec["tasks"], start=1):
        task = CampaignTask(
            campaign=campaign,
            order=order,
            title=t["title"],
            description=t["description"],
            lead_department=t["lead_department"],
            lead_organisation_id=organisation_id(t["lead_department"], t["lead_organisation_id"]),
        )
        task.full_clean(exclude=["campaign", "lead_organisation"])
        task.save()
        task.violation_categories.set(t["categories"])
        for p in t["partners"]:
            partner = TaskPartner(
                task=task,
                department=p["department"],
                label=p["label"],
                co_lead=p["co_lead"],
                organisation_id=organisation_id(p["department"], p["organisation_id"]),
            )
            partner.full_clean(exclude=["task", "organisation"])
            partner.save()
    for order, p in enumerate(spec["phases"], start=1):
        phase = Phase(
            campaign=campaign,
            order=order,
            name=p["name"],
            start=shift_years(p["start"], years),
            end=shift_years(p["end"], years),
            activities=p["activities"],
        )
        phase.save()
        for d in p["deliverables"]:
            deliverable = Deliverable(
                phase=phase,
                title=d["title"],
                due=shift_years(d["due"], years),
                submitter_department=d["submitter_department"],
                recipient=d["recipient"],
            )
            deliverable.full_clean(exclude=["phase"])
            deliverable.save()
    for institution_class, percent in spec["coverage"].items():
        target = CoverageTarget(
            campaign=campaign, institution_class=institution_class, target_percent=percent
        )
        target.full_clean(exclude=["campaign"], validate_constraints=False)
        target.save()
    for r in spec["reporting"]:
        rule = ReportingRule(campaign=campaign, **{**r, "until": shift_years(r["until"], years)})
        rule.full_clean(exclude=["campaign"])
        rule.save()
    for order, m in enumerate(spec["leading_group"], start=1):
        LeadingGroupMember(campaign=campaign, order=order, **m).save()


def delete_children(campaign) -> None:
    # Deleting the tasks and phases cascades to partners and deliverables; each delete is audited.
    for related in ("tasks", "phases", "coverage_targets", "reporting_rules", "leading_group"):
        for child in getattr(campaign, related).all():
            child.delete()


# --- templates: specs → template campaigns --------------------------------------------------------


@transaction.atomic
def ensure_templates() -> list:
    """Create or update one template campaign per file of `data/templates/` (template_code = the
    file's stem). A template whose stored content differs from its file is rewritten; one that
    matches is left alone, so running this after every migrate writes nothing new."""
    from weijian.core.audit import acting_as

    from .models import Campaign

    templates = []
    with acting_as(label="campaign templates"):
        for path in template_files():
            spec = spec_from_file(path)
            campaign = Campaign.objects.filter(is_template=True, template_code=path.stem).first()
            if campaign is None:
                campaign = Campaign(is_template=True, template_code=path.stem)
            elif read_spec(campaign) == spec:
                templates.append(campaign)
                continue
            for field, value in spec["fields"].items():
                setattr(campaign, field, value)
            campaign.full_clean()
            campaign.save()
            delete_children(campaign)
            write_children(campaign, spec)
            templates.append(campaign)
    return templates


def load_after_migrate(sender, using="default", **kwargs) -> None:
    """post_migrate handler: reference data in step with the data files."""
    load_violation_categories()
    ensure_templates()
