"""典型案例报送 (seed-000 篇1 附件2) as a Word document: the catalogue of case materials and the case
narratives.

The cases are those of the campaign marked typical (`Case.is_typical`) whose penalty was decided in
the period, in the division's subtree, oldest decision first. 行政处罚具体内容 is written from the
case's penalty rows the way the template's sample row reads ("警告,罚款 5000 元;行政强制及其他措施:
责令改正"): administrative penalties first, then compulsory and other measures.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from weijian.campaigns.models import Campaign
from weijian.core.models import Division
from weijian.enforcement.models import Case, PenaltyKind

from ..areas import Area
from ..engine.periods import Period, chinese_date
from .base import Request

TITLE = "典型案例报送"
CATALOGUE_HEADER = ("序号", "机构名称", "处罚时间", "违法事实", "违反法律", "处罚依据", "行政处罚具体内容")

# Administrative penalties (行政处罚), in the order the content lists them.
PENALTY_ORDER = (
    PenaltyKind.WARNING,
    PenaltyKind.FINE,
    PenaltyKind.CONFISCATION,
    PenaltyKind.SUSPENSION,
    PenaltyKind.REVOCATION,
)
# Compulsory and other measures (行政强制及其他措施).
MEASURE_ORDER = (PenaltyKind.CORRECTION_ORDER, PenaltyKind.OTHER)
KIND_TEXT = {
    PenaltyKind.WARNING: "警告",
    PenaltyKind.FINE: "罚款",
    PenaltyKind.CONFISCATION: "没收违法所得",
    PenaltyKind.SUSPENSION: "责令停业整顿",
    PenaltyKind.REVOCATION: "吊销行政许可资质",
    PenaltyKind.CORRECTION_ORDER: "责令改正",
    PenaltyKind.OTHER: "其他措施",
}


@dataclass(frozen=True)
class TypicalCase:
    number: str
    subject_name: str
    decided_on: dt.date
    facts: str
    law_violated: str
    penalty_basis: str
    penalty_content: str
    title: str
    narrative: str


@dataclass(frozen=True)
class TypicalCases:
    area_name: str
    period: Period
    cases: tuple[TypicalCase, ...]


def yuan(amount: Decimal) -> str:
    """5000.00 → "5000", 5000.50 → "5000.50"."""
    return str(amount.quantize(Decimal(1))) if amount == amount.to_integral_value() else f"{amount:.2f}"


def _measure_text(penalty) -> str:
    kind = PenaltyKind(penalty.kind)
    if kind in (PenaltyKind.FINE, PenaltyKind.CONFISCATION) and penalty.amount is not None:
        return f"{KIND_TEXT[kind]} {yuan(penalty.amount)} 元"
    if kind is PenaltyKind.REVOCATION and penalty.description:
        return f"吊销{penalty.description}"
    if kind is PenaltyKind.OTHER and penalty.description:
        return penalty.description
    return KIND_TEXT[kind]


def penalty_content(penalties) -> str:
    """The 行政处罚具体内容 of a case from its penalty rows."""
    order = (*PENALTY_ORDER, *MEASURE_ORDER)
    ordered = sorted(penalties, key=lambda p: (order.index(PenaltyKind(p.kind)), p.pk or 0))
    administrative = [_measure_text(p) for p in ordered if p.kind in PENALTY_ORDER]
    other = [_measure_text(p) for p in ordered if p.kind in MEASURE_ORDER]
    parts = []
    if administrative:
        parts.append(",".join(administrative))
    if other:
        parts.append("行政强制及其他措施:" + "、".join(other))
    return ";".join(parts)


def compute(campaign: Campaign, area: Area | Division, period: Period) -> TypicalCases:
    area = area if isinstance(area, Area) else Area(area)
    cases = (
        Case.objects.filter(
            area.q("division"),
            campaign=campaign,
            is_typical=True,
            decided_on__range=(period.start, period.end),
        )
        .select_related("institution__organisation", "practitioner")
        .prefetch_related("penalties")
        .order_by("decided_on", "pk")
    )
    return TypicalCases(
        area_name=area.name,
        period=period,
        cases=tuple(
            TypicalCase(
                number=case.number,
                subject_name=case.subject_name,
                decided_on=case.decided_on,
                facts=case.facts,
                law_violated=case.law_violated,
                penalty_basis=case.penalty_basis,
                penalty_content=penalty_content(case.penalties.all()),
                title=case.title,
                narrative=case.narrative or case.facts,
            )
            for case in cases
        ),
    )


def _chinese_font(document) -> None:
    style = document.styles["Normal"]
    style.font.name = "宋体"
    style.font.size = Pt(12)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")


def render(form: TypicalCases) -> bytes:
    document = Document()
    _chinese_font(document)
    section = document.sections[0]
    # The catalogue has seven columns: landscape, as such tables are printed.
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width

    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    heading.add_run(f"{TITLE}({form.period.label})").bold = True

    document.add_paragraph().add_run(f"一、{form.area_name}案件材料报送目录").bold = True
    table = document.add_table(rows=1, cols=len(CATALOGUE_HEADER))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, CATALOGUE_HEADER, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(text).bold = True
    for index, case in enumerate(form.cases, start=1):
        values = (
            str(index),
            case.subject_name,
            chinese_date(case.decided_on),
            case.facts,
            case.law_violated,
            case.penalty_basis,
            case.penalty_content,
        )
        for cell, text in zip(table.add_row().cells, values, strict=True):
            cell.text = text

    document.add_paragraph()
    document.add_paragraph().add_run("二、案情概述").bold = True
    for index, case in enumerate(form.cases, start=1):
        document.add_paragraph().add_run(f"{index}.{case.title}").bold = True
        document.add_paragraph(case.narrative)

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def build(request: Request) -> bytes:
    return render(compute(request.campaign, Area(request.division), request.period))
