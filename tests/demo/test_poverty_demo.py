"""The demo county's health poverty alleviation: the registry agrees with the insurance members' poor flag
and with its own status history, services go to the poor, the village doctor's login has follow-ups to
do, and the departments' lists carry the mismatches reconciliation is there to find.

Built once for the module, small, inside a transaction that is rolled back at the end (as test_demo.py).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.db import transaction

from weijian.core.models import Division, DivisionLevel, User
from weijian.core.validators import id_number_error
from weijian.demo import build_demo
from weijian.demo.insurance_part import TODAY
from weijian.demo.poverty_part import CHECKUP_WINDOW
from weijian.insurance import bookkeeping
from weijian.insurance import selectors as insurance_selectors
from weijian.insurance import services as insurance_services
from weijian.insurance.engine import scalar
from weijian.insurance.engine.money import yuan_to_fen
from weijian.insurance.engine.summary import check_summary, summarise
from weijian.insurance.models import ClaimState, Enrolment, Member, Settlement, SettlementKind
from weijian.poverty import selectors
from weijian.poverty.models import (
    Checkup,
    Contract,
    FollowUp,
    Fulfilment,
    ListRow,
    ListSource,
    Mismatch,
    MismatchState,
    PoorPerson,
    PovertyStatus,
    Reconciliation,
    Residence,
    RunState,
    SittingMonth,
    StatusChange,
    VillageCover,
)
from weijian.registry.models import Institution, InstitutionType

# At this size only some seeds put poor households in the village doctor's village (the seat's first
# village); this one does, so the village doctor's follow-up list can be checked.
SEED = 88
SMALL = 400


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_demo(seed=SEED, households=SMALL)
        transaction.set_rollback(True)


@pytest.fixture
def county(demo, db):
    return demo


def _rows(source: str) -> list[ListRow]:
    return list(ListRow.objects.filter(department_list__source=source).order_by("row"))


def _overdue(user) -> tuple[int, int]:
    """(overdue, all) programme follow-ups of the poor persons the user sees, as the follow-up list
    computes them on the demo's today."""
    dues = selectors.follow_ups_due(user, today=TODAY, overdue_only=False)
    return sum(due.overdue for due in dues), len(dues)


def test_every_poor_member_of_the_insurance_part_is_in_the_registry_as_poor(county):
    poor_members = Member.objects.filter(registered_poor=True)
    assert poor_members.count() >= 50
    persons = {p.member_id: p for p in PoorPerson.objects.filter(member__in=poor_members)}
    assert set(persons) == set(poor_members.values_list("pk", flat=True))
    assert {p.status for p in persons.values()} == {PovertyStatus.POOR}
    # And the other way round: whoever is poor in the registry carries the flag on the card.
    assert not PoorPerson.objects.filter(status=PovertyStatus.POOR, member__registered_poor=False).exists()


def test_a_person_is_the_member_with_the_same_identity_and_lives_in_the_households_village(county):
    for person in PoorPerson.objects.select_related("member__household", "household"):
        member = person.member
        assert (person.id_number, person.name, person.birth_date) == (
            member.id_number,
            member.name,
            member.birth_date,
        )
        assert person.sex == ("M" if int(person.id_number[16]) % 2 else "F")
        assert person.village_id == person.household.village_id == member.household.division_id


def test_each_persons_status_is_the_status_after_their_last_change(county):
    history: dict[int, list[StatusChange]] = {}
    for change in StatusChange.objects.order_by("person_id", "effective_on", "id"):
        history.setdefault(change.person_id, []).append(change)
    persons = list(PoorPerson.objects.all())
    assert len(history) == len(persons)
    for person in persons:
        changes = history[person.pk]
        assert changes[0].action == "enter"
        assert changes[0].effective_on.year == person.registered_year
        assert person.status == changes[-1].status_after
    actions = Counter(tuple(c.action for c in changes) for changes in history.values())
    # Some exited years ago and stayed out; some exited and came back (返贫).
    assert actions[("enter", "exit")] > 0
    assert actions[("enter", "exit", "re_enter")] > 0
    assert set(actions) <= {("enter",), ("enter", "exit"), ("enter", "exit", "re_enter")}


def test_exited_persons_are_not_flagged_registered_poor(county):
    exited = PoorPerson.objects.filter(status=PovertyStatus.EXITED).select_related("member")
    assert exited.count() >= 2
    assert not [p for p in exited if p.member.registered_poor]


def test_contracts_are_only_for_the_poor_and_reach_most_residents(county):
    assert Contract.objects.exists()
    assert not Contract.objects.exclude(person__status=PovertyStatus.POOR).exists()
    residents = PoorPerson.objects.filter(status=PovertyStatus.POOR, residence=Residence.RESIDENT)
    signed = residents.filter(contracts__isnull=False).distinct().count()
    assert 0.85 * residents.count() <= signed <= residents.count()
    for contract in Contract.objects.all():
        assert dt.date(TODAY.year, 1, 1) <= contract.signed_on <= TODAY
        assert (contract.valid_until - contract.signed_on).days == 364


def test_fulfilment_is_inside_the_contract_and_not_done_only_for_absent_persons(county):
    fulfilments = list(Fulfilment.objects.select_related("contract__person"))
    assert fulfilments
    for fulfilment in fulfilments:
        contract = fulfilment.contract
        assert contract.signed_on <= fulfilment.done_on <= min(contract.valid_until, TODAY)
        if not fulfilment.done:
            assert contract.person.residence != Residence.RESIDENT
            assert fulfilment.reason_not_done == contract.person.residence  # long_absent / migrant_work
    # Quarterly: the quarters before today's once each at most.
    per_quarter = Counter((f.contract_id, (f.done_on.month - 1) // 3) for f in fulfilments)
    assert max(per_quarter.values()) == 1


def test_overdue_follow_ups_exist_but_are_a_minority(county):
    overdue, total = _overdue(User(username="reader", is_superuser=True))
    assert total >= 10
    # About 8 % are planted late; on a small county a handful of people, but always a minority.
    assert 0 < overdue < total / 2
    assert not FollowUp.objects.filter(done_on__gt=TODAY).exists()
    assert not FollowUp.objects.exclude(person__status=PovertyStatus.POOR).exists()
    for follow_up in FollowUp.objects.select_related("person"):
        assert follow_up.programme in follow_up.person.programmes


def test_the_village_doctors_clinic_has_persons_in_programmes_with_follow_ups_due_and_overdue(county):
    doctor = User.objects.get(username="village_doctor")
    mine = list(PoorPerson.objects.visible_to(doctor))
    assert len([p for p in mine if p.programmes and p.status == PovertyStatus.POOR]) >= 3
    overdue, total = _overdue(doctor)
    assert 0 < overdue < total
    assert {p.clinic.organisation_id for p in mine} == {doctor.organisation_id}


def test_covering_doctors_serve_villages_without_a_clinic_and_sit_0_to_31_days(county):
    clinic_villages = set(
        Institution.objects.filter(institution_type=InstitutionType.VILLAGE_CLINIC).values_list(
            "organisation__division_id", flat=True
        )
    )
    covers = list(VillageCover.objects.select_related("institution__organisation", "village"))
    assert covers
    for cover in covers:
        assert cover.village_id not in clinic_villages
        assert cover.institution.organisation.division_id == cover.village.parent_id
    days = list(SittingMonth.objects.values_list("days", flat=True))
    assert all(0 <= d <= 31 for d in days)
    assert sum(7 <= d <= 10 for d in days) >= 0.8 * len(days)
    assert any(d < 7 for d in days)


def test_checkups_are_for_the_poor_aged_7_to_64_in_the_campaign_window(county):
    starts, ends = CHECKUP_WINDOW
    checkups = list(Checkup.objects.select_related("person"))
    for checkup in checkups:
        person = checkup.person
        age = (
            starts.year
            - person.birth_date.year
            - ((starts.month, starts.day) < (person.birth_date.month, person.birth_date.day))
        )
        assert 7 <= age <= 64
        assert person.status == PovertyStatus.POOR
        assert starts <= checkup.examined_on <= ends
    assert len({c.person_id for c in checkups}) == len(checkups)


def test_the_departments_lists_carry_the_planted_mismatches(county):
    roster = _rows(ListSource.POVERTY)
    insurance = _rows(ListSource.INSURANCE)
    civil = _rows(ListSource.CIVIL_AFFAIRS)
    records = _rows(ListSource.HEALTH_RECORDS)
    every = roster + insurance + civil + records
    assert [r.row for r in roster] == list(range(1, len(roster) + 1))

    # Typos in ID numbers, and the same person twice in a list.
    assert any(id_number_error(r.id_number) for r in every)
    for rows in (roster, insurance, civil):
        assert len({r.id_number for r in rows}) <= len(rows)
    assert any(len({r.id_number for r in rows}) < len(rows) for rows in (roster, insurance, civil))

    # The roster has everyone of the registry with their status (typos aside).
    registry = dict(PoorPerson.objects.values_list("id_number", "status"))
    on_roster = {r.id_number: r.status for r in roster}
    assert len(set(registry) - set(on_roster)) == sum(1 for r in roster if id_number_error(r.id_number))

    # Civil affairs supports people the roster does not have, and calls poor some the roster calls exited.
    assert [r for r in civil if r.id_number not in on_roster and not id_number_error(r.id_number)]
    assert [r for r in civil if on_roster.get(r.id_number) == PovertyStatus.EXITED and r.status == "poor"]

    # Insurance lists exactly the enrolled among the registry's people (typos aside): the poor who are
    # not enrolled are the ones it is missing.
    enrolled = set(Enrolment.objects.filter(year=TODAY.year).values_list("member__id_number", flat=True))
    listed = {r.id_number for r in insurance}
    typos = sum(1 for r in insurance if id_number_error(r.id_number))
    assert len({n for n in registry if n in enrolled} - listed) == typos
    assert not {n for n in registry if n not in enrolled} & listed

    # A village with more health records than residents (the scheme's members living there).
    residents = Counter(Member.objects.values_list("household__division__code", flat=True))
    per_village = Counter(r.village_code for r in records)
    assert any(per_village[code] > residents[code] for code in per_village)


def test_the_demo_opens_with_the_mismatches_of_one_reconciliation_as_work_items(county):
    run = Reconciliation.objects.get()
    assert run.state == RunState.DONE
    assert sorted(run.lists.values_list("source", flat=True)) == sorted(ListSource.values)
    items = Counter(
        Mismatch.objects.filter(found_by=run, state=MismatchState.OPEN).values_list("kind", flat=True)
    )
    assert run.counts == dict(items)
    assert {"invalid_id", "duplicate", "missing", "status_conflict", "records_exceed_residents"} <= set(items)
    not_enrolled = PoorPerson.objects.filter(status=PovertyStatus.POOR).exclude(
        member__enrolments__year=TODAY.year
    )
    assert items["not_enrolled"] == not_enrolled.count()
    # Every item has an owner and a deadline after the demo's today.
    assert not Mismatch.objects.filter(deadline__lte=TODAY).exists()


def _fen(amount) -> int:
    return yuan_to_fen(amount)


def test_each_months_summary_adds_up_and_holds_the_engines_layers_for_the_poor(county):
    """The monthly summary (统计汇总表) is checked like R3 L147 and R8 L441: the layers and the personal
    share add up to the total, and each admission's stored layers are what the engine gives on replay."""
    reader = User(username="reader", is_superuser=True)
    area = Division.objects.get(level=DivisionLevel.COUNTY)
    months = [dt.date(TODAY.year, month, 1) for month in range(1, TODAY.month + 1)]
    admissions = 0
    for month in months:
        _, _, total = selectors.monthly_report(reader, area=area, month=month)
        parts = {name: _fen(total.layers[name]) for name in selectors.LAYERS}
        assert check_summary(_fen(total.total), parts, _fen(total.patient_pays)) == [], month
        admissions += total.admissions
    assert admissions > 0

    settled = Settlement.objects.filter(
        kind=SettlementKind.SETTLEMENT,
        reversed_by__isnull=True,
        claim__poor=True,
        claim__state=ClaimState.SETTLED,
    ).select_related("claim__member__household__division", "claim__institution", "policy")
    assert {s.policy.code for s in settled} == {"demo-poverty"}
    # Replay each poor member's year through the engine, in the order the desk met the claims.
    by_member: dict[int, list[Settlement]] = {}
    for stored in settled.order_by("claim__discharge_date", "claim__number"):
        by_member.setdefault(stored.claim.member_id, []).append(stored)
    pairs = []
    for member_id, own in by_member.items():
        if (
            not all(stored.eligible for stored in own)
            or Settlement.objects.filter(claim__member_id=member_id, kind=SettlementKind.REVERSAL).exists()
        ):
            continue  # not enrolled or corrected: their year is not one plain replay
        policy = insurance_selectors.engine_policy(own[0].policy)
        engine_claims = [insurance_services.engine_claim_of(stored.claim) for stored in own]
        for stored, engine_claim, replayed in zip(
            own, engine_claims, scalar.settle_year(engine_claims, policy), strict=True
        ):
            number = stored.claim.number
            assert replayed.layers.basic == _fen(stored.reimbursed), number
            for name in bookkeeping.LAYER_FIELDS:
                assert getattr(replayed.layers, name) == _fen(getattr(stored, name)), (number, name)
            assert replayed.layers.patient_pays == _fen(stored.patient_pays), number
            pairs.append((engine_claim, replayed))
    assert len(pairs) > 10
    summary = summarise(pairs)
    assert summary.check() == []
    # The backstop holds every eligible admission of a poor patient to 9.5 % of its cost.
    for engine_claim, replayed in pairs:
        if engine_claim.claim_type in scalar.STAY_TYPES:
            assert replayed.layers.patient_pays * 1000 <= engine_claim.total * 95 + 500, engine_claim.claim_id


def test_the_reconciliation_keeps_its_data_quality_counts_and_finds_the_records_above_residents(county):
    run = Reconciliation.objects.get()
    reader = User(username="reader", is_superuser=True)
    rows, total = selectors.reconciliation_quality(reader, run)
    assert total.counts["poor"] == PoorPerson.objects.filter(status=PovertyStatus.POOR).count()
    # Every poor person on the roster is either matched on the enrolment list or a not-enrolled item.
    not_enrolled = Mismatch.objects.filter(kind="not_enrolled").count()
    assert total.enrolment.numerator == total.enrolment.denominator - not_enrolled
    flagged = [
        code
        for code, counts in run.rates.items()
        if (counts["health_records"] or 0) > (counts["residents"] or 0)
    ]
    assert flagged
    assert set(flagged) == set(
        Mismatch.objects.filter(kind="records_exceed_residents").values_list("division_id", flat=True)
    )
    assert sum(row.counts["poor"] for row in rows) == total.counts["poor"]
