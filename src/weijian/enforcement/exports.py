"""The blacklist as a workbook for joint punishment (联合惩戒名单), to send to the partner departments.

The title and headers are the list's Chinese layout, written as text. A person's ID number shows only
its first six and last four characters (privacy of personal information, seed-004 §5.9).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from .models import BlacklistEntry, SubjectType

TITLE = "联合惩戒名单"
HEADERS = (
    "序号",
    "名称",
    "类型(机构/人员)",
    "统一社会信用代码/身份证号",
    "地址",
    "列入原因",
    "列入日期",
    "惩戒范围",
    "有效期至",
    "案件编号",
)
WIDTHS = (6, 30, 14, 24, 30, 40, 12, 30, 12, 26)
DATE_FORMAT = "yyyy-mm-dd"


def mask_id_number(value: str) -> str:
    """Keep the first six characters (the issuing division) and the last four; star the rest."""
    value = (value or "").strip()
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def _is_active(entry: BlacklistEntry, day: dt.date) -> bool:
    return entry.removed_on is None and entry.listed_on <= day and (entry.until is None or entry.until >= day)


def _identity(entry: BlacklistEntry) -> str:
    """The credit code of an organisation, the masked ID number of a person."""
    if entry.institution_id:
        return entry.institution.organisation.credit_code
    if entry.practitioner_id:
        return mask_id_number(entry.practitioner.id_number)
    if entry.subject_type == SubjectType.PERSON:
        return mask_id_number(entry.party_id_number)
    return entry.party_id_number


def _address(entry: BlacklistEntry) -> str:
    if entry.party_address:
        return entry.party_address
    if entry.institution_id:
        return entry.institution.address
    return ""


def joint_punishment_workbook(entries: Iterable[BlacklistEntry], *, on: dt.date | None = None) -> bytes:
    """An xlsx of the entries in force on `on` (today by default), one row each, in the order given."""
    day = on or timezone.localdate()
    book = Workbook()
    sheet = book.active
    sheet.title = TITLE
    sheet.append([TITLE])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
    sheet.cell(row=1, column=1).alignment = Alignment(horizontal="center")
    sheet.append(list(HEADERS))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    number = 0
    for entry in entries:
        if not _is_active(entry, day):
            continue
        number += 1
        sheet.append(
            [
                number,
                entry.subject_name,
                "人员" if entry.subject_type == SubjectType.PERSON else "机构",
                _identity(entry),
                _address(entry),
                entry.reason,
                entry.listed_on,
                entry.punishment_scope,
                entry.until,
                entry.case.number if entry.case_id else "",
            ]
        )
        for column in (7, 9):
            sheet.cell(row=sheet.max_row, column=column).number_format = DATE_FORMAT
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[sheet.cell(row=2, column=index).column_letter].width = width
    sheet.freeze_panes = "A3"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
