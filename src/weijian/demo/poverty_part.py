"""Demo county, health poverty alleviation part (健康扶贫): the registry of the poor population with its
status history, family-doctor teams with their contracts and quarterly fulfilment, follow-ups of the
key-population programmes, township doctors covering villages without a doctor, the free check-up
campaign, and the departments' lists with planted mismatches, reconciled into work items.

The registry is the insurance part's poor households (`ctx.poor_households`, whose members carry
`registered_poor`), plus a few hundred people of other households who exited poverty years ago. Rows are
computed in memory and written in bulk, as the insurance part does; no service is called per record.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import connection

from weijian.core.models import Division
from weijian.insurance.models import Member, SpecialGroup
from weijian.poverty import rules, services
from weijian.poverty.catalogue import catalogue
from weijian.poverty.engine.reconcile import frame_from_rows, reconcile
from weijian.poverty.models import (
    Checkup,
    CheckupCampaign,
    CheckupTarget,
    Contract,
    ContractCategory,
    DepartmentList,
    DoctorTeam,
    FollowUp,
    FollowUpMethod,
    FollowUpResult,
    Fulfilment,
    ListRow,
    ListSource,
    Mismatch,
    NotDoneReason,
    PersonCategory,
    PoorHousehold,
    PoorPerson,
    PopulationGroup,
    PovertyStatus,
    Reconciliation,
    Residence,
    RunState,
    ServicePackage,
    SittingMonth,
    StatusAction,
    StatusChange,
    TeamMember,
    TeamRole,
    VillageCover,
)
from weijian.poverty.tasks import village_counts
from weijian.registry.models import InstitutionType, PracticeCategory, Practitioner
from weijian.registry.models import PractitionerCategory as C

from . import names
from .context import DemoContext
from .insurance_part import TODAY
from .registry_part import phone_number

YEAR = TODAY.year
# The full-size county has 30,000 households; counts of planted cases scale with the size asked for.
FULL_SIZE = 30_000

# Population group of a household (seed-003 §1.4): mostly 建档立卡, some 低收入农户 and 边缘户·监测户.
GROUPS = (
    (PopulationGroup.REGISTERED_POOR, 86),
    (PopulationGroup.LOW_INCOME, 8),
    (PopulationGroup.MONITORED, 6),
)
# Year a household entered the registry; a few are the 2014/2015 households of R7 L381.
REGISTERED_YEARS = ((2014, 3), (2015, 4), (2016, 24), (2017, 26), (2018, 21), (2019, 13), (2020, 9))
IMPOVERISHED_BY_ILLNESS = 0.40  # of households (因病致贫, R3 L155)
RESIDENCE = ((Residence.RESIDENT, 88), (Residence.MIGRANT_WORK, 7), (Residence.LONG_ABSENT, 5))
FAMILY_PLANNING_SPECIAL = 0.01  # of households
# Households that exited in 2019–2021 and fell back into poverty in 2024–2026 (返贫).
EXITED_AND_BACK = 0.06
# People of other households who entered in 2015–2016 and exited in 2019–2020, at full size.
EXITED_PERSONS = 600
# Key-population programmes (R6 L295): share of persons of the age.
PROGRAMMES = (
    ("hypertension", 35, 0.25),
    ("diabetes", 35, 0.10),
    ("severe_mental", 15, 0.006),
    ("tuberculosis", 15, 0.003),
    ("echinococcosis", 7, 0.004),
)
MAJOR_DISEASE = 0.01
OTHER_CHRONIC = 0.03  # of persons aged 45+, a class-II disease outside the programmes
CLASS_1_CHRONIC = 0.004
# Share of programmes whose latest follow-up is missing, so the person is overdue today.
OVERDUE = 0.08
# Family-doctor contracts (R6 L291: 100 % of the resident poor is the target, not reached everywhere).
CONTRACT_RESIDENT = 0.97
CONTRACT_ABSENT = 0.60
# Absent persons' quarterly service that could not be delivered (R5 L245: 6 of 160 person-times).
ABSENT_NOT_DONE = 0.7
FULFILMENT_CONTENT = (
    "健康评估，测量血压血糖",
    "用药指导，发放健康扶贫手册",
    "上门随访，健康教育",
    "康复指导，家庭护理指导",
    "中医药健康管理（治未病）",
    "核对签约信息，宣传健康扶贫政策",
)
CHECKUP_NAME = f"{YEAR}年贫困人口免费健康体检"
CHECKUP_WINDOW = (dt.date(YEAR, 4, 15), dt.date(YEAR, 5, 15))  # R5 L249
CHECKUP_RESIDENT = 0.95
CHECKUP_ABSENT = 0.5
# 包村医生 sit 7–10 days a month at a village without its own doctor (R6 L335); a few months fall short.
SITTING_SHORT = 0.08
SITTING_MONTHS = 10  # January to October
# Planted in the departments' lists, at full size (seed-003 §4.9 三者一致).
INVALID_IDS = 15
DUPLICATES = 10
CIVIL_NOT_ON_ROSTER = 10
STATUS_CONFLICTS = 8
HEALTH_RECORD_DUPLICATES = 0.01
INSURANCE_LIST_MAX = 10_000

CIVIL_AFFAIRS_GROUPS = {
    SpecialGroup.WUBAO: PersonCategory.WUBAO,
    SpecialGroup.DIBAO: PersonCategory.DIBAO,
    SpecialGroup.TEKUN: PersonCategory.TEKUN,
}
CATEGORY_OF_GROUP = {**CIVIL_AFFAIRS_GROUPS, SpecialGroup.DISABLED: PersonCategory.DISABLED}
CIVIL_AFFAIRS_CATEGORIES = frozenset(CIVIL_AFFAIRS_GROUPS.values())


@dataclass
class _Registry:
    households: list[PoorHousehold] = field(default_factory=list)
    persons: list[PoorPerson] = field(default_factory=list)
    changes: list[StatusChange] = field(default_factory=list)
    # The person's last status change, by person (for when their current spell began).
    since: dict[int, dt.date] = field(default_factory=dict)


def generate(ctx: DemoContext) -> None:
    scale = ctx.insurance_households / FULL_SIZE
    members = _county_members(ctx)
    clinics = {
        i.organisation.division.pk: i
        for i in ctx.institutions
        if i.institution_type == InstitutionType.VILLAGE_CLINIC
    }
    staff: dict[int, list[Practitioner]] = defaultdict(list)
    for practitioner in ctx.practitioners:
        staff[id(practitioner.registered_institution)].append(practitioner)
    registry = _registry(ctx, members, clinics, staff, scale)
    poor = sum(1 for p in registry.persons if p.status == PovertyStatus.POOR)
    ctx.log(
        f"poverty: {len(registry.households)} households, {len(registry.persons)} persons ({poor} poor), "
        f"{len(registry.changes)} status changes"
    )
    team_of_village = _teams(ctx, clinics, staff)
    _contracts(ctx, registry, team_of_village)
    _follow_ups(ctx, registry)
    _village_cover(ctx, clinics, staff)
    _checkups(ctx, registry)
    _lists(ctx, registry, members, scale)


class _Resident(NamedTuple):
    """A member of the county's scheme, as much of it as this part needs."""

    member: Member | None  # the insurance part's record, when this part has it
    member_id: int | None
    id_number: str
    name: str
    birth_date: dt.date
    special_group: str
    registered_poor: bool
    household: str  # the household's number
    head_name: str
    village: Division
    enrolled: bool


def _of_member(member: Member, enrolled: bool) -> _Resident:
    household = member.household
    return _Resident(
        member,
        member.pk,
        member.id_number,
        member.name,
        member.birth_date,
        member.special_group,
        member.registered_poor,
        household.number,
        household.head_name,
        household.division,
        enrolled,
    )


def _county_members(ctx: DemoContext) -> list[_Resident]:
    """Every member of the county with whether they are enrolled for the year, in insertion order
    (shared by the insurance part, so a dry run plans the same records as a build)."""
    return [_of_member(member, enrolled) for member, enrolled in ctx.insurance_members]


def _scaled(count: int, scale: float) -> int:
    return max(2, round(count * scale))


def _weighted(rng, pairs):
    """One value of (value, weight) pairs; one draw, no lists built (it runs for every person)."""
    point = rng.random() * sum(weight for _, weight in pairs)
    for value, weight in pairs:
        point -= weight
        if point < 0:
            return value
    return pairs[-1][0]


def _day_in_year(rng, year: int, *, last: dt.date = TODAY) -> dt.date:
    first = dt.date(year, 1, 1)
    end = min(dt.date(year, 12, 31), last)
    return first + dt.timedelta(days=rng.randrange((end - first).days + 1))


# --- registry ----------------------------------------------------------------------------------------

EXIT_REASON = "人均纯收入稳定超过贫困线，达到脱贫标准"
RETURN_REASONS = ("因病返贫", "因灾返贫", "因残返贫")


def _registry(ctx, members, clinics, staff, scale) -> _Registry:
    rng = ctx.random
    cat = catalogue()
    majors = rules.builtin_one_stop_rules().major_diseases
    class_2 = [c for c in cat.chronic_class_2 if c not in ("hypertension", "diabetes")]
    doctor_of = {
        pk: next((p for p in staff[id(clinic)] if p.category == C.VILLAGE_DOCTOR), None)
        for pk, clinic in clinics.items()
    }
    registry = _Registry()

    families = [([_of_member(m, True) for m in family], False) for _, family in ctx.poor_households]
    families += [(family, True) for family in _exited_families(ctx, members, scale)]
    histories: dict[int, list[tuple]] = {}
    returned = 0
    for family, exited in families:
        village = family[0].village
        clinic = clinics.get(village.pk)
        poor_household = PoorHousehold(
            number=family[0].household,
            village=village,
            clinic=clinic,
            head_name=family[0].head_name,
            helper_name=names.person_name(rng, male=rng.random() < 0.7),
            helper_phone=phone_number(ctx, mobile=True),
        )
        registry.households.append(poor_household)
        group = PopulationGroup.REGISTERED_POOR if exited else _weighted(rng, GROUPS)
        year = rng.randint(2015, 2016) if exited else _weighted(rng, REGISTERED_YEARS)
        if group == PopulationGroup.MONITORED:
            year = max(year, 2020)  # edge households were monitored from the end of the campaign
        illness = rng.random() < IMPOVERISHED_BY_ILLNESS
        planning = rng.random() < FAMILY_PLANNING_SPECIAL
        history = [(StatusAction.ENTER, PovertyStatus.POOR, _day_in_year(rng, year), "精准识别，建档立卡")]
        if exited:
            left = _day_in_year(rng, rng.randint(max(2019, year + 1), 2020))
            history.append((StatusAction.EXIT, PovertyStatus.EXITED, left, EXIT_REASON))
        # At least one household came back (返贫), so every demo, small ones too, shows a re-entry.
        elif year <= 2020 and (rng.random() < EXITED_AND_BACK or not returned):
            returned += 1
            left = _day_in_year(rng, rng.randint(max(2019, year + 1), 2021))
            back = _day_in_year(rng, rng.randint(2024, YEAR))
            history.append((StatusAction.EXIT, PovertyStatus.EXITED, left, EXIT_REASON))
            history.append((StatusAction.RE_ENTER, PovertyStatus.POOR, back, rng.choice(RETURN_REASONS)))
        histories[id(poor_household)] = history
        for member in family:
            age = rules.age_on(member.birth_date, TODAY)
            categories = []
            if member.special_group in CATEGORY_OF_GROUP:
                categories.append(CATEGORY_OF_GROUP[member.special_group])
            if planning:
                categories.append(PersonCategory.FAMILY_PLANNING_SPECIAL)
            programmes = [code for code, least, rate in PROGRAMMES if age >= least and rng.random() < rate]
            chronic = [
                code for code in ("hypertension", "diabetes") if code in programmes and rng.random() < 0.5
            ]
            if age >= 45 and rng.random() < OTHER_CHRONIC:
                chronic.append(rng.choice(class_2))
            if rng.random() < CLASS_1_CHRONIC:
                chronic.append(rng.choice(cat.chronic_class_1))
            registry.persons.append(
                PoorPerson(
                    household=poor_household,
                    id_number=member.id_number,
                    name=member.name,
                    sex="M" if int(member.id_number[16]) % 2 else "F",  # GB 11643
                    birth_date=member.birth_date,
                    village=village,
                    clinic=clinic,
                    group=group,
                    status=history[-1][1],
                    registered_year=year,
                    impoverished_by_illness=illness,
                    residence=_weighted(rng, RESIDENCE) if age >= 16 else Residence.RESIDENT,
                    categories=categories,
                    major_disease=rng.choice(majors) if majors and rng.random() < MAJOR_DISEASE else "",
                    chronic_diseases=chronic,
                    programmes=programmes,
                    member=member.member,
                    member_id=member.member_id,
                    village_doctor=doctor_of.get(village.pk),
                )
            )
    _first_village_programmes(ctx, registry)
    ctx.save(registry.households)
    ctx.save(registry.persons)
    for person in registry.persons:
        history = histories[id(person.household)]
        registry.since[id(person)] = history[-1][2]
        registry.changes += [
            StatusChange(person=person, action=action, status_after=after, effective_on=day, reason=reason)
            for action, after, day, reason in history
        ]
    ctx.save(registry.changes)
    return registry


def _exited_families(ctx, members: list[_Resident], scale) -> list[list[_Resident]]:
    """Whole households of people who are not poor today, about EXITED_PERSONS persons at full size."""
    others: dict[str, list[_Resident]] = {}
    for resident in members:
        if not resident.registered_poor and resident.village.name.endswith("村"):
            others.setdefault(resident.household, []).append(resident)
    numbers = sorted(others)
    ctx.random.shuffle(numbers)
    chosen, persons = [], 0
    for number in numbers:
        if persons >= round(EXITED_PERSONS * scale):
            break
        chosen.append(others[number])
        persons += len(others[number])
    return chosen


def _first_village_programmes(ctx, registry: _Registry) -> None:
    """The village doctor's demo login works at the first village's clinic: make sure at least three of
    its poor persons are in a programme, so that its follow-up list has something to show."""
    village = ctx.organisations["first_village_clinic"].division
    poor = [p for p in registry.persons if p.village is village and p.status == PovertyStatus.POOR]
    if len(poor) < 3:
        ctx.log(f"poverty: only {len(poor)} poor persons in {village.name}, the village doctor's village")
    for person in sorted(poor, key=lambda p: p.birth_date):
        if sum(1 for p in poor if p.programmes) >= 3:
            break
        if not person.programmes:
            person.programmes = ["hypertension"]


# --- family-doctor teams and contracts ---------------------------------------------------------------


def _teams(ctx, clinics, staff) -> dict[int, DoctorTeam]:
    """One or two teams per township hospital: its doctors, nurses and public-health staff and the
    village doctors of the township's clinics (seed-003 §2.5). Returns the team serving each village."""
    rng = ctx.random
    hospitals = {
        i.organisation.division.pk: i
        for i in ctx.institutions
        if i.institution_type == InstitutionType.TOWNSHIP_HOSPITAL
    }
    teams, team_members, team_of_village = [], [], {}
    for township in ctx.townships:
        hospital = hospitals.get(township.pk)
        if hospital is None:
            continue
        villages = [v for v in ctx.villages if v.parent is township and v.name.endswith("村")]
        people = staff[id(hospital)]
        doctors = [
            p
            for p in people
            if p.category in (C.PHYSICIAN, C.ASSISTANT_PHYSICIAN)
            and p.practice_category != PracticeCategory.PUBLIC_HEALTH
        ]
        nurses = [p for p in people if p.category == C.NURSE]
        public_health = [
            p
            for p in people
            if p.practice_category == PracticeCategory.PUBLIC_HEALTH or p.category in (C.OTHER, C.TECHNICIAN)
        ]
        count = 2 if len(villages) > 8 and len(doctors) >= 4 else 1
        for n in range(count):
            team = DoctorTeam(
                institution=hospital,
                division=township,
                name=f"{township.name}卫生院家庭医生签约服务第{n + 1}团队",
            )
            teams.append(team)
            share = villages[n::count]
            chosen = [(p, TeamRole.DOCTOR) for p in doctors[n::count][:2]]
            chosen += [(p, TeamRole.NURSE) for p in nurses[n::count][: rng.randint(1, 2)]]
            chosen += [(p, TeamRole.PUBLIC_HEALTH) for p in public_health[n::count][:1]]
            for village in share:
                team_of_village[village.pk] = team
                clinic = clinics.get(village.pk)
                if clinic is not None:
                    chosen += [
                        (p, TeamRole.VILLAGE_DOCTOR)
                        for p in staff[id(clinic)]
                        if p.category == C.VILLAGE_DOCTOR
                    ]
            team_members += [TeamMember(team=team, practitioner=p, role=role) for p, role in chosen]
    ctx.save(teams)
    ctx.save(team_members)
    return team_of_village


def _contracts(ctx, registry: _Registry, team_of_village) -> None:
    """Contracts signed in the first quarter for a year (R6 L291), and their quarterly fulfilment (R5 L245):
    the quarters before today's all recorded, today's in part; absent people are mostly not reached."""
    rng = ctx.random
    contracts = []
    for person in registry.persons:
        team = team_of_village.get(person.village.pk)
        if person.status != PovertyStatus.POOR or team is None:
            continue
        resident = person.residence == Residence.RESIDENT
        if rng.random() >= (CONTRACT_RESIDENT if resident else CONTRACT_ABSENT):
            continue
        signed = dt.date(YEAR, rng.randint(1, 3), rng.randint(1, 28))
        since = registry.since[id(person)]
        if since >= signed:  # came back into the registry this year: signed soon after
            signed = min(since + dt.timedelta(days=rng.randint(3, 20)), TODAY)
        contract = Contract(
            person=person,
            team=team,
            signed_on=signed,
            valid_until=signed + dt.timedelta(days=services.CONTRACT_DAYS - 1),
            category=ContractCategory.REGISTERED_POOR,
            package=ServicePackage.HEALTH_MANAGEMENT if person.programmes else ServicePackage.BASIC,
        )
        contracts.append(contract)
    ctx.save(contracts)
    fulfilments = []
    for contract in contracts:
        person = contract.person
        for quarter in range(4):
            first = dt.date(YEAR, 3 * quarter + 1, 1)
            end = (
                dt.date(YEAR, 12, 31)
                if quarter == 3
                else dt.date(YEAR, 3 * quarter + 4, 1) - dt.timedelta(days=1)
            )
            start, last = max(first, contract.signed_on), min(end, TODAY)
            if start > last:
                continue
            if end > TODAY and rng.random() >= (TODAY - first).days / (end - first).days:
                continue  # today's quarter: not everybody has been seen yet
            done_on = start + dt.timedelta(days=rng.randrange((last - start).days + 1))
            absent = person.residence != Residence.RESIDENT
            if absent and rng.random() < ABSENT_NOT_DONE:
                reason = (
                    NotDoneReason.LONG_ABSENT
                    if person.residence == Residence.LONG_ABSENT
                    else NotDoneReason.MIGRANT_WORK
                )
                fulfilments.append(
                    Fulfilment(
                        contract=contract,
                        done_on=done_on,
                        content="本季度履约服务（电话联系，本人不在村）",
                        done=False,
                        reason_not_done=reason,
                    )
                )
            else:
                fulfilments.append(
                    Fulfilment(contract=contract, done_on=done_on, content=rng.choice(FULFILMENT_CONTENT))
                )
    ctx.save(fulfilments)
    not_done = sum(1 for f in fulfilments if not f.done)
    ctx.log(f"poverty: {len(contracts)} contracts, {len(fulfilments)} fulfilments ({not_done} not done)")


# --- follow-ups --------------------------------------------------------------------------------------


def _follow_ups(ctx, registry: _Registry) -> None:
    """Follow-ups of the year at each programme's interval, a little early as a rule; the latest one is
    missing for some, who are overdue today. The first village always has one of each."""
    rng = ctx.random
    programmes = catalogue().programmes
    first_village = ctx.organisations["first_village_clinic"].division
    start_of_year = dt.date(YEAR, 1, 1)
    forced: dict[tuple[int, str], bool] = {}
    candidates = [
        (p, code)
        for p in registry.persons
        if p.village is first_village and p.status == PovertyStatus.POOR
        for code in p.programmes
        if registry.since[id(p)] <= start_of_year
    ]
    if candidates:
        forced[id(candidates[0][0]), candidates[0][1]] = True
    if len(candidates) > 1:
        forced[id(candidates[1][0]), candidates[1][1]] = False
    follow_ups, overdue, total = [], 0, 0
    for person in registry.persons:
        if person.status != PovertyStatus.POOR:
            continue
        start = max(start_of_year, registry.since[id(person)])
        for code in person.programmes:
            interval = programmes[code].interval_days
            total += 1
            late = forced.get((id(person), code), rng.random() < OVERDUE)
            if late:
                last = TODAY - dt.timedelta(days=interval + rng.randint(1, max(1, interval // 2)))
            else:
                last = TODAY - dt.timedelta(days=rng.randrange(interval))
            day = last
            dates = []
            while day >= start:
                dates.append(day)
                day -= dt.timedelta(days=interval - rng.randrange(interval // 6 + 1))
            due = (dates[0] if dates else start) + dt.timedelta(days=interval)
            overdue += due < TODAY
            absent = person.residence != Residence.RESIDENT
            for day in reversed(dates):
                method = (
                    FollowUpMethod.PHONE
                    if absent
                    else _weighted(
                        rng,
                        ((FollowUpMethod.HOME, 55), (FollowUpMethod.CLINIC, 25), (FollowUpMethod.PHONE, 20)),
                    )
                )
                result = _weighted(
                    rng,
                    (
                        (FollowUpResult.STABLE, 74),
                        (FollowUpResult.UNSTABLE, 18),
                        (FollowUpResult.REFERRED, 3),
                        (FollowUpResult.NOT_REACHED, 12 if absent else 2),
                    ),
                )
                follow_ups.append(
                    FollowUp(
                        person=person,
                        programme=code,
                        done_on=day,
                        method=method,
                        result=result,
                        note=_note(rng, code, result),
                    )
                )
    ctx.save(follow_ups)
    ctx.log(f"poverty: {len(follow_ups)} follow-ups, {overdue} of {total} programme follow-ups overdue")


def _note(rng, programme: str, result: str) -> str:
    if result == FollowUpResult.NOT_REACHED:
        return "电话未接通"
    if programme == "hypertension":
        high = result == FollowUpResult.UNSTABLE
        return f"血压 {rng.randint(145, 175) if high else rng.randint(112, 138)}/{rng.randint(70, 95)} mmHg"
    if programme == "diabetes":
        high = result == FollowUpResult.UNSTABLE
        return f"空腹血糖 {rng.randint(72, 110) / 10 if high else rng.randint(48, 69) / 10} mmol/L"
    if programme == "tuberculosis":
        return "督导服药，无明显不良反应"
    return ""


# --- village cover -----------------------------------------------------------------------------------

COVER_CHANGE_REASON = "原包村医生到县医院进修，经乡镇卫生院报批更换"


def _village_cover(ctx, clinics, staff) -> None:
    """A township doctor for each village without a clinic of its own (包村医生, R6 L335), since last
    year, and the days they sat at the village each month of this year."""
    rng = ctx.random
    hospitals = {
        i.organisation.division.pk: i
        for i in ctx.institutions
        if i.institution_type == InstitutionType.TOWNSHIP_HOSPITAL
    }
    villages = [v for v in ctx.villages if v.name.endswith("村")]
    without = [v for v in villages if v.pk not in clinics and v.parent.pk in hospitals]
    if not without:  # every village has a clinic: some have no doctor of their own
        without = rng.sample(villages, max(1, len(villages) // 10))
    covers, months = [], []
    for index, village in enumerate(without):
        hospital = hospitals[village.parent.pk]
        doctors = [p for p in staff[id(hospital)] if p.category in (C.PHYSICIAN, C.ASSISTANT_PHYSICIAN)]
        doctors = doctors or staff[id(hospital)]
        if not doctors:
            continue
        doctor = rng.choice(doctors)
        cover = VillageCover(
            village=village,
            practitioner=doctor,
            institution=hospital,
            since=dt.date(YEAR - 1, rng.randint(1, 6), 1),
        )
        spells = [cover]
        others = [p for p in doctors if p is not doctor]
        if index == 0 and others:  # one replacement, with its reason (不准擅自更换)
            cover.until = dt.date(YEAR, 5, 31)
            spells.append(
                VillageCover(
                    village=village,
                    practitioner=rng.choice(others),
                    institution=hospital,
                    since=dt.date(YEAR, 6, 1),
                    change_reason=COVER_CHANGE_REASON,
                )
            )
        covers += spells
        for month in range(1, SITTING_MONTHS + 1):
            first = dt.date(YEAR, month, 1)
            spell = next(s for s in reversed(spells) if s.since <= first)
            days = rng.randint(3, 6) if rng.random() < SITTING_SHORT else rng.randint(7, 10)
            months.append(SittingMonth(cover=spell, month=first, days=days))
    ctx.save(covers)
    ctx.save(months)
    short = sum(1 for m in months if m.days < 7)
    ctx.log(f"poverty: {len(covers)} village covers, {len(months)} sitting months ({short} below 7 days)")


# --- check-ups ---------------------------------------------------------------------------------------


def _checkups(ctx, registry: _Registry) -> None:
    """The county's free check-up of the poor aged 7–64 (R6 L295), 15 April to 15 May (R5 L249)."""
    rng = ctx.random
    starts, ends = CHECKUP_WINDOW
    campaign = CheckupCampaign(
        name=CHECKUP_NAME,
        division=ctx.county,
        target=CheckupTarget.POOR_7_TO_64,
        starts_on=starts,
        ends_on=ends,
    )
    ctx.save([campaign])
    checkups, target = [], 0
    for person in registry.persons:
        # Someone who came back into the registry after the campaign was not poor during it.
        if not rules.in_checkup_target(campaign, person) or registry.since[id(person)] > ends:
            continue
        target += 1
        rate = CHECKUP_RESIDENT if person.residence == Residence.RESIDENT else CHECKUP_ABSENT
        if rng.random() < rate:
            first = max(starts, registry.since[id(person)])
            day = first + dt.timedelta(days=rng.randrange((ends - first).days + 1))
            checkups.append(Checkup(campaign=campaign, person=person, examined_on=day))
    ctx.save(checkups)
    ctx.log(f"poverty: {len(checkups)} of {target} poor persons aged 7-64 examined")


# --- department lists and their reconciliation -------------------------------------------------------

LIST_FILES = {
    ListSource.POVERTY: "扶贫办建档立卡贫困人口花名册.xlsx",
    ListSource.INSURANCE: "城乡居民医保参保名单.xlsx",
    ListSource.CIVIL_AFFAIRS: "民政救助对象名单（五保低保特困）.xlsx",
    ListSource.HEALTH_RECORDS: "居民电子健康档案名单.xlsx",
}


def _row(person_or_member, village: Division, status: str = "") -> dict:
    return {
        "id_number": person_or_member.id_number,
        "name": person_or_member.name,
        "birth_date": person_or_member.birth_date,
        "village": village.code,
        "status": status,
    }


def _typo(rng, row: dict) -> dict:
    """The same row with a wrong check character, as a typing slip leaves it (GB 11643)."""
    number = row["id_number"]
    wrong = rng.choice([c for c in "0123456789X" if c != number[-1]])
    return {**row, "id_number": number[:-1] + wrong}


def _plant(rng, rows: list[dict], *, invalid: int = 0, duplicates: int = 0) -> list[dict]:
    """Slip `invalid` typos into the list and copy `duplicates` rows to another place in it."""
    rows = list(rows)
    for index in rng.sample(range(len(rows)), min(invalid, len(rows))):
        rows[index] = _typo(rng, rows[index])
    for row in rng.sample(rows, min(duplicates, len(rows))):
        rows.insert(rng.randrange(len(rows) + 1), dict(row))
    return rows


def _lists(ctx, registry: _Registry, members, scale) -> None:
    """The four departments' lists of the county as imported, with the mismatches their staff would
    find (seed-003 §4.9), then one reconciliation run so the demo opens with work items."""
    rng = ctx.random
    persons = registry.persons
    in_registry = {p.id_number for p in persons}
    invalid, duplicates = _scaled(INVALID_IDS, scale), _scaled(DUPLICATES, scale)

    # Civil affairs: the poor with a civil-affairs category; exited people still on its list as poor
    # (status conflicts); and people it supports who are not on the poverty roster.
    civil = [
        _row(p, p.village, PovertyStatus.POOR)
        for p in persons
        if p.status == PovertyStatus.POOR and CIVIL_AFFAIRS_CATEGORIES & set(p.categories)
    ]
    exited = [p for p in persons if p.status == PovertyStatus.EXITED]
    conflicts = rng.sample(exited, min(_scaled(STATUS_CONFLICTS, scale), len(exited)))
    civil += [_row(p, p.village, PovertyStatus.POOR) for p in conflicts]
    supported = [
        m for m in members if m.id_number not in in_registry and m.special_group in CIVIL_AFFAIRS_GROUPS
    ]
    missing = rng.sample(supported, min(_scaled(CIVIL_NOT_ON_ROSTER, scale), len(supported)))
    civil += [_row(m, m.village, PovertyStatus.POOR) for m in missing]
    rng.shuffle(civil)

    roster = [_row(p, p.village, p.status) for p in persons]
    if not conflicts:  # a dry run without the county's other households: the roster says exited instead
        conflicts = [p for p in persons if CIVIL_AFFAIRS_CATEGORIES & set(p.categories)][:STATUS_CONFLICTS]
        marked = {p.id_number for p in conflicts}
        roster = [{**r, "status": PovertyStatus.EXITED} if r["id_number"] in marked else r for r in roster]

    # Insurance: the enrolled members in the registry and a sample of the other enrolled members; the
    # poor who were not enrolled are missing from it (planted by the insurance part).
    enrolled_registry = [m for m in members if m.enrolled and m.id_number in in_registry]
    others = [m for m in members if m.enrolled and m.id_number not in in_registry]
    room = max(0, INSURANCE_LIST_MAX - len(enrolled_registry) - 2 * duplicates)
    sample = rng.sample(others, min(room, round(4000 * scale), len(others)))
    insurance = [
        _row(m, m.village, PovertyStatus.POOR if m.registered_poor else "") for m in enrolled_registry
    ] + [_row(m, m.village) for m in sample]

    # Health records: one per person of the registry (the roster's people must all have one, seed-003
    # §4.1), about 1 % twice, and one village that sent its whole register with records of people who
    # live elsewhere, so it has more records than residents (R5 L237: 31,233 records, 30,891 people).
    # Residents are the scheme's members of the village, as reconciliation counts them.
    residents = Counter(m.village.code for m in members)
    records = [_row(p, p.village) for p in persons]
    twice = rng.sample(records, round(len(records) * HEALTH_RECORD_DUPLICATES))
    with_poor = {p.village.code for p in persons}
    crowded = min(with_poor, key=lambda code: (residents[code], code)) if with_poor else None
    rest = [m for m in members if m.id_number not in in_registry]
    records += [_row(m, m.village) for m in rest if m.village.code == crowded]
    elsewhere = [m for m in rest if m.village.code != crowded]
    moved = rng.sample(elsewhere, min(len(elsewhere), max(3, residents[crowded] // 50)))
    records += [{**_row(m, m.village), "village": crowded} for m in moved]
    records += twice
    rng.shuffle(records)

    share = [invalid * 2 // 5, invalid * 2 // 5, invalid - 2 * (invalid * 2 // 5)]
    lists = {
        ListSource.POVERTY: _plant(rng, roster, invalid=share[0], duplicates=duplicates // 2),
        ListSource.INSURANCE: _plant(rng, insurance, invalid=share[1], duplicates=duplicates // 4),
        ListSource.CIVIL_AFFAIRS: _plant(
            rng, civil, duplicates=duplicates - duplicates // 2 - duplicates // 4
        ),
        ListSource.HEALTH_RECORDS: _plant(rng, records, invalid=share[2]),
    }
    # Rows are numbered as in the file; a row copied twice is two rows.
    lists = {
        source: [{**entry, "row": number} for number, entry in enumerate(entries, start=1)]
        for source, entries in lists.items()
    }
    saved = {
        source: DepartmentList(
            source=source, division=ctx.county, file_name=LIST_FILES[source], row_count=len(entries)
        )
        for source, entries in lists.items()
    }
    ctx.save(list(saved.values()))
    # List rows are not audited (the import is) and many: plain rows, dates as the driver takes them.
    day = str if connection.vendor == "sqlite" else (lambda value: value)
    ctx.insert_rows(
        ListRow,
        ("department_list", "row", "id_number", "name", "birth_date", "village_code", "status"),
        [
            (
                saved[source].pk,
                entry["row"],
                entry["id_number"],
                entry["name"],
                day(entry["birth_date"]),
                entry["village"],
                entry["status"],
            )
            for source, entries in lists.items()
            for entry in entries
        ],
    )
    ctx.log(
        "poverty: lists of "
        + ", ".join(f"{source} {len(entries)}" for source, entries in lists.items())
        + f" rows; planted {invalid} invalid ID numbers, {duplicates} duplicates, {len(missing)} "
        f"civil-affairs persons not on the roster, {len(conflicts)} status conflicts"
    )
    _reconcile(ctx, saved, lists, dict(residents))


def _reconcile(ctx, saved: dict, lists: dict, residents: dict) -> None:
    """One reconciliation of the county's lists, as the reconciliation job runs it; its findings become
    work items with owners and deadlines through the services (a build only: they read the database)."""
    frames = {source: frame_from_rows(entries) for source, entries in lists.items()}
    result = reconcile(frames, residents, today=TODAY)
    findings = result.findings.to_dicts()
    run = Reconciliation(division=ctx.county, state=RunState.RUNNING)
    ctx.save([run])
    ctx.link(
        Reconciliation.lists.through,
        [{"reconciliation_id": run.pk, "departmentlist_id": d.pk} for d in saved.values()],
    )
    if ctx.write:
        counts = services.reconciliation_apply(run, findings, today=TODAY)
        services.finish_run(run, counts=counts, rates=village_counts(result.rates))
        ctx.counts[Mismatch._meta.label] += sum(counts.values())
    else:
        counts = dict(Counter(finding["kind"] for finding in findings))
    ctx.log(
        "poverty: reconciliation found "
        + ", ".join(f"{count} {kind}" for kind, count in sorted(counts.items()))
    )
