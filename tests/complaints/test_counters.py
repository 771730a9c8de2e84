"""The five complaint counters of the medical-beauty summary footer (seed-000 篇1 附件1): 投诉举报件,
办结件, 实施行政处罚件, 反馈件, 举报人满意件, against direct counts of the records built here."""

import datetime as dt

import pytest

from tests.complaints import factories
from weijian.complaints.models import Complaint
from weijian.complaints.selectors import complaint_list, summary_counters

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def ledger(world):
    """Complaints at every stage; three linked to cases, two of those with penalties."""
    handled = {"handled_on": D(2026, 10, 20), "substantiated": True, "result": "属实，已立案"}
    replied = {**handled, "replied_on": D(2026, 10, 22), "reply": "已依法处理"}
    complaints = [
        factories.complaint(world, state="received"),
        factories.complaint(world, state="checking"),
        factories.complaint(world, state="handled", **handled),
        factories.complaint(world, state="replied", **replied),
        factories.complaint(world, state="rated", satisfaction="satisfied", **replied),
        factories.complaint(world, state="rated", satisfaction="basically", **replied),
        factories.complaint(world, state="rated", satisfaction="dissatisfied", **replied),
        factories.complaint(world, division="county_b", handling="commission_b", state="rated", **replied),
    ]
    # Two cases with penalties on one complaint count it once; a case without a penalty not at all.
    factories.case(world, complaints[2], penalties=2)
    factories.case(world, complaints[2], penalties=1)
    factories.case(world, complaints[4], penalties=1)
    factories.case(world, complaints[3], penalties=0)
    return complaints


def _direct(complaints):
    return {
        "received": len(complaints),
        "closed": sum(c.handled_on is not None for c in complaints),
        "penalised": sum(any(case.penalties.exists() for case in c.cases.all()) for c in complaints),
        "replied": sum(c.replied_on is not None for c in complaints),
        "satisfied": sum(c.satisfaction == "satisfied" for c in complaints),
    }


def test_the_counters_equal_direct_counts_of_the_records(ledger):
    counters = summary_counters(Complaint.objects.all())
    assert counters == _direct(ledger)
    assert counters == {"received": 8, "closed": 6, "penalised": 2, "replied": 5, "satisfied": 1}


def test_the_counters_of_a_users_list_count_only_what_the_user_sees(world, ledger):
    counters = summary_counters(complaint_list(world.users["supervisor"]))
    assert counters == _direct(ledger[:7])
    assert counters["received"] == 7


def test_the_counters_follow_the_lists_filters(world, ledger):
    rated = complaint_list(world.users["superuser"], state="rated")
    assert summary_counters(rated) == _direct([c for c in ledger if c.state == "rated"])


def test_no_complaints_count_zero(db):
    assert summary_counters(Complaint.objects.all()) == dict.fromkeys(
        ["received", "closed", "penalised", "replied", "satisfied"], 0
    )
