"""Inspection pages: starting, filling in and submitting a self-inspection through the forms, the
scope of the pages, and random sampling with its re-run and publication."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from weijian.campaigns.services import campaign_from_template
from weijian.inspections.models import (
    AnswerType,
    Checklist,
    ChecklistItem,
    Inspection,
    InspectionKind,
    InspectionStatus,
    SamplingDraw,
)
from weijian.rectification.models import Hazard, HazardLevel, HazardSource

INSPECTED_ON = dt.date(2026, 11, 2)


@pytest.fixture
def safety_campaign(world):
    return campaign_from_template(
        user=None, template_code="health_sector_safety", division=world.divisions["county_a"], year=2026
    )


def _start(client, campaign, institution, checklist="a18_safety"):
    return client.post(
        reverse("inspections:inspection_start"),
        {
            "campaign": campaign.pk,
            "institution": institution.pk,
            "checklist": Checklist.objects.get(code=checklist).pk,
            "inspected_on": INSPECTED_ON.isoformat(),
        },
    )


def _answers(inspection, *, found_item=None) -> dict:
    """POST data answering every item: nothing found, yes, a number or a text; evidence where needed;
    and for `found_item` a finding with a major hazard."""
    data = {"action": "save"}
    for item in ChecklistItem.objects.filter(section__version=inspection.checklist_version):
        key = item.pk
        if item.answer_type == AnswerType.FOUND:
            data[f"found_{key}"] = "0"
        elif item.answer_type == AnswerType.YES_NO:
            data[f"found_{key}"] = "1"
        elif item.answer_type == AnswerType.NUMBER:
            data[f"number_{key}"] = "3"
        else:
            data[f"text_{key}"] = "已落实"
        if item.requires_evidence:
            data[f"evidence_{key}"] = SimpleUploadedFile(f"photo{key}.jpg", b"jpeg", "image/jpeg")
    if found_item is not None:
        key = found_item.pk
        data |= {
            f"found_{key}": "1",
            f"text_{key}": "配电房堆放杂物",
            f"hazard_level_{key}": HazardLevel.MAJOR,
            f"hazard_location_{key}": "配电房",
            f"hazard_description_{key}": "配电房堆放易燃杂物，未配灭火器",
        }
    return data


def test_an_institution_manager_fills_and_submits_a_self_inspection_with_a_major_hazard(
    world, login, safety_campaign, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    manager = world.users["institution_manager"]
    client = login(manager)
    form = client.get(reverse("inspections:inspection_start"))
    assert list(form.context["form"].fields["institution"].queryset) == [
        world.institutions["county_hospital"]
    ]

    response = _start(client, safety_campaign, world.institutions["county_hospital"])
    inspection = Inspection.objects.get()
    assert response.url == reverse("inspections:inspection_detail", args=[inspection.pk])
    assert inspection.kind == InspectionKind.SELF

    page = client.get(response.url)
    assert page.status_code == 200
    found_item = (
        ChecklistItem.objects.filter(
            section__version=inspection.checklist_version, answer_type=AnswerType.FOUND
        )
        .order_by("section__order", "order")
        .first()
    )
    assert found_item.text in page.content.decode()

    saved = client.post(response.url, _answers(inspection, found_item=found_item))
    assert saved.status_code == 302, saved.context["entry"].item_errors
    hazard = Hazard.objects.get()
    assert (hazard.level, hazard.source, hazard.location) == (
        HazardLevel.MAJOR,
        HazardSource.SELF_INSPECTION,
        "配电房",
    )
    assert hazard.inspection == inspection
    assert hazard.campaign == safety_campaign
    assert hazard.answer.item == found_item
    assert hazard.category == (found_item.violation_category or found_item.section.violation_category)

    submitted = client.post(response.url, {"action": "submit", "unit_head_name": "张院长"})
    assert submitted.status_code == 302
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.SUBMITTED
    assert inspection.unit_head_name == "张院长"

    board = client.get(reverse("rectification:board"))
    assert reverse("rectification:hazard_detail", args=[hazard.pk]) in board.content.decode()
    leader_board = login(world.users["commission_leader"]).get(reverse("rectification:board"))
    assert reverse("rectification:hazard_detail", args=[hazard.pk]) in leader_board.content.decode()


def test_answers_with_errors_are_shown_per_item_and_not_saved(world, login, safety_campaign):
    client = login(world.users["institution_manager"])
    _start(client, safety_campaign, world.institutions["county_hospital"])
    inspection = Inspection.objects.get()
    item = ChecklistItem.objects.filter(
        section__version=inspection.checklist_version, answer_type=AnswerType.FOUND
    ).first()

    response = client.post(
        reverse("inspections:inspection_detail", args=[inspection.pk]),
        {"action": "save", f"found_{item.pk}": "1", f"text_{item.pk}": ""},
    )

    assert response.status_code == 200
    assert response.context["entry"].item_errors[item.pk]
    assert f'class="item has-error" id="item-{item.pk}"' in response.content.decode()
    assert not inspection.answers.exists()


def test_an_inspection_with_unanswered_items_cannot_be_submitted(world, login, safety_campaign):
    client = login(world.users["institution_manager"])
    _start(client, safety_campaign, world.institutions["county_hospital"])
    inspection = Inspection.objects.get()
    response = client.post(
        reverse("inspections:inspection_detail", args=[inspection.pk]),
        {"action": "submit", "unit_head_name": "张院长"},
    )
    assert response.status_code == 200
    assert response.context["submit"].non_field_errors()
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.DRAFT


def test_an_institution_user_cannot_self_inspect_another_institution(world, login, safety_campaign):
    client = login(world.users["institution_manager"])
    response = _start(client, safety_campaign, world.institutions["th1"])
    assert response.status_code == 200
    assert response.context["form"].errors["institution"]
    assert not Inspection.objects.exists()


def test_a_supervisor_starts_an_on_site_inspection_in_scope_only(world, login, safety_campaign):
    client = login(world.users["supervisor"])
    response = _start(client, safety_campaign, world.institutions["th1"])
    inspection = Inspection.objects.get()
    assert response.status_code == 302
    assert inspection.kind == InspectionKind.ON_SITE
    assert (
        _start(client, safety_campaign, world.institutions["hospital_b"])
        .context["form"]
        .errors["institution"]
    )


@pytest.mark.parametrize(
    "role, status",
    [
        ("supervisor", 200),
        ("commission_leader", 200),
        ("auditor", 200),
        ("superuser", 200),
        ("institution_manager", 404),  # another institution's inspection
        ("village_doctor", 403),
        ("insurance_clerk", 403),
        ("no_organisation", 403),
    ],
)
def test_the_inspection_pages_follow_role_and_scope(world, login, safety_campaign, role, status):
    _start(login(world.users["supervisor"]), safety_campaign, world.institutions["th1"])
    inspection = Inspection.objects.get()
    client = login(world.users[role])
    listed = client.get(reverse("inspections:inspection_list"))
    assert listed.status_code == (403 if status == 403 else 200)
    if status != 403:
        assert (inspection in listed.context["page"]) == (status == 200)
    assert client.get(reverse("inspections:inspection_detail", args=[inspection.pk])).status_code == status


def test_only_the_team_records_an_on_site_inspection(world, login, safety_campaign):
    _start(login(world.users["supervisor"]), safety_campaign, world.institutions["th1"])
    inspection = Inspection.objects.get()
    response = login(world.users["institution_manager"]).post(
        reverse("inspections:inspection_detail", args=[inspection.pk]),
        {"action": "submit", "unit_head_name": "张院长"},
    )
    assert response.status_code == 404


@pytest.fixture
def targeted_campaign(world):
    """A campaign with coverage targets (the safety campaign has none), so a draw picks institutions."""
    return campaign_from_template(
        user=None, template_code="medical_disorder", division=world.divisions["county_a"], year=2026
    )


def test_a_sampling_draw_is_recorded_re_run_and_published(world, login, targeted_campaign):
    supervisor = login(world.users["supervisor"])
    page = supervisor.get(reverse("inspections:sampling", args=[targeted_campaign.pk]))
    assert page.status_code == 200

    response = supervisor.post(
        reverse("inspections:sampling", args=[targeted_campaign.pk]), {"seed": 20261102}
    )
    draw = SamplingDraw.objects.get()
    assert draw.result
    assert response.url == reverse("inspections:sampling_draw", args=[draw.pk])
    assert draw.seed == 20261102

    shown = supervisor.get(response.url + "?rerun=1")
    html = shown.content.decode()
    for row in draw.result:
        institution = next(i for i in world.institutions.values() if i.pk == row["institution"])
        assert institution.organisation.name in html
    assert shown.context["rerun_matches"] is True
    assert 'id="rerun-verdict" class="ok"' in html
    assert shown.context["can_publish"] is False  # the supervisor may draw but not publish

    leader = login(world.users["commission_leader"])
    assert leader.post(reverse("inspections:sampling_draw", args=[draw.pk])).status_code == 302
    draw.refresh_from_db()
    assert draw.published_at is not None


def test_roles_without_the_permission_cannot_draw(world, login, safety_campaign):
    auditor = login(world.users["auditor"])
    assert auditor.get(reverse("inspections:sampling", args=[safety_campaign.pk])).status_code == 200
    response = auditor.post(reverse("inspections:sampling", args=[safety_campaign.pk]), {"seed": 1})
    assert response.status_code == 403
    assert (
        login(world.users["institution_manager"])
        .get(reverse("inspections:sampling", args=[safety_campaign.pk]))
        .status_code
        == 403
    )
