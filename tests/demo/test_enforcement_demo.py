"""The demo county's enforcement: the medical-beauty campaign with inspected objects, cases in every state
of the case workflow with a history the workflow table allows, penalties only after a decision,
complaints in every state (some overdue, some replied late), referrals and a police transfer.

Built once for the module inside a transaction that is rolled back at the end, as in test_demo.py.
"""

from __future__ import annotations

from collections import Counter

import pytest
from django.db import transaction

from weijian.campaigns.models import Campaign
from weijian.complaints.models import Complaint, ComplaintState
from weijian.demo import build_demo
from weijian.demo.supervision_part import SUPERVISION_TODAY
from weijian.enforcement import workflow
from weijian.enforcement.models import (
    BlacklistEntry,
    Case,
    CaseState,
    CreditPoint,
    JudicialTransfer,
    Penalty,
    Referral,
    SiteCheck,
)
from weijian.reports.engine.periods import Period
from weijian.reports.forms import beauty_summary

SEED = 11
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


def _beauty() -> Campaign:
    return Campaign.objects.get(is_template=False, template_code="medical_beauty", year=2026)


def test_every_case_state_is_present(county):
    states = Counter(Case.objects.values_list("state", flat=True))
    assert set(states) == set(CaseState.values)


def test_case_histories_follow_the_workflow_table(county):
    for case in Case.objects.prefetch_related("events", "penalties"):
        kinds = [p.kind for p in case.penalties.all()]
        state = CaseState.LEAD
        for event in case.events.all():
            assert event.from_state == state
            assert workflow.next_state(state, event.action, case.procedure, kinds) == event.to_state
            state = event.to_state
        assert state == case.state


def test_penalties_exist_only_for_decided_cases_and_copy_the_case(county):
    assert Penalty.objects.exists()
    for penalty in Penalty.objects.select_related("case"):
        case = penalty.case
        assert case.state in workflow.DECIDED_OR_LATER
        assert (penalty.campaign_id, penalty.division_id, penalty.category_id, penalty.decided_on) == (
            case.campaign_id,
            case.division_id,
            case.category_id,
            case.decided_on,
        )
    undecided = Case.objects.exclude(state__in=workflow.DECIDED_OR_LATER)
    assert not Penalty.objects.filter(case__in=undecided).exists()


def test_complaints_in_every_state_some_overdue_some_late(county):
    complaints = list(Complaint.objects.all())
    assert {c.state for c in complaints} == set(ComplaintState.values)
    overdue = [c for c in complaints if c.replied_on is None and c.reply_due < SUPERVISION_TODAY]
    assert 0 < len(overdue) < len(complaints) / 2
    assert any(c.replied_late for c in complaints)
    assert any(c.replied_late is False for c in complaints)


def test_referrals_police_transfer_blacklist_and_points(county):
    assert Referral.objects.filter(from_organisation__department="market_regulation").exists()
    assert Referral.objects.filter(case__state=CaseState.HANDED_OVER).exists()
    transfer = JudicialTransfer.objects.get()
    assert transfer.evidence and transfer.to_organisation.department == "public_security"
    assert BlacklistEntry.objects.exists()
    assert CreditPoint.objects.exists()


def test_the_summary_table_of_the_demo_campaign_has_numbers(county):
    campaign = _beauty()
    form = beauty_summary.compute(campaign, campaign.division, Period(campaign.start, SUPERVISION_TODAY))
    checked = SiteCheck.objects.filter(campaign=campaign).values("category", "subject_key").distinct().count()
    assert sum(n for n in form.inspected if n is not None) == checked
    assert form.complaints.received == Complaint.objects.filter(campaign=campaign).count()


def test_complaint_histories_follow_the_complaint_workflow(county):
    from weijian.complaints import workflow as complaint_workflow

    for complaint in Complaint.objects.prefetch_related("events"):
        state = ComplaintState.RECEIVED
        for event in complaint.events.all():
            assert event.from_state == state
            assert complaint_workflow.next_state(state, event.action) == event.to_state
            state = event.to_state
        assert state == complaint.state
        assert (complaint.handled_on is not None) == (
            complaint.state in (ComplaintState.HANDLED, ComplaintState.REPLIED, ComplaintState.RATED)
        )
