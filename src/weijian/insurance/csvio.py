"""Claims CSV in, settlements CSV and explanation JSON lines out: the `weijian settle` file contract.

Input: UTF-8 (a byte-order mark is allowed), a header row, columns in any order, unknown columns
refused. Required columns are REQUIRED_COLUMNS; an absent optional column or an empty optional cell
takes the engine's default (e.g. designated = 1). Amounts are yuan with at most 2 decimals.

Output: OUTPUT_COLUMNS in that order, one row per claim in input order. Amounts are yuan with exactly
2 decimals; `ratio` is the compensation ratio as a decimal fraction of 1 with at least 2 and at most
6 decimals (0.65, 0.715, 1.00), empty for flat-rate benefits and ineligible claims; `reason` is the
engine's stable code when a claim is ineligible or its amount was limited, empty otherwise.

Problems are reported per cell with the row number a spreadsheet shows (the header is row 1).
"""

import csv
import datetime
import io
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path
from typing import TextIO

from .engine.money import fen_to_yuan, yuan_to_fen
from .engine.policy import SPECIAL_GROUPS
from .engine.scalar import AMOUNT_FIELDS, CLAIM_TYPES, OK, Claim, ClaimError, Settlement

REQUIRED_COLUMNS = (
    "claim_id",
    "person_id",
    "claim_type",
    "facility_level",
    "admit_date",
    "discharge_date",
    "total",
)
FLAG_COLUMNS = ("specialist", "designated", "for_profit", "out_of_county", "referral", "migrant_certificate")
TEXT_COLUMNS = ("disease", "chronic_disease")
INPUT_COLUMNS = (
    *REQUIRED_COLUMNS,
    *(name for name in AMOUNT_FIELDS if name != "total"),
    *FLAG_COLUMNS,
    *TEXT_COLUMNS,
    "special_group",
    "eyes",
)
OUTPUT_COLUMNS = (
    "claim_id",
    "eligible",
    "reason",
    "deductible",
    "pooled",
    "ratio",
    "reimbursed",
    "patient_pays",
    "cap_applied",
)
MAX_REPORTED = 50

_AMOUNT = re.compile(r"\d+(\.\d{1,2})?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_RATIO_PLACES = Decimal("0.000001")


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    rule: str

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column}: {self.rule}"


class ClaimsFileError(ValueError):
    """The claims file breaks the contract; `problems` lists every bad cell found."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(describe(problems)))
        self.problems = problems


def describe(problems: list[Problem], limit: int = MAX_REPORTED) -> list[str]:
    lines = [str(problem) for problem in problems[:limit]]
    if len(problems) > limit:
        lines.append(f"and {len(problems) - limit} more")
    return lines


def read_claims(path: Path | str) -> list[Claim]:
    data = Path(path).read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        row = data[: error.start].count(b"\n") + 1
        raise ClaimsFileError([Problem(row, "-", "is not UTF-8 text")]) from None
    return parse_claims(text)


def parse_claims(text: str) -> list[Claim]:
    """Every claim of a CSV text, or ClaimsFileError naming every problem found."""
    text = text.removeprefix("\ufeff")
    records = csv.reader(io.StringIO(text, newline=""))
    header = [name.strip() for name in next(records, [])]
    problems = _header_problems(header)
    if problems:
        raise ClaimsFileError(problems)

    claims: list[Claim] = []
    first_row_of: dict[str, int] = {}
    for row_number, record in enumerate(records, start=2):
        if not any(cell.strip() for cell in record):
            continue
        row_problems: list[Problem] = []
        for index in range(len(header), len(record)):
            if record[index].strip():
                row_problems.append(Problem(row_number, _column_letter(index), "is outside the header"))
        cells = {name: (record[i].strip() if i < len(record) else "") for i, name in enumerate(header)}
        values = _claim_values(row_number, cells, row_problems)
        claim_id = cells["claim_id"]
        if claim_id in first_row_of:
            row_problems.append(
                Problem(row_number, "claim_id", f"{claim_id} repeats row {first_row_of[claim_id]}")
            )
        elif claim_id:
            first_row_of[claim_id] = row_number
        if not row_problems:
            try:
                claims.append(Claim(**values))
            except ClaimError as error:
                rule = str(error).removeprefix(f"{error.field}: ")
                row_problems.append(Problem(row_number, error.field, rule))
        problems.extend(row_problems)
    if problems:
        raise ClaimsFileError(problems)
    return claims


def _header_problems(header: list[str]) -> list[Problem]:
    if not any(header):
        return [Problem(1, "-", "the header row is missing")]
    problems = []
    seen: set[str] = set()
    for index, name in enumerate(header):
        column = name or _column_letter(index)
        if name in seen:
            problems.append(Problem(1, column, "appears twice"))
        elif name not in INPUT_COLUMNS:
            problems.append(Problem(1, column, f"is not a known column ({', '.join(INPUT_COLUMNS)})"))
        seen.add(name)
    for name in REQUIRED_COLUMNS:
        if name not in seen:
            problems.append(Problem(1, name, "is required"))
    return problems


def _claim_values(row: int, cells: dict[str, str], problems: list[Problem]) -> dict:
    values: dict = {}

    def check(column: str, parse: Callable[[str], object], rule: str) -> None:
        raw = cells.get(column, "")
        if not raw:
            if column in REQUIRED_COLUMNS:
                problems.append(Problem(row, column, "is required"))
            return
        try:
            values[column] = parse(raw)
        except ValueError:
            problems.append(Problem(row, column, f"{rule}, not {raw!r}"))

    for column in ("claim_id", "person_id"):
        check(column, str, "must be text")
    check("claim_type", _choice(CLAIM_TYPES), f"must be one of {' | '.join(CLAIM_TYPES)}")
    check("facility_level", _choice(("1", "2", "3"), int), "must be 1, 2 or 3")
    for column in ("admit_date", "discharge_date"):
        check(column, _date, "must be a date YYYY-MM-DD")
    for column in AMOUNT_FIELDS:
        check(column, _amount, "must be yuan with at most 2 decimals, e.g. 1234.50")
    for column in FLAG_COLUMNS:
        check(column, _choice(("0", "1"), lambda flag: flag == "1"), "must be 0 or 1")
    for column in TEXT_COLUMNS:
        check(column, str, "must be text")
    groups = ("none", *SPECIAL_GROUPS)
    check("special_group", _choice(groups), f"must be one of {' | '.join(groups)}")
    check("eyes", _choice(("0", "1", "2"), int), "must be 0, 1 or 2")
    return values


def _choice(allowed: Iterable[str], convert: Callable[[str], object] = str) -> Callable[[str], object]:
    allowed = tuple(allowed)

    def parse(raw: str) -> object:
        if raw not in allowed:
            raise ValueError(raw)
        return convert(raw)

    return parse


def _date(raw: str) -> datetime.date:
    if not _DATE.fullmatch(raw):
        raise ValueError(raw)
    return datetime.date.fromisoformat(raw)


def _amount(raw: str) -> int:
    if not _AMOUNT.fullmatch(raw):
        raise ValueError(raw)
    return yuan_to_fen(raw)


def _column_letter(index: int) -> str:
    """The spreadsheet name of a zero-based column index: 0 → A, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def format_yuan(fen: int) -> str:
    return str(fen_to_yuan(fen))


def format_ratio(ratio: Fraction | None) -> str:
    if ratio is None:
        return ""
    exact = (Decimal(ratio.numerator) / Decimal(ratio.denominator)).quantize(_RATIO_PLACES, ROUND_HALF_UP)
    text = str(exact).rstrip("0")
    whole, _, decimals = text.partition(".")
    return f"{whole}.{decimals.ljust(2, '0')}"


def settlement_row(settlement: Settlement) -> dict[str, str]:
    return {
        "claim_id": settlement.claim_id,
        "eligible": "1" if settlement.eligible else "0",
        "reason": "" if settlement.reason == OK else settlement.reason,
        "deductible": format_yuan(settlement.deductible),
        "pooled": format_yuan(settlement.pooled),
        "ratio": format_ratio(settlement.ratio),
        "reimbursed": format_yuan(settlement.reimbursed),
        "patient_pays": format_yuan(settlement.patient_pays),
        "cap_applied": "1" if settlement.cap_applied else "0",
    }


def write_settlements(settlements: Iterable[Settlement], handle: TextIO) -> None:
    writer = csv.DictWriter(handle, fieldnames=OUTPUT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for settlement in settlements:
        writer.writerow(settlement_row(settlement))


def write_steps(settlements: Iterable[Settlement], handle: TextIO) -> None:
    """One JSON object per line: the claim id and each step with its signed amount and clause."""
    for settlement in settlements:
        steps = [
            {"step": step, "amount": format_yuan(amount), "clause": clause}
            for step, amount, clause in settlement.steps
        ]
        handle.write(json.dumps({"claim_id": settlement.claim_id, "steps": steps}, ensure_ascii=False))
        handle.write("\n")


def write_files(writers: dict[Path, Callable[[TextIO], None]]) -> None:
    """Write every file or none: each goes to a temporary file beside its target, renamed at the end."""
    written: dict[Path, str] = {}
    try:
        for target, write in writers.items():
            descriptor, temporary = tempfile.mkstemp(
                dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
            )
            written[target] = temporary
            with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
                write(handle)
    except BaseException:
        for temporary in written.values():
            Path(temporary).unlink(missing_ok=True)
        raise
    for target, temporary in written.items():
        os.replace(temporary, target)
