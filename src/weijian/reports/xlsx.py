"""Writing the official forms with openpyxl: bordered cells, merged ranges, print set-up."""

from __future__ import annotations

import io
import re
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

THIN = Side(style="thin")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
BODY_FONT = Font(name="宋体", size=11)
BOLD_FONT = Font(name="宋体", size=11, bold=True)
TITLE_FONT = Font(name="黑体", size=16, bold=True)
# Amounts in 万元 are shown to four decimals (one yuan); the cell keeps an exact Decimal.
WAN_YUAN_FORMAT = "0.0000"
FOUR_PLACES = Decimal("0.0001")


def workbook() -> Workbook:
    book = Workbook()
    book.remove(book.active)
    return book


_NOT_IN_SHEET_TITLES = re.compile(r"[\[\]:*?/\\]")


def add_sheet(book: Workbook, name: str) -> Worksheet:
    """A sheet named after `name`, cut to Excel's 31 characters and kept unique."""
    base = _NOT_IN_SHEET_TITLES.sub("", name)[:31] or "Sheet"
    title, n = base, 1
    while title in book.sheetnames:
        n += 1
        suffix = f"({n})"
        title = base[: 31 - len(suffix)] + suffix
    return book.create_sheet(title)


def put(
    ws: Worksheet,
    row: int,
    column: int,
    value=None,
    *,
    last_row: int | None = None,
    last_column: int | None = None,
    font: Font = BODY_FONT,
    horizontal: str = "center",
    border: bool = True,
    number_format: str | None = None,
) -> None:
    """Write `value` into a cell, or into a merged range ending at (last_row, last_column)."""
    last_row = last_row or row
    last_column = last_column or column
    if (last_row, last_column) != (row, column):
        ws.merge_cells(start_row=row, start_column=column, end_row=last_row, end_column=last_column)
    if isinstance(value, Decimal) and number_format == WAN_YUAN_FORMAT:
        value = value.quantize(FOUR_PLACES)
    ws.cell(row=row, column=column, value=value)
    alignment = Alignment(horizontal=horizontal, vertical="center", wrap_text=True)
    for r in range(row, last_row + 1):
        for c in range(column, last_column + 1):
            cell = ws.cell(row=r, column=c)
            cell.font = font
            cell.alignment = alignment
            if border:
                cell.border = BORDER
            if number_format:
                cell.number_format = number_format


def widths(ws: Worksheet, *columns: float) -> None:
    for index, width in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width


def print_setup(ws: Worksheet, *, last_row: int, last_column: int, landscape: bool) -> None:
    """A4, the whole width on one page, as many pages down as needed."""
    ws.print_area = f"A1:{get_column_letter(last_column)}{last_row}"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE if landscape else ws.ORIENTATION_PORTRAIT
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True


def to_bytes(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
