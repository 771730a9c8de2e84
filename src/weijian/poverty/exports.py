"""The monthly summary of health poverty alleviation (统计汇总表) as a table for the page and as a
workbook: per child area the registry, contracts and services of the month, then the month's one-stop
settlements of poor inpatients by layer (seed-003 §2.11, §6.2), with a totals row.

The page and the workbook are built from the same rows, so the two always agree. Below the table a
consistency line recomputes total cost from its parts (seed-003 §3.9: components + personal = total).
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from weijian.insurance.engine.money import fen_to_yuan, yuan_to_fen
from weijian.insurance.engine.summary import PARTS_DO_NOT_ADD_UP, check_summary

from .selectors import LAYERS, ReportRow

CENT = Decimal("0.01")
MONEY_FORMAT = "#,##0.00"
LAYER_LABELS = {
    "reimbursed": _("basic insurance"),
    "serious_illness": _("serious-illness insurance"),
    "supplementary": _("supplementary insurance"),
    "assistance": _("medical assistance"),
    "funds": _("assistance funds"),
    "waiver": _("hospital waiver"),
    "backstop": _("government backstop"),
    "hospital_borne": _("borne by the hospital"),
}
# (key, page label, the form's own column header). The workbook is the official form, so its headers
# are the form's Chinese ones whatever the page language.
COLUMNS = (
    ("persons", _("poor persons"), "贫困人口"),
    ("contracted", _("contracted"), "签约人数"),
    ("fulfilments", _("services delivered"), "履约次数"),
    ("follow_ups", _("follow-ups"), "随访人次"),
    ("admissions", _("admissions"), "住院人次"),
    ("total", _("total cost"), "总费用"),
    ("reimbursed", LAYER_LABELS["reimbursed"], "基本医保"),
    ("serious_illness", LAYER_LABELS["serious_illness"], "大病保险"),
    ("supplementary", LAYER_LABELS["supplementary"], "补充保险"),
    ("assistance", LAYER_LABELS["assistance"], "医疗救助"),
    ("funds", LAYER_LABELS["funds"], "救助基金"),
    ("waiver", LAYER_LABELS["waiver"], "医院减免"),
    ("backstop", LAYER_LABELS["backstop"], "政府兜底"),
    ("hospital_borne", LAYER_LABELS["hospital_borne"], "医院承担"),
    ("patient_pays", _("personal payment"), "个人自付"),
    ("self_pay", _("self-pay share (%)"), "自付比例(%)"),
)
MONEY_KEYS = frozenset({"total", *LAYERS, "patient_pays"})


def report_columns() -> list[dict]:
    return [{"key": key, "label": label, "money": key in MONEY_KEYS} for key, label, _header in COLUMNS]


def _money(value) -> Decimal:
    # SQLite sums drop the scale; amounts are shown with two places.
    return Decimal(value or 0).quantize(CENT)


def report_values(row: ReportRow) -> list:
    """The row's cells in column order: counts as int, money as Decimal yuan, the share as a percent."""
    values = {
        "persons": row.persons,
        "contracted": row.contracted,
        "fulfilments": row.fulfilments,
        "follow_ups": row.follow_ups,
        "admissions": row.admissions,
        "total": _money(row.total),
        "patient_pays": _money(row.patient_pays),
        "self_pay": row.self_pay.percent(2),
    }
    for name in LAYERS:
        values[name] = _money(row.layers[name])
    return [values[key] for key, _label, _header in COLUMNS]


def consistency(row: ReportRow) -> dict:
    """Total cost recomputed from the layers and the personal payment, checked by the engine's summary
    check (the one R3 L147 and R8 L441 pass); `difference` is what is unaccounted."""
    components = sum((_money(row.layers[name]) for name in LAYERS), Decimal("0.00"))
    personal, total = _money(row.patient_pays), _money(row.total)
    findings = check_summary(
        yuan_to_fen(total),
        {name: yuan_to_fen(_money(row.layers[name])) for name in LAYERS},
        yuan_to_fen(personal),
    )
    unaccounted = -sum(finding.difference for finding in findings if finding.code == PARTS_DO_NOT_ADD_UP)
    return {
        "components": components,
        "personal": personal,
        "recomputed": components + personal,
        "total": total,
        "difference": fen_to_yuan(unaccounted),
    }


def report_table(rows: list[ReportRow], total: ReportRow) -> dict:
    return {
        "rows": [
            {"division": row.division, "values": report_values(row), "check": consistency(row)}
            for row in rows
        ],
        "total": {"division": total.division, "values": report_values(total)},
        "check": consistency(total),
    }


def report_workbook(area, month: dt.date, rows: list[ReportRow], total: ReportRow) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "统计汇总表"
    width = len(COLUMNS) + 1
    sheet.append([f"{area.name}{month:%Y年%m月}健康扶贫统计汇总表"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
    sheet.cell(row=1, column=1).alignment = Alignment(horizontal="center")
    sheet.append(["地区", *(header for _key, _label, header in COLUMNS)])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    money_columns = [index for index, (key, *_rest) in enumerate(COLUMNS, start=2) if key in MONEY_KEYS]
    for row in [*rows, total]:
        label = "合计" if row is total else row.division.name
        sheet.append([label, *report_values(row)])
        for column in money_columns:
            sheet.cell(row=sheet.max_row, column=column).number_format = MONEY_FORMAT
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    check = consistency(total)
    sheet.append([])
    sheet.append(
        [
            "核对",
            f"各项支付 {check['components']} + 个人自付 {check['personal']} = {check['recomputed']}；"
            f"总费用 {check['total']}；差额 {check['difference']}",
        ]
    )
    sheet.column_dimensions["A"].width = 14
    sheet.freeze_panes = "B3"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
