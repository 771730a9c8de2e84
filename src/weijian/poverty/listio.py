"""Reading a department's list (xlsx or csv) for reconciliation: one row per person.

Columns are found by their header, in Chinese as the departments write them or in English. A row that
cannot be read (no name, a village outside the area, a date that is not a date, a status the module
does not know) is reported with its row, column and rule, and the list is refused as a whole. An ID
number that fails its check is *not* refused here: finding those is what reconciliation is for.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from weijian.core.models import Division
from weijian.registry.imports import cell_date, cell_text, sheet_rows

HEADERS = {
    "id_number": ("身份证号", "身份证号码", "公民身份号码", "id_number"),
    "name": ("姓名", "name"),
    "birth_date": ("出生日期", "birth_date"),
    "village": ("行政区划代码", "村代码", "village"),
    "status": ("状态", "贫困状态", "status"),
}
REQUIRED = ("id_number", "name", "village")
STATUS_WORDS = {
    "poor": ("在档", "贫困", "未脱贫", "poor"),
    "exited": ("脱贫", "已脱贫", "exited"),
    "": ("",),
}
MAX_ERRORS = 200


@dataclass(frozen=True)
class ListProblem:
    row: int
    column: str
    rule: str
    message: str


class ListFileError(ValueError):
    def __init__(self, problems: list[ListProblem]):
        super().__init__("; ".join(problem.message for problem in problems[:5]))
        self.problems = problems


def _problem(row: int, column: str, rule: str, reason: str) -> ListProblem:
    message = _("Row %(row)d, column %(column)s, rule %(rule)s: %(reason)s") % {
        "row": row,
        "column": column,
        "rule": rule,
        "reason": reason,
    }
    return ListProblem(row=row, column=column, rule=rule, message=message)


def _date(value: Any, epoch) -> dt.date | None:
    return None if value in (None, "") else cell_date(value, epoch)


def read_list(file, filename: str, *, area: Division) -> list[dict]:
    """The rows of a list as dicts (row, id_number, name, birth_date, village, status); raises
    ListFileError naming every problem (up to MAX_ERRORS) when any row cannot be read."""
    rows, epoch = sheet_rows(file, filename)
    problems: list[ListProblem] = []
    header_row, positions = None, {}
    out: list[dict] = []
    statuses = {word: code for code, words in STATUS_WORDS.items() for word in words}
    for number, cells in rows:
        texts = [cell_text(cell).strip() for cell in cells]
        if header_row is None:
            if not any(texts):
                continue
            header_row = number
            for name, labels in HEADERS.items():
                for index, text in enumerate(texts):
                    if text in labels:
                        positions[name] = index
                        break
            missing = [HEADERS[name][0] for name in REQUIRED if name not in positions]
            if missing:
                raise ListFileError(
                    [
                        _problem(number, label, "header", _("The list has no column with this header."))
                        for label in missing
                    ]
                )
            continue
        if not any(texts):
            continue

        raw = {name: cells[index] if index < len(cells) else None for name, index in positions.items()}
        found = {name: texts[index] if index < len(texts) else "" for name, index in positions.items()}

        def text(name: str, found=found) -> str:
            return found.get(name, "")

        values = {"row": number, "id_number": text("id_number").upper(), "name": text("name")}
        for name in REQUIRED:
            if not text(name):
                problems.append(_problem(number, HEADERS[name][0], "required", _("This field is required.")))
        village = text("village")
        if village and (len(village) != 12 or not village.isdigit() or not village.startswith(area.prefix)):
            problems.append(
                _problem(
                    number, HEADERS["village"][0], "village_in_area", _("Not a village code of this area.")
                )
            )
        values["village"] = village
        try:
            values["birth_date"] = _date(raw.get("birth_date"), epoch)
        except ValueError:
            problems.append(
                _problem(
                    number,
                    HEADERS["birth_date"][0],
                    "date",
                    _("Enter a date as YYYY-MM-DD, e.g. 1960-03-01."),
                )
            )
        status = text("status")
        if status not in statuses:
            problems.append(
                _problem(
                    number,
                    HEADERS["status"][0],
                    "status",
                    _("Write 在档 (poor) or 脱贫 (exited), or leave it empty."),
                )
            )
        values["status"] = statuses.get(status, "")
        out.append(values)
        if len(problems) >= MAX_ERRORS:
            break
    if header_row is None:
        raise ListFileError([_problem(1, "-", "header", _("The file is empty."))])
    if problems:
        raise ListFileError(problems)
    return out
