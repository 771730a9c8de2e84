"""医疗卫生行业安全集中整治周报表 (seed-004 §3.1, A18 附件2), one sheet per reporting institution.

The week runs from last Friday to this Friday (注: 统计时间区间为上周五至本周五). An institution's sheet
lists the campaign's hazards of that institution found up to the end of the week and not closed out
before it began. 是否完成整改 reads the hazard's state at the end of the week (from its event history;
the current state when it has none): 是 once rectification is completed (completed, re-inspected,
closed out or looked back), otherwise 否 with the reason — the latest note written up to then, or the
planned deadline.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, Q
from django.utils import timezone

from weijian.campaigns.models import Campaign
from weijian.core.models import Division
from weijian.rectification.models import Hazard, HazardEvent, HazardLevel, HazardState

from .. import xlsx
from ..areas import Area
from ..engine.periods import Period, chinese_date
from .base import Request

TITLE = "医疗卫生行业安全集中整治周报表"
HEADER = (
    "序号",
    "隐患部位/科室",
    "隐患种类",
    "隐患级别(一般/重大)",
    "隐患描述",
    "是否完成整改(未整改原因)",
    "采取的工作措施",
)
NOTE = (
    "注:在做好安全情况日报的基础上,各单位将每周安全集中整治情况汇总,并于每周五上午11:00前报委办公室,"
    "统计时间区间为上周五至本周五,遇特殊情况随填随报。"
)
LEVEL_TEXT = {HazardLevel.GENERAL: "一般", HazardLevel.MAJOR: "重大"}
RECTIFIED = frozenset(
    {HazardState.COMPLETED, HazardState.VERIFIED, HazardState.CLOSED, HazardState.LOOKED_BACK}
)


@dataclass(frozen=True)
class WeeklyRow:
    location: str
    category: str
    level: str
    description: str
    rectified: str
    measures: str


@dataclass(frozen=True)
class WeeklyReport:
    institution_name: str
    period: Period
    rows: tuple[WeeklyRow, ...]


def _end_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.max))


def rectified_text(hazard: Hazard, until: dt.datetime) -> str:
    """是, or 否 with the reason, as of `until` (events must be in time order)."""
    events = list(hazard.events.all())
    later = [e for e in events if e.at > until]
    state = later[0].from_state if later else hazard.state
    if state in RECTIFIED:
        return "是"
    notes = [e.note for e in events if e.at <= until and e.note.strip()]
    if notes:
        return f"否({notes[-1].strip()})"
    if hazard.deadline:
        return f"否(计划于{chinese_date(hazard.deadline)}前完成整改)"
    return "否"


def compute(campaign: Campaign, area: Area | Division, period: Period) -> list[WeeklyReport]:
    area = area if isinstance(area, Area) else Area(area)
    until = _end_of(period.end)
    hazards = (
        Hazard.objects.filter(
            area.q("institution__organisation__division"),
            campaign=campaign,
            found_on__lte=period.end,
        )
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=period.start))
        .select_related("institution__organisation", "category")
        .prefetch_related(Prefetch("events", queryset=HazardEvent.objects.order_by("at", "id")))
        .order_by(
            "institution__organisation__division_id", "institution__organisation__name", "found_on", "pk"
        )
    )
    reports: dict[int, tuple[str, list[WeeklyRow]]] = {}
    for hazard in hazards:
        _name, rows = reports.setdefault(hazard.institution_id, (hazard.institution.organisation.name, []))
        rows.append(
            WeeklyRow(
                location=hazard.location,
                category=hazard.category.name,
                level=LEVEL_TEXT[HazardLevel(hazard.level)],
                description=hazard.description,
                rectified=rectified_text(hazard, until),
                measures=hazard.measures,
            )
        )
    return [WeeklyReport(name, period, tuple(rows)) for name, rows in reports.values()]


def write_sheet(ws, report: WeeklyReport) -> None:
    put = xlsx.put
    last = len(HEADER)
    put(ws, 1, 1, TITLE, last_column=last, font=xlsx.TITLE_FONT, border=False)
    put(
        ws,
        2,
        1,
        f"统计时间:{chinese_date(report.period.start)}至{chinese_date(report.period.end)}",
        last_column=last,
        border=False,
    )
    put(ws, 3, 1, f"填报单位(盖章):{report.institution_name}", last_column=4, horizontal="left", border=False)
    put(
        ws,
        3,
        5,
        f"填报日期:{chinese_date(report.period.end)}",
        last_column=last,
        horizontal="left",
        border=False,
    )
    for column, label in enumerate(HEADER, start=1):
        put(ws, 4, column, label, font=xlsx.BOLD_FONT)
    row = 5
    for number, entry in enumerate(report.rows, start=1):
        values = (
            number,
            entry.location,
            entry.category,
            entry.level,
            entry.description,
            entry.rectified,
            entry.measures,
        )
        for column, value in enumerate(values, start=1):
            put(ws, row, column, value, horizontal="center" if column in (1, 4) else "left")
        row += 1
    put(ws, row, 1, "填报人(签字):", last_column=4, horizontal="left", border=False)
    put(ws, row, 5, "审核人(签字):", last_column=last, horizontal="left", border=False)
    put(ws, row + 1, 1, NOTE, last_column=last, horizontal="left", border=False)
    ws.row_dimensions[row + 1].height = 45
    xlsx.widths(ws, 6, 16, 14, 12, 36, 24, 30)
    xlsx.print_setup(ws, last_row=row + 1, last_column=last, landscape=True)


def build(request: Request) -> bytes:
    book = xlsx.workbook()
    reports = compute(request.campaign, Area(request.division), request.period)
    # No hazard in the week: still a form to stamp and send, with no rows.
    for report in reports or [WeeklyReport("", request.period, ())]:
        write_sheet(xlsx.add_sheet(book, report.institution_name or "周报表"), report)
    return xlsx.to_bytes(book)
