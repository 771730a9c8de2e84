"""医疗卫生行业安全集中整治检查表 (seed-004 §3.2, A18 附件3) for one submitted inspection.

The four rows and their 督查项目 / 督查内容 are the source's. 完成情况及存在问题 is written from the
inspection's answers, grouped by checklist section: items of the responsibility section go to the
first row, except the rectification-plan items (third row) and the training item (fourth row); each
risk section (gas, traffic, …) is one paragraph of the second row. An inspection on another checklist
gets one row per section instead.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from weijian.inspections.models import AnswerType, ChecklistItem, Inspection

from .. import xlsx
from ..engine.periods import chinese_date
from .base import Request

TITLE = "医疗卫生行业安全集中整治检查表"
HEADER = ("督查项目", "督查内容", "完成情况及存在问题")
NOTE = "注:此表原件由检查组收回并交由委办公室汇总,相关整改方案请于7个工作日内形成书面报告上报检查组。"
A18_CHECKLIST = "a18_safety"
RESPONSIBILITY = "safety_responsibility"

# (督查项目, 督查内容) as printed in the source.
SOURCE_ROWS: tuple[tuple[str, str], ...] = (
    (
        "安全责任制落实情况",
        "安全集中整治工作部署及组织实施情况\n1.是否制订下发安全集中整治工作方案\n"
        "2.是否全面动员部署安全集中整治工作\n3.是否开展安全生产自查自纠,并建立隐患清单",
    ),
    (
        "安全集中整治情况",
        "安全集中整治情况\n1.燃气使用安全\n2.交通安全\n3.压力管道、特种设备安全\n4.消防安全\n"
        "5.危化品安全\n6.建筑施工安全\n7.食品安全",
    ),
    ("安全隐患整改情况", "1.是否制定整改方案\n2.是否形成安全隐患检查、整改、销号闭合管理"),
    ("安全负责人参加培训情况", "安全科长、安全员是否参加安全培训,并取得相关证书"),
)
DEPLOYMENT, RISKS, RECTIFICATION, TRAINING = range(4)


@dataclass(frozen=True)
class ChecklistRow:
    item: str
    content: str
    findings: str


@dataclass(frozen=True)
class SafetyChecklist:
    institution_name: str
    inspected_on: dt.date
    rows: tuple[ChecklistRow, ...]


def _source_row(section_category: str | None, item: ChecklistItem) -> int:
    if section_category != RESPONSIBILITY:
        return RISKS
    if "培训" in item.text:
        return TRAINING
    if "整改方案" in item.text or "销号" in item.text:
        return RECTIFICATION
    return DEPLOYMENT


def findings_text(answered: list[tuple[ChecklistItem, object]]) -> str:
    """What a group of answered items says: yes/no and values item by item, then the problems found.
    `answered` pairs each item with its answer (None when the item was not answered)."""
    lines, problems, checked = [], [], False
    for item, answer in answered:
        if answer is None:
            continue
        checked = True
        note = answer.text.strip()
        if item.answer_type == AnswerType.FOUND:
            if answer.found:
                problems.append(f"{item.text}({note})" if note else item.text)
        elif item.answer_type == AnswerType.YES_NO:
            verdict = {True: "是", False: "否"}.get(answer.found, "未答")
            lines.append(f"{item.text}:{verdict}" + (f"({note})" if note else ""))
        elif item.answer_type == AnswerType.NUMBER:
            lines.append(f"{item.text}:{answer.number if answer.number is not None else ''}")
        elif note:
            lines.append(f"{item.text}:{note}")
    if not checked:
        return "未检查"
    if problems:
        lines.append("存在问题:" + ";".join(problems))
    elif any(item.answer_type == AnswerType.FOUND for item, answer in answered if answer is not None):
        lines.append("未发现问题")
    return "\n".join(lines)


def compute(inspection: Inspection) -> SafetyChecklist:
    answers = {a.item_id: a for a in inspection.answers.all()}
    sections = inspection.checklist_version.sections.select_related("violation_category").prefetch_related(
        "items"
    )
    if inspection.checklist_version.checklist.code == A18_CHECKLIST:
        groups: list[list[tuple[str | None, list]]] = [[] for _ in SOURCE_ROWS]
        for section in sections:
            by_row: dict[int, list] = {}
            for item in section.items.all():
                row = _source_row(section.violation_category_id, item)
                by_row.setdefault(row, []).append((item, answers.get(item.pk)))
            for row, answered in by_row.items():
                groups[row].append((section.title if row == RISKS else None, answered))
        rows = tuple(
            ChecklistRow(item, content, _join(group))
            for (item, content), group in zip(SOURCE_ROWS, groups, strict=True)
        )
    else:
        rows = tuple(
            ChecklistRow(
                section.title,
                "\n".join(f"{n}.{item.text}" for n, item in enumerate(section.items.all(), start=1)),
                findings_text([(item, answers.get(item.pk)) for item in section.items.all()]),
            )
            for section in sections
        )
    return SafetyChecklist(inspection.institution.organisation.name, inspection.inspected_on, rows)


def _join(group: list[tuple[str | None, list]]) -> str:
    parts = []
    for title, answered in group:
        text = findings_text(answered)
        parts.append(f"{title}:{text}" if title else text)
    return "\n".join(parts)


def write_sheet(ws, form: SafetyChecklist) -> None:
    put = xlsx.put
    put(ws, 1, 1, TITLE, last_column=3, font=xlsx.TITLE_FONT, border=False)
    put(ws, 2, 1, f"被检单位:{form.institution_name}", last_column=2, horizontal="left", border=False)
    put(ws, 2, 3, f"检查日期:{chinese_date(form.inspected_on)}", horizontal="left", border=False)
    for column, label in enumerate(HEADER, start=1):
        put(ws, 3, column, label, font=xlsx.BOLD_FONT)
    row = 4
    for entry in form.rows:
        put(ws, row, 1, entry.item, font=xlsx.BOLD_FONT)
        put(ws, row, 2, entry.content, horizontal="left")
        put(ws, row, 3, entry.findings, horizontal="left")
        lines = max(entry.content.count("\n"), entry.findings.count("\n")) + 1
        ws.row_dimensions[row].height = max(30, 16 * lines)
        row += 1
    put(ws, row, 1, NOTE, last_column=3, horizontal="left", border=False)
    ws.row_dimensions[row].height = 32
    put(ws, row + 1, 1, "检查组签字:", last_column=2, horizontal="left", border=False)
    put(ws, row + 1, 3, "被检单位负责人签字(盖章):", horizontal="left", border=False)
    xlsx.widths(ws, 18, 44, 50)
    xlsx.print_setup(ws, last_row=row + 1, last_column=3, landscape=False)


def build(request: Request) -> bytes:
    book = xlsx.workbook()
    form = compute(request.inspection)
    write_sheet(xlsx.add_sheet(book, "检查表"), form)
    return xlsx.to_bytes(book)
