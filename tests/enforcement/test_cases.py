"""Opening cases and moving them through the workflow with the one service."""

import datetime as dt
import re
from decimal import Decimal

import pytest

from tests.enforcement import factories
from tests.enforcement.factories import DECIDED_ON, FILED_ON, move, snapshot
from weijian.core.errors import DomainError, NotAllowed, NotVisible
from weijian.core.models import AuditEntry
from weijian.enforcement import selectors, services
from weijian.enforcement.models import CaseSource, CreditPoint, Penalty, Referral
from weijian.enforcement.subjects import InvalidSubject
from weijian.enforcement.workflow import TransitionNotAllowed

pytestmark = pytest.mark.django_db


# --- opening ----------------------------------------------------------------------------------------


def test_a_supervisor_opens_a_lead_handled_by_their_institute(world):
    case = factories.open_case(world)
    assert case.state == "lead"
    assert case.organisation == world.orgs["supervision_a"]
    assert case.handler == world.users["supervisor"]
    assert case.subject_type == "organisation"
    assert case.division == world.divisions["t1"]
    assert re.fullmatch(r"卫监\d{4}〔2026〕00001号", case.number)


def test_case_numbers_run_per_organisation_and_year(world):
    first = factories.open_case(world)
    second = factories.open_case(world)
    next_year = factories.open_case(world, opened_on=dt.date(2027, 1, 4))
    county_b = factories.user_at(world.orgs["commission_b"], "supervisor_b")
    other = factories.open_case(world, user="supervisor", institution=world.institutions["th1"])
    world.users["supervisor_b"] = county_b
    theirs = factories.open_case(world, user="supervisor_b", institution=world.institutions["hospital_b"])
    assert [first.number[-6:], second.number[-6:], other.number[-6:]] == ["00001号", "00002号", "00003号"]
    assert next_year.number.endswith("〔2027〕00001号")
    assert theirs.number.endswith("〔2026〕00001号")
    numbers = [c.number for c in (first, second, next_year, other, theirs)]
    assert len(set(numbers)) == len(numbers)


def test_roles_without_the_permission_cannot_open_a_case(world):
    for role in (
        "commission_leader",
        "auditor",
        "department_officer",
        "institution_manager",
        "no_organisation",
    ):
        with pytest.raises(NotAllowed):
            factories.open_case(world, user=role)


def test_a_superuser_without_an_organisation_cannot_handle_a_case(world):
    with pytest.raises(NotAllowed):
        factories.open_case(world, user="superuser")


def test_a_subject_out_of_scope_is_reported_as_missing(world):
    with pytest.raises(NotVisible):
        factories.open_case(world, institution=world.institutions["hospital_b"])
    with pytest.raises(NotVisible):
        factories.open_case(world, party_name="河西美容院", division=world.divisions["tb1"])
    with pytest.raises(NotVisible):
        factories.open_case(world, practitioner=world.practitioners["hospital_b"])


def test_a_party_the_registry_does_not_know_needs_its_division(world):
    with pytest.raises(InvalidSubject):
        factories.open_case(world, party_name="丽人美容工作室")
    case = factories.open_case(
        world, party_name=" 丽人美容工作室 ", division=world.divisions["t1"], venue_type="residential"
    )
    assert case.party_name == "丽人美容工作室"
    assert case.subject_type == "organisation"


@pytest.mark.parametrize(
    ("source", "link", "field"),
    [
        ("complaint", None, "complaint"),
        ("referral", None, "referral"),
        ("other", "complaint", "complaint"),
        ("inspection", "complaint", "complaint"),
    ],
)
def test_the_source_must_agree_with_the_links(world, source, link, field):
    extra = {"complaint": factories.complaint(world)} if link == "complaint" else {}
    with pytest.raises(DomainError) as error:
        factories.open_case(world, source=source, **extra)
    assert error.value.field == field


def test_a_case_from_a_complaint_takes_its_subject_campaign_and_division(world):
    campaign = factories.campaign(world)
    complaint = factories.complaint(world, of=campaign)
    case = factories.open_case(world, source=CaseSource.COMPLAINT, complaint=complaint)
    assert case.campaign == campaign
    assert case.division == world.divisions["t1"]
    assert case.party_name == "丽人美容工作室"
    assert case.party_address == "城关镇解放路12号"
    assert list(complaint.cases.all()) == [case]


def test_a_complaint_out_of_scope_cannot_be_the_source(world):
    complaint = factories.complaint(world, division="tb1")
    with pytest.raises(NotVisible):
        factories.open_case(world, source=CaseSource.COMPLAINT, complaint=complaint)


def test_a_campaign_of_another_county_does_not_hold_the_case(world):
    with pytest.raises(DomainError) as error:
        factories.open_case(
            world, campaign=factories.campaign(world, division="county_b", owner="commission_b")
        )
    assert error.value.field == "campaign"


# --- the workflow -----------------------------------------------------------------------------------


def test_a_general_procedure_case_goes_from_lead_to_closed(world):
    campaign = factories.campaign(world)
    case = factories.open_case(world, campaign=campaign)
    factories.to_decided(world, case)
    move(world, case, "supervisor", "execute")
    case = move(world, case, "supervisor", "close", closed_on=dt.date(2026, 4, 10), note="罚款已缴清")
    assert case.state == "closed"
    assert (case.procedure, case.filed_on, case.decided_on, case.closed_on) == (
        "general",
        FILED_ON,
        DECIDED_ON,
        dt.date(2026, 4, 10),
    )
    assert list(case.events.values_list("action", flat=True)) == [
        "verify",
        "file",
        "investigate",
        "decide",
        "execute",
        "close",
    ]
    assert case.events.last().note == "罚款已缴清"
    transitions = AuditEntry.objects.filter(
        model="enforcement.case", object_id=str(case.pk), action="transition"
    )
    assert transitions.count() == 6


def test_the_decision_copies_the_cases_dimensions_onto_each_penalty(world):
    campaign = factories.campaign(world)
    case = factories.open_case(world, campaign=campaign)
    factories.to_decided(world, case)
    penalties = list(case.penalties.all())
    assert [(p.kind, p.amount) for p in penalties] == [("warning", None), ("fine", Decimal("30000.00"))]
    for penalty in penalties:
        assert (penalty.campaign, penalty.division, penalty.category, penalty.decided_on) == (
            campaign,
            world.divisions["t1"],
            case.category,
            DECIDED_ON,
        )
        assert penalty.subject_type == "organisation"


def test_the_summary_procedure_decides_without_an_investigation(world):
    case = factories.open_case(world)
    move(world, case, "supervisor", "verify")
    move(world, case, "supervisor", "file", procedure="simple", filed_on=FILED_ON)
    with pytest.raises(TransitionNotAllowed):
        move(world, case, "supervisor", "investigate")
    case = move(world, case, "supervisor", "decide", **factories.decision())
    assert case.state == "decided"


def test_the_general_procedure_investigates_before_deciding(world):
    case = factories.open_case(world)
    move(world, case, "supervisor", "verify")
    move(world, case, "supervisor", "file", procedure="general", filed_on=FILED_ON)
    before = snapshot(case)
    with pytest.raises(TransitionNotAllowed):
        move(world, case, "supervisor", "decide", **factories.decision())
    assert snapshot(case) == before


def test_a_decision_of_warnings_only_closes_without_execution(world):
    case = factories.open_case(world)
    factories.to_decided(
        world, case, penalties=[{"kind": "warning"}, {"kind": "correction_order", "description": "责令改正"}]
    )
    case = move(world, case, "supervisor", "close", closed_on=dt.date(2026, 3, 25))
    assert case.state == "closed"


def test_a_decision_with_a_fine_is_executed_before_closing(world):
    case = factories.to_decided(world, factories.open_case(world))
    before = snapshot(case)
    with pytest.raises(TransitionNotAllowed):
        move(world, case, "supervisor", "close", closed_on=dt.date(2026, 3, 25))
    assert snapshot(case) == before
    assert [row.action for row in selectors.case_actions(world.users["supervisor"], case)] == ["execute"]


def test_a_lead_is_dropped_with_a_reason_before_filing_only(world):
    case = factories.open_case(world)
    before = snapshot(case)
    with pytest.raises(DomainError) as error:
        move(world, case, "supervisor", "drop", reason="  ")
    assert error.value.field == "reason"
    assert snapshot(case) == before
    move(world, case, "supervisor", "verify")
    case = move(world, case, "supervisor", "drop", reason="经核查不存在违法行为")
    assert case.state == "dropped"
    assert case.events.last().note == "经核查不存在违法行为"

    filed = factories.open_case(world)
    move(world, filed, "supervisor", "verify")
    move(world, filed, "supervisor", "file", procedure="general", filed_on=FILED_ON)
    with pytest.raises(TransitionNotAllowed):
        move(world, filed, "supervisor", "drop", reason="撤案")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"filed_on": FILED_ON}, "procedure"),
        ({"procedure": "fast", "filed_on": FILED_ON}, "procedure"),
        ({"procedure": "general"}, "filed_on"),
        ({"procedure": "general", "filed_on": dt.date(2026, 3, 1)}, "filed_on"),
        ({"procedure": "general", "filed_on": "2026-03-05"}, "filed_on"),
    ],
)
def test_filing_needs_the_procedure_and_a_date_after_the_lead(world, data, field):
    case = factories.open_case(world)
    move(world, case, "supervisor", "verify")
    before = snapshot(case)
    with pytest.raises(DomainError) as error:
        move(world, case, "supervisor", "file", **data)
    assert error.value.field == field
    assert snapshot(case) == before


def test_an_unknown_field_is_refused(world):
    case = factories.open_case(world)
    with pytest.raises(DomainError) as error:
        move(world, case, "supervisor", "verify", state="closed")
    assert error.value.code == "unknown_field"


@pytest.mark.parametrize(
    ("override", "field", "row"),
    [
        ({"penalties": []}, "penalties", None),
        ({"penalties": None}, "penalties", None),
        ({"penalties": [{"kind": "warning"}, {"kind": "fine"}]}, "penalties.1.amount", 2),
        ({"penalties": [{"kind": "fine", "amount": "0"}]}, "penalties.0.amount", 1),
        ({"penalties": [{"kind": "fine", "amount": "-50"}]}, "penalties.0.amount", 1),
        ({"penalties": [{"kind": "fine", "amount": "100.005"}]}, "penalties.0.amount", 1),
        ({"penalties": [{"kind": "fine", "amount": "三万"}]}, "penalties.0.amount", 1),
        ({"penalties": [{"kind": "fine", "amount": 300.5}]}, "penalties.0.amount", 1),
        ({"penalties": [{"kind": "confiscation"}]}, "penalties.0.amount", 1),
        ({"penalties": [{"kind": "warning", "amount": "100"}]}, "penalties.0.amount", 1),
        ({"penalties": [{"kind": "flogging"}]}, "penalties.0.kind", 1),
        ({"penalties": [{"kind": "warning", "subject_type": "robot"}]}, "penalties.0.subject_type", 1),
        ({"penalties": [{"kind": "warning", "colour": "red"}]}, "penalties.0.colour", 1),
        ({"decided_on": dt.date(2026, 3, 4)}, "decided_on", None),
        ({"decided_on": None}, "decided_on", None),
        ({"facts": " "}, "facts", None),
        ({"law_violated": ""}, "law_violated", None),
        ({"penalty_basis": None}, "penalty_basis", None),
    ],
)
def test_an_incomplete_decision_is_refused_with_the_row_and_field(world, override, field, row):
    case = factories.open_case(world)
    move(world, case, "supervisor", "verify")
    move(world, case, "supervisor", "file", procedure="simple", filed_on=FILED_ON)
    before = snapshot(case)
    with pytest.raises(DomainError) as error:
        move(world, case, "supervisor", "decide", **factories.decision(**override))
    assert error.value.field == field
    if row is not None:
        assert f"{row}" in str(error.value.message)
    assert snapshot(case) == before
    assert not Penalty.objects.exists()


def test_a_penalty_on_a_practitioner_penalises_a_person(world):
    case = factories.open_case(world)
    doctor = world.practitioners["beauty_t1"]
    with pytest.raises(DomainError) as error:
        factories.to_decided(
            world,
            case,
            procedure="simple",
            penalties=[{"kind": "warning", "practitioner": doctor, "subject_type": "organisation"}],
        )
    assert error.value.field == "penalties.0.subject_type"
    case = move(
        world,
        case,
        "supervisor",
        "decide",
        **factories.decision(penalties=[{"kind": "warning", "practitioner": doctor}]),
    )
    assert case.penalties.get().subject_type == "person"


def test_a_penalty_cannot_name_a_practitioner_out_of_scope(world):
    case = factories.open_case(world)
    with pytest.raises(DomainError) as error:
        factories.to_decided(
            world, case, penalties=[{"kind": "warning", "practitioner": world.practitioners["hospital_b"]}]
        )
    assert error.value.field == "penalties.0.practitioner"


def test_a_case_cannot_close_before_its_decision(world):
    case = factories.open_case(world)
    factories.to_decided(world, case)
    move(world, case, "supervisor", "execute")
    before = snapshot(case)
    with pytest.raises(DomainError) as error:
        move(world, case, "supervisor", "close", closed_on=dt.date(2026, 3, 19))
    assert error.value.field == "closed_on"
    with pytest.raises(DomainError) as error:
        move(world, case, "supervisor", "close")
    assert error.value.field == "closed_on"
    assert snapshot(case) == before


def test_closing_scores_the_bad_conduct_points(world):
    case = factories.open_case(world)
    factories.to_closed(world, case)
    assert sorted(CreditPoint.objects.values_list("rule", "points", "institution")) == [
        ("medical_beauty_fine", 6, world.institutions["beauty_t1"].pk),
        ("warning", 2, world.institutions["beauty_t1"].pk),
    ]
    assert set(CreditPoint.objects.values_list("awarded_on", flat=True)) == {factories.CLOSED_ON}


def test_an_open_case_is_handed_over_with_a_referral(world):
    case = factories.open_case(world, facts="涉嫌发布违法医疗美容广告")
    move(world, case, "supervisor", "verify")
    case = move(
        world,
        case,
        "supervisor",
        "hand_over",
        to_organisation=world.orgs["market_a"],
        sent_on=dt.date(2026, 3, 3),
    )
    assert case.state == "handed_over"
    referral = Referral.objects.get()
    assert (referral.from_organisation, referral.to_organisation, referral.case) == (
        world.orgs["supervision_a"],
        world.orgs["market_a"],
        case,
    )
    assert (referral.institution, referral.subject_key, referral.division) == (
        case.institution,
        case.subject_key,
        case.division,
    )
    assert referral.facts == "涉嫌发布违法医疗美容广告"
    incoming = selectors.referral_list(world.users["department_officer"], direction="in")
    assert list(incoming) == [referral]


def test_a_case_is_not_handed_over_to_its_own_organisation_nor_after_the_decision(world):
    case = factories.open_case(world, facts="事实")
    before = snapshot(case)
    with pytest.raises(DomainError) as error:
        move(world, case, "supervisor", "hand_over", to_organisation=world.orgs["supervision_a"])
    assert error.value.field == "to_organisation"
    with pytest.raises(DomainError) as error:
        move(world, case, "supervisor", "hand_over")
    assert error.value.field == "to_organisation"
    assert snapshot(case) == before
    factories.to_decided(world, case)
    with pytest.raises(TransitionNotAllowed):
        move(world, case, "supervisor", "hand_over", to_organisation=world.orgs["market_a"])


def test_only_the_handling_organisation_moves_a_case(world):
    case = factories.open_case(world)
    colleague = factories.user_at(world.orgs["commission_a"], "commission_supervisor")
    world.users["commission_supervisor"] = colleague
    before = snapshot(case)
    for role in ("commission_leader", "auditor", "commission_supervisor"):
        with pytest.raises(NotAllowed):
            move(world, case, role, "verify")
    for role in ("township_staff", "institution_manager", "department_officer"):
        with pytest.raises((NotAllowed, NotVisible)):
            move(world, case, role, "verify")
    assert snapshot(case) == before
    assert move(world, case, "superuser", "verify").state == "verifying"


def test_a_case_of_another_county_is_reported_as_missing(world):
    world.users["supervisor_b"] = factories.user_at(world.orgs["commission_b"], "supervisor_b")
    case = factories.open_case(world, user="supervisor_b", institution=world.institutions["hospital_b"])
    with pytest.raises(NotVisible):
        move(world, case, "supervisor", "verify")
    with pytest.raises(NotVisible):
        selectors.case_get(world.users["supervisor"], case.pk)


# --- editing and typical cases ----------------------------------------------------------------------


def test_a_case_is_edited_until_it_is_finished(world):
    case = factories.open_case(world)
    case = services.case_update(
        user=world.users["supervisor"], case_id=case.pk, facts=" 注射玻尿酸 ", law_violated="第二十四条"
    )
    assert (case.facts, case.law_violated) == ("注射玻尿酸", "第二十四条")
    with pytest.raises(DomainError) as error:
        services.case_update(user=world.users["supervisor"], case_id=case.pk, state="closed")
    assert error.value.code == "unknown_field"
    with pytest.raises(DomainError) as error:
        services.case_update(user=world.users["supervisor"], case_id=case.pk, title=" ")
    assert error.value.field == "title"
    with pytest.raises(NotAllowed):
        services.case_update(user=world.users["auditor"], case_id=case.pk, facts="x")
    factories.to_closed(world, case)
    with pytest.raises(services.CaseFinished):
        services.case_update(user=world.users["supervisor"], case_id=case.pk, facts="改写")
    case.refresh_from_db()
    assert case.facts == factories.decision()["facts"]


def test_a_decided_case_is_marked_typical_with_a_narrative_and_unmarked(world):
    case = factories.open_case(world)
    user = world.users["supervisor"]
    with pytest.raises(TransitionNotAllowed):
        services.case_mark_typical(user=user, case_id=case.pk, narrative="典型")
    factories.to_decided(world, case)
    with pytest.raises(DomainError) as error:
        services.case_mark_typical(user=user, case_id=case.pk, narrative="  ")
    assert error.value.field == "narrative"
    services.case_mark_typical(user=user, case_id=case.pk, narrative="某诊所超范围注射，罚款三万元")
    assert list(selectors.case_list(world.users["auditor"], typical=True)) == [case]
    case = services.case_mark_typical(user=user, case_id=case.pk, typical=False)
    assert not case.is_typical
    assert case.narrative == "某诊所超范围注射，罚款三万元"
    assert not selectors.case_list(user, typical=True).exists()


def test_the_ledger_filters_and_finds_cases(world):
    campaign = factories.campaign(world)
    clinic = factories.open_case(world, campaign=campaign)
    salon = factories.open_case(
        world,
        party_name="丽人美容工作室",
        division=world.divisions["t2"],
        title="无证开展医疗美容",
        category=factories.category("beauty_drugs"),
        source="other",
    )
    user = world.users["auditor"]
    assert list(selectors.case_list(user, campaign=campaign)) == [clinic]
    assert list(selectors.case_list(user, category="beauty_drugs")) == [salon]
    assert list(selectors.case_list(user, source="other")) == [salon]
    assert list(selectors.case_list(user, query="丽人")) == [salon]
    assert list(selectors.case_list(user, query="mlyl")) == [clinic]  # pinyin initials of 美丽医疗
    assert list(selectors.case_list(user, query=clinic.number)) == [clinic]
    assert list(selectors.case_list(user, state="lead").order_by("pk")) == [clinic, salon]
    assert not selectors.case_list(user, state="closed").exists()
