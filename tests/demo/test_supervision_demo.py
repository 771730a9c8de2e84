"""The demo county's supervision loop: two running campaigns with inspections, hazards in every state of
the rectification workflow with a consistent history, overdue ones, and a published sampling draw.

Built once for the module inside a transaction that is rolled back at the end, as in test_demo.py.
"""

from __future__ import annotations

from collections import Counter

import pytest
from django.db import transaction

from weijian.campaigns.coverage import coverage
from weijian.campaigns.models import Campaign
from weijian.demo import DemoContext, build_demo, plan_demo
from weijian.demo.supervision_part import SUPERVISION_TODAY
from weijian.inspections.models import Answer, Inspection, InspectionKind, InspectionStatus, SamplingDraw
from weijian.inspections.services import sampling_rerun
from weijian.rectification import selectors, workflow
from weijian.rectification.models import Hazard, HazardEvent, HazardLevel, HazardState

SEED = 7
# These tests look at other parts: a small health-financing part keeps the build quick.
SMALL = 400


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_demo(seed=SEED, households=SMALL)
        transaction.set_rollback(True)


@pytest.fixture
def county(demo, db):
    return demo


def _campaign(template: str) -> Campaign:
    return Campaign.objects.get(is_template=False, template_code=template, year=2026)


def test_both_campaigns_run_in_2026_with_their_tasks(county):
    for template in ("health_sector_safety", "medical_disorder"):
        campaign = _campaign(template)
        assert campaign.division.code == "369901000000"
        assert campaign.owner.name == "示范县卫生健康委员会"
        assert campaign.start <= SUPERVISION_TODAY <= campaign.end
        assert campaign.tasks.exists()
        kinds = Counter(campaign.inspections.values_list("kind", flat=True))
        assert kinds[InspectionKind.SELF] > 50 and kinds[InspectionKind.ON_SITE] > 50


def test_inspections_are_submitted_and_fully_answered_mostly_未发现(county):
    assert not Inspection.objects.exclude(status=InspectionStatus.SUBMITTED).exists()
    inspection = Inspection.objects.filter(kind=InspectionKind.ON_SITE).first()
    items = inspection.checklist_version.sections.values_list("items", flat=True).count()
    assert inspection.answers.count() == items
    assert inspection.team.exists()
    found = Answer.objects.filter(found=True, item__answer_type="found")
    assert found.exists()
    assert found.count() < Answer.objects.filter(found=False, item__answer_type="found").count() / 10
    assert not found.filter(text="").exists()


def test_on_site_coverage_meets_some_targets_and_misses_others(county):
    rows = [r for r in coverage(_campaign("medical_disorder")) if r.dimension == "class"]
    met = {r.key: r.met for r in rows}

    assert met["county_level"] is True
    assert True in met.values() and False in met.values()


def test_hazards_exist_in_every_state_and_both_levels(county):
    assert set(Hazard.objects.values_list("state", flat=True)) == set(HazardState.values)
    assert set(Hazard.objects.values_list("level", flat=True)) == set(HazardLevel.values)
    assert not Hazard.objects.filter(answer__isnull=True).exists()


def test_every_hazard_history_is_a_walk_through_the_workflow_table(county):
    events = {}
    for event in HazardEvent.objects.order_by("hazard", "at", "id"):
        events.setdefault(event.hazard_id, []).append(event)
    for hazard in Hazard.objects.all():
        state = HazardState.FOUND
        for event in events.get(hazard.pk, []):
            assert event.from_state == state
            state = workflow.next_state(state, event.action, hazard.level)
            assert event.to_state == state
            assert hazard.found_on <= event.at.date() <= SUPERVISION_TODAY
        assert state == hazard.state, hazard


def test_every_closed_hazard_passed_its_re_inspection_before_closing(county):
    closed = Hazard.objects.filter(state__in=[HazardState.CLOSED, HazardState.LOOKED_BACK])
    assert closed.exists()
    for hazard in closed:
        actions = list(hazard.events.order_by("at", "id").values_list("action", flat=True))
        assert "verify_pass" in actions[: actions.index("close")]
        assert hazard.closed_on is not None


def test_every_major_hazard_past_found_was_listed(county):
    major = Hazard.objects.filter(level=HazardLevel.MAJOR).exclude(state=HazardState.FOUND)
    assert major.exists()
    for hazard in major:
        assert hazard.events.order_by("at", "id").first().action == workflow.Action.LIST


def test_some_hazards_are_overdue_on_the_demo_today(county):
    overdue = Hazard.objects.filter(selectors._overdue(SUPERVISION_TODAY))
    assert 0 < overdue.count() < Hazard.objects.count() / 2


def test_the_published_sampling_draw_re_runs_to_its_result(county):
    draw = SamplingDraw.objects.get()

    assert draw.published_at is not None
    assert draw.result
    assert sampling_rerun(draw) == draw.result


def _signature_of_plan(seed: int, monkeypatch) -> list[tuple]:
    saved = []
    save = DemoContext.save

    def capture(self, objs):
        if objs and isinstance(objs[0], Hazard):
            saved.extend(objs)
        return save(self, objs)

    monkeypatch.setattr(DemoContext, "save", capture)
    plan_demo(seed=seed, households=SMALL)
    return sorted(
        (h.institution.organisation.credit_code, h.category_id, h.level, h.state, h.found_on) for h in saved
    )


def test_the_same_seed_gives_the_same_hazards(county, monkeypatch):
    built = sorted(
        Hazard.objects.values_list(
            "institution__organisation__credit_code", "category_id", "level", "state", "found_on"
        )
    )

    assert _signature_of_plan(SEED, monkeypatch) == built
