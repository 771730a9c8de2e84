"""The checklist library: TOML files in `data/checklists/` loaded into versioned checklists.

A version is never edited. `ensure_checklists` (run after every `migrate`) creates version 1 of a new
file and a new version when a file differs from what was last loaded from it; `checklist_revise` is
the in-app edit, which also makes a new version. Inspections keep the version they started with.
See `data/checklists/README.md` for the file format.
"""

from __future__ import annotations

import hashlib
import json
import logging
import tomllib
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Max

from weijian.campaigns.models import ViolationCategory
from weijian.core.errors import DomainError
from weijian.core.permissions import require

from .models import AnswerType, Checklist, ChecklistItem, ChecklistSection, ChecklistVersion

logger = logging.getLogger(__name__)

CHECKLIST_DIR = Path(__file__).resolve().parent / "data" / "checklists"


class InvalidChecklist(DomainError):
    code = "invalid_checklist"
    status = 422


def normalise_sections(sections: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Resolve section defaults into every item, so each item states its own four properties.

    The result is the canonical content of a version: what is hashed and compared.
    """
    if not sections:
        raise InvalidChecklist("a checklist needs at least one section", field="sections")
    result = []
    for s_index, section in enumerate(sections, start=1):
        title = str(section.get("title", "")).strip()
        if not title:
            raise InvalidChecklist(f"section {s_index} has no title", field="sections")
        category = section.get("violation_category") or None
        items = []
        for i_index, item in enumerate(section.get("items", []), start=1):
            text = str(item.get("text", "")).strip()
            answer_type = item.get("answer_type", section.get("answer_type", AnswerType.FOUND))
            if not text:
                raise InvalidChecklist(f"item {s_index}.{i_index} has no text", field="sections")
            if answer_type not in AnswerType.values:
                raise InvalidChecklist(
                    f"item {s_index}.{i_index}: unknown answer type {answer_type!r}", field="sections"
                )
            items.append(
                {
                    "text": text,
                    "answer_type": str(answer_type),
                    "requires_evidence": bool(
                        item.get("requires_evidence", section.get("requires_evidence", False))
                    ),
                    "violation_category": item.get("violation_category") or category,
                }
            )
        if not items:
            raise InvalidChecklist(f"section {title!r} has no items", field="sections")
        result.append({"title": title, "violation_category": category, "items": items})
    return result


def digest(sections: list[dict[str, Any]]) -> str:
    canonical = json.dumps(sections, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def version_content(version: ChecklistVersion) -> list[dict[str, Any]]:
    """A stored version in the canonical shape of `normalise_sections`."""
    return [
        {
            "title": section.title,
            "violation_category": section.violation_category_id,
            "items": [
                {
                    "text": item.text,
                    "answer_type": item.answer_type,
                    "requires_evidence": item.requires_evidence,
                    "violation_category": item.violation_category_id,
                }
                for item in section.items.order_by("order")
            ],
        }
        for section in version.sections.order_by("order")
    ]


def current_version(checklist: Checklist) -> ChecklistVersion | None:
    return checklist.versions.order_by("-number").first()


def _categories(sections, *, strict: bool, checklist_code: str) -> dict[str, ViolationCategory]:
    wanted = {
        c for s in sections for c in [s["violation_category"], *(i["violation_category"] for i in s["items"])]
    }
    wanted.discard(None)
    found = ViolationCategory.objects.in_bulk(wanted)
    missing = sorted(wanted - set(found))
    if missing and strict:
        raise InvalidChecklist(f"unknown violation categories: {', '.join(missing)}", field="sections")
    if missing:
        # The categories come from another data file that may load later; the version is still
        # usable, and `ensure_checklists` fills the links in once the categories exist.
        logger.warning(
            "checklist %s: violation categories not found, left unlinked: %s", checklist_code, missing
        )
    return found


def _create_version(
    checklist: Checklist, sections, *, note: str, source_digest: str, strict: bool
) -> ChecklistVersion:
    categories = _categories(sections, strict=strict, checklist_code=checklist.code)
    number = (checklist.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = ChecklistVersion(checklist=checklist, number=number, note=note, source_digest=source_digest)
    version.full_clean(exclude=["checklist"])
    version.save()
    for s_order, s in enumerate(sections, start=1):
        section = ChecklistSection.objects.create(
            version=version,
            order=s_order,
            title=s["title"],
            violation_category=categories.get(s["violation_category"]),
        )
        ChecklistItem.objects.bulk_create(
            ChecklistItem(
                section=section,
                order=i_order,
                text=i["text"],
                answer_type=i["answer_type"],
                requires_evidence=i["requires_evidence"],
                violation_category=categories.get(i["violation_category"]),
            )
            for i_order, i in enumerate(s["items"], start=1)
        )
    return version


def _link_missing_categories(version: ChecklistVersion, sections) -> None:
    """Fill in category links the file names but that did not exist when the version was loaded.

    This completes the load of the same content; it changes nothing an inspection answered.
    """
    categories = _categories(sections, strict=False, checklist_code=version.checklist.code)
    for section, s in zip(version.sections.order_by("order"), sections, strict=True):
        if section.violation_category_id is None and s["violation_category"] in categories:
            section.violation_category = categories[s["violation_category"]]
            section.save(update_fields=["violation_category"])
        for item, i in zip(section.items.order_by("order"), s["items"], strict=True):
            if item.violation_category_id is None and i["violation_category"] in categories:
                item.violation_category = categories[i["violation_category"]]
                item.save(update_fields=["violation_category"])


def load_file(path: Path) -> dict[str, Any]:
    with path.open("rb") as f:
        data = tomllib.load(f)
    for key in ("code", "title", "sections"):
        if key not in data:
            raise InvalidChecklist(f"{path.name}: missing {key!r}")
    return data


@transaction.atomic
def ensure_checklists(directory: Path = CHECKLIST_DIR) -> list[ChecklistVersion]:
    """Load every checklist file; idempotent. Returns the versions it created."""
    created = []
    for path in sorted(directory.glob("*.toml")):
        data = load_file(path)
        sections = normalise_sections(data["sections"])
        file_digest = digest(sections)
        checklist, _ = Checklist.objects.get_or_create(
            code=data["code"], defaults={"title": data["title"], "source": data.get("source", "")}
        )
        if (checklist.title, checklist.source) != (data["title"], data.get("source", "")):
            checklist.title, checklist.source = data["title"], data.get("source", "")
            checklist.save()
        # Compared with the last version loaded from the file, so an unchanged file never makes a
        # version, and an in-app revision stands until the file itself changes.
        last_loaded = checklist.versions.exclude(source_digest="").order_by("-number").first()
        if last_loaded is not None and last_loaded.source_digest == file_digest:
            _link_missing_categories(last_loaded, sections)
            continue
        note = "loaded from " + path.name if last_loaded is None else "file changed: " + path.name
        created.append(
            _create_version(checklist, sections, note=note, source_digest=file_digest, strict=False)
        )
    return created


@transaction.atomic
def checklist_revise(
    *, user, checklist: Checklist, sections: list[dict[str, Any]], note: str = ""
) -> ChecklistVersion:
    """Edit a checklist: the sections (file format) become a new version; old ones stay as they are."""
    require(user, "inspections.add_checklistversion")
    checklist = Checklist.objects.select_for_update().get(pk=checklist.pk)
    sections = normalise_sections(sections)
    current = current_version(checklist)
    if current is not None and version_content(current) == sections:
        raise InvalidChecklist("the checklist is unchanged", code="unchanged")
    return _create_version(checklist, sections, note=note, source_digest="", strict=True)


def load_after_migrate(sender, using="default", **kwargs) -> None:
    """post_migrate handler: keep the checklist library in step with the data files."""
    from django.db import connections

    from weijian.core.audit import acting_as

    if Checklist._meta.db_table not in connections[using].introspection.table_names():
        return
    with acting_as(label="checklists"):
        ensure_checklists()
