"""Claims CSV in, settlements CSV and explanation JSON lines out: the `weijian settle` file contract.

Input: UTF-8 (a byte-order mark is allowed), a header row, columns in any order, unknown columns
refused. Required columns are REQUIRED_COLUMNS; an absent optional column or an empty optional cell
takes the engine's default (e.g. designated = 1). Amounts are yuan with at most 2 decimals. For the
one-stop settlement of the poor: `poor` and `over_treatment` are flags (0 | 1) and `major_disease` a code
of the policy's major-disease list or empty; a code not on the list is reported when the readers are
given the list (`major_diseases`).

Output: OUTPUT_COLUMNS in that order, one row per claim in input order; under a policy with the
one-stop layers LAYERED_OUTPUT_COLUMNS, i.e. LAYER_COLUMNS (basic, serious_illness, supplementary,
assistance, funds, waiver, backstop, hospital_borne) after them, and `patient_pays` is what is left after
every layer: the layers and patient_pays add up to the total. Amounts are yuan with exactly
2 decimals; `ratio` is the compensation ratio as a decimal fraction of 1 with at least 2 and at most
6 decimals (0.65, 0.715, 1.00), empty for flat-rate benefits and ineligible claims; `reason` is the
engine's stable code when a claim is ineligible or its amount was limited, empty otherwise.

Problems are reported per cell with the row number a spreadsheet shows (the header is row 1).
"""

import csv
import dataclasses
import datetime
import functools
import io
import json
import os
import re
import tempfile
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import numpy as np

from .engine.batch import LAYER_COLUMNS, REASONS, table_from_claims
from .engine.money import fen_to_yuan, yuan_to_fen
from .engine.policy import SPECIAL_GROUPS
from .engine.scalar import AMOUNT_FIELDS, CLAIM_TYPES, OK, TOTAL_PARTS, Claim, ClaimError, Settlement

if TYPE_CHECKING:
    import polars as pl  # imported where used: it takes a moment to load

REQUIRED_COLUMNS = (
    "claim_id",
    "person_id",
    "claim_type",
    "facility_level",
    "admit_date",
    "discharge_date",
    "total",
)
FLAG_COLUMNS = (
    "specialist",
    "designated",
    "for_profit",
    "out_of_county",
    "referral",
    "migrant_certificate",
    "poor",
    "over_treatment",
)
TEXT_COLUMNS = ("disease", "chronic_disease", "major_disease")
DATE_COLUMNS = ("admit_date", "discharge_date")
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
LAYERED_OUTPUT_COLUMNS = (*OUTPUT_COLUMNS, *LAYER_COLUMNS)
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


def read_claims(path: Path | str, major_diseases: Collection[str] | None = None) -> list[Claim]:
    data = Path(path).read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        row = data[: error.start].count(b"\n") + 1
        raise ClaimsFileError([Problem(row, "-", "is not UTF-8 text")]) from None
    return parse_claims(text, major_diseases)


def parse_claims(text: str, major_diseases: Collection[str] | None = None) -> list[Claim]:
    """Every claim of a CSV text, or ClaimsFileError naming every problem found; with `major_diseases`,
    a major_disease code not in it is a problem too."""
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
        if major_diseases is not None and values.get("major_disease", "") not in ("", *major_diseases):
            row_problems.append(_major_disease_problem(row_number, values["major_disease"]))
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


def _major_disease_problem(row: int, code: str) -> Problem:
    return Problem(row, "major_disease", f"is not one of the policy's major diseases: {code!r}")


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


@dataclass(frozen=True)
class _CellRule:
    """How one column's cells are read; `allowed`/`convert` repeat a choice's values for the columnar reader."""

    column: str
    parse: Callable[[str], object]
    rule: str
    kind: str  # text | choice | date | amount
    allowed: tuple[str, ...] = ()
    convert: Callable[[str], object] = str


def _choice_rule(column: str, allowed: tuple[str, ...], rule: str, convert=str) -> _CellRule:
    return _CellRule(column, _choice(allowed, convert), rule, "choice", allowed, convert)


def _is_one(flag: str) -> bool:
    return flag == "1"


def _cell_rules() -> tuple[_CellRule, ...]:
    groups = ("none", *SPECIAL_GROUPS)
    return (
        *(_CellRule(column, str, "must be text", "text") for column in ("claim_id", "person_id")),
        _choice_rule("claim_type", CLAIM_TYPES, f"must be one of {' | '.join(CLAIM_TYPES)}"),
        _choice_rule("facility_level", ("1", "2", "3"), "must be 1, 2 or 3", int),
        *(_CellRule(column, _date, "must be a date YYYY-MM-DD", "date") for column in DATE_COLUMNS),
        *(
            _CellRule(column, _amount, "must be yuan with at most 2 decimals, e.g. 1234.50", "amount")
            for column in AMOUNT_FIELDS
        ),
        *(_choice_rule(column, ("0", "1"), "must be 0 or 1", _is_one) for column in FLAG_COLUMNS),
        *(_CellRule(column, str, "must be text", "text") for column in TEXT_COLUMNS),
        _choice_rule("special_group", groups, f"must be one of {' | '.join(groups)}"),
        _choice_rule("eyes", ("0", "1", "2"), "must be 0, 1 or 2", int),
    )


def _claim_values(row: int, cells: dict[str, str], problems: list[Problem]) -> dict:
    values: dict = {}
    for rule in _cell_rules():
        raw = cells.get(rule.column, "")
        if not raw:
            if rule.column in REQUIRED_COLUMNS:
                problems.append(Problem(row, rule.column, "is required"))
            continue
        try:
            values[rule.column] = rule.parse(raw)
        except ValueError:
            problems.append(Problem(row, rule.column, f"{rule.rule}, not {raw!r}"))
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
    row = {
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
    if settlement.layers is not None:
        row.update({name: format_yuan(getattr(settlement.layers, name)) for name in LAYER_COLUMNS})
    return row


def write_settlements(settlements: Iterable[Settlement], handle: TextIO, layered: bool | None = None) -> None:
    """The settlements file; `layered` (default: whether the first settlement has layers) adds LAYER_COLUMNS."""
    settlements = list(settlements)
    if layered is None:
        layered = bool(settlements) and settlements[0].layers is not None
    fieldnames = LAYERED_OUTPUT_COLUMNS if layered else OUTPUT_COLUMNS
    writer = csv.DictWriter(handle, fieldnames=fieldnames, lineterminator="\n")
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


# Columnar reading and writing for the batch path ------------------------------------------------------
#
# The same contract, read column by column with numpy. Cells whose verdict is plain (ASCII digits, a
# listed code) are decided in bulk; any other non-empty cell, and any row a cross-field check flags, is
# decided by the row reader's own rule, so values and messages are the row reader's by construction.
# Files with quotes, NUL or non-ASCII whitespace are tokenised by the csv module instead of by offsets.
# Other files are read and decided by polars (both cores), or by numpy offsets where a line is longer
# than the header; plain settlements files are written by polars too.

# Amounts up to this many fen stay exact in the batch engine's int64 arithmetic.
COLUMNAR_AMOUNT_LIMIT = 10**15
_SPACE_BYTES = np.zeros(257, dtype=bool)
_SPACE_BYTES[[9, 10, 11, 12, 13, 28, 29, 30, 31, 32]] = True  # str.isspace() within ASCII
_NON_ASCII_SPACE = re.compile("[" + "".join(chr(c) for c in range(128, 0x3001) if chr(c).isspace()) + "]")
_LONGEST_PLAIN_CELL = 64
# Zero bytes around a tokenised file, so fixed-width windows at its ends stay inside the buffer.
_FRONT, _BACK = 16, 4 * _LONGEST_PLAIN_CELL + 1
_AMOUNT_WIDTH = 16
# Required fields have no default; theirs only fills cells already reported as missing.
_CLAIM_DEFAULTS = {
    item.name: 0 if item.default is dataclasses.MISSING else item.default
    for item in dataclasses.fields(Claim)
}


class NotColumnar(Exception):
    """An amount is beyond the batch engine's exact range; read the file row by row instead."""


@dataclass
class ClaimsColumns:
    """A claims file as columns: `table` for engine.batch.settle_batch, ids as UTF-8 bytes (claim ids to write)."""

    table: dict[str, np.ndarray]
    claim_ids: np.ndarray
    person_ids: np.ndarray
    rows: np.ndarray  # spreadsheet row number of each claim

    def __len__(self) -> int:
        return self.claim_ids.size


@dataclass
class _Column:
    """The cells of one column: byte offsets into `data`, whitespace already stripped."""

    data: np.ndarray
    starts: np.ndarray
    ends: np.ndarray

    @functools.cached_property
    def lengths(self) -> np.ndarray:
        return self.ends - self.starts

    def take(self, keep: np.ndarray) -> "_Column":
        return _Column(self.data, self.starts[keep], self.ends[keep])

    def text(self, index: int) -> str:
        return self.data[self.starts[index] : self.ends[index]].tobytes().decode("utf-8")

    def matrix(self, width: int) -> np.ndarray:
        """Cells left-aligned in a (rows × width) byte matrix, zero-padded; longer cells are cut."""
        cells = np.lib.stride_tricks.sliding_window_view(self.data, width)[self.starts]
        cells *= np.arange(width, dtype=np.int64) < self.lengths[:, None]
        return cells

    def right_matrix(self, width: int) -> np.ndarray:
        """The `width` bytes ending where each cell ends (bytes before a shorter cell belong to others)."""
        return np.lib.stride_tricks.sliding_window_view(self.data, width)[self.ends - width]

    def strings(self) -> np.ndarray:
        """Cells as a numpy bytes array (the UTF-8 of each cell)."""
        width = int(self.lengths.max(initial=0)) or 1
        if width > 4 * _LONGEST_PLAIN_CELL:
            return np.array([self.data[s:e].tobytes() for s, e in zip(self.starts, self.ends, strict=True)])
        return np.ascontiguousarray(self.matrix(max(width, 1))).view(f"S{max(width, 1)}").ravel()


def read_claims_columns(path: Path | str, major_diseases: Collection[str] | None = None) -> ClaimsColumns:
    """Every claim of a claims file as columns, or ClaimsFileError naming every problem, as read_claims."""
    data = Path(path).read_bytes()
    if not data.isascii():
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as error:
            row = data[: error.start].count(b"\n") + 1
            raise ClaimsFileError([Problem(row, "-", "is not UTF-8 text")]) from None
    return parse_claims_columns(data, major_diseases)


def parse_claims_columns(data: bytes | str, major_diseases: Collection[str] | None = None) -> ClaimsColumns:
    """Every claim of a UTF-8 CSV as columns, or ClaimsFileError; the same verdicts as parse_claims."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    for _ in range(2):  # decode("utf-8-sig") drops one mark and parse_claims one more
        data = data.removeprefix(b"\xef\xbb\xbf")
    plain = b'"' not in data and b"\0" not in data
    if plain and not data.isascii():
        plain = not _NON_ASCII_SPACE.search(data.decode("utf-8"))
    if not plain:
        return _columns_to_claims(*_tokenise_with_csv(data.decode("utf-8")), major_diseases)
    if b"\r" in data:  # the csv module ends a record at \r\n, \r or \n alike
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return _columns_to_claims(*(_tokenise_frame(data) or _tokenise_plain(data)), major_diseases)


def _tokenise_plain(data: bytes) -> tuple[list[str], dict[str, _Column], np.ndarray, list]:
    """Without quotes every line is one record and every comma a cell boundary (lines end in LF only)."""
    header_line, _, body = data.partition(b"\n")
    header = [name.strip() for name in header_line.decode("utf-8").split(",")] if header_line else []
    _raise_header_problems(header)
    width = len(header)
    if body and not body.endswith(b"\n"):
        body += b"\n"
    buffer = np.frombuffer(body, dtype=np.uint8)
    line_ends = np.flatnonzero(buffer == ord("\n"))
    commas = np.flatnonzero(buffer == ord(","))
    per_line = np.diff(np.searchsorted(commas, line_ends), prepend=0)
    problems: list = []
    ragged = np.flatnonzero(per_line != width - 1)
    if ragged.size:
        # Short rows are padded, cells beyond the header refused; the rest of the file stays as it is.
        lines = body.split(b"\n")
        for index in ragged:
            cells = lines[index].split(b",")
            for position in range(width, len(cells)):
                if cells[position].decode("utf-8").strip():
                    letter = _column_letter(position)
                    problems.append(
                        (index + 2, 0, position, Problem(index + 2, letter, "is outside the header"))
                    )
            lines[index] = b",".join(cells[:width] + [b""] * (width - len(cells)))
        body = b"\n".join(lines)
        buffer = np.frombuffer(body, dtype=np.uint8)
        line_ends = np.flatnonzero(buffer == ord("\n"))
        commas = np.flatnonzero(buffer == ord(","))
    count = line_ends.size
    line_starts = np.concatenate(([0], line_ends[:-1] + 1)).astype(np.int64) + _FRONT
    bounds = commas.reshape(count, width - 1) + _FRONT
    line_ends = line_ends + _FRONT
    padded = np.frombuffer(bytes(_FRONT) + body + bytes(_BACK), dtype=np.uint8)
    spaces = any(bytes([code]) in body for code in np.flatnonzero(_SPACE_BYTES) if code not in (10, 13))
    columns = {}
    for position, name in enumerate(header):
        starts = line_starts if position == 0 else bounds[:, position - 1] + 1
        ends = line_ends if position == width - 1 else bounds[:, position]
        column = _Column(padded, starts.astype(np.int64), ends.astype(np.int64))
        columns[name] = _strip(column) if spaces else column
    return header, columns, np.arange(2, count + 2), problems


def _tokenise_with_csv(text: str) -> tuple[list[str], dict[str, _Column], np.ndarray, list]:
    records = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    header = [name.strip() for name in next(records, [])]
    _raise_header_problems(header)
    cells: list[list[str]] = [[] for _ in header]
    rows, problems = [], []
    for row_number, record in enumerate(records, start=2):
        for index in range(len(header), len(record)):
            if record[index].strip():
                problem = Problem(row_number, _column_letter(index), "is outside the header")
                problems.append((row_number, 0, index, problem))
        rows.append(row_number)
        for index, column in enumerate(cells):
            column.append(record[index].strip() if index < len(record) else "")
    columns = {}
    for name, values in zip(header, cells, strict=True):
        encoded = [value.encode("utf-8") for value in values]
        ends = np.cumsum(np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded)))
        data = np.frombuffer(bytes(_FRONT) + b"".join(encoded) + bytes(_BACK), dtype=np.uint8)
        starts = ends - np.fromiter(map(len, encoded), np.int64, len(encoded))
        columns[name] = _Column(data, starts + _FRONT, ends + _FRONT)
    return header, columns, np.array(rows, dtype=np.int64), problems


# Cells of ASCII whitespace (str.isspace()); the plain tokenisers see no other kind.
_ASCII_SPACES = "".join(chr(code) for code in np.flatnonzero(_SPACE_BYTES[:128]))
_PLAIN_AMOUNT = r"^[0-9]{1,13}(\.[0-9]{1,2})?$"


@dataclass
class _FrameColumn:
    """The cells of one column as a polars string Series, whitespace already stripped, "" when empty."""

    cells: "pl.Series"
    lengths: np.ndarray  # in UTF-8 bytes

    def take(self, keep: np.ndarray) -> "_FrameColumn":
        import polars as pl

        return _FrameColumn(self.cells.filter(pl.Series(keep)), self.lengths[keep])

    def text(self, index: int) -> str:
        return self.cells[int(index)]


@dataclass
class _Factorised:
    """A text column as its distinct values (first-seen order, or sorted beyond 64) and each cell's code."""

    vocabulary: tuple[str, ...]
    codes: np.ndarray


def _tokenise_frame(data: bytes) -> tuple[list[str], dict[str, _FrameColumn], np.ndarray, list] | None:
    """_tokenise_plain by polars' CSV reader; None for a file it would read differently (a line longer
    than the header), which _tokenise_plain then reads."""
    header_end = data.find(b"\n")
    header_line = data[:header_end] if header_end >= 0 else data
    header = [name.strip() for name in header_line.decode("utf-8").split(",")] if header_line else []
    _raise_header_problems(header)
    if header_end < 0 or header_end == len(data) - 1:
        return None
    import polars as pl

    try:
        frame = pl.read_csv(
            data,
            has_header=False,
            skip_lines=1,
            schema=dict.fromkeys(header, pl.String),
            infer_schema=False,
            quote_char=None,
            comment_prefix=None,
            null_values=None,
            empty_string_is_null=False,
            eol_char="\n",
            raise_if_empty=False,
            truncate_ragged_lines=False,
        )
    except pl.exceptions.PolarsError:
        return None
    count = data.count(b"\n") - (1 if data.endswith(b"\n") else 0)
    if frame.height != count:  # every line after the header, an empty one too, is one row
        return None
    cells = [pl.col(name).fill_null("") for name in header]
    if _spaces_at_cell_edges(data):
        cells = [cell.str.strip_chars(_ASCII_SPACES) for cell in cells]
    frame = frame.select(cells)
    lengths = frame.select(pl.all().str.len_bytes())
    columns = {
        name: _FrameColumn(frame.get_column(name), lengths.get_column(name).to_numpy()) for name in header
    }
    return header, columns, np.arange(2, count + 2), []


def _spaces_at_cell_edges(body: bytes) -> bool:
    """Whether a cell of this comma- and line-separated text starts or ends with ASCII whitespace."""
    if not any(bytes([code]) in body for code in np.flatnonzero(_SPACE_BYTES[:128]) if code != 10):
        return False
    buffer = np.frombuffer(body, dtype=np.uint8)
    spaces = np.flatnonzero(_SPACE_BYTES[buffer] & (buffer != 10))
    before = np.where(spaces > 0, buffer[np.maximum(spaces - 1, 0)], ord(","))
    after = np.where(spaces + 1 < buffer.size, buffer[np.minimum(spaces + 1, buffer.size - 1)], ord(","))
    edges = (before == ord(",")) | (before == 10) | (after == ord(",")) | (after == 10)
    return bool(edges.any())


def _decide_frame(columns: dict[str, _FrameColumn]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """_parse_plain for every column of a polars-read file, in one parallel pass."""
    import polars as pl

    frame = pl.DataFrame([column.cells for column in columns.values()])
    size = frame.height
    rules = [rule for rule in _cell_rules() if rule.column in columns]
    categories: dict[str, list[str]] = {}
    for rule in rules:
        if rule.kind == "choice":
            categories[rule.column] = list(rule.allowed)
        elif rule.kind == "date" or rule.column in TEXT_COLUMNS:
            # Few distinct values: each is decided once, by the row reader's own rule for dates.
            categories[rule.column] = frame.get_column(rule.column).unique(maintain_order=True).to_list()
    expressions = []
    for rule in rules:
        cell = pl.col(rule.column)
        if rule.column in categories:
            if categories[rule.column]:
                code = cell.cast(pl.Enum(categories[rule.column]), strict=False).to_physical()
                expressions.append(code.cast(pl.Int64).fill_null(-1).alias(rule.column))
            else:
                expressions.append(pl.repeat(-1, size, dtype=pl.Int64).alias(rule.column))
        elif rule.kind == "amount":
            # The pattern leaves no room for float-like readings; a cell the cast would still miss is
            # left to the rule.
            fen = cell.cast(pl.Decimal(15, 2), strict=False).to_physical().cast(pl.Int64)
            plain = cell.str.contains(_PLAIN_AMOUNT) & fen.is_not_null()
            expressions += [fen.fill_null(0).alias(rule.column), plain.alias(f"{rule.column} plain")]
    bulk = frame.select(expressions)
    decided: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for rule in rules:
        column = columns[rule.column]
        empty = column.lengths == 0
        if rule.kind == "amount":
            plain = bulk.get_column(f"{rule.column} plain").to_numpy() & ~empty
            decided[rule.column] = np.where(plain, bulk.get_column(rule.column).to_numpy(), 0), plain
        elif rule.kind == "choice":
            codes = bulk.get_column(rule.column).to_numpy().astype(np.int64)
            decided[rule.column] = _choice_values(rule, codes, empty)
        elif rule.kind == "date":
            dates, valid = [], []
            for item in categories[rule.column]:
                try:
                    dates.append(_date(item))
                    valid.append(True)
                except ValueError:
                    dates.append(datetime.date(1970, 1, 1))
                    valid.append(False)
            codes = bulk.get_column(rule.column).to_numpy()
            table = np.array([*dates, datetime.date(1970, 1, 1)], dtype="datetime64[D]")
            known = np.array([*valid, False])
            decided[rule.column] = table[codes], known[codes] & ~empty
        elif rule.column in TEXT_COLUMNS:
            codes = bulk.get_column(rule.column).to_numpy()
            decided[rule.column] = _factorised(categories[rule.column], codes), np.ones(size, dtype=bool)
        else:
            decided[rule.column] = _frame_strings(column), np.ones(size, dtype=bool)
    return decided


def _factorised(distinct: list[str], codes: np.ndarray, most: int = 64) -> _Factorised:
    """_factorise's vocabulary and codes, from the distinct values in first-seen order and their codes."""
    if len(distinct) <= most:
        return _Factorised(tuple(distinct), codes.astype(np.int64))
    order = sorted(range(len(distinct)), key=distinct.__getitem__)  # code points sort as UTF-8 bytes
    rank = np.empty(len(distinct), dtype=np.int64)
    rank[order] = np.arange(len(distinct))
    return _Factorised(tuple(distinct[index] for index in order), rank[codes])


def _frame_strings(column: _FrameColumn) -> np.ndarray:
    """Cells as a numpy bytes array (the UTF-8 of each cell), as _Column.strings."""
    width = int(column.lengths.max(initial=0)) or 1
    if not column.lengths.size:
        return np.array([], dtype="S1")
    if column.cells.str.len_chars().to_numpy().sum() == column.lengths.sum():  # ASCII: chars are bytes
        joined = column.cells.str.pad_end(width, "\0").str.join("").item()
        return np.frombuffer(joined.encode("ascii"), dtype=f"S{width}").copy()
    return np.array([cell.encode("utf-8") for cell in column.cells.to_list()], dtype=f"S{width}")


def _raise_header_problems(header: list[str]) -> None:
    problems = _header_problems(header)
    if problems:
        raise ClaimsFileError(problems)


def _strip(column: _Column) -> _Column:
    """Drop ASCII whitespace at both ends of every cell (the plain tokeniser sees no other kind)."""
    data, starts, ends = column.data, column.starts, column.ends
    moving = np.flatnonzero((starts < ends) & _SPACE_BYTES[data[starts]])
    while moving.size:
        starts[moving] += 1
        moving = moving[(starts[moving] < ends[moving]) & _SPACE_BYTES[data[starts[moving]]]]
    moving = np.flatnonzero((starts < ends) & _SPACE_BYTES[data[ends - 1]])
    while moving.size:
        ends[moving] -= 1
        moving = moving[(starts[moving] < ends[moving]) & _SPACE_BYTES[data[ends[moving] - 1]]]
    return column


def _columns_to_claims(
    header: list[str],
    columns: dict[str, _Column],
    rows: np.ndarray,
    problems: list,
    major_diseases: Collection[str] | None = None,
) -> ClaimsColumns:
    # A row whose cells are all empty is skipped, as by the row reader.
    filled = np.isin(rows, [problem[0] for problem in problems])
    for column in columns.values():
        filled |= column.lengths > 0
    if not filled.all():
        blank_rows = set(rows[~filled].tolist())
        problems = [problem for problem in problems if problem[0] not in blank_rows]
        columns = {name: column.take(filled) for name, column in columns.items()}
        rows = rows[filled]
    size = rows.size
    if not size and not problems:
        return ClaimsColumns(table_from_claims([]), np.array([], dtype="S1"), np.array([], dtype="S1"), rows)
    troubled = np.zeros(size, dtype=bool)
    if problems:
        troubled[np.searchsorted(rows, [problem[0] for problem in problems])] = True

    values: dict[str, np.ndarray] = {}
    strings: dict[str, np.ndarray] = {}
    in_bulk = _decide_frame(columns) if any(isinstance(c, _FrameColumn) for c in columns.values()) else {}
    for order, rule in enumerate(_cell_rules()):
        if rule.column not in columns:
            continue
        column = columns[rule.column]
        empty = column.lengths == 0
        if rule.column in REQUIRED_COLUMNS:
            for index in np.flatnonzero(empty):
                row = int(rows[index])
                problems.append((row, 1, order, Problem(row, rule.column, "is required")))
            troubled |= empty
        parsed, decided = in_bulk.get(rule.column) or _parse_plain(rule, column, empty)
        for index in np.flatnonzero(~decided & ~empty):
            raw = column.text(index)
            try:
                value = rule.parse(raw)
            except ValueError:
                row = int(rows[index])
                problems.append((row, 1, order, Problem(row, rule.column, f"{rule.rule}, not {raw!r}")))
                troubled[index] = True
                continue
            if rule.kind == "amount" and value >= COLUMNAR_AMOUNT_LIMIT:
                raise NotColumnar(rule.column)
            coded = rule.column in ("claim_type", "special_group")
            parsed[index] = rule.allowed.index(raw) if coded else value
        if rule.kind == "text":
            strings[rule.column] = parsed
        else:
            values[rule.column] = parsed

    claim_ids = strings["claim_id"]
    present = claim_ids != b""
    first, id_rank = _ranks(claim_ids)
    repeats = np.flatnonzero(present & (first[id_rank] != np.arange(size)))
    for index in repeats:
        row = int(rows[index])
        first_row = int(rows[first[id_rank[index]]])
        text = claim_ids[index].decode("utf-8")
        problems.append((row, 2, 0, Problem(row, "claim_id", f"{text} repeats row {first_row}")))
    troubled[repeats] = True

    table = _engine_table(values, strings, size)
    if major_diseases is not None and "major_disease" in table:
        vocabulary = table["major_disease_vocabulary"]
        unlisted = np.array([bool(code) and code not in major_diseases for code in vocabulary])
        for index in np.flatnonzero(unlisted[table["major_disease"]]):
            row = int(rows[index])
            code = vocabulary[table["major_disease"][index]]
            # After the cell problems of the row, as the row reader reports it.
            problems.append((row, 1, len(_cell_rules()), _major_disease_problem(row, code)))
            troubled[index] = True
    for index in np.flatnonzero(~troubled & _claim_rule_suspects(table)):
        try:
            _claim_at(table, index)
        except ClaimError as error:
            row = int(rows[index])
            rule = str(error).removeprefix(f"{error.field}: ")
            problems.append((row, 3, 0, Problem(row, error.field, rule)))
    if problems:
        problems.sort(key=lambda problem: problem[:3])
        raise ClaimsFileError([problem[3] for problem in problems])
    del table["claim_id_text"], table["person_id_text"]
    table["claim_id"] = id_rank.astype(np.int64)  # ranks sort as the ids do
    return ClaimsColumns(table, claim_ids, strings["person_id"], rows)


def _parse_plain(rule: _CellRule, column: _Column, empty: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Values of the cells decided in bulk and which cells those are; empty cells get the default."""
    size = column.starts.size
    if rule.kind == "text":
        return column.strings(), np.ones(size, dtype=bool)
    if rule.kind == "amount":
        return _plain_amounts(column, empty)
    longest = max((len(item) for item in rule.allowed), default=_LONGEST_PLAIN_CELL)
    width = min(int(column.lengths.max(initial=0)), longest) or 1
    cells = column.matrix(width) if width > 1 else np.zeros((size, 1), dtype=np.uint8)
    plain = column.lengths <= cells.shape[1]
    if rule.kind == "choice":
        codes = np.full(size, -1, dtype=np.int64)
        first = column.data[column.starts]
        for code, item in enumerate(rule.allowed):
            encoded = np.frombuffer(item.encode(), dtype=np.uint8)
            match = (column.lengths == encoded.size) & (first == encoded[0])
            rows = np.flatnonzero(match)
            if encoded.size > 1 and rows.size:
                match[rows] = (cells[rows, : encoded.size] == encoded).all(axis=1)
            codes[match] = code
        return _choice_values(rule, codes, empty)
    digit = (cells >= ord("0")) & (cells <= ord("9"))
    return _plain_dates(cells, digit, plain & (column.lengths == 10))


def _choice_values(rule: _CellRule, codes: np.ndarray, empty: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A choice column's values from each cell's index in `rule.allowed` (-1: not listed)."""
    default = _CLAIM_DEFAULTS[rule.column]
    if rule.column in ("claim_type", "special_group"):
        default = rule.allowed.index(default) if default in rule.allowed else 0
    codes[empty] = -1
    decided = codes >= 0
    if rule.column not in ("claim_type", "special_group"):
        converted = np.array([rule.convert(item) for item in rule.allowed])
        result = np.where(decided, converted[np.maximum(codes, 0)], default)
        return result.astype(converted.dtype), decided
    return np.where(decided, codes, default), decided


def _plain_dates(cells, digit, candidate) -> tuple[np.ndarray, np.ndarray]:
    if cells.shape[1] < 10:
        return np.zeros(cells.shape[0], dtype="datetime64[D]"), np.zeros(cells.shape[0], dtype=bool)
    shape = digit[:, [0, 1, 2, 3, 5, 6, 8, 9]].all(axis=1) & (cells[:, 4] == 45) & (cells[:, 7] == 45)

    def number(*positions: int) -> np.ndarray:
        result = np.zeros(cells.shape[0], dtype=np.int64)
        for position in positions:
            result = result * 10 + (cells[:, position].astype(np.int64) - ord("0"))
        return result

    year, month, day = number(0, 1, 2, 3), number(5, 6), number(8, 9)
    ok = candidate & shape & (year >= 1) & (month >= 1) & (month <= 12) & (day >= 1)
    month_start = ((np.where(ok, year, 1970) - 1970) * 12 + np.where(ok, month, 1) - 1).astype(
        "datetime64[M]"
    )
    days_in_month = ((month_start + 1).astype("datetime64[D]") - month_start.astype("datetime64[D]")).astype(
        int
    )
    ok &= day <= days_in_month
    dates = month_start.astype("datetime64[D]") + np.where(ok, day - 1, 0).astype("timedelta64[D]")
    return dates, ok


def _plain_amounts(column: _Column, empty: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """'1234', '1234.5', '1234.50' with at most 13 digits of yuan, in fen."""
    fen = np.zeros(column.starts.size, dtype=np.int64)
    ok = np.zeros(column.starts.size, dtype=bool)
    filled = np.flatnonzero(~empty)
    if not filled.size:
        return fen, ok
    part = column.take(filled)
    lengths = part.lengths
    width = max(3, min(_AMOUNT_WIDTH, int(lengths.max())))
    cells = part.right_matrix(width)
    inside = np.arange(width) >= (width - lengths)[:, None]
    digit = (cells - np.uint8(ord("0"))) < 10
    one_decimal = cells[:, -2] == ord(".")
    two_decimals = cells[:, -3] == ord(".")
    whole = lengths - np.where(two_decimals, 3, np.where(one_decimal, 2, 0))
    others = (inside & ~digit).sum(axis=1)
    good = (lengths <= width) & (whole >= 1) & (whole <= 13) & (others == (one_decimal | two_decimals))
    digits = np.where(inside & digit, cells - np.uint8(ord("0")), np.uint8(0))
    # Read every digit as one number (the point counts as a 0 digit), then take the point's slot out.
    number = np.zeros(filled.size, dtype=np.int64)
    for position in range(width):
        number *= 10
        number += digits[:, position]
    last, second_last = digits[:, -1].astype(np.int64), digits[:, -2].astype(np.int64)
    tail_two = second_last * 10 + last
    value = np.where(
        two_decimals,
        (number - tail_two) // 10 + tail_two,
        np.where(one_decimal, ((number - last) // 10 + last) * 10, number * 100),
    )
    fen[filled] = np.where(good, value, 0)
    ok[filled] = good
    return fen, ok


def _engine_table(values: dict, strings: dict, size: int) -> dict[str, np.ndarray]:
    table: dict[str, np.ndarray] = {}
    table["claim_type"] = values["claim_type"]
    table["claim_type_vocabulary"] = CLAIM_TYPES
    groups = ("none", *SPECIAL_GROUPS)
    table["special_group"] = values.get("special_group", np.zeros(size, dtype=np.int64))
    table["special_group_vocabulary"] = groups
    # Person ids only group claims: their codes need no vocabulary (_claim_at reads person_id_text).
    table["person_id"] = _ranks(strings["person_id"])[1]
    table["person_id_text"] = strings["person_id"]
    for name in TEXT_COLUMNS:
        if isinstance(strings.get(name), _Factorised):
            table[name] = strings[name].codes
            table[f"{name}_vocabulary"] = strings[name].vocabulary
        elif name in strings:
            vocabulary, codes = _factorise(strings[name])
            table[name] = codes
            table[f"{name}_vocabulary"] = tuple(item.decode("utf-8") for item in vocabulary)
    for name in (*DATE_COLUMNS, "facility_level"):
        table[name] = values[name]
    for name in (*AMOUNT_FIELDS, "eyes"):
        table[name] = _column_or_default(values, name, size, np.int64)
    for name in FLAG_COLUMNS:
        table[name] = _column_or_default(values, name, size, bool)
    table["claim_id_text"] = strings["claim_id"]
    return table


def _column_or_default(values: dict, name: str, size: int, dtype) -> np.ndarray:
    if name in values:
        return values[name].astype(dtype, copy=False)
    return np.full(size, _CLAIM_DEFAULTS[name], dtype=dtype)


def _ranks(strings: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each string its rank among the distinct ones (in byte order, which is str order for UTF-8),
    and for each rank the first position holding it."""
    if strings.dtype.itemsize <= 8:
        # Zero-padded big-endian bytes compare as the strings do, and integers sort much faster.
        keys = np.zeros((strings.size, 8), dtype=np.uint8)
        keys[:, : strings.dtype.itemsize] = _byte_matrix(strings)
        strings = keys.view(">u8").ravel()
    _, first, rank = np.unique(strings, return_index=True, return_inverse=True)
    return first, rank.reshape(-1).astype(np.int64)


def _factorise(strings: np.ndarray, most: int = 64) -> tuple[list[bytes], np.ndarray]:
    """Distinct strings and each one's code; a few distinct values are found without sorting."""
    codes = np.full(strings.size, -1, dtype=np.int64)
    vocabulary: list[bytes] = []
    remaining = np.arange(strings.size)
    while remaining.size and len(vocabulary) < most:
        value = strings[remaining[0]]
        same = strings[remaining] == value
        codes[remaining[same]] = len(vocabulary)
        vocabulary.append(bytes(value))
        remaining = remaining[~same]
    if remaining.size:
        first, rank = _ranks(strings)
        return [bytes(strings[index]) for index in first], rank
    return vocabulary, codes


def _claim_rule_suspects(table: dict) -> np.ndarray:
    """Rows that may break a rule Claim checks across fields; Claim itself gives the verdict."""
    total = table["total"]
    parts = sum(table[name] for name in TOTAL_PARTS)
    kind = table["claim_type"]
    suspects = (parts > total) | (table["tcm_amount"] > total) | (table["other_insurance_paid"] > total)
    suspects |= table["discharge_date"] < table["admit_date"]
    eyes = table["eyes"]
    suspects |= (kind == CLAIM_TYPES.index("cataract_outpatient")) & ((eyes < 1) | (eyes > 2))
    chronic = kind == CLAIM_TYPES.index("chronic_outpatient")
    if "chronic_disease" in table:
        no_disease = np.array([not name for name in table["chronic_disease_vocabulary"]])
        suspects |= chronic & no_disease[table["chronic_disease"]]
    else:
        suspects |= chronic
    return suspects


def _claim_at(table: dict, index: int) -> Claim:
    values = {
        "claim_id": table["claim_id_text"][index].decode("utf-8"),
        "person_id": table["person_id_text"][index].decode("utf-8"),
        "claim_type": CLAIM_TYPES[table["claim_type"][index]],
        "special_group": table["special_group_vocabulary"][table["special_group"][index]],
    }
    for name in TEXT_COLUMNS:
        if name in table:
            values[name] = table[f"{name}_vocabulary"][table[name][index]]
    for name in DATE_COLUMNS:
        values[name] = table[name][index].item()
    for name in (*AMOUNT_FIELDS, "eyes", "facility_level"):
        values[name] = int(table[name][index])
    for name in FLAG_COLUMNS:
        values[name] = bool(table[name][index])
    return Claim(**values)


def claims_from_columns(columns: ClaimsColumns) -> list[Claim]:
    """The Claim objects of a columnar read (for comparisons and the scalar path)."""
    table = dict(columns.table, claim_id_text=columns.claim_ids, person_id_text=columns.person_ids)
    return [_claim_at(table, index) for index in range(len(columns))]


def write_settlement_columns(
    claim_ids: np.ndarray, settled: dict[str, np.ndarray], handle: TextIO, layered: bool | None = None
) -> None:
    """write_settlements for the batch engine's output columns, byte for byte, built column by column;
    `layered` (default: whether the layer columns are there) adds LAYER_COLUMNS."""
    if layered is None:
        layered = "basic" in settled
    output_columns = LAYERED_OUTPUT_COLUMNS if layered else OUTPUT_COLUMNS
    yuan_columns = (*_YUAN_COLUMNS, *LAYER_COLUMNS) if layered else _YUAN_COLUMNS
    size = claim_ids.size
    if not size:
        handle.write(",".join(output_columns) + "\n")
        return
    numerator = np.asarray(settled["ratio_numerator"], dtype=np.int64)
    denominator = np.asarray(settled["ratio_denominator"], dtype=np.int64)
    span = int(denominator.max(initial=0)) + 1
    keys, which = np.unique(numerator * span + denominator, return_inverse=True)
    texts = tuple(
        format_ratio(Fraction(int(key) // span, int(key) % span) if key % span else None) for key in keys
    )
    which = which.reshape(-1)
    if _plain_ids(claim_ids) and all(settled[name].min() >= 0 for name in yuan_columns):
        handle.write(_settlements_text(claim_ids, settled, texts, which, output_columns, yuan_columns))
        return
    fields = [_id_cells(claim_ids)]
    fields.append(_lookup_cells(settled["eligible"].astype(np.int64), ("0", "1")))
    reasons = tuple("" if reason == OK else reason for reason in REASONS)
    fields.append(_lookup_cells(settled["reason"].astype(np.int64), reasons))
    fields += [_yuan_cells(settled[name]) for name in ("deductible", "pooled")]
    fields.append(_lookup_cells(which, texts))
    fields += [_yuan_cells(settled[name]) for name in ("reimbursed", "patient_pays")]
    fields.append(_lookup_cells(settled["cap_applied"].astype(np.int64), ("0", "1")))
    if layered:
        fields += [_yuan_cells(settled[name]) for name in LAYER_COLUMNS]

    # Each row is its fields side by side in fixed-width slots; the used bytes, read row after row,
    # are the file.
    comma = (np.full((size, 1), ord(","), dtype=np.uint8), np.ones((size, 1), dtype=bool))
    newline = (np.full((size, 1), ord("\n"), dtype=np.uint8), np.ones((size, 1), dtype=bool))
    parts = [*[part for field in fields for part in (field, comma)][:-1], newline]
    cells = np.concatenate([part[0] for part in parts], axis=1)
    used = np.concatenate([part[1] for part in parts], axis=1)
    handle.write(",".join(output_columns) + "\n")
    handle.write(cells[used].tobytes().decode("utf-8"))


_YUAN_COLUMNS = ("deductible", "pooled", "reimbursed", "patient_pays")
_QUOTED_BYTES = np.zeros(256, dtype=bool)
_QUOTED_BYTES[[ord(","), ord('"'), ord("\r"), ord("\n")]] = True  # the csv module quotes cells holding these


def _plain_ids(claim_ids: np.ndarray) -> bool:
    """Whether every claim id is UTF-8 bytes the csv module writes as they are, without quotes."""
    return claim_ids.dtype.kind == "S" and not _QUOTED_BYTES[_byte_matrix(claim_ids)].any()


def _settlements_text(
    claim_ids: np.ndarray,
    settled: dict[str, np.ndarray],
    ratio_texts: tuple[str, ...],
    ratio_codes: np.ndarray,
    output_columns: tuple[str, ...] = OUTPUT_COLUMNS,
    yuan_columns: tuple[str, ...] = _YUAN_COLUMNS,
) -> str:
    """The settlements file built and written by polars (on both cores): what the numpy path writes,
    for ids that need no quotes and amounts that are not negative."""
    import polars as pl

    reasons = ["" if reason == OK else reason for reason in REASONS]
    frame = pl.DataFrame(
        {
            "claim_id": pl.Series(claim_ids).cast(pl.String),
            "reason": settled["reason"].astype(np.int64),
            "ratio": ratio_codes.astype(np.int64),
            **{name: settled[name].astype(np.uint8) for name in ("eligible", "cap_applied")},
            **{name: np.asarray(settled[name], dtype=np.int64) for name in yuan_columns},
        }
    )

    def yuan(name: str) -> pl.Expr:
        # Whole fen at scale 2 divided by 100 is exact, and decimals are written with all their places.
        return (pl.col(name).cast(pl.Decimal(20, 2)) / 100).alias(name)

    def lookup(name: str, texts: list[str]) -> pl.Expr:
        return pl.lit(pl.Series(texts, dtype=pl.String)).gather(pl.col(name)).alias(name)

    columns = {
        "reason": lookup("reason", reasons),
        "ratio": lookup("ratio", list(ratio_texts)),
        **{name: yuan(name) for name in yuan_columns},
    }
    output = frame.select([columns.get(name, pl.col(name)) for name in output_columns])
    return output.write_csv(None, line_terminator="\n", quote_style="never")


def _lookup_cells(codes: np.ndarray, texts: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    encoded = [text.encode("utf-8") for text in texts]
    width = max((len(item) for item in encoded), default=0) or 1
    table = np.zeros((len(encoded) or 1, width), dtype=np.uint8)
    for index, item in enumerate(encoded):
        table[index, : len(item)] = np.frombuffer(item, dtype=np.uint8)
    lengths = np.array([len(item) for item in encoded] or [0])
    return table[codes], np.arange(width) < lengths[codes][:, None]


def _yuan_cells(fen: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Right-aligned 'yuan.fen' digits; format_yuan for non-negative fen."""
    fen = np.asarray(fen, dtype=np.int64)
    digits = len(str(int(fen.max(initial=0)))) if fen.size else 1
    width = max(digits, 3) + 1
    cells = np.empty((fen.size, width), dtype=np.uint8)
    remaining = fen.copy()
    for position in range(width - 1, -1, -1):
        if position == width - 3:
            cells[:, position] = ord(".")
            continue
        cells[:, position] = ord("0") + remaining % 10
        remaining //= 10
    length = np.maximum(_digit_count(fen), 3) + 1
    return cells, np.arange(width) >= (width - length)[:, None]


def _digit_count(values: np.ndarray) -> np.ndarray:
    count = np.ones(values.size, dtype=np.int64)
    power = 10
    while power <= int(values.max(initial=0)):
        count += values >= power
        power *= 10
    return count


def _id_cells(claim_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Claim ids as the csv module writes them: quoted only if they hold a comma, quote or line end."""
    claim_ids = np.asarray(claim_ids)
    if claim_ids.dtype.kind != "S":
        claim_ids = np.array([str(item).encode("utf-8") for item in claim_ids], dtype=bytes)
    cells = _byte_matrix(claim_ids)
    special = ((cells == ord(",")) | (cells == ord('"')) | (cells == 13) | (cells == 10)).any(axis=1)
    if special.any():
        quoted = list(claim_ids)
        for index in np.flatnonzero(special):
            line = io.StringIO()
            csv.writer(line, lineterminator="\n").writerow([quoted[index].decode("utf-8"), ""])
            quoted[index] = line.getvalue()[:-2].encode("utf-8")
        cells = _byte_matrix(np.array(quoted, dtype=bytes))
    return cells, cells != 0


def _byte_matrix(strings: np.ndarray) -> np.ndarray:
    width = strings.dtype.itemsize or 1
    return np.frombuffer(strings.astype(f"S{width}").tobytes(), dtype=np.uint8).reshape(strings.size, width)
