"""Referrals between organisations (线索通报 / 移送) and transfers to the police (行刑衔接)."""

import datetime as dt

import pytest

from tests.enforcement import factories
from tests.enforcement.factories import move
from weijian.core.errors import DomainError, NotAllowed, NotVisible
from weijian.enforcement import selectors, services
from weijian.enforcement.models import Case, CaseSource, JudicialTransfer, Referral
from weijian.enforcement.workflow import TransitionNotAllowed

pytestmark = pytest.mark.django_db

SENT_ON = dt.date(2026, 3, 2)


def _send(world, user="department_officer", to="supervision_a", **fields):
    fields.setdefault("party_name", "丽人美容工作室")
    fields.setdefault("division", world.divisions["t1"])
    return services.referral_send(
        user=world.users[user],
        to_organisation=world.orgs[to],
        category=factories.category(),
        facts="生活美容店违规开展注射类医疗美容",
        sent_on=SENT_ON,
        **fields,
    )


def _answer(world, referral, user, action, **data):
    return services.referral_transition(
        user=world.users[user], referral_id=referral.pk, action=action, **data
    )


def test_a_department_sends_a_referral_that_both_ends_see_and_a_third_county_does_not(world):
    referral = _send(world, user="supervisor", to="commission_b")
    assert (referral.from_organisation, referral.state, referral.division) == (
        world.orgs["supervision_a"],
        "sent",
        world.divisions["t1"],
    )
    receiver = factories.user_at(world.orgs["commission_b"], "supervisor_b")
    outsider = factories.user_at(factories.third_county(world), "supervisor_c")
    assert list(selectors.referral_list(world.users["supervisor"], direction="out")) == [referral]
    assert list(selectors.referral_list(receiver, direction="in")) == [referral]
    assert selectors.referral_get(receiver, referral.pk) == referral
    assert not selectors.referral_list(outsider).exists()
    with pytest.raises(NotVisible):
        selectors.referral_get(outsider, referral.pk)
    assert not selectors.referral_list(world.users["supervisor"], direction="in").exists()


def test_a_referral_goes_to_another_organisation_by_a_role_that_may_send(world):
    with pytest.raises(DomainError) as error:
        _send(world, to="market_a")
    assert error.value.field == "to_organisation"
    for role in ("auditor", "commission_leader", "institution_manager"):
        with pytest.raises(NotAllowed):
            _send(world, user=role)
    with pytest.raises(NotVisible):
        _send(world, division=world.divisions["tb1"])
    with pytest.raises(DomainError) as error:
        _send(world, party_name="", institution=None)
    assert error.value.field == "institution"
    assert not Referral.objects.exists()


def test_a_referral_of_a_case_takes_the_cases_subject_and_campaign(world):
    campaign = factories.campaign(world)
    case = factories.open_case(world, campaign=campaign)
    referral = _send(world, user="supervisor", to="market_a", case=case, party_name="", division=None)
    assert (referral.institution, referral.campaign, referral.subject_key) == (
        world.institutions["beauty_t1"],
        campaign,
        case.subject_key,
    )


def test_the_receiving_organisation_accepts_and_opens_a_case(world):
    referral = _send(world)
    with pytest.raises(NotAllowed):
        _answer(world, referral, "department_officer", "acknowledge", acknowledged_on=dt.date(2026, 3, 3))
    with pytest.raises(TransitionNotAllowed):
        _answer(world, referral, "supervisor", "accept", decided_on=dt.date(2026, 3, 3))
    with pytest.raises(DomainError) as error:
        _answer(world, referral, "supervisor", "acknowledge", acknowledged_on=dt.date(2026, 3, 1))
    assert error.value.field == "acknowledged_on"
    _answer(world, referral, "supervisor", "acknowledge", acknowledged_on=dt.date(2026, 3, 3))
    referral = _answer(
        world, referral, "supervisor", "accept", decided_on=dt.date(2026, 3, 4), open_case=True
    )
    assert referral.state == "accepted"
    case = referral.opened_cases.get()
    assert (case.source, case.organisation, case.state, case.opened_on) == (
        CaseSource.REFERRAL,
        world.orgs["supervision_a"],
        "lead",
        dt.date(2026, 3, 4),
    )
    assert (case.party_name, case.division, case.facts) == (
        "丽人美容工作室",
        world.divisions["t1"],
        referral.facts,
    )
    referral = _answer(
        world, referral, "supervisor", "report_outcome", outcome="已立案查处", outcome_on=dt.date(2026, 4, 1)
    )
    assert (referral.state, referral.outcome) == ("concluded", "已立案查处")


def test_a_referral_is_declined_with_a_reason(world):
    referral = _send(world)
    _answer(world, referral, "supervisor", "acknowledge", acknowledged_on=dt.date(2026, 3, 3))
    with pytest.raises(DomainError) as error:
        _answer(world, referral, "supervisor", "decline", decided_on=dt.date(2026, 3, 4))
    assert error.value.field == "reason"
    with pytest.raises(DomainError) as error:
        _answer(
            world,
            referral,
            "supervisor",
            "decline",
            decided_on=dt.date(2026, 3, 4),
            reason="x",
            open_case=True,
        )
    assert error.value.code == "unknown_field"
    referral = _answer(
        world, referral, "supervisor", "decline", decided_on=dt.date(2026, 3, 4), reason="不属于本部门职责"
    )
    assert (referral.state, referral.outcome) == ("declined", "不属于本部门职责")
    assert not Case.objects.exists()


def test_a_case_from_a_referral_needs_it_accepted_and_addressed_to_the_user(world):
    referral = _send(world)
    with pytest.raises(DomainError) as error:
        factories.open_case(world, source="referral", referral=referral)
    assert error.value.field == "referral"
    outgoing = _send(world, user="supervisor", to="market_a")
    with pytest.raises(DomainError) as error:
        factories.open_case(world, source="referral", referral=outgoing)
    assert error.value.field == "referral"


# --- transfers to the police or judiciary -----------------------------------------------------------


def _transfer(world, case, user="supervisor", **fields):
    fields.setdefault("receiving_body", "示范县公安局")
    fields.setdefault("evidence", [" 现场检查笔录 ", "", "产品检验报告"])
    fields.setdefault("sent_on", dt.date(2026, 3, 22))
    return services.judicial_transfer_send(user=world.users[user], case_id=case.pk, **fields)


def _reply(world, transfer, user, action, **data):
    return services.judicial_transfer_transition(
        user=world.users[user], transfer_id=transfer.pk, action=action, **data
    )


def test_a_filed_case_goes_to_the_police_and_the_receipt_is_recorded(world):
    campaign = factories.campaign(world)
    case = factories.to_decided(world, factories.open_case(world, campaign=campaign))
    transfer = _transfer(world, case)
    assert transfer.evidence == ["现场检查笔录", "产品检验报告"]
    assert (transfer.campaign, transfer.division, transfer.category, transfer.subject_type) == (
        campaign,
        world.divisions["t1"],
        case.category,
        "organisation",
    )
    assert list(selectors.judicial_transfer_list(world.users["auditor"], case=case)) == [transfer]
    _reply(world, transfer, "supervisor", "acknowledge", acknowledged_on=dt.date(2026, 3, 23))
    _reply(world, transfer, "supervisor", "accept", decided_on=dt.date(2026, 3, 30), note="公安立案侦查")
    transfer = _reply(
        world,
        transfer,
        "supervisor",
        "report_outcome",
        outcome="已移送检察院起诉",
        outcome_on=dt.date(2026, 6, 1),
    )
    assert transfer.state == "concluded"


def test_a_transfer_needs_a_filed_open_case_and_evidence(world):
    lead = factories.open_case(world)
    with pytest.raises(TransitionNotAllowed):
        _transfer(world, lead)
    case = factories.to_decided(world, factories.open_case(world))
    with pytest.raises(DomainError) as error:
        _transfer(world, case, evidence=[" ", ""])
    assert error.value.field == "evidence"
    with pytest.raises(DomainError) as error:
        _transfer(world, case, receiving_body=" ")
    assert error.value.field == "receiving_body"
    with pytest.raises(DomainError) as error:
        _transfer(world, case, sent_on=dt.date(2026, 3, 4))
    assert error.value.field == "sent_on"
    with pytest.raises(NotAllowed):
        _transfer(world, case, user="commission_leader")
    closed = factories.to_closed(world, factories.open_case(world))
    with pytest.raises(TransitionNotAllowed):
        _transfer(world, closed)
    assert not JudicialTransfer.objects.exists()


def test_only_the_sending_or_receiving_organisation_records_the_answer(world):
    police = factories.third_county(world)  # any organisation not handling the case will do
    case = factories.to_decided(world, factories.open_case(world))
    transfer = _transfer(world, case, to_organisation=world.orgs["market_a"])
    world.users["colleague"] = factories.user_at(world.orgs["commission_a"], "colleague")
    with pytest.raises(NotAllowed):
        _reply(world, transfer, "colleague", "acknowledge", acknowledged_on=dt.date(2026, 3, 23))
    world.users["receiver"] = factories.user_at(world.orgs["market_a"], "receiver")
    transfer = _reply(world, transfer, "receiver", "acknowledge", acknowledged_on=dt.date(2026, 3, 23))
    assert transfer.state == "acknowledged"
    world.users["police"] = factories.user_at(police, "police")
    with pytest.raises(NotVisible):
        _reply(world, transfer, "police", "accept", decided_on=dt.date(2026, 3, 24))
    with pytest.raises(DomainError) as error:
        _reply(world, transfer, "supervisor", "accept", decided_on=dt.date(2026, 3, 24), open_case=True)
    assert error.value.code == "unknown_field"


def test_a_case_closes_while_its_transfer_is_pending(world):
    case = factories.to_decided(world, factories.open_case(world))
    _transfer(world, case)
    move(world, case, "supervisor", "execute")
    assert move(world, case, "supervisor", "close", closed_on=dt.date(2026, 4, 1)).state == "closed"
