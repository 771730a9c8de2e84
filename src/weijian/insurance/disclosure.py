"""Workbooks of the fund report and the village notice board (报销公示栏), the same rows as the pages.

Titles and headers are the forms' Chinese layout, written as text. Amounts are written as numbers in
yuan with two decimals, never as floats computed here: the Decimal is handed to openpyxl as is.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from .models import PayerType, SettlementKind, SubFund
from .selectors import FundReport, NoticeBoard

MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"

PAYER_HEADERS = {
    PayerType.INDIVIDUAL: "个人缴费",
    PayerType.CIVIL_AFFAIRS: "民政资助",
    PayerType.COLLECTIVE: "集体扶持",
    PayerType.CENTRAL: "中央财政补助",
    PayerType.REGION: "省级财政补助",
    PayerType.CITY: "市级财政补助",
    PayerType.COUNTY: "县级财政补助",
}
POOL_HEADERS = {SubFund.INPATIENT: "住院统筹补偿", SubFund.OUTPATIENT: "门诊统筹补偿"}
FUND_HEADERS = (
    "月份",
    *PAYER_HEADERS.values(),
    "收入合计",
    *POOL_HEADERS.values(),
    "补偿合计",
    "追回",
    "支付医疗机构",
    "月末结余",
)
CLAIM_TYPE_HEADERS = {
    "inpatient": "住院",
    "outpatient": "门诊",
    "chronic_outpatient": "慢性病门诊",
    "delivery_normal": "正常分娩",
    "delivery_pathological": "病理性分娩",
    "cataract_outpatient": "白内障门诊",
    "tcm_outpatient": "中医门诊(骨折)",
}
NOTICE_HEADERS = ("序号", "结算日期", "姓名", "医疗机构", "补偿类别", "医疗总费用", "补偿金额", "备注")


def fund_rows(report: FundReport) -> list[list]:
    """One row per month, in the order of FUND_HEADERS (the page shows the same numbers)."""
    rows = []
    for month in report.months:
        rows.append(
            [
                f"{month.month:%Y-%m}",
                *(month.income.get(payer, 0) for payer in PAYER_HEADERS),
                month.income_total,
                *(month.compensation.get(pool, 0) for pool in POOL_HEADERS),
                month.compensation_total,
                month.recovered,
                month.paid_out,
                month.balance,
            ]
        )
    return rows


def notice_rows(board: NoticeBoard) -> list[list]:
    rows = []
    for number, settlement in enumerate(board.rows, start=1):
        claim = settlement.claim
        rows.append(
            [
                number,
                settlement.settled_on,
                claim.member.name,
                settlement.institution.organisation.name,
                CLAIM_TYPE_HEADERS.get(claim.claim_type, claim.claim_type),
                settlement.total,
                settlement.reimbursed,
                "冲销" if settlement.kind == SettlementKind.REVERSAL else "",
            ]
        )
    return rows


def _title(sheet, title: str, width: int) -> None:
    sheet.append([title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
    sheet.cell(row=1, column=1).alignment = Alignment(horizontal="center")


def _headers(sheet, headers) -> None:
    sheet.append(list(headers))
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)


def _money(sheet, row: int, columns) -> None:
    for column in columns:
        sheet.cell(row=row, column=column).number_format = MONEY_FORMAT


def _save(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def fund_report_workbook(report: FundReport) -> bytes:
    """The fund report: income, compensation and balance by month, then the year's summary."""
    book = Workbook()
    sheet = book.active
    sheet.title = "基金收支"
    _title(sheet, f"{report.scheme.name}{report.year}年度新农合基金收支情况", len(FUND_HEADERS))
    _headers(sheet, FUND_HEADERS)
    for row in fund_rows(report):
        sheet.append(row)
        _money(sheet, sheet.max_row, range(2, len(FUND_HEADERS) + 1))
    sheet.append([])
    summary = [
        ("年度筹资计划", report.income_plan),
        ("至今计划进度", report.plan_to_date),
        ("至今补偿支出", report.compensation_to_date),
        *((f"{POOL_HEADERS[pool][:4]}基金结余", amount) for pool, amount in report.balance_by_pool.items()),
        ("应付医疗机构", report.owed_to_institutions),
        ("支出超进度预警", "是" if report.alert else "否"),
    ]
    for label, value in summary:
        sheet.append([label, value])
        _money(sheet, sheet.max_row, (2,))
    sheet.column_dimensions["A"].width = 16
    for index in range(2, len(FUND_HEADERS) + 1):
        sheet.column_dimensions[sheet.cell(row=2, column=index).column_letter].width = 13
    sheet.freeze_panes = "B3"
    return _save(book)


def notice_board_workbook(board: NoticeBoard) -> bytes:
    """The village notice board: enrolment, then the month's compensation list and its total."""
    book = Workbook()
    sheet = book.active
    sheet.title = "报销公示"
    _title(sheet, f"{board.village.name}{board.month:%Y年%m月}新农合补偿公示", len(NOTICE_HEADERS))
    _headers(sheet, NOTICE_HEADERS)
    for row in notice_rows(board):
        sheet.append(row)
        sheet.cell(row=sheet.max_row, column=2).number_format = DATE_FORMAT
        _money(sheet, sheet.max_row, (6, 7))
    sheet.append(["合计", "", "", "", "", "", board.reimbursed, ""])
    _money(sheet, sheet.max_row, (7,))
    sheet.append([])
    sheet.append(["参合人数", board.enrolled, "登记人数", board.members])
    for index, width in enumerate((6, 12, 12, 26, 14, 14, 14, 8), start=1):
        sheet.column_dimensions[sheet.cell(row=2, column=index).column_letter].width = width
    sheet.freeze_panes = "A3"
    return _save(book)
