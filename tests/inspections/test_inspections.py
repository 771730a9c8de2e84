import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from weijian.core.errors import DomainError, NotAllowed, NotVisible
from weijian.core.models import AuditEntry
from weijian.inspections.catalogue import current_version
from weijian.inspections.models import Answer, AnswerType, ChecklistItem, InspectionKind, InspectionStatus
from weijian.inspections.services import InvalidAnswer, inspection_answer, inspection_start, inspection_submit

DAY = dt.date(2026, 4, 1)


def _start(
    user,
    world,
    campaign,
    checklists,
    *,
    institution="county_hospital",
    kind=InspectionKind.SELF,
    checklist="a5_medical_waste",
):
    return inspection_start(
        user=user,
        campaign=campaign,
        institution=world.institutions[institution],
        kind=kind,
        checklist_version=current_version(checklists[checklist]),
        inspected_on=DAY,
    )


def _items(inspection):
    return list(
        ChecklistItem.objects.filter(section__version=inspection.checklist_version).order_by(
            "section__order", "order"
        )
    )


def test_a_self_inspection_with_every_item_answered_is_submitted_and_not_found_is_stored(
    world, checklists, campaign, inspectors
):
    manager = inspectors["institution_manager"]
    inspection = _start(manager, world, campaign, checklists)
    first, *rest = _items(inspection)
    inspection_answer(user=manager, inspection=inspection, item=first, found=True, text="暂存处无警示标识")
    for item in rest:
        inspection_answer(user=manager, inspection=inspection, item=item, found=False)

    inspection = inspection_submit(user=manager, inspection=inspection, unit_head_name="王院长")

    assert inspection.status == InspectionStatus.SUBMITTED
    assert inspection.unit_head_name == "王院长"
    assert inspection.unit_head_signed_at is not None
    assert inspection.submitted_by == manager
    assert Answer.objects.filter(inspection=inspection, found=False).count() == len(rest)
    assert Answer.objects.filter(inspection=inspection, found__isnull=True).count() == 0
    assert AuditEntry.objects.filter(
        model="inspections.inspection", object_id=str(inspection.pk), action="transition"
    ).exists()


def test_an_inspection_with_an_unanswered_item_cannot_be_submitted(world, checklists, campaign, inspectors):
    manager = inspectors["institution_manager"]
    inspection = _start(manager, world, campaign, checklists)
    for item in _items(inspection)[1:]:
        inspection_answer(user=manager, inspection=inspection, item=item, found=False)
    with pytest.raises(DomainError) as error:
        inspection_submit(user=manager, inspection=inspection, unit_head_name="王院长")
    assert error.value.code == "unanswered"


def test_a_submitted_inspection_cannot_be_answered_again(world, checklists, campaign, inspectors):
    manager = inspectors["institution_manager"]
    inspection = _start(manager, world, campaign, checklists)
    for item in _items(inspection):
        inspection_answer(user=manager, inspection=inspection, item=item, found=False)
    inspection_submit(user=manager, inspection=inspection, unit_head_name="王院长")
    with pytest.raises(DomainError) as error:
        inspection_answer(
            user=manager, inspection=inspection, item=_items(inspection)[0], found=True, text="x"
        )
    assert error.value.code == "submitted"


def test_found_needs_a_description(world, checklists, campaign, inspectors):
    manager = inspectors["institution_manager"]
    inspection = _start(manager, world, campaign, checklists)
    with pytest.raises(InvalidAnswer) as error:
        inspection_answer(user=manager, inspection=inspection, item=_items(inspection)[0], found=True)
    assert error.value.field == "text"
    with pytest.raises(InvalidAnswer):
        inspection_answer(user=manager, inspection=inspection, item=_items(inspection)[0])


def test_number_and_text_items_need_their_kind_of_answer(world, checklists, campaign, inspectors):
    manager = inspectors["institution_manager"]
    inspection = _start(manager, world, campaign, checklists, checklist="a9_rural_scheme")
    items = _items(inspection)
    text_item = next(i for i in items if i.answer_type == AnswerType.TEXT)
    yes_no = next(i for i in items if i.answer_type == AnswerType.YES_NO)
    with pytest.raises(InvalidAnswer):
        inspection_answer(user=manager, inspection=inspection, item=text_item, text="  ")
    with pytest.raises(InvalidAnswer):
        inspection_answer(user=manager, inspection=inspection, item=yes_no, found=None)
    assert inspection_answer(user=manager, inspection=inspection, item=yes_no, found=True).found is True

    devices = _start(manager, world, campaign, checklists, checklist="a11_medical_devices")
    number = next(i for i in _items(devices) if i.answer_type == AnswerType.NUMBER)
    with pytest.raises(InvalidAnswer):
        inspection_answer(user=manager, inspection=devices, item=number)
    assert inspection_answer(user=manager, inspection=devices, item=number, number=3).number == 3


def test_fire_items_need_evidence(world, checklists, campaign, inspectors, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    manager = inspectors["institution_manager"]
    inspection = _start(manager, world, campaign, checklists, checklist="a18_safety")
    fire = next(i for i in _items(inspection) if i.section.violation_category_id == "fire")
    with pytest.raises(InvalidAnswer) as error:
        inspection_answer(user=manager, inspection=inspection, item=fire, found=False)
    assert error.value.field == "evidence"
    photo = SimpleUploadedFile("extinguisher.jpg", b"\xff\xd8\xff", content_type="image/jpeg")
    answer = inspection_answer(user=manager, inspection=inspection, item=fire, found=False, evidence=photo)
    assert answer.evidence.name.endswith(".jpg")


def test_an_institution_user_cannot_inspect_another_institution(world, checklists, campaign, inspectors):
    manager = inspectors["institution_manager"]
    with pytest.raises(NotVisible):
        _start(manager, world, campaign, checklists, institution="vc11")
    with pytest.raises(NotAllowed):
        _start(manager, world, campaign, checklists, kind=InspectionKind.ON_SITE)


def test_an_institution_user_cannot_record_an_on_site_inspection_of_their_institution(
    world, checklists, campaign, inspectors
):
    on_site = _start(inspectors["supervisor"], world, campaign, checklists, kind=InspectionKind.ON_SITE)
    with pytest.raises(NotAllowed):
        inspection_answer(
            user=inspectors["institution_manager"], inspection=on_site, item=_items(on_site)[0], found=False
        )


def test_a_supervisor_inspects_on_site_only_in_their_scope(world, checklists, campaign, inspectors):
    supervisor = inspectors["supervisor"]
    inspection = _start(
        supervisor, world, campaign, checklists, institution="vc21", kind=InspectionKind.ON_SITE
    )
    assert list(inspection.team.all()) == [supervisor]
    with pytest.raises(NotVisible):
        _start(supervisor, world, campaign, checklists, institution="hospital_b", kind=InspectionKind.ON_SITE)
    with pytest.raises(NotAllowed):
        _start(supervisor, world, campaign, checklists, institution="vc21", kind=InspectionKind.SELF)


def test_a_user_without_the_permission_cannot_start_an_inspection(world, checklists, campaign):
    with pytest.raises(NotAllowed):
        _start(world.users["institution_cashier"], world, campaign, checklists)


def test_an_institution_outside_the_campaign_scope_is_refused(world, checklists, campaign, inspectors):
    campaign.scope_institution_types = ["village_clinic"]
    campaign.save()
    with pytest.raises(DomainError) as error:
        _start(inspectors["institution_manager"], world, campaign, checklists)
    assert error.value.code == "not_in_campaign"


def test_a_township_hospital_inspects_its_village_clinics_on_site_and_itself_by_self_inspection(
    world, checklists, campaign, inspectors
):
    staff = inspectors["township_staff"]
    on_site = _start(staff, world, campaign, checklists, institution="vc11", kind=InspectionKind.ON_SITE)
    own = _start(staff, world, campaign, checklists, institution="th1")
    assert (on_site.kind, own.kind) == (InspectionKind.ON_SITE, InspectionKind.SELF)
    with pytest.raises(NotAllowed):
        _start(staff, world, campaign, checklists, institution="vc11")
    with pytest.raises(NotVisible):
        _start(staff, world, campaign, checklists, institution="vc21", kind=InspectionKind.ON_SITE)
