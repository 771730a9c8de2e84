"""Demo county, health-financing part (新农合): the built-in policy, households and their members,
enrolment for the coverage year with its contributions and subsidies, a year of claims settled on the
spot by the engine, a few corrections, monthly institution statements, and the fund ledger.

The coverage year is the year of the demo's "today" (`SUPERVISION_TODAY`, late in the year), so the
fund has most of a year of claims: the months before today's are approved and paid, today's is open.

Volume rules out one service call per record. Rows are computed in memory with the engine and the
services' own helpers, then written in bulk; ledger entries carry the keys, accounts and signs the
services post, so `selectors.ledger_check` holds. The corrections go through the services (they need
the database, so a dry run leaves them out).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection

from weijian.core.models import Division, Organisation, OrganisationKind, ScopeMode, User
from weijian.core.textsearch import search_key
from weijian.insurance import bookkeeping, selectors, services
from weijian.insurance.engine import scalar
from weijian.insurance.engine.money import fen_to_yuan
from weijian.insurance.engine.policy import POLICY_DIR, load_policy
from weijian.insurance.models import (
    GOVERNMENT_PAYERS,
    Claim,
    ClaimState,
    ClaimType,
    Contribution,
    Enrolment,
    Household,
    ItemDecision,
    LedgerEntry,
    Member,
    PayerType,
    PolicyVersion,
    Posting,
    Settlement,
    SettlementKind,
    SpecialGroup,
    Statement,
    StatementItem,
    StatementState,
)
from weijian.registry.models import GradeClass, GradeLevel, Institution, InstitutionType, Ownership

from . import names
from .context import DemoContext
from .supervision_part import SUPERVISION_TODAY, _moment

TODAY = SUPERVISION_TODAY
YEAR = TODAY.year
POLICY_CODE = "demo-ncms"
# The county adopts the one-stop layers for the registered poor on top of the scheme's policy.
ONE_STOP_POLICY_CODE = "demo-poverty"
# Of the admissions of poor patients at level-2 and level-3 hospitals: a disease of the major-disease
# list (settled as a fixed split, R3 L139); of all their admissions: over-treatment found on review.
MAJOR_DISEASE_ADMISSIONS = 0.05
OVER_TREATMENT_ADMISSIONS = 0.02
OUT_OF_COUNTY_HOSPITAL = "示范市人民医院"

# Household sizes (persons, share in percent): about 3.3 persons a household.
HOUSEHOLD_SIZES = ((1, 10), (2, 21), (3, 25), (4, 24), (5, 14), (6, 6))
# Share of persons in each special group; the civil-affairs groups are whole households.
WUBAO_SINGLE_ELDERLY = 0.25  # of one-person households headed by someone over 65
DIBAO_HOUSEHOLDS = 0.03
TEKUN_HOUSEHOLDS = 0.006
DISABLED_PERSONS = 0.015
ORPHAN_CHILDREN = 0.002
# A few people declare a group without a certificate: they pay and compensate like everybody else.
NO_CERTIFICATE = 0.05
# Households of the poverty registry (建档立卡): most civil-affairs households and a share of the others,
# about 5,000 persons; their premium is paid, so all but a few planted cases are enrolled (R6 L285).
POOR_CIVIL_AFFAIRS_HOUSEHOLDS = 0.7
POOR_OTHER_HOUSEHOLDS = 0.028
POOR_NOT_ENROLLED = 0.004

# Outpatient visits a person claims in the year so far, by age band: (visits, weight).
OUTPATIENT_VISITS = ((0, 82), (1, 12), (2, 4), (3, 2))
INPATIENT_RATE = {"child": 0.02, "adult": 0.025, "elder": 0.06}
CHRONIC_RATE = (("hypertension", 0.025), ("diabetes", 0.01), ("chronic_nephritis", 0.0015))
CATARACT_RATE = 0.004  # of persons over 60
TCM_FRACTURE_RATE = 0.002
DELIVERY_RATE = 0.06  # of women aged 20-40
UNENROLLED_CLAIM_RATE = 0.02
CORRECTIONS = 5
REJECTED_ITEMS = 0.0015

# (disease, share) of admissions by where they happen.
TOWNSHIP_DISEASES = (
    ("肺炎", 25),
    ("急性支气管炎", 20),
    ("急性胃肠炎", 15),
    ("高血压病", 10),
    ("慢性阻塞性肺疾病", 10),
    ("腰椎间盘突出症", 10),
    ("上呼吸道感染", 10),
)
COUNTY_DISEASES = (
    ("脑梗死", 16),
    ("肺炎", 14),
    ("冠心病", 12),
    ("慢性阻塞性肺疾病", 10),
    ("胆囊结石", 8),
    ("急性阑尾炎", 8),
    ("股骨颈骨折", 6),
    ("消化道出血", 6),
    ("糖尿病", 6),
    ("子宫肌瘤", 5),
    ("腹股沟疝", 5),
    ("病毒性肝炎", 4),
)
LEVEL3_DISEASES = (("恶性肿瘤", 40), ("脑出血", 20), ("急性心肌梗死", 20), ("重症胰腺炎", 10), ("多发伤", 10))
REJECTION_REASONS = ("超范围用药", "分解住院", "挂床住院", "重复收费", "病历资料不全", "超标准收费")
CORRECTION_REASON = "收费项目录入有误，重新结算"


@dataclass
class _Person:
    member: Member
    township: Division
    village: Division
    age: int
    male: bool
    enrolled: bool
    poor: bool = False


@dataclass
class _Places:
    """The institutions claims happen at."""

    village_clinic: dict[int, Institution]  # by village pk
    township_hospital: dict[int, Institution]  # by township pk
    county_hospital: Institution
    tcm_hospital: Institution
    mch_hospital: Institution
    rehabilitation: Institution | None
    for_profit: Institution | None
    out_of_county: Institution
    # Out-of-formulary drug share of each institution, in permille of its drug cost.
    formulary_habit: dict[int, int] = field(default_factory=dict)


def generate(ctx: DemoContext) -> None:
    version, policy = _policy(ctx)
    people = _households(ctx, policy)
    _contributions(ctx, policy, people)
    places = _places(ctx)
    claims = _claims(ctx, people, places, policy)
    settlements = _settle(ctx, version, policy, claims)
    settlements += _corrections(ctx, claims)
    _statements(ctx, version, policy, places, settlements)


# --- policy ------------------------------------------------------------------------------------------


def _policy(ctx: DemoContext):
    one_stop = (POLICY_DIR / f"{ONE_STOP_POLICY_CODE}.toml").read_text(encoding="utf-8")
    if ctx.write:
        loaded = services.policy_load_builtin()
        loaded.append(services.policy_publish(None, document=one_stop, division=ctx.county, note="built-in"))
        ctx.counts[PolicyVersion._meta.label] += len(loaded)
        version = selectors.policy_version_in_force(ctx.county, dt.date(YEAR, 1, 1))
        return version, selectors.engine_policy(version)
    versions = []
    for code, division in ((POLICY_CODE, None), (ONE_STOP_POLICY_CODE, ctx.county)):
        document = (POLICY_DIR / f"{code}.toml").read_text(encoding="utf-8")
        policy = load_policy(POLICY_DIR / f"{code}.toml")
        versions.append(
            PolicyVersion(
                code=policy.code,
                version=1,
                name=policy.name,
                division=division,
                valid_from=policy.valid_from,
                valid_to=policy.valid_to,
                document=document,
                note="built-in",
            )
        )
    ctx.save(versions)
    return versions[-1], policy


# --- households and members --------------------------------------------------------------------------


def _households(ctx: DemoContext, policy) -> list[_Person]:
    rng = ctx.random
    villages = [v for v in ctx.villages if v.name.endswith("村")]
    weights = [rng.uniform(0.6, 1.4) for _ in villages]
    # Enrolment differs by township: some mobilise better than others.
    rates = {t.pk: rng.uniform(0.915, 0.985) for t in ctx.townships}
    sizes, size_weights = zip(*HOUSEHOLD_SIZES, strict=True)
    area = ctx.county.code[:6]
    households: list[Household] = []
    members: list[Member] = []
    people: list[_Person] = []
    serial_in_village: Counter[int] = Counter()
    certificates = Counter()
    # Its own stream, so that choosing the poor leaves the rest of the county as it was.
    poor_rng = random.Random(f"{ctx.seed}:poverty registry")
    ctx.poor_households = []
    for index, village in enumerate(rng.choices(villages, weights=weights, k=ctx.insurance_households)):
        serial_in_village[village.pk] += 1
        number = f"{village.code}{serial_in_village[village.pk]:04d}"
        size = rng.choices(sizes, weights=size_weights)[0]
        family = _family(ctx, size)
        head_name = family[0][0]
        household = Household(
            division=village,
            number=number,
            head_name=head_name,
            address=f"示范县{village.parent.name}{village.name}{rng.randrange(1, 120)}号",
        )
        households.append(household)
        enrolled = rng.random() < rates[village.parent.pk]
        if enrolled:
            household.paid_on = _paid_on(ctx)
        group = SpecialGroup.NONE
        if size == 1 and family[0][2].year < YEAR - 65 and rng.random() < WUBAO_SINGLE_ELDERLY:
            group = SpecialGroup.WUBAO
        elif rng.random() < DIBAO_HOUSEHOLDS:
            group = SpecialGroup.DIBAO
        elif rng.random() < TEKUN_HOUSEHOLDS:
            group = SpecialGroup.TEKUN
        civil_affairs = group in (SpecialGroup.WUBAO, SpecialGroup.DIBAO, SpecialGroup.TEKUN)
        poor = poor_rng.random() < (POOR_CIVIL_AFFAIRS_HOUSEHOLDS if civil_affairs else POOR_OTHER_HOUSEHOLDS)
        if poor:
            was_enrolled, enrolled = enrolled, poor_rng.random() >= POOR_NOT_ENROLLED
            if enrolled and not was_enrolled:
                household.paid_on = dt.date(YEAR - 1, 12, poor_rng.randrange(1, 31))
            ctx.poor_households.append((household, []))
        for position, (name, male, birth, relation) in enumerate(family, start=1):
            # Nobody is born after the demo's today (an ID number with a future birth date is invalid).
            birth = min(birth, TODAY - dt.timedelta(days=1))
            id_number = ctx.id_number(area, birth, male=male)
            member_group = group
            age = YEAR - birth.year
            if member_group == SpecialGroup.NONE:
                if rng.random() < DISABLED_PERSONS:
                    member_group = SpecialGroup.DISABLED
                elif age < 16 and rng.random() < ORPHAN_CHILDREN:
                    member_group = SpecialGroup.ORPHAN
            certificate = ""
            if member_group != SpecialGroup.NONE and rng.random() >= NO_CERTIFICATE:
                certificates[member_group] += 1
                certificate = _certificate(member_group, area, certificates[member_group], id_number)
            member = Member(
                household=household,
                name=name,
                id_number=id_number,
                birth_date=birth,
                relation=relation,
                special_group=member_group,
                certificate_number=certificate,
                card_number=f"{area}{index + 1:07d}{position}",
                registered_poor=poor,
            )
            members.append(member)
            if poor:
                ctx.poor_households[-1][1].append(member)
            people.append(_Person(member, village.parent, village, age, male, enrolled, poor))
    ctx.save(households)
    ctx.save(members)
    ctx.insurance_members = [(p.member, p.enrolled) for p in people]
    enrolments = [
        Enrolment(
            member=p.member,
            household=p.member.household,
            division=p.village,
            year=YEAR,
            enrolled_on=p.member.household.paid_on,
        )
        for p in people
        if p.enrolled
    ]
    ctx.save(enrolments)
    ctx.log(f"insurance: {len(households)} households, {len(members)} members, {len(enrolments)} enrolled")
    return people


def _paid_on(ctx: DemoContext) -> dt.date:
    """The day a household paid for the coverage year: Nov-Dec of the year before, most in December."""
    day = int(61 * ctx.random.random() ** 0.6)
    return dt.date(YEAR - 1, 11, 1) + dt.timedelta(days=min(day, 60))


def _family(ctx: DemoContext, size: int) -> list[tuple[str, bool, dt.date, str]]:
    """(name, male, birth date, relation to head) of a household's members, head first."""
    rng = ctx.random
    head_male = rng.random() < 0.85
    head_birth = ctx.birth_date(min_age=25, max_age=85 if size == 1 else 70)
    head = names.person_name(rng, male=head_male)
    surname = head[0] if head_male else names.person_name(rng, male=True)[0]
    family = [(head, head_male, head_birth, "户主")]
    if size >= 2:
        birth = _near(ctx, head_birth, 4)
        family.append((names.person_name(rng, male=not head_male), not head_male, birth, "配偶"))
    children = 0
    for _ in range(size - len(family)):
        if head_birth.year < YEAR - 55 and children >= 1 and rng.random() < 0.5:
            male = rng.random() < 0.52
            birth = ctx.birth_date(min_age=0, max_age=min(15, YEAR - head_birth.year - 45))
            family.append(
                (surname + names.person_name(rng, male=male)[1:], male, birth, "孙子" if male else "孙女")
            )
        elif head_birth.year > YEAR - 50 and rng.random() < 0.25:
            male = rng.random() < 0.45
            birth = ctx.birth_date(min_age=YEAR - head_birth.year + 22, max_age=YEAR - head_birth.year + 35)
            family.append((names.person_name(rng, male=male), male, birth, "父亲" if male else "母亲"))
        else:
            male = rng.random() < 0.52
            oldest = max(0, min(YEAR - head_birth.year - 20, 45))
            youngest = max(0, YEAR - head_birth.year - 45)
            birth = ctx.birth_date(min_age=min(youngest, oldest), max_age=oldest)
            family.append(
                (surname + names.person_name(rng, male=male)[1:], male, birth, "子" if male else "女")
            )
            children += 1
    return family


def _near(ctx: DemoContext, birth: dt.date, years: int) -> dt.date:
    day = birth + dt.timedelta(days=ctx.random.randrange(-years * 365, years * 365 + 1))
    return min(day, dt.date(YEAR - 20, 12, 31))


def _certificate(group: str, area: str, serial: int, id_number: str) -> str:
    if group == SpecialGroup.DISABLED:  # 残疾人证: the ID number, the kind and the grade
        return f"{id_number}{serial % 7 + 1}{serial % 4 + 1}"
    prefix = {
        SpecialGroup.WUBAO: "WB",
        SpecialGroup.DIBAO: "DB",
        SpecialGroup.TEKUN: "TK",
        SpecialGroup.ORPHAN: "GE",
    }[group]
    return f"{prefix}{area}{YEAR - 1}{serial:05d}"


# --- contributions and the ledger ---------------------------------------------------------------------


class _Ledger:
    """Entries and their postings as `services.post` writes them, collected for one bulk write."""

    def __init__(self, ctx: DemoContext):
        self.ctx = ctx
        self.entries: list[LedgerEntry] = []
        self.lines: list[list[tuple]] = []

    def add(self, entry: bookkeeping.Entry) -> None:
        lines = [line for line in entry.lines if line[3]]
        if sum((line[3] for line in lines), Decimal(0)) != 0:
            raise ValueError(f"ledger entry {entry.key} does not balance")
        self.entries.append(
            LedgerEntry(
                key=entry.key,
                division=self.ctx.county,
                kind=entry.kind,
                posted_on=entry.posted_on,
                year=entry.year,
                description=entry.description[:200],
            )
        )
        self.lines.append(lines)

    def write(self) -> None:
        self.ctx.save(self.entries)
        # Postings are the largest table and are not audited: plain rows, amounts as the driver takes them.
        as_decimal = str if connection.vendor == "sqlite" else Decimal
        self.ctx.insert_rows(
            Posting,
            ("entry", "account", "sub_fund", "detail", "amount"),
            [
                (entry.pk, str(account), str(sub_fund), str(detail), as_decimal(amount))
                for entry, lines in zip(self.entries, self.lines, strict=True)
                for account, sub_fund, detail, amount in lines
            ],
        )
        self.entries, self.lines = [], []


def _contributions(ctx: DemoContext, policy, people: list[_Person]) -> None:
    rng = ctx.random
    per_person = fen_to_yuan(policy.financing.individual)
    by_household: dict[int, list[_Person]] = defaultdict(list)
    for person in people:
        if person.enrolled:
            by_household[id(person.member.household)].append(person)
    contributions: list[Contribution] = []
    receipts = Counter()
    for persons in by_household.values():
        household = persons[0].member.household
        covered = sum(1 for p in persons if p.member.certified_group in policy.financing.civil_affairs_groups)
        for payer, count, prefix in (
            (PayerType.INDIVIDUAL, len(persons) - covered, "SJ"),
            (PayerType.CIVIL_AFFAIRS, covered, "MZ"),
        ):
            if not count:
                continue
            receipts[prefix] += 1
            contributions.append(
                Contribution(
                    year=YEAR,
                    payer_type=payer,
                    amount=per_person * count,
                    headcount=count,
                    receipt_number=f"{prefix}{YEAR}{receipts[prefix]:07d}",
                    paid_on=household.paid_on,
                    household=household,
                    division=household.division,
                )
            )
    # Collective support (集体扶持) from two townships.
    for township in rng.sample(ctx.townships[1:], 2):
        receipts["JT"] += 1
        contributions.append(
            Contribution(
                year=YEAR,
                payer_type=PayerType.COLLECTIVE,
                amount=Decimal(rng.randrange(10, 31) * 1000),
                headcount=0,
                receipt_number=f"JT{YEAR}{receipts['JT']:07d}",
                paid_on=dt.date(YEAR - 1, 12, rng.randrange(20, 31)),
                division=township,
            )
        )
    # Government subsidies from the enrolled headcount, as services.subsidy_receive computes them.
    headcount = sum(len(persons) for persons in by_household.values())
    county = ctx.county
    for payer in GOVERNMENT_PAYERS:
        contributions.append(
            Contribution(
                year=YEAR,
                payer_type=payer,
                amount=fen_to_yuan(policy.financing.subsidy[payer] * headcount),
                headcount=headcount,
                receipt_number=f"BZ{county.code[:6]}-{YEAR}-{payer}-{headcount}",
                paid_on=dt.date(YEAR, 1, 20),
                division=county,
            )
        )
    ctx.save(contributions)
    ledger = _Ledger(ctx)
    payer_labels = bookkeeping.labels(PayerType)
    for contribution in contributions:
        ledger.add(bookkeeping.contribution_entry(contribution, policy, payer_labels))
    ledger.write()
    ctx.log(f"insurance: {len(contributions)} contributions")


# --- institutions -------------------------------------------------------------------------------------


def _places(ctx: DemoContext) -> _Places:
    rng = ctx.random
    by_organisation = {id(i.organisation): i for i in ctx.institutions}
    village_clinic, township_hospital = {}, {}
    by_name = {}
    for institution in ctx.institutions:
        division = institution.organisation.division
        by_name[institution.organisation.name] = institution
        if institution.institution_type == InstitutionType.VILLAGE_CLINIC:
            village_clinic[division.pk] = institution
        elif institution.institution_type == InstitutionType.TOWNSHIP_HOSPITAL:
            township_hospital[division.pk] = institution
    places = _Places(
        village_clinic=village_clinic,
        township_hospital=township_hospital,
        county_hospital=by_organisation[id(ctx.organisations["county_hospital"])],
        tcm_hospital=by_organisation[id(ctx.organisations["tcm_hospital"])],
        mch_hospital=by_organisation[id(ctx.organisations["mch_hospital"])],
        rehabilitation=by_name.get("示范县康复医院"),
        for_profit=by_name.get("示范县仁爱医院"),
        out_of_county=_out_of_county_hospital(ctx),
    )
    # Most institutions keep out-of-formulary drugs within their level's limit (5% / 10% / 25%); some
    # habitually do not, and exceed it in the months their share drifts up.
    for institution in [*ctx.institutions, places.out_of_county]:
        level = services.facility_level(institution)
        low, high = {1: (15, 45), 2: (40, 90), 3: (150, 240)}[level]
        if rng.random() < 0.2:
            low, high = high - 5, high + (25 if level == 1 else 45)
        places.formulary_habit[institution.pk] = rng.randrange(low, high + 1)
    return places


def _out_of_county_hospital(ctx: DemoContext) -> Institution:
    """The city's level-3 hospital, where referred patients go (转外就医)."""
    organisation = Organisation(
        name=OUT_OF_COUNTY_HOSPITAL,
        kind=OrganisationKind.MEDICAL_INSTITUTION,
        division=ctx.city,
        credit_code=ctx.credit_code(ctx.city.code, authority="1", kind="2"),
        scope_mode=ScopeMode.OWN_INSTITUTION,
        search_key=search_key(OUT_OF_COUNTY_HOSPITAL),
    )
    institution = Institution(
        organisation=organisation,
        licence_number=f"PDY{ctx.random.randrange(10**7, 10**8)}{ctx.city.code[:6]}0111A1001",
        institution_type=InstitutionType.GENERAL_HOSPITAL,
        grade_level=GradeLevel.LEVEL_3,
        grade_class=GradeClass.A,
        ownership=Ownership.PUBLIC,
        beds=1200,
        insurance_designated=True,
        address="示范市人民大道1号",
        phone=f"0799-{ctx.random.randrange(8000000, 9000000)}",
        licence_valid_until=ctx.today + dt.timedelta(days=3 * 365),
        head=names.person_name(ctx.random, male=True),
    )
    ctx.save([organisation])
    ctx.save([institution])
    ctx.institutions.append(institution)
    ctx.organisations["out_of_county_hospital"] = organisation
    return institution


# --- claims -------------------------------------------------------------------------------------------


def _fen(rng, low_yuan: int, high_yuan: int, skew: float = 1.0) -> int:
    """Whole fen between the bounds; skew > 1 makes small amounts likelier."""
    return low_yuan * 100 + int((high_yuan - low_yuan) * 100 * rng.random() ** skew)


def _part(amount: int, low_percent: int, high_percent: int, rng) -> int:
    return amount * rng.randrange(low_percent, high_percent + 1) // 100


def _weighted(rng, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def _day(rng, first: dt.date = dt.date(YEAR, 1, 1), last: dt.date = TODAY) -> dt.date:
    return first + dt.timedelta(days=rng.randrange((last - first).days + 1))


def _claims(ctx: DemoContext, people: list[_Person], places: _Places, policy) -> list[Claim]:
    rng = ctx.random
    # The one-stop facts draw from their own stream, so the rest of the year stays as it was.
    one_stop_rng = random.Random(f"{ctx.seed}:one-stop facts")
    major_diseases = policy.poverty.major_diseases if policy.poverty is not None else ()
    claims: list[Claim] = []
    drift: dict[tuple[int, int], int] = {}

    def add(
        person: _Person, institution: Institution, claim_type: str, admit: dt.date, days: int = 0, **amounts
    ):
        discharge = min(admit + dt.timedelta(days=days), TODAY)
        total = amounts["total"]
        drug = amounts.pop("drug_cost", _part(total, 30, 60, rng))
        key = (institution.pk, discharge.month)
        if key not in drift:
            drift[key] = rng.randrange(60, 150)
        permille = places.formulary_habit[institution.pk] * drift[key] // 100
        off = min(drug, drug * permille * rng.randrange(50, 151) // 100_000)
        claims.append(
            Claim(
                institution=institution,
                member=person.member,
                division=person.village,
                claim_type=claim_type,
                facility_level=services.facility_level(institution),
                admit_date=admit,
                discharge_date=discharge,
                drug_cost=fen_to_yuan(drug),
                off_formulary_drug_cost=fen_to_yuan(off),
                state=ClaimState.SETTLED,
                **{
                    name: fen_to_yuan(value) if name in services.CLAIM_AMOUNTS else value
                    for name, value in amounts.items()
                },
            )
        )
        claims[-1].enrolled = person.enrolled
        claims[-1].poor = person.poor

    def inpatient(person, institution, admit=None, disease=None, level3=False):
        admit = admit or _day(rng, last=TODAY - dt.timedelta(days=2))
        level = services.facility_level(institution)
        if level3:
            days, total = rng.randrange(7, 21), _fen(rng, 15000, 60000, 1.8)
            disease = disease or _weighted(rng, LEVEL3_DISEASES)
        elif level == 1:
            days, total = rng.randrange(3, 9), _fen(rng, 800, 4000, 1.3)
            disease = disease or _weighted(rng, TOWNSHIP_DISEASES)
        else:
            days, total = rng.randrange(5, 15), _fen(rng, 2500, 15000, 2.2)
            disease = disease or _weighted(rng, COUNTY_DISEASES)
        amounts = {"total": total, "self_pay": _part(total, 2, 9, rng)}
        if level >= 2:
            if rng.random() < 0.4:
                amounts["special_exam"] = min(_part(total, 5, 15, rng), _fen(rng, 200, 1500))
            if rng.random() < 0.12:
                amounts["special_material"] = _part(total, 5, 20, rng)
            if rng.random() < 0.05:
                amounts["blood"] = _part(total, 2, 10, rng)
            if rng.random() < 0.3:
                amounts["partial_items"] = _part(total, 2, 10, rng)
        if institution is places.tcm_hospital:
            amounts["tcm_amount"] = _part(total, 40, 90, rng)
        if person.poor:
            if level >= 2 and major_diseases and one_stop_rng.random() < MAJOR_DISEASE_ADMISSIONS:
                amounts["major_disease"] = one_stop_rng.choice(major_diseases)
            amounts["over_treatment"] = one_stop_rng.random() < OVER_TREATMENT_ADMISSIONS
        add(
            person,
            institution,
            ClaimType.INPATIENT,
            admit,
            days,
            disease=disease,
            out_of_county=level3,
            referral=level3,
            drug_cost=_part(total, 35, 55, rng),
            **amounts,
        )
        return claims[-1]

    for person in people:
        if not person.enrolled:
            if rng.random() < UNENROLLED_CLAIM_RATE:
                clinic = (
                    places.village_clinic.get(person.village.pk)
                    or places.township_hospital[person.township.pk]
                )
                add(person, clinic, ClaimType.OUTPATIENT, _day(rng), total=_fen(rng, 20, 150, 1.5))
            continue
        band = "child" if person.age < 15 else "elder" if person.age >= 60 else "adult"
        clinic = places.village_clinic.get(person.village.pk)
        township_hospital = places.township_hospital[person.township.pk]
        visits = _weighted(rng, OUTPATIENT_VISITS) + (rng.random() < 0.4 if band == "elder" else 0)
        for _ in range(visits):
            if clinic is not None and rng.random() < 0.7:
                add(person, clinic, ClaimType.OUTPATIENT, _day(rng), total=_fen(rng, 15, 120, 1.5))
            else:
                add(person, township_hospital, ClaimType.OUTPATIENT, _day(rng), total=_fen(rng, 40, 400, 1.8))
        if rng.random() < INPATIENT_RATE[band]:
            where = rng.random()
            if where < 0.5:
                stay = inpatient(person, township_hospital)
                if rng.random() < 0.06 and stay.discharge_date < TODAY - dt.timedelta(days=3):
                    # Transferred up the medical community the next day, same disease (转诊).
                    inpatient(
                        person,
                        places.county_hospital,
                        admit=stay.discharge_date + dt.timedelta(days=1),
                        disease=stay.disease,
                    )
            elif where < 0.84:
                inpatient(person, places.county_hospital)
            elif where < 0.94:
                inpatient(person, places.tcm_hospital)
            elif where < 0.975 and places.rehabilitation is not None:
                inpatient(person, places.rehabilitation)
            elif where < 0.985 and places.for_profit is not None:
                inpatient(person, places.for_profit)
            else:
                inpatient(person, places.out_of_county, level3=True)
        if not person.male and 20 <= person.age <= 40 and rng.random() < DELIVERY_RATE:
            admit = _day(rng, last=TODAY - dt.timedelta(days=4))
            if rng.random() < 0.75:
                where = _weighted(
                    rng, ((places.mch_hospital, 45), (places.county_hospital, 35), (township_hospital, 20))
                )
                total = _fen(rng, 1500, 3500)
                add(
                    person,
                    where,
                    ClaimType.DELIVERY_NORMAL,
                    admit,
                    rng.randrange(2, 4),
                    total=total,
                    self_pay=_part(total, 0, 5, rng),
                    disease="顺产",
                )
            else:
                where = rng.choice((places.mch_hospital, places.county_hospital))
                total = _fen(rng, 4000, 9000)
                add(
                    person,
                    where,
                    ClaimType.DELIVERY_PATHOLOGICAL,
                    admit,
                    rng.randrange(4, 8),
                    total=total,
                    self_pay=_part(total, 2, 8, rng),
                    special_material=_part(total, 0, 10, rng),
                    disease="剖宫产",
                )
        if person.age >= 45:
            for disease, rate in CHRONIC_RATE:
                if rng.random() < rate:
                    where = township_hospital if rng.random() < 0.7 else places.county_hospital
                    for month in range(rng.randrange(1, 4), TODAY.month + 1, rng.choice((1, 2, 3))):
                        day = dt.date(YEAR, month, rng.randrange(1, 29))
                        if day <= TODAY:
                            add(
                                person,
                                where,
                                ClaimType.CHRONIC_OUTPATIENT,
                                day,
                                total=_fen(rng, 60, 350),
                                chronic_disease=disease,
                            )
        if person.age >= 60 and rng.random() < CATARACT_RATE:
            eyes = 2 if rng.random() < 0.2 else 1
            total = _fen(rng, 2500, 4500) * eyes
            add(
                person,
                places.county_hospital,
                ClaimType.CATARACT_OUTPATIENT,
                _day(rng),
                total=total,
                eyes=eyes,
                special_material=_part(total, 20, 35, rng),
                disease="老年性白内障",
            )
        if rng.random() < TCM_FRACTURE_RATE:
            total = _fen(rng, 300, 1500)
            add(
                person,
                places.tcm_hospital,
                ClaimType.TCM_OUTPATIENT,
                _day(rng),
                total=total,
                tcm_amount=_part(total, 60, 95, rng),
                disease="桡骨远端骨折",
            )
    # Numbered as services.next_claim_number would, in the order the institutions entered them.
    claims.sort(key=lambda c: (c.discharge_date, c.admit_date, c.institution.pk, c.member.pk))
    serial: Counter[int] = Counter()
    for claim in claims:
        claim.drug_cost = min(claim.drug_cost, claim.total)
        claim.off_formulary_drug_cost = min(claim.off_formulary_drug_cost, claim.drug_cost)
        serial[claim.institution.pk] += 1
        claim.number = (
            f"BC{claim.discharge_date.year}-{claim.institution.pk:05d}-{serial[claim.institution.pk]:06d}"
        )
    ctx.save(claims)
    return claims


# --- settlement ---------------------------------------------------------------------------------------


def _settle(ctx: DemoContext, version: PolicyVersion, policy, claims: list[Claim]) -> list[Settlement]:
    """Each member's claims through the engine in the order services.claim_settle would meet them."""
    enrolled = {claim.member.pk for claim in claims if claim.enrolled}
    by_member: dict[int, list[Claim]] = defaultdict(list)
    for claim in claims:
        by_member[claim.member.pk].append(claim)
    settlements: list[Settlement] = []
    for member_id, own in by_member.items():
        own.sort(key=lambda c: (c.discharge_date, c.number))
        state = scalar.PersonYear(person_id=str(member_id), year=YEAR)
        for claim in own:
            claim.member_id = member_id
            engine_claim = services.engine_claim_of(claim)
            if member_id not in enrolled:
                result = bookkeeping.not_enrolled_result(engine_claim)
            else:
                settled = scalar.settle(engine_claim, state, policy)
                state = settled.state
                result = bookkeeping.engine_result(settled)
            settlements.append(bookkeeping.settlement_row(claim, version, result, on=claim.discharge_date))

    settlements.sort(key=lambda s: (s.settled_on, s.claim.number))
    ctx.save(settlements)
    _post_settlements(ctx, settlements)
    reimbursed = sum((s.reimbursed for s in settlements), Decimal(0))
    ctx.log(f"insurance: {len(claims)} claims settled, {reimbursed} yuan reimbursed")
    return settlements


def _post_settlements(ctx: DemoContext, settlements: list[Settlement]) -> None:
    """As services._post_settlement: compensation expense against what is owed to the institution."""
    ledger = _Ledger(ctx)
    kind_labels = bookkeeping.labels(SettlementKind)
    for settlement in settlements:
        ledger.add(bookkeeping.settlement_entry(settlement, kind_labels))
    ledger.write()


def _corrections(ctx: DemoContext, claims: list[Claim]) -> list[Settlement]:
    """A few claims of the open month corrected at the county hospital's till, through the services."""
    if not ctx.write:
        return []
    cashier = User.objects.get(username="institution_cashier")
    county_hospital = cashier.organisation_id
    month = services.month_start(TODAY)
    candidates = [
        c
        for c in claims
        if c.institution.organisation.pk == county_hospital
        and c.discharge_date >= month
        and c.claim_type == ClaimType.INPATIENT
    ]
    made: list[Settlement] = []
    counts = Counter()
    for claim in ctx.random.sample(candidates, min(CORRECTIONS, len(candidates))):
        stored = Claim.objects.select_related("member__household__division", "institution__organisation").get(
            pk=claim.pk
        )
        extra = Decimal(ctx.random.randrange(50, 500))
        corrected = services.claim_correct(
            cashier, stored, reason=CORRECTION_REASON, on=TODAY, total=stored.total + extra
        )
        made += list(Settlement.objects.filter(claim=stored, kind=SettlementKind.REVERSAL))
        made.append(corrected)
        counts["insurance.Claim"] += 1
        counts["insurance.Settlement"] += 2
        counts["insurance.LedgerEntry"] += 2
        counts["insurance.Posting"] += Posting.objects.filter(
            entry__key__in=[f"settlement:{s.pk}" for s in made[-2:]]
        ).count()
    ctx.counts.update(counts)
    return made


# --- statements ---------------------------------------------------------------------------------------


def _statements(ctx: DemoContext, version, policy, places: _Places, settlements: list[Settlement]) -> None:
    """Every institution's monthly statements with the county's scheme, the out-of-county hospital's
    included: months before today's approved and paid, today's open."""
    rng = ctx.random
    current = services.month_start(TODAY)
    clerk = User.objects.get(username="insurance_clerk") if ctx.write else None
    grouped: dict[tuple[int, dt.date], list[Settlement]] = defaultdict(list)
    institutions = {}
    for settlement in settlements:
        institution = settlement.institution
        institutions[institution.pk] = institution
        grouped[(institution.pk, services.month_start(settlement.settled_on))].append(settlement)
    statements, items = [], []
    for (institution_id, month), month_settlements in sorted(
        grouped.items(), key=lambda kv: (kv[0][1], kv[0][0])
    ):
        institution = institutions[institution_id]
        statement = Statement(
            institution=institution,
            division=ctx.county,
            month=month,
            facility_level=services.facility_level(institution),
        )
        statement.own_items = []
        for settlement in sorted(month_settlements, key=lambda s: (s.settled_on, s.pk)):
            item = StatementItem(statement=statement, settlement=settlement)
            if (
                month < current
                and settlement.kind == SettlementKind.SETTLEMENT
                and settlement.reimbursed > 0
                and rng.random() < REJECTED_ITEMS
            ):
                item.decision = ItemDecision.REJECTED
                item.reason = rng.choice(REJECTION_REASONS)
            statement.own_items.append(item)
            items.append(item)
        bookkeeping.statement_totals(statement, statement.own_items, policy)
        if month < current:
            approved = _next_month(month) + dt.timedelta(days=rng.randrange(4, 12))
            statement.state = StatementState.PAID
            statement.reviewed_by = clerk
            statement.approved_at = _moment(approved, rng.randrange(0, 420))
            statement.paid_on = min(approved + dt.timedelta(days=rng.randrange(5, 12)), TODAY)
        statements.append(statement)
    ctx.save(statements)
    for item in items:
        item.statement_id = item.statement.pk
        item.settlement_id = item.settlement.pk
    ctx.save(items)
    ledger = _Ledger(ctx)
    for statement in statements:
        if statement.state != StatementState.OPEN:
            approval = bookkeeping.approval_entry(
                statement, statement.own_items, statement.approved_at.date()
            )
            ledger.add(approval)
            ledger.add(bookkeeping.payment_entry(statement, statement.own_items, approval, statement.paid_on))
    ledger.write()
    deducted = sum(1 for s in statements if s.formulary_deduction)
    ctx.log(f"insurance: {len(statements)} statements ({deducted} with a formulary deduction)")


def _next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
