"""医疗美容专项整治工作汇总表 (seed-000 篇1 附件1) for a campaign, a division's subtree and a period.

What each cell counts — records of the campaign whose division lies in the subtree:
- 检查对象数: the objects inspected, each counted once: subjects (`subject_key`) whose first check in the
  campaign and category (`SiteCheck.first_of_subject`) falls in the period. So the forms of successive
  periods add up to the form of the whole campaign, as the division forms add up to the county one.
- 案件数: cases filed (`filed_on`) in the period, split by the case's subject type (机构 / 人员).
- 责令改正数, 警告数, 责令停业整顿户数, 罚款户(人)次, 吊销行政许可资质: penalty rows of that kind decided
  (`decided_on`) in the period, split by the penalty's subject type.
- 罚款金额(万元), 没收违法所得(万元): the sums of the fines' and confiscations' amounts, in 万元 (exact
  Decimals; the sheet shows four decimals).
- 移送司法机关: transfers to the police or judiciary sent (`sent_on`) in the period, by subject type.
- The last three columns (ads, internet information, delivery) are not split: both subject types add up.

Blank or zero: a category's column is blank when no site check, case, penalty or transfer of that
category exists for the campaign in the subtree and period — nothing was reported (备注: 机构和人员处罚
数据部分可合理缺项). Once any record feeds the column, every cell of it is a number, zeros included.

Complaint line: complaints of the campaign in the subtree received (`received_on`) in the period; of
those, closed (`handled_on` set), penalised (a case opened from it reached a penalty decision), replied
(`replied_on` set) and with the complainant satisfied.

Each table is read once, by one GROUP BY with conditional aggregation (penalty rows carry copies of
their case's campaign, division, category and decision date for this); the complaint line is
`complaints.selectors.summary_counters`, one aggregate ("penalised" reads the complaint's
`led_to_penalty` mark). On PostgreSQL the queries run without JIT
(see `weijian.reports.database`); bench/beauty_summary.py measures them over 1,000,000 cases.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, fields
from decimal import Decimal

from django.db.models import Count, Sum

from weijian.campaigns.models import Campaign
from weijian.complaints.models import Complaint
from weijian.complaints.selectors import summary_counters
from weijian.core.models import Division
from weijian.enforcement.models import Case, JudicialTransfer, Penalty, PenaltyKind, SiteCheck, SubjectType

from .. import xlsx
from ..areas import Area, parts_of
from ..database import aggregation_session
from ..engine.grid import Grid, Row, sum_grids, sum_rows
from ..engine.periods import Period
from .base import Request

TITLE = "医疗美容专项整治工作汇总表"

# The seven category columns, in the order of the source: (violation category, split into 机构/人员).
CATEGORIES: tuple[tuple[str, bool], ...] = (
    ("beauty_unlicensed_practice", True),
    ("beauty_medical_institution", True),
    ("beauty_drugs", True),
    ("beauty_devices", True),
    ("beauty_illegal_ad", False),
    ("beauty_internet_information", False),
    ("beauty_postal", False),
)
CATEGORY_CODES = tuple(code for code, _split in CATEGORIES)
SUBJECT_TYPES = (SubjectType.ORGANISATION.value, SubjectType.PERSON.value)

# The eleven data columns of rows 案件数 … 移送司法机关: (category, subject type or None = both).
DATA_COLUMNS: tuple[tuple[str, str | None], ...] = tuple(
    (code, subject_type)
    for code, split in CATEGORIES
    for subject_type in (SUBJECT_TYPES if split else (None,))
)

# (row label as printed, the measure it counts)
ROWS: tuple[tuple[str, str], ...] = (
    ("案件数", "cases"),
    ("责令改正数", "correction_orders"),
    ("警告数", "warnings"),
    ("责令停业整顿户数", "suspensions"),
    ("罚款户(人)次", "fines"),
    ("罚款金额(万元)", "fine_amount"),
    ("没收违法所得(万元)", "confiscated_amount"),
    ("吊销行政许可资质", "revocations"),
    ("移送司法机关", "judicial_transfers"),
)
AMOUNT_MEASURES = frozenset({"fine_amount", "confiscated_amount"})
WAN_YUAN = Decimal(10000)

PENALTY_COUNTS = {
    "correction_orders": PenaltyKind.CORRECTION_ORDER,
    "warnings": PenaltyKind.WARNING,
    "suspensions": PenaltyKind.SUSPENSION,
    "fines": PenaltyKind.FINE,
    "revocations": PenaltyKind.REVOCATION,
}
PENALTY_SUMS = {"fine_amount": PenaltyKind.FINE, "confiscated_amount": PenaltyKind.CONFISCATION}


@dataclass(frozen=True)
class ComplaintCounts:
    received: int = 0
    closed: int = 0
    penalised: int = 0
    replied: int = 0
    satisfied: int = 0

    def __add__(self, other: ComplaintCounts) -> ComplaintCounts:
        return ComplaintCounts(
            **{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)}
        )

    @property
    def line(self) -> str:
        return (
            f"投诉举报情况:投诉举报 {self.received} 件;办结 {self.closed} 件;"
            f"实施行政处罚 {self.penalised} 件;反馈 {self.replied} 件;举报人满意 {self.satisfied} 件。"
        )


@dataclass(frozen=True)
class BeautySummary:
    area_name: str
    period: Period
    inspected: Row  # 检查对象数: seven cells, one per category
    rows: Grid  # nine rows (ROWS) of eleven cells (DATA_COLUMNS)
    complaints: ComplaintCounts

    def cell(self, label: str, column: tuple[str, str | None]) -> int | Decimal | None:
        """The cell of row `label` (as printed) in data column (category, subject type)."""
        row = [r for r, _m in ROWS].index(label)
        return self.rows[row][DATA_COLUMNS.index(column)]


def _as_area(area: Area | Division) -> Area:
    return area if isinstance(area, Area) else Area(area)


def compute(campaign: Campaign, area: Area | Division, period: Period) -> BeautySummary:
    area = _as_area(area)
    of_campaign = {"campaign": campaign, "category__in": CATEGORY_CODES}
    in_area = area.q("division")
    span = (period.start, period.end)
    # (category, subject type) → measure → value
    measures: dict[tuple[str, str], dict[str, int | Decimal]] = defaultdict(dict)

    def subjects_and_complaints():
        # Objects, not visits: each subject's first check in the campaign and category is marked,
        # so counting the marked checks of the period reads sitecheck_first_idx alone.
        counted = dict(
            SiteCheck.objects.filter(in_area, checked_on__range=span, first_of_subject=True, **of_campaign)
            .order_by()
            .values_list("category")
            .annotate(n=Count("pk"))
        )
        inspected = {code: counted.get(code, 0) for code in CATEGORY_CODES}
        # A column whose checks in the period are all re-visits still has records: 0, not blank.
        checks = SiteCheck.objects.filter(in_area, checked_on__range=span, campaign=campaign)
        revisited = {
            code for code in CATEGORY_CODES if not counted.get(code) and checks.filter(category=code).exists()
        }
        transfers = list(
            JudicialTransfer.objects.filter(in_area, sent_on__range=span, **of_campaign)
            .order_by()
            .values("category", "subject_type")
            .annotate(n=Count("pk"))
        )
        return inspected, revisited, transfers, _complaints(campaign, area, period)

    def cases_and_penalties():
        cases = list(
            Case.objects.filter(in_area, filed_on__range=span, **of_campaign)
            .order_by()
            .values("category", "subject_type")
            .annotate(n=Count("pk"))
        )
        # One count and one sum per (category, subject type, measure): two aggregates a row, not one
        # per measure, read from penalty_form_idx.
        penalties = list(
            Penalty.objects.filter(in_area, decided_on__range=span, **of_campaign)
            .order_by()
            .values("category", "subject_type", "kind")
            .annotate(n=Count("pk"), amount=Sum("amount"))
        )
        return cases, penalties

    with aggregation_session():
        inspected, revisited, transfers, complaints = subjects_and_complaints()
        cases, penalties = cases_and_penalties()
    reported = {code for code, n in inspected.items() if n} | revisited
    for r in cases:
        measures[r["category"], r["subject_type"]]["cases"] = r["n"]
        reported.add(r["category"])
    counted_kinds = {kind: name for name, kind in PENALTY_COUNTS.items()}
    summed_kinds = {kind: name for name, kind in PENALTY_SUMS.items()}
    for r in penalties:
        cell = measures[r["category"], r["subject_type"]]
        for name in (*PENALTY_COUNTS, *PENALTY_SUMS):
            cell.setdefault(name, Decimal(0) if name in PENALTY_SUMS else 0)
        if r["kind"] in counted_kinds:
            cell[counted_kinds[r["kind"]]] += r["n"]
        if r["kind"] in summed_kinds:
            cell[summed_kinds[r["kind"]]] += (r["amount"] or Decimal(0)) / WAN_YUAN
        reported.add(r["category"])
    for r in transfers:
        measures[r["category"], r["subject_type"]]["judicial_transfers"] = r["n"]
        reported.add(r["category"])

    def value(code: str, subject_type: str | None, measure: str) -> int | Decimal | None:
        if code not in reported:
            return None
        zero = Decimal(0) if measure in AMOUNT_MEASURES else 0
        types = SUBJECT_TYPES if subject_type is None else (subject_type,)
        return sum((measures[code, t].get(measure, zero) for t in types), zero)

    return BeautySummary(
        area_name=area.name,
        period=period,
        inspected=tuple(inspected[code] if code in reported else None for code in CATEGORY_CODES),
        rows=tuple(
            tuple(value(code, subject_type, measure) for code, subject_type in DATA_COLUMNS)
            for _label, measure in ROWS
        ),
        complaints=complaints,
    )


def _complaints(campaign: Campaign, area: Area, period: Period) -> ComplaintCounts:
    received = Complaint.objects.filter(
        area.q("division"), campaign=campaign, received_on__range=(period.start, period.end)
    )
    return ComplaintCounts(**summary_counters(received))


def rollup(forms: list[BeautySummary], *, area_name: str | None = None) -> BeautySummary:
    """The cell-wise sum of forms of one period (blank + blank = blank, blank + n = n)."""
    if not forms:
        raise ValueError("nothing to roll up")
    periods = {f.period for f in forms}
    if len(periods) != 1:
        raise ValueError("forms of different periods do not add up")
    total_complaints = ComplaintCounts()
    for f in forms:
        total_complaints += f.complaints
    return BeautySummary(
        area_name=area_name if area_name is not None else forms[0].area_name,
        period=forms[0].period,
        inspected=sum_rows(f.inspected for f in forms),
        rows=sum_grids(f.rows for f in forms),
        complaints=total_complaints,
    )


def by_child_divisions(
    campaign: Campaign, division: Division, period: Period
) -> list[tuple[Area, BeautySummary]]:
    """The form of each child division, then of the division's own level (see `areas.parts_of`)."""
    return [(part, compute(campaign, part, period)) for part in parts_of(division)]


def region_line(name: str) -> str:
    """The "____省(自治区、直辖市)" line with the blank filled in: a province's name replaces the blank
    and its printed 省; any other division's name is written in the blank before the printed text."""
    if name.endswith("省"):
        return f"{name}(自治区、直辖市)"
    return f"{name} 省(自治区、直辖市)"


# Sheet layout. Column 1 holds the row labels; columns 2–12 the eleven data columns, the first
# eight being 机构/人员 pairs of the four split categories.
LAST_COLUMN = 1 + len(DATA_COLUMNS)
HEADER_ROW = 3
INSPECTED_ROW = 5
SPLIT_ROW = 6  # 机构 / 人员, on the first row of 案件数 (its label spans this row and the next)
FIRST_DATA_ROW = 7


def _category_columns() -> list[tuple[int, int]]:
    """(first, last) sheet column of each category, in CATEGORIES order."""
    spans, column = [], 2
    for _code, split in CATEGORIES:
        width = 2 if split else 1
        spans.append((column, column + width - 1))
        column += width
    return spans


def write_sheet(ws, form: BeautySummary) -> None:
    put = xlsx.put
    spans = _category_columns()
    put(ws, 1, 1, TITLE, last_column=LAST_COLUMN, font=xlsx.TITLE_FONT, border=False)
    put(ws, 2, 1, region_line(form.area_name), last_column=LAST_COLUMN, horizontal="left", border=False)

    top, sub = HEADER_ROW, HEADER_ROW + 1
    put(ws, top, 1, "处理情况", last_row=sub, font=xlsx.BOLD_FONT)
    groups = (("非法医疗美容", 0, 1), ("非法制售使用药品、医疗器械", 2, 3))
    for label, first, last in groups:
        put(ws, top, spans[first][0], label, last_column=spans[last][1], font=xlsx.BOLD_FONT)
    for index, label in enumerate(("无证行医", "医疗机构", "药品", "医疗器械")):
        first, last = spans[index]
        put(ws, sub, first, label, last_column=last, font=xlsx.BOLD_FONT)
    for index, label in enumerate(("违法医疗美容广告", "违规互联网信息", "违规开展寄递业务信息"), start=4):
        put(ws, top, spans[index][0], label, last_row=sub, font=xlsx.BOLD_FONT)

    put(ws, INSPECTED_ROW, 1, "检查对象数", font=xlsx.BOLD_FONT)
    for (first, last), value in zip(spans, form.inspected, strict=True):
        put(ws, INSPECTED_ROW, first, value, last_column=last)

    put(ws, SPLIT_ROW, 1, ROWS[0][0], last_row=FIRST_DATA_ROW, font=xlsx.BOLD_FONT)
    for column, (_code, subject_type) in enumerate(DATA_COLUMNS, start=2):
        label = {"organisation": "机构", "person": "人员"}.get(subject_type or "")
        put(ws, SPLIT_ROW, column, label, font=xlsx.BOLD_FONT)

    for offset, ((label, measure), cells) in enumerate(zip(ROWS, form.rows, strict=True)):
        row = FIRST_DATA_ROW + offset
        if offset:
            put(ws, row, 1, label, font=xlsx.BOLD_FONT)
        number_format = xlsx.WAN_YUAN_FORMAT if measure in AMOUNT_MEASURES else None
        for column, value in enumerate(cells, start=2):
            put(ws, row, column, value, number_format=number_format)

    footer = FIRST_DATA_ROW + len(ROWS)
    put(ws, footer, 1, form.complaints.line, last_column=LAST_COLUMN, horizontal="left", border=False)
    put(
        ws,
        footer + 1,
        1,
        "备注:机构和人员处罚数据部分可合理缺项。",
        last_column=LAST_COLUMN,
        horizontal="left",
        border=False,
    )
    ws.row_dimensions[1].height = 30
    ws.row_dimensions[HEADER_ROW].height = 32
    xlsx.widths(ws, 20, *([8] * 8), 12, 12, 14)
    xlsx.print_setup(ws, last_row=footer + 1, last_column=LAST_COLUMN, landscape=True)


def build(request: Request) -> bytes:
    book = xlsx.workbook()
    total = compute(request.campaign, Area(request.division), request.period)
    if not request.by_child:
        write_sheet(xlsx.add_sheet(book, total.area_name), total)
        return xlsx.to_bytes(book)
    write_sheet(xlsx.add_sheet(book, "合计"), total)
    for part, form in by_child_divisions(request.campaign, request.division, request.period):
        write_sheet(xlsx.add_sheet(book, part.name), form)
    return xlsx.to_bytes(book)
