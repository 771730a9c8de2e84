"""Demo county, registry part: institutions of every type, their practitioners, the medical group and
the suppliers.

Institutions are planned first (type, size, service lines, staff), then written in bulk. Sizes follow
a county of this kind: a 500-bed county hospital, a TCM hospital, one hospital per township that runs
its villages' clinics (乡村一体化管理), a clinic in most villages, and private clinics in the towns.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

from weijian.core.models import Division, DivisionLevel, Organisation, OrganisationKind, ScopeMode
from weijian.core.textsearch import search_key
from weijian.registry.catalogue import CATALOGUE
from weijian.registry.models import (
    Enterprise,
    EnterpriseKind,
    GradeClass,
    GradeLevel,
    Institution,
    InstitutionType,
    MedicalGroup,
    Ownership,
    PracticeCategory,
    Practitioner,
    PractitionerCategory,
    ServiceLine,
)

from . import names
from .context import DemoContext

PRACTITIONERS = 2000
ENTERPRISES = 60
VILLAGES_WITHOUT_CLINIC = 0.05
MEDICAL_GROUP = "示范县医共体"

# fmt: off
ROADS = (
    "解放路", "人民路", "建设路", "新华路", "中山路", "胜利路",
    "文化路", "健康路", "迎宾大道", "滨江路", "府前路", "站前路",
)
# fmt: on

# Approved service lines (诊疗科目, codes of the national catalogue) by kind of institution.
# fmt: off
COUNTY_HOSPITAL_LINES = (
    "01", "03", "04", "05", "07", "10", "11", "12", "13", "16", "20", "21", "26", "28", "30",
    "31", "32", "50",
)
# fmt: on
TCM_HOSPITAL_LINES = ("03", "04", "05", "07", "12", "20", "21", "26", "27", "30", "32", "50", "52")
MCH_LINES = ("05", "06", "07", "09", "30", "32")
TOWNSHIP_LINES = ("01", "02", "03", "04", "05", "07", "30", "32", "50")
TOWNSHIP_OPTIONAL_LINES = ("12", "21", "52")
COMMUNITY_CENTRE_LINES = ("01", "02", "03", "06", "09", "12", "30", "32", "50")
CLINIC_KINDS = (  # (name suffix, service lines, practice category, share)
    ("中医诊所", ("50",), PracticeCategory.TCM, 8),
    ("口腔诊所", ("12",), PracticeCategory.DENTAL, 6),
    ("诊所", ("02", "03"), PracticeCategory.CLINICAL, 7),
    ("中西医结合诊所", ("52",), PracticeCategory.TCM, 4),
)
OUTPATIENT_KINDS = (
    ("门诊部", ("03", "04", "30", "32"), PracticeCategory.CLINICAL),
    ("口腔门诊部", ("12", "32"), PracticeCategory.DENTAL),
    ("中医门诊部", ("50", "30"), PracticeCategory.TCM),
)

# Staffing mix by kind of institution: (category, share).
C = PractitionerCategory
STAFF_MIX = {
    "hospital": (
        (C.PHYSICIAN, 33),
        (C.ASSISTANT_PHYSICIAN, 4),
        (C.NURSE, 45),
        (C.PHARMACIST, 6),
        (C.TECHNICIAN, 10),
        (C.OTHER, 2),
    ),
    "township": (
        (C.PHYSICIAN, 22),
        (C.ASSISTANT_PHYSICIAN, 16),
        (C.NURSE, 34),
        (C.PHARMACIST, 8),
        (C.TECHNICIAN, 12),
        (C.OTHER, 8),
    ),
    "public_health": ((C.PHYSICIAN, 35), (C.TECHNICIAN, 40), (C.NURSE, 10), (C.OTHER, 15)),
    "clinic": ((C.PHYSICIAN, 60), (C.ASSISTANT_PHYSICIAN, 10), (C.NURSE, 30)),
    "village": ((C.VILLAGE_DOCTOR, 85), (C.ASSISTANT_PHYSICIAN, 15)),
}
CLINICAL_SCOPES = (
    ("内科专业", 22),
    ("外科专业", 16),
    ("妇产科专业", 10),
    ("儿科专业", 8),
    ("全科医学专业", 12),
    ("眼耳鼻咽喉科专业", 5),
    ("医学影像和放射治疗专业", 8),
    ("医学检验、病理专业", 5),
    ("急救医学专业", 4),
    ("康复医学专业", 3),
    ("皮肤病与性病专业", 3),
    ("重症医学专业", 2),
    ("精神卫生专业", 2),
)
PRACTICE_SCOPES = {
    PracticeCategory.CLINICAL: CLINICAL_SCOPES,
    PracticeCategory.TCM: (("中医专业", 7), ("中西医结合专业", 3)),
    PracticeCategory.DENTAL: (("口腔专业", 1),),
    PracticeCategory.PUBLIC_HEALTH: (("公共卫生类别专业", 1),),
}
BEAUTY_SCOPES = (("外科专业", 3), ("皮肤病与性病专业", 2))
TOWNSHIP_SCOPES = (("全科医学专业", 6), ("内科专业", 3), ("外科专业", 2), ("妇产科专业", 1))
# Two-digit codes for the synthetic licence numbers, in the order the types are declared.
TYPE_CODE = {t: f"{i:02d}" for i, t in enumerate(InstitutionType, start=1)}
CATEGORY_DIGIT = {
    PracticeCategory.CLINICAL: "1",
    PracticeCategory.TCM: "2",
    PracticeCategory.DENTAL: "3",
    PracticeCategory.PUBLIC_HEALTH: "4",
}


@dataclass
class _Planned:
    institution: Institution
    lines: tuple[str, ...]
    staff: float
    mix: str
    # The practice category most of its doctors hold, or None for the ordinary clinical mix.
    discipline: str | None = None
    scopes: tuple[tuple[str, int], ...] | None = None
    # A private clinic is named after its owner, who heads it: (name, male).
    owner: tuple[str, bool] | None = None


def _weighted(ctx: DemoContext, pairs):
    values, weights = zip(*pairs, strict=True)
    return ctx.random.choices(values, weights=weights)[0]


def _some(ctx: DemoContext, codes: tuple[str, ...], chance: float) -> tuple[str, ...]:
    """Each of `codes` with probability `chance`, e.g. the optional service lines of a clinic."""
    return tuple(code for code in codes if ctx.random.random() < chance)


def generate(ctx: DemoContext) -> None:
    _ensure_service_lines(ctx)
    # The county medical community (县域医共体): the county hospital leads the township hospitals.
    ctx.medical_groups = ctx.save([MedicalGroup(name=MEDICAL_GROUP, division=ctx.county)])
    planned = _plan_institutions(ctx, group=ctx.medical_groups[0])
    practitioners = _plan_practitioners(ctx, planned)

    ctx.save([plan.institution.organisation for plan in planned])
    ctx.institutions = ctx.save([plan.institution for plan in planned])
    ctx.link(
        Institution.service_lines.through,
        [
            {"institution_id": plan.institution.pk, "serviceline_id": code}
            for plan in planned
            for code in plan.lines
        ],
    )
    ctx.log(f"institutions: {len(ctx.institutions)}")

    ctx.practitioners = ctx.save(practitioners)
    _additional_sites(ctx)
    ctx.log(f"practitioners: {len(ctx.practitioners)}")

    ctx.enterprises = ctx.save(_plan_enterprises(ctx))
    ctx.log(f"enterprises: {len(ctx.enterprises)}")


def _ensure_service_lines(ctx: DemoContext) -> None:
    """The catalogue is loaded by a data migration, which a `flush` (demo --reset) undoes."""
    if not ctx.write:
        return
    catalogue = CATALOGUE
    ServiceLine.objects.bulk_create(
        [ServiceLine(code=c, name=n) for c, n in catalogue], ignore_conflicts=True
    )


# --- institutions ------------------------------------------------------------------------------


def _plan_institutions(ctx: DemoContext, *, group: MedicalGroup) -> list[_Planned]:
    planned: list[_Planned] = []
    licence_serial = itertools.count(1001)
    county, seat = ctx.county, ctx.townships[0]
    towns = ctx.townships  # private practices cluster in the county seat and the bigger towns
    town_weights = [6, *(2 if name.endswith("镇") else 1 for name in (t.name for t in towns[1:]))]
    words = ctx.random.sample(names.COMPANY_WORDS, 20)

    def add(
        name: str,
        division: Division,
        kind: str,
        *,
        public: bool,
        for_profit: bool = False,
        level: str = GradeLevel.UNGRADED,
        grade: str = GradeClass.NONE,
        beds: int = 0,
        lines: tuple[str, ...] = (),
        designated: bool | None = None,
        staff: float = 0,
        mix: str = "hospital",
        discipline: str | None = None,
        scopes=None,
        scope_mode: str = ScopeMode.OWN_INSTITUTION,
        in_group: bool = False,
        owner: tuple[str, bool] | None = None,
        key: str | None = None,
    ) -> Institution:
        authority, code_kind = ("1", "2") if public else (("9", "1") if for_profit else ("5", "2"))
        organisation = Organisation(
            name=name,
            kind=OrganisationKind.MEDICAL_INSTITUTION,
            division=division,
            credit_code=ctx.credit_code(county.code, authority=authority, kind=code_kind),
            scope_mode=scope_mode,
            search_key=search_key(name),
        )
        institution = Institution(
            organisation=organisation,
            licence_number=(
                f"PDY{ctx.random.randrange(10**7, 10**8)}{county.code[:6]}{TYPE_CODE[kind]}"
                f"{'1' if public else '2'}{'D' if for_profit else 'A'}{next(licence_serial)}"
            ),
            institution_type=kind,
            grade_level=level,
            grade_class=grade,
            ownership=Ownership.PUBLIC if public else Ownership.PRIVATE,
            for_profit=for_profit,
            beds=beds,
            insurance_designated=public if designated is None else designated,
            address=_address(ctx, division),
            phone=phone_number(ctx, mobile=kind == InstitutionType.VILLAGE_CLINIC),
            licence_valid_until=_valid_until(ctx),
            medical_group=group if in_group else None,
        )
        planned.append(_Planned(institution, tuple(sorted(lines)), staff, mix, discipline, scopes, owner))
        if key:
            ctx.organisations[key] = organisation
        return institution

    def town() -> Division:
        return ctx.random.choices(towns, weights=town_weights)[0]

    # County-level public institutions.
    beds = ctx.random.choice((480, 500, 520))
    add(
        "示范县人民医院",
        county,
        InstitutionType.GENERAL_HOSPITAL,
        public=True,
        level=GradeLevel.LEVEL_2,
        grade=GradeClass.A,
        beds=beds,
        lines=COUNTY_HOSPITAL_LINES,
        staff=beds * 0.95,
        in_group=True,
        key="county_hospital",
    )
    beds = ctx.random.choice((260, 280, 300, 320))
    add(
        "示范县中医院",
        county,
        InstitutionType.TCM_HOSPITAL,
        public=True,
        level=GradeLevel.LEVEL_2,
        grade=GradeClass.A,
        beds=beds,
        lines=TCM_HOSPITAL_LINES,
        staff=beds * 0.9,
        discipline=PracticeCategory.TCM,
        key="tcm_hospital",
    )
    beds = ctx.random.choice((80, 100, 120))
    add(
        "示范县妇幼保健院",
        county,
        InstitutionType.MCH_HOSPITAL,
        public=True,
        level=GradeLevel.LEVEL_2,
        grade=GradeClass.A,
        beds=beds,
        lines=MCH_LINES,
        staff=beds * 1.1,
        scopes=(("妇产科专业", 5), ("儿科专业", 4), ("医学影像和放射治疗专业", 1)),
        key="mch_hospital",
    )
    add(
        "示范县疾病预防控制中心",
        county,
        InstitutionType.DISEASE_CONTROL,
        public=True,
        designated=False,
        lines=("01", "30"),
        staff=55,
        mix="public_health",
        discipline=PracticeCategory.PUBLIC_HEALTH,
        key="disease_control",
    )
    add(
        "示范县急救中心",
        county,
        InstitutionType.OTHER,
        public=True,
        designated=False,
        lines=("20",),
        staff=25,
        scopes=(("急救医学专业", 1),),
    )

    # Private hospitals, most in the county seat.
    beds = ctx.random.randrange(100, 160, 10)
    add(
        "示范县仁爱医院",
        seat,
        InstitutionType.GENERAL_HOSPITAL,
        public=False,
        for_profit=True,
        level=GradeLevel.LEVEL_2,
        beds=beds,
        lines=("03", "04", "05", "07", "20", "26", "30", "32"),
        designated=True,
        staff=beds * 0.6,
    )
    add(
        "示范县明目眼科医院",
        seat,
        InstitutionType.SPECIALIST_HOSPITAL,
        public=False,
        for_profit=True,
        level=GradeLevel.LEVEL_1,
        beds=ctx.random.randrange(30, 60, 10),
        lines=("10", "26", "30", "32"),
        designated=True,
        staff=35,
        scopes=(("眼耳鼻咽喉科专业", 1),),
    )
    beds = ctx.random.randrange(60, 110, 10)
    add(
        "示范县康复医院",
        seat,
        InstitutionType.SPECIALIST_HOSPITAL,
        public=False,
        level=GradeLevel.LEVEL_2,
        beds=beds,
        lines=("21", "50", "30", "32"),
        designated=True,
        staff=beds * 0.5,
        scopes=(("康复医学专业", 3), ("内科专业", 1)),
    )
    beds = ctx.random.randrange(50, 90, 10)
    add(
        "示范县中西医结合医院",
        town(),
        InstitutionType.INTEGRATED_HOSPITAL,
        public=False,
        for_profit=True,
        level=GradeLevel.LEVEL_1,
        grade=GradeClass.A,
        beds=beds,
        lines=("52", "03", "04", "30", "32"),
        designated=True,
        staff=beds * 0.6,
        discipline=PracticeCategory.TCM,
    )

    # One hospital per township; the county seat's and two market towns' are central (中心卫生院).
    central = {0, 2, 5}
    for i, township in enumerate(ctx.townships):
        beds = ctx.random.randrange(60, 100) if i in central else ctx.random.randrange(20, 55)
        lines = (*TOWNSHIP_LINES, *_some(ctx, TOWNSHIP_OPTIONAL_LINES, 0.4))
        name = f"{township.name}{'中心' if i in central and i else ''}卫生院"
        add(
            name,
            township,
            InstitutionType.TOWNSHIP_HOSPITAL,
            public=True,
            level=GradeLevel.LEVEL_1,
            grade=GradeClass.A
            if i in central
            else ctx.random.choice((GradeClass.A, GradeClass.B, GradeClass.NONE)),
            beds=beds,
            lines=lines,
            staff=12 + beds * 0.6,
            mix="township",
            scopes=TOWNSHIP_SCOPES,
            scope_mode=ScopeMode.SUBTREE,
            in_group=True,
            key=f"township_hospital_{i + 1}",
        )
    ctx.organisations["first_township_hospital"] = ctx.organisations["township_hospital_1"]

    # Community health: a centre in each residents' committee of the seat, and two stations.
    communities = [v for v in ctx.villages if v.parent is seat and not v.name.endswith("村")]
    for community in communities:
        add(
            f"{seat.name}{community.name}卫生服务中心",
            community,
            InstitutionType.COMMUNITY_CENTRE,
            public=True,
            level=GradeLevel.LEVEL_1,
            beds=ctx.random.choice((0, 10, 20)),
            lines=COMMUNITY_CENTRE_LINES,
            staff=ctx.random.randrange(20, 32),
            mix="township",
            scopes=TOWNSHIP_SCOPES,
        )
    for community, road in zip(communities, ctx.random.sample(ROADS, len(communities)), strict=True):
        add(
            f"{seat.name}{community.name}{road}卫生服务站",
            community,
            InstitutionType.COMMUNITY_STATION,
            public=True,
            lines=("01", "02", "50"),
            staff=ctx.random.randrange(4, 7),
            mix="clinic",
            scopes=(("全科医学专业", 1),),
        )

    # A clinic in most villages, run by the township hospital. The seat's first village always has
    # one: the village doctor login works there.
    villages = [v for v in ctx.villages if v.name.endswith("村")]
    for village in villages:
        first = village is villages[0]
        if not first and ctx.random.random() < VILLAGES_WITHOUT_CLINIC:
            continue
        lines = ("02", *_some(ctx, ("01", "50"), 0.3))
        add(
            f"{village.parent.name}{village.name}卫生室",
            village,
            InstitutionType.VILLAGE_CLINIC,
            public=True,
            lines=lines,
            staff=1 if ctx.random.random() < 0.7 else 2,
            mix="village",
            key="first_village_clinic" if first else None,
        )

    # Private clinics (个体诊所), outpatient departments and medical beauty.
    for suffix, lines, discipline, count in CLINIC_KINDS:
        for _ in range(count):
            where = town()
            male = ctx.random.random() < 0.7
            owner = names.person_name(ctx.random, male=male)
            add(
                f"示范县{where.name}{owner}{suffix}",
                where,
                InstitutionType.CLINIC,
                public=False,
                for_profit=ctx.random.random() < 0.8,
                lines=lines,
                designated=ctx.random.random() < 0.4,
                staff=ctx.random.randrange(1, 4),
                mix="clinic",
                discipline=discipline,
                owner=(owner, male),
            )
    for i in range(10):
        suffix, lines, discipline = OUTPATIENT_KINDS[i % len(OUTPATIENT_KINDS)]
        add(
            f"示范县{words[i]}{suffix}",
            town(),
            InstitutionType.OUTPATIENT_DEPARTMENT,
            public=False,
            for_profit=True,
            lines=lines,
            designated=ctx.random.random() < 0.5,
            staff=ctx.random.randrange(5, 13),
            mix="clinic",
            discipline=discipline,
        )
    for i in range(5):
        suffix = "医疗美容门诊部" if i < 2 else "医疗美容诊所"
        lines = ("14", *_some(ctx, ("13", "26"), 0.5))
        add(
            f"示范县{words[10 + i]}{suffix}",
            seat if i < 3 else town(),
            InstitutionType.MEDICAL_BEAUTY,
            public=False,
            for_profit=True,
            lines=lines,
            designated=False,
            staff=ctx.random.randrange(3, 9),
            mix="clinic",
            scopes=BEAUTY_SCOPES,
        )
    return planned


def _address(ctx: DemoContext, division: Division) -> str:
    street = f"{ctx.random.choice(ROADS)}{ctx.random.randrange(1, 300)}号"
    if division.level == DivisionLevel.COUNTY:
        return f"示范县{ctx.townships[0].name}{street}"
    if division.level == DivisionLevel.TOWNSHIP:
        return f"示范县{division.name}{street}"
    if division.name.endswith("村"):
        return f"示范县{division.parent.name}{division.name}村委会旁"
    return f"示范县{division.parent.name}{street}"


def phone_number(ctx: DemoContext, *, mobile: bool = False) -> str:
    """A synthetic landline of the county, or a mobile number (village clinics, helpers)."""
    if mobile:
        return f"1{ctx.random.choice('3589')}{ctx.random.randrange(10**8, 10**9)}"
    return f"0799-{ctx.random.randrange(6000000, 7000000)}"


def _valid_until(ctx: DemoContext) -> dt.date:
    if ctx.random.random() < 0.04:  # a few lapsed licences for the inspectors to find
        return ctx.today - dt.timedelta(days=ctx.random.randrange(10, 200))
    return ctx.today + dt.timedelta(days=ctx.random.randrange(30, 5 * 365))


# --- practitioners -----------------------------------------------------------------------------


def _plan_practitioners(ctx: DemoContext, planned: list[_Planned]) -> list[Practitioner]:
    """About PRACTITIONERS people: village clinics keep their one or two village doctors, the other
    institutions' staff is scaled so the county adds up. The first of each staff is its head."""
    village = sum(p.staff for p in planned if p.mix == "village")
    others = sum(p.staff for p in planned if p.mix != "village")
    factor = (PRACTITIONERS - village) / others
    serials = itertools.count(1)
    practitioners: list[Practitioner] = []
    for plan in planned:
        size = int(plan.staff) if plan.mix == "village" else max(1, round(plan.staff * factor))
        head_category = C.VILLAGE_DOCTOR if plan.mix == "village" else C.PHYSICIAN
        staff = [
            _practitioner(
                ctx,
                plan,
                _weighted(ctx, STAFF_MIX[plan.mix]) if j else head_category,
                next(serials),
                person=None if j else plan.owner,
            )
            for j in range(size)
        ]
        plan.institution.head = staff[0].name
        practitioners += staff
    return practitioners


def _practitioner(
    ctx: DemoContext, plan: _Planned, category: str, serial: int, *, person: tuple[str, bool] | None = None
) -> Practitioner:
    rng = ctx.random
    if person:
        name, male = person
    else:
        male = rng.random() < {C.NURSE: 0.05, C.VILLAGE_DOCTOR: 0.8, C.PHYSICIAN: 0.6}.get(category, 0.45)
        name = names.person_name(rng, male=male)
    if category == C.VILLAGE_DOCTOR:
        birth = ctx.birth_date(min_age=28, max_age=68)
    else:
        birth = ctx.birth_date(min_age=23, max_age=60)
    id_number = ctx.id_number(ctx.county.code, birth, male=male)
    year = min(ctx.today.year - 1, birth.year + rng.randint(22, 28))
    area = ctx.county.code[:6]

    practice_category, practice_scope = PracticeCategory.NONE, ""
    qualification, practice = "", ""
    if category in (C.PHYSICIAN, C.ASSISTANT_PHYSICIAN):
        practice_category, practice_scope = _practice(ctx, plan)
        level = "1" if category == C.PHYSICIAN else "2"
        digit = CATEGORY_DIGIT[practice_category]
        qualification = f"{year}{level}{digit}{area[:2]}{serial:07d}"
        practice = f"{level}{digit}0{area}{serial:06d}"
    elif category == C.NURSE:
        practice = f"{year}{area[:2]}{serial:06d}"
    elif category == C.PHARMACIST:
        qualification = f"{year}{area[:4]}{serial:06d}"
        practice = f"ZY{area}{serial:06d}"
    elif category == C.TECHNICIAN:
        qualification = f"{year}{area[:2]}{serial:07d}"
    elif category == C.VILLAGE_DOCTOR:
        practice = f"{area}{max(year, 2004)}{serial:05d}"

    return Practitioner(
        id_number=id_number,
        name=name,
        category=category,
        practice_category=practice_category,
        practice_scope=practice_scope,
        qualification_certificate=qualification,
        practice_certificate=practice,
        registered_institution=plan.institution,
        search_key=search_key(name),
    )


def _practice(ctx: DemoContext, plan: _Planned) -> tuple[str, str]:
    """Practice category and scope of a doctor at this institution."""
    if plan.mix == "village":  # 乡村全科执业助理医师
        return PracticeCategory.CLINICAL, "全科医学专业"
    if plan.discipline and ctx.random.random() < (1.0 if plan.mix == "clinic" else 0.6):
        category = plan.discipline
    else:
        category = _weighted(
            ctx, ((PracticeCategory.CLINICAL, 89), (PracticeCategory.TCM, 8), (PracticeCategory.DENTAL, 3))
        )
    if category == PracticeCategory.CLINICAL and plan.scopes:
        return category, _weighted(ctx, plan.scopes)
    return category, _weighted(ctx, PRACTICE_SCOPES[category])


def _additional_sites(ctx: DemoContext) -> None:
    """Multi-site practice (多点执业): some doctors of the public county hospitals also work at a
    township hospital or a private institution."""
    homes = {InstitutionType.GENERAL_HOSPITAL, InstitutionType.TCM_HOSPITAL, InstitutionType.MCH_HOSPITAL}
    sites = [
        i
        for i in ctx.institutions
        if i.institution_type == InstitutionType.TOWNSHIP_HOSPITAL or i.ownership == Ownership.PRIVATE
    ]
    rows = []
    for practitioner in ctx.practitioners:
        home = practitioner.registered_institution
        if (
            practitioner.category == C.PHYSICIAN
            and home.ownership == Ownership.PUBLIC
            and home.institution_type in homes
            and ctx.random.random() < 0.08
        ):
            site = ctx.random.choice(sites)
            rows.append({"practitioner_id": practitioner.pk, "institution_id": site.pk})
    ctx.link(Practitioner.additional_sites.through, rows)


# --- enterprises -------------------------------------------------------------------------------

# (kind, name patterns, share); {w} is a trade name.
ENTERPRISE_KINDS = (
    (
        EnterpriseKind.DRUG_DISTRIBUTOR,
        ("江西{w}医药有限公司", "示范县{w}药业有限公司", "示范县{w}大药房连锁有限公司"),
        25,
    ),
    (EnterpriseKind.DRUG_MANUFACTURER, ("江西{w}制药有限公司", "江西{w}药业股份有限公司"), 8),
    (EnterpriseKind.DEVICE_DISTRIBUTOR, ("示范县{w}医疗器械有限公司", "江西{w}医疗科技有限公司"), 18),
    (EnterpriseKind.DEVICE_MANUFACTURER, ("江西{w}医疗器械制造有限公司", "江西{w}卫生材料有限公司"), 5),
    (EnterpriseKind.OTHER_SUPPLIER, ("示范县{w}医用气体有限公司", "江西{w}消毒用品有限公司"), 4),
)


def _qualification(ctx: DemoContext, kind: str, serial: int) -> str:
    year = ctx.random.randrange(2016, ctx.today.year)
    return {
        EnterpriseKind.DRUG_DISTRIBUTOR: f"赣AA{ctx.random.randrange(10**6, 10**7)}",
        EnterpriseKind.DRUG_MANUFACTURER: f"赣{year}{serial:04d}",
        EnterpriseKind.DEVICE_DISTRIBUTOR: f"赣示市监械经营许{year}{serial:04d}号",
        EnterpriseKind.DEVICE_MANUFACTURER: f"赣药监械生产许{year}{serial:04d}号",
        EnterpriseKind.OTHER_SUPPLIER: f"赣示市监备{year}{serial:04d}号",
    }[kind]


def _plan_enterprises(ctx: DemoContext) -> list[Enterprise]:
    enterprises: list[Enterprise] = []
    taken: set[str] = set()
    serials = itertools.count(1)
    total = sum(share for *_rest, share in ENTERPRISE_KINDS)
    for kind, patterns, share in ENTERPRISE_KINDS:
        for _ in range(round(ENTERPRISES * share / total)):
            name = ""
            while not name or name in taken:
                name = ctx.random.choice(patterns).format(w=ctx.random.choice(names.COMPANY_WORDS))
            taken.add(name)
            division = ctx.county if ctx.random.random() < 0.6 else ctx.random.choice(ctx.townships)
            enterprises.append(
                Enterprise(
                    credit_code=ctx.credit_code(ctx.county.code, authority="9", kind="1"),
                    name=name,
                    kind=kind,
                    division=division,
                    qualification=_qualification(ctx, kind, next(serials)),
                    qualification_valid_until=_valid_until(ctx),
                    legal_representative=names.person_name(ctx.random, male=ctx.random.random() < 0.7),
                    address=_address(ctx, division),
                    search_key=search_key(name),
                )
            )
    return enterprises
