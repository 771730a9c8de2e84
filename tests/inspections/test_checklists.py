import datetime as dt
from pathlib import Path

import pytest

from weijian.inspections.catalogue import (
    CHECKLIST_DIR,
    InvalidChecklist,
    checklist_revise,
    current_version,
    ensure_checklists,
    version_content,
)
from weijian.inspections.models import AnswerType, Checklist, ChecklistItem, ChecklistVersion, InspectionKind
from weijian.inspections.services import inspection_start

EXPECTED = {
    "a18_safety",
    "a11_medical_devices",
    "a5_medical_waste",
    "a5_medical_documents",
    "a5_three_rationals",
    "a2_verification",
    "a9_rural_scheme",
    "a10_pharmacy",
}

SMALL = """
code = "tmp_list"
title = "临时检查表"

[[sections]]
title = "第一部分"
violation_category = "fire"
answer_type = "found"

[[sections.items]]
text = "消防设施不完好有效"
"""


def test_every_checklist_file_loads_with_its_items(checklists):
    assert set(checklists) >= EXPECTED
    for code in EXPECTED:
        version = current_version(checklists[code])
        assert ChecklistItem.objects.filter(section__version=version).exists()
        assert all(
            item.answer_type in AnswerType.values
            for item in ChecklistItem.objects.filter(section__version=version)
        )


def test_a18_has_one_section_per_safety_category_and_evidence_for_fire_and_chemicals(checklists):
    version = current_version(checklists["a18_safety"])
    sections = list(version.sections.order_by("order"))
    assert [s.violation_category_id for s in sections] == [
        "safety_responsibility",
        "gas",
        "traffic",
        "special_equipment",
        "fire",
        "hazardous_chemicals",
        "construction",
        "food",
    ]
    evidence = {s.violation_category_id for s in sections if all(i.requires_evidence for i in s.items.all())}
    assert evidence == {"fire", "hazardous_chemicals"}
    assert not ChecklistItem.objects.filter(section__version=version, requires_evidence=True).exclude(
        section__violation_category__in=["fire", "hazardous_chemicals"]
    )


def test_loading_again_creates_no_version(checklists):
    before = ChecklistVersion.objects.count()
    assert ensure_checklists() == []
    assert ChecklistVersion.objects.count() == before


def test_a_changed_file_makes_a_new_version_and_the_old_one_is_kept(categories, tmp_path: Path):
    path = tmp_path / "tmp.toml"
    path.write_text(SMALL, encoding="utf-8")
    [v1] = ensure_checklists(tmp_path)
    assert ensure_checklists(tmp_path) == []

    path.write_text(SMALL + '\n[[sections.items]]\ntext = "防火巡查不到位"\n', encoding="utf-8")
    [v2] = ensure_checklists(tmp_path)

    assert (v1.number, v2.number) == (1, 2)
    assert len(version_content(v1)[0]["items"]) == 1
    assert len(version_content(v2)[0]["items"]) == 2
    assert ensure_checklists(tmp_path) == []


def test_a_missing_category_is_left_unlinked_and_linked_once_it_exists(db, tmp_path: Path):
    from weijian.campaigns.models import ViolationCategory

    (tmp_path / "tmp.toml").write_text(SMALL.replace('"fire"', '"not_yet_loaded"'), encoding="utf-8")
    [version] = ensure_checklists(tmp_path)
    assert version.sections.get().violation_category is None

    ViolationCategory.objects.create(code="not_yet_loaded", name="later", group="test")
    assert ensure_checklists(tmp_path) == []
    assert version.sections.get().violation_category_id == "not_yet_loaded"
    assert version.sections.get().items.get().violation_category_id == "not_yet_loaded"


def test_revising_makes_a_new_version_and_an_old_inspection_keeps_its_version(
    world, checklists, campaign, inspectors
):
    checklist = checklists["a5_medical_waste"]
    old = current_version(checklist)
    inspection = inspection_start(
        user=inspectors["institution_manager"],
        campaign=campaign,
        institution=world.institutions["county_hospital"],
        kind=InspectionKind.SELF,
        checklist_version=old,
        inspected_on=dt.date(2026, 4, 1),
    )
    sections = version_content(old)
    sections[0]["items"].append(
        {
            "text": "医疗废物未按规定交接登记",
            "answer_type": "found",
            "requires_evidence": False,
            "violation_category": "medical_waste",
        }
    )

    new = checklist_revise(
        user=inspectors["supervisor"], checklist=checklist, sections=sections, note="加一项"
    )

    assert new.number == old.number + 1
    assert current_version(checklist) == new
    inspection.refresh_from_db()
    assert inspection.checklist_version == old
    assert len(version_content(old)[0]["items"]) == len(sections[0]["items"]) - 1
    # A later file load does not undo the revision: the file itself has not changed.
    assert ensure_checklists() == []
    assert current_version(checklist) == new


def test_revising_without_a_change_is_refused(checklists, inspectors):
    checklist = checklists["a5_medical_waste"]
    with pytest.raises(InvalidChecklist):
        checklist_revise(
            user=inspectors["supervisor"],
            checklist=checklist,
            sections=version_content(current_version(checklist)),
        )


def test_the_library_directory_holds_the_files():
    assert {path.stem for path in CHECKLIST_DIR.glob("*.toml")} >= {"a18_safety", "a10_pharmacy"}
    assert Checklist._meta.get_field("code").unique
