"""工作量化统计表 (seed-004 §3.5), quarterly or annual, by institution class.

The source names the form but not its columns; the columns here are the inferred set of the
specification (检查机构数 … 移送), and the sheet says so in its note.

Institution class (`class_of`, and `class_expression` for the database), from the registry:
- 二级以上公立医疗机构: public institutions graded level 2 or 3;
- 民营医院: private hospitals (general, TCM, integrated, specialist, maternal and child);
- 个体诊所: private clinics and medical beauty institutions;
- 其他医疗机构: every other registered institution (township hospitals, community centres, village
  clinics, outpatient departments, ungraded public hospitals, CDCs, …);
- 无证行医及其他: subjects the registry does not know (unlicensed parties).
A case, penalty or transfer takes the class of its institution, else of its practitioner's registered
institution, else 无证行医及其他; a complaint that of the institution complained about.

Columns, for records of the campaign in the subtree, dated in the period:
- 检查机构数: distinct institutions with a submitted on-site inspection (`inspected_on`);
- 发现问题数: hazards found (`found_on`);
- 查处违法违规行为(起): cases opened (`opened_on`); 立案(起): cases filed (`filed_on`), of which by the
  simple and by the general procedure; 结案(起): cases closed (`closed_on`);
- 警告(人): warnings to persons decided; 罚款(万元): fines decided, in 万元;
- 无证行医(起): cases opened in the categories beauty_unlicensed_practice or illegal_practice;
- 投诉举报 受理 / 核实: complaints received, and of them substantiated;
- 移送(件): referrals sent by organisations of the subtree plus transfers to the police or judiciary.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import models as db
from django.db.models import CharField, Count, Q, Sum, Value, When

from weijian.campaigns.models import Campaign
from weijian.complaints.models import Complaint
from weijian.core.models import Division
from weijian.enforcement.models import (
    Case,
    JudicialTransfer,
    Penalty,
    PenaltyKind,
    Procedure,
    Referral,
    SubjectType,
)
from weijian.inspections.models import Inspection, InspectionKind, InspectionStatus
from weijian.rectification.models import Hazard
from weijian.registry.models import GradeLevel, Institution, InstitutionType, Ownership

from .. import xlsx
from ..areas import Area, parts_of
from ..database import aggregation_session
from ..engine.grid import Grid, Row, sum_grids, sum_rows
from ..engine.periods import Period
from .base import Request

TITLE = "工作量化统计表"
INFERRED_NOTE = "注:原方案未列明本表栏目,本表栏目为依据方案内容推断设置。"

PUBLIC_SECONDARY = "public_secondary"
PRIVATE_HOSPITAL = "private_hospital"
PRIVATE_CLINIC = "private_clinic"
OTHER_INSTITUTION = "other_institution"
UNREGISTERED = "unregistered"
CLASSES: tuple[tuple[str, str], ...] = (
    (PUBLIC_SECONDARY, "二级以上公立医疗机构"),
    (PRIVATE_HOSPITAL, "民营医院"),
    (PRIVATE_CLINIC, "个体诊所"),
    (OTHER_INSTITUTION, "其他医疗机构"),
    (UNREGISTERED, "无证行医及其他"),
)
CLASS_CODES = tuple(code for code, _label in CLASSES)
SECONDARY_GRADES = (GradeLevel.LEVEL_2, GradeLevel.LEVEL_3)
HOSPITAL_TYPES = (
    InstitutionType.GENERAL_HOSPITAL,
    InstitutionType.TCM_HOSPITAL,
    InstitutionType.INTEGRATED_HOSPITAL,
    InstitutionType.SPECIALIST_HOSPITAL,
    InstitutionType.MCH_HOSPITAL,
)
CLINIC_TYPES = (InstitutionType.CLINIC, InstitutionType.MEDICAL_BEAUTY)
UNLICENSED_CATEGORIES = ("beauty_unlicensed_practice", "illegal_practice")

# (column key, header); headers under a group carry the group in `GROUPS`.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("institutions_inspected", "检查机构数"),
    ("problems_found", "发现问题数"),
    ("violations", "查处违法违规行为(起)"),
    ("filed", "合计"),
    ("filed_simple", "其中简易程序"),
    ("filed_general", "其中一般程序"),
    ("closed", "结案(起)"),
    ("warnings", "警告(人)"),
    ("fines", "罚款(万元)"),
    ("unlicensed", "无证行医(起)"),
    ("complaints_received", "受理"),
    ("complaints_substantiated", "核实"),
    ("referrals", "移送(件)"),
)
COLUMN_KEYS = tuple(key for key, _header in COLUMNS)
# (group header, first column key, last column key)
GROUPS = (
    ("立案(起)", "filed", "filed_general"),
    ("投诉举报(件)", "complaints_received", "complaints_substantiated"),
)
WAN_YUAN = Decimal(10000)


def class_of(institution: Institution | None) -> str:
    if institution is None:
        return UNREGISTERED
    if institution.ownership == Ownership.PUBLIC and institution.grade_level in SECONDARY_GRADES:
        return PUBLIC_SECONDARY
    if institution.ownership == Ownership.PRIVATE and institution.institution_type in HOSPITAL_TYPES:
        return PRIVATE_HOSPITAL
    if institution.ownership == Ownership.PRIVATE and institution.institution_type in CLINIC_TYPES:
        return PRIVATE_CLINIC
    return OTHER_INSTITUTION


def class_expression(path: str) -> db.Case:
    """`class_of` of the institution at lookup `path` ("" for an Institution queryset) in SQL."""
    at = f"{path}__" if path else ""
    return db.Case(
        When(
            Q(**{f"{at}ownership": Ownership.PUBLIC, f"{at}grade_level__in": SECONDARY_GRADES}),
            then=Value(PUBLIC_SECONDARY),
        ),
        When(
            Q(**{f"{at}ownership": Ownership.PRIVATE, f"{at}institution_type__in": HOSPITAL_TYPES}),
            then=Value(PRIVATE_HOSPITAL),
        ),
        When(
            Q(**{f"{at}ownership": Ownership.PRIVATE, f"{at}institution_type__in": CLINIC_TYPES}),
            then=Value(PRIVATE_CLINIC),
        ),
        default=Value(OTHER_INSTITUTION),
        output_field=CharField(),
    )


def subject_class_expression(path: str = "") -> db.Case:
    """The class of a case-like subject at `path`: its institution, else its practitioner's
    registered institution, else unregistered."""
    at = f"{path}__" if path else ""
    return db.Case(
        When(Q(**{f"{at}institution__isnull": False}), then=class_expression(f"{at}institution")),
        When(
            Q(**{f"{at}practitioner__isnull": False}),
            then=class_expression(f"{at}practitioner__registered_institution"),
        ),
        default=Value(UNREGISTERED),
        output_field=CharField(),
    )


@dataclass(frozen=True)
class Quantitative:
    area_name: str
    period: Period
    rows: Grid  # one row per class (CLASSES), columns COLUMNS

    @property
    def total(self) -> Row:
        return sum_rows(self.rows)

    def cell(self, klass: str, column: str):
        return self.rows[CLASS_CODES.index(klass)][COLUMN_KEYS.index(column)]


def _grouped(queryset, klass, **measures) -> dict[str, dict]:
    rows = queryset.order_by().annotate(klass=klass).values("klass").annotate(**measures)
    return {r["klass"]: r for r in rows}


def _figures(campaign: Campaign, area: Area, span: tuple) -> dict[str, dict[str, int | Decimal]]:
    """Per class: column key → value (absent where no record feeds the column)."""
    figures: dict[str, dict[str, int | Decimal]] = {code: {} for code in CLASS_CODES}

    def collect(grouped: dict[str, dict], *keys: str) -> None:
        for klass, row in grouped.items():
            for key in keys:
                figures[klass][key] = figures[klass].get(key, 0) + (row[key] or 0)

    collect(
        _grouped(
            Inspection.objects.filter(
                area.q("institution__organisation__division"),
                campaign=campaign,
                kind=InspectionKind.ON_SITE,
                status=InspectionStatus.SUBMITTED,
                inspected_on__range=span,
            ),
            class_expression("institution"),
            institutions_inspected=Count("institution", distinct=True),
        ),
        "institutions_inspected",
    )
    collect(
        _grouped(
            Hazard.objects.filter(
                area.q("institution__organisation__division"), campaign=campaign, found_on__range=span
            ),
            class_expression("institution"),
            problems_found=Count("pk"),
        ),
        "problems_found",
    )
    cases = Case.objects.filter(area.q("division"), campaign=campaign).filter(
        Q(opened_on__range=span) | Q(filed_on__range=span) | Q(closed_on__range=span)
    )
    collect(
        _grouped(
            cases,
            subject_class_expression(),
            violations=Count("pk", filter=Q(opened_on__range=span)),
            unlicensed=Count("pk", filter=Q(opened_on__range=span, category__in=UNLICENSED_CATEGORIES)),
            filed=Count("pk", filter=Q(filed_on__range=span)),
            filed_simple=Count("pk", filter=Q(filed_on__range=span, procedure=Procedure.SIMPLE)),
            filed_general=Count("pk", filter=Q(filed_on__range=span, procedure=Procedure.GENERAL)),
            closed=Count("pk", filter=Q(closed_on__range=span)),
        ),
        "violations",
        "unlicensed",
        "filed",
        "filed_simple",
        "filed_general",
        "closed",
    )
    collect(
        _grouped(
            Penalty.objects.filter(area.q("division"), campaign=campaign, decided_on__range=span),
            subject_class_expression("case"),
            warnings=Count("pk", filter=Q(kind=PenaltyKind.WARNING, subject_type=SubjectType.PERSON)),
            fines=Sum("amount", filter=Q(kind=PenaltyKind.FINE)),
        ),
        "warnings",
        "fines",
    )
    collect(
        _grouped(
            Complaint.objects.filter(area.q("division"), campaign=campaign, received_on__range=span),
            db.Case(
                When(institution__isnull=False, then=class_expression("institution")),
                default=Value(UNREGISTERED),
                output_field=CharField(),
            ),
            complaints_received=Count("pk"),
            complaints_substantiated=Count("pk", filter=Q(substantiated=True)),
        ),
        "complaints_received",
        "complaints_substantiated",
    )
    collect(
        _grouped(
            Referral.objects.filter(
                area.q("from_organisation__division"), campaign=campaign, sent_on__range=span
            ),
            subject_class_expression(),
            referrals=Count("pk"),
        ),
        "referrals",
    )
    collect(
        _grouped(
            JudicialTransfer.objects.filter(area.q("division"), campaign=campaign, sent_on__range=span),
            subject_class_expression("case"),
            referrals=Count("pk"),
        ),
        "referrals",
    )
    return figures


def compute(campaign: Campaign, area: Area | Division, period: Period) -> Quantitative:
    area = area if isinstance(area, Area) else Area(area)
    span = (period.start, period.end)
    with aggregation_session():
        figures = _figures(campaign, area, span)

    def cell(klass: str, key: str) -> int | Decimal:
        if key == "fines":
            return Decimal(figures[klass].get(key, 0)) / WAN_YUAN
        return figures[klass].get(key, 0)

    return Quantitative(
        area_name=area.name,
        period=period,
        rows=tuple(tuple(cell(klass, key) for key in COLUMN_KEYS) for klass in CLASS_CODES),
    )


def rollup(forms: list[Quantitative], *, area_name: str | None = None) -> Quantitative:
    """The cell-wise sum of forms of one period."""
    if not forms:
        raise ValueError("nothing to roll up")
    if len({f.period for f in forms}) != 1:
        raise ValueError("forms of different periods do not add up")
    return Quantitative(
        area_name=area_name if area_name is not None else forms[0].area_name,
        period=forms[0].period,
        rows=sum_grids(f.rows for f in forms),
    )


def by_child_divisions(
    campaign: Campaign, division: Division, period: Period
) -> list[tuple[Area, Quantitative]]:
    """The form of each child division, then of the division's own level (see `areas.parts_of`)."""
    return [(part, compute(campaign, part, period)) for part in parts_of(division)]


def write_sheet(ws, form: Quantitative, campaign_name: str) -> None:
    put = xlsx.put
    last = 1 + len(COLUMNS)
    put(ws, 1, 1, TITLE, last_column=last, font=xlsx.TITLE_FONT, border=False)
    put(
        ws,
        2,
        1,
        f"专项行动:{campaign_name}    填报地区:{form.area_name}    统计期间:{form.period.label}",
        last_column=last,
        horizontal="left",
        border=False,
    )
    top, sub = 3, 4
    put(ws, top, 1, "机构类别", last_row=sub, font=xlsx.BOLD_FONT)
    grouped = {}
    for label, first, last_key in GROUPS:
        first_column = 2 + COLUMN_KEYS.index(first)
        put(ws, top, first_column, label, last_column=2 + COLUMN_KEYS.index(last_key), font=xlsx.BOLD_FONT)
        for key in COLUMN_KEYS[COLUMN_KEYS.index(first) : COLUMN_KEYS.index(last_key) + 1]:
            grouped[key] = True
    for column, (key, header) in enumerate(COLUMNS, start=2):
        if key in grouped:
            put(ws, sub, column, header, font=xlsx.BOLD_FONT)
        else:
            put(ws, top, column, header, last_row=sub, font=xlsx.BOLD_FONT)
    fines_column = 2 + COLUMN_KEYS.index("fines")
    row = sub + 1
    for (_code, label), cells in zip([*CLASSES, ("total", "合计")], [*form.rows, form.total], strict=True):
        put(ws, row, 1, label, font=xlsx.BOLD_FONT)
        for column, value in enumerate(cells, start=2):
            put(
                ws, row, column, value, number_format=xlsx.WAN_YUAN_FORMAT if column == fines_column else None
            )
        row += 1
    put(ws, row, 1, INFERRED_NOTE, last_column=last, horizontal="left", border=False)
    ws.row_dimensions[top].height = 30
    ws.row_dimensions[sub].height = 30
    xlsx.widths(ws, 22, *([10] * len(COLUMNS)))
    xlsx.print_setup(ws, last_row=row, last_column=last, landscape=True)


def build(request: Request) -> bytes:
    book = xlsx.workbook()
    total = compute(request.campaign, Area(request.division), request.period)
    name = request.campaign.name
    if not request.by_child:
        write_sheet(xlsx.add_sheet(book, total.area_name), total, name)
        return xlsx.to_bytes(book)
    write_sheet(xlsx.add_sheet(book, "合计"), total, name)
    for part, form in by_child_divisions(request.campaign, request.division, request.period):
        write_sheet(xlsx.add_sheet(book, part.name), form, name)
    return xlsx.to_bytes(book)
