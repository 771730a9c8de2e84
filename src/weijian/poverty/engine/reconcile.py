"""Cross-department reconciliation (信息比对): the same persons on the lists of four departments.

seed-003 §4.9 and P18 ask for the roster of the poverty office, the insurance enrolment, the civil
affairs assistance list and the health records to agree ("三者一致", R7 L369); §3.9 and feature 5 ask
for duplicates to be found and rates above 100 % to be flagged instead of reported (R5 L237: 31,233
records over 30,891 residents, reported as 103.04 %, really 101.11 %). Pure polars, no Django.

Input
    `SOURCES` names the lists. Each is a polars DataFrame with the columns of `LIST_SCHEMA`: row (Int64,
    the row number in the imported file, unique within the list), id_number (String), name (String),
    birth_date (Date, may be null), village (String, the 12-digit division code), status (String:
    "poor", "exited", or "" when the list carries no status). birth_date and status may be left out.
    `frame_from_rows(rows)` builds such a frame from dicts (what the Django side keeps per row).

`reconcile(lists, residents=None, *, today=None) -> Result`
    `lists` maps source names to frames; a list not given is not compared (no finding needs it).
    `residents` maps village codes to the registered population, the denominator of the health-record
    rate; a village missing from it has no known population and is never flagged.

How persons are matched
    1. Every ID number is stripped and upper-cased, then checked by GB 11643 (see idnumber.py).
    2. Within a list, the first row (by row number) of a valid ID number is kept and later rows with the
       same number are duplicates of it. A row with an invalid number that has the name, birth date and
       village of another row is a duplicate of the first such row (rows with a valid number first).
       Only the kept rows are compared across lists.
    3. Between two lists, rows match on the valid ID number; the rows of either list that found no
       partner that way (invalid numbers, or valid numbers absent from the other list) then match on
       (name without spaces, birth date, village). The birth date is the list's own, else the one in a
       valid ID number; a row with neither is matched by ID number only. Every pair of lists given is
       matched, so one person is followed across all four.

`Result`
    findings
        One row per mismatch, columns kind, source, row, other_source, other_row, id_number (as
        normalised), name, village, detail (English text). Kinds (`KINDS`):
        - invalid_id: the ID number fails GB 11643; detail names the first rule broken.
        - duplicate: a later row of the same person in the same list; other_row is the row kept.
        - not_enrolled, missing: a kept row of `source` (with the given status) that has no match on
          `other_source`, per `PRESENCE_CHECKS` (not enrolled in insurance; no health record;
          civil-affairs recipient with poor status not on the poverty roster).
        - status_conflict: matched rows, exited on one list and poor on the other; source is the list
          that comes first in SOURCES.
        - records_exceed_residents: a village with more health-record rows than residents; row null,
          source health_records, detail gives both counts and the recomputed rate.
        Sorted by kind (in KINDS order), source (in SOURCES order), row.
    rates
        One row per village seen in any list or in `residents`: village, township (the village's
        township code), poor (kept poverty-roster rows with status poor), poor_enrolled (of those,
        matched on the insurance list; null without an insurance list), health_records (rows of the
        health-record list, duplicates included: what a record rate counts), health_persons (kept
        rows), residents (null when unknown), records_exceed_residents (bool). Rates are the integer
        pairs poor_enrolled/poor and health_records/residents, never a typed-in figure; `rate(...)`
        gives them as `kpi.Rate` (exact, percent rounded half-up only when shown).
    matches
        source, row, other_source, other_row, by ("id_number" or "name_birth_village") for every matched
        pair of kept rows, source before other_source in SOURCES order.
    `by_township()` sums the rate counts per township; `counts(level)` counts findings per village or
    township and kind.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import polars as pl

from .idnumber import PROBLEM_TEXT, birth_dates, id_problem, parse_id_numbers
from .kpi import Rate

POVERTY = "poverty"
INSURANCE = "insurance"
CIVIL_AFFAIRS = "civil_affairs"
HEALTH_RECORDS = "health_records"
SOURCES = (POVERTY, INSURANCE, CIVIL_AFFAIRS, HEALTH_RECORDS)

POOR = "poor"
EXITED = "exited"
STATUSES = (POOR, EXITED, "")

INVALID_ID = "invalid_id"
DUPLICATE = "duplicate"
NOT_ENROLLED = "not_enrolled"
MISSING = "missing"
STATUS_CONFLICT = "status_conflict"
RECORDS_EXCEED_RESIDENTS = "records_exceed_residents"
KINDS = (INVALID_ID, DUPLICATE, NOT_ENROLLED, MISSING, STATUS_CONFLICT, RECORDS_EXCEED_RESIDENTS)

BY_ID = "id_number"
BY_NAME = "name_birth_village"

LIST_SCHEMA = {
    "row": pl.Int64,
    "id_number": pl.String,
    "name": pl.String,
    "birth_date": pl.Date,
    "village": pl.String,
    "status": pl.String,
}
FINDING_SCHEMA = {
    "kind": pl.String,
    "source": pl.String,
    "row": pl.Int64,
    "other_source": pl.String,
    "other_row": pl.Int64,
    "id_number": pl.String,
    "name": pl.String,
    "village": pl.String,
    "detail": pl.String,
}
MATCH_SCHEMA = {
    "source": pl.String,
    "row": pl.Int64,
    "other_source": pl.String,
    "other_row": pl.Int64,
    "by": pl.String,
}


@dataclass(frozen=True)
class PresenceCheck:
    """Every kept row of `source` (with `status`, or any status when None) must match on `other`."""

    kind: str
    source: str
    other: str
    status: str | None
    detail: str


# seed-003 §4.2: the poverty office's list goes to the insurance agency, which confirms each person's
# enrolment (target 100 %, R6 L277). §4.1 / R6 L283: every poor person has a health record.
# §4.9 / R1 L45: civil affairs assistance goes to the registered poor.
PRESENCE_CHECKS = (
    PresenceCheck(
        NOT_ENROLLED,
        POVERTY,
        INSURANCE,
        POOR,
        "poor on the poverty roster, not on the insurance enrolment list",
    ),
    PresenceCheck(MISSING, POVERTY, HEALTH_RECORDS, None, "on the poverty roster, no health record"),
    PresenceCheck(
        MISSING,
        CIVIL_AFFAIRS,
        POVERTY,
        POOR,
        "civil-affairs recipient with poor status, not on the poverty roster",
    ),
)
MISSING_PAIRS = tuple((check.source, check.other) for check in PRESENCE_CHECKS if check.kind == MISSING)

_NAME_KEY = ["name_key", "birth", "village"]


def frame_from_rows(rows: Iterable[Mapping]) -> pl.DataFrame:
    """A list frame (LIST_SCHEMA) from dicts with the keys row, id_number, name, birth_date, village, status."""
    data = [{column: row.get(column) for column in LIST_SCHEMA} for row in rows]
    return _conform(
        pl.DataFrame(data, schema=LIST_SCHEMA, orient="row") if data else pl.DataFrame(schema=LIST_SCHEMA)
    )


def _conform(frame: pl.DataFrame) -> pl.DataFrame:
    for column in ("row", "id_number", "name", "village"):
        if column not in frame.columns:
            raise ValueError(f"a list needs the column {column!r}")
    if "birth_date" not in frame.columns:
        frame = frame.with_columns(birth_date=pl.lit(None, dtype=pl.Date))
    if "status" not in frame.columns:
        frame = frame.with_columns(status=pl.lit(""))
    frame = frame.select(
        pl.col("row").cast(pl.Int64),
        pl.col("id_number").cast(pl.String).fill_null(""),
        pl.col("name").cast(pl.String).fill_null(""),
        pl.col("birth_date").cast(pl.Date),
        pl.col("village").cast(pl.String).fill_null(""),
        pl.col("status").cast(pl.String).fill_null(""),
    )
    known = frame["status"].is_in(STATUSES)
    if not known.all():
        unknown = sorted(set(frame["status"].filter(~known).to_list()))
        raise ValueError(f"unknown status {unknown!r}; expected one of {STATUSES!r}")
    rows = frame["row"]
    if rows.null_count():
        raise ValueError("every row needs its row number")
    # Files are read in order, so the rows usually increase already; sorting is the exception.
    if (
        len(rows) > 1
        and not (rows.diff().drop_nulls() > 0).all()
        and not (rows.sort().diff().drop_nulls() > 0).all()
    ):
        raise ValueError("row numbers must be unique within a list")
    return frame


def _prepare(frame: pl.DataFrame, today: dt.date) -> pl.DataFrame:
    """Adds the normalised ID number (id), its validity (valid), the person key (key: the 17-digit body
    of a valid number) and the birth date for matching by name (birth: the list's, else the number's)."""
    frame = _conform(frame)
    parsed = parse_id_numbers(frame["id_number"], today)
    birth = frame["birth_date"]
    # Only rows without a birth date read it from the number, so a list that has them pays nothing.
    from_number = (birth.is_null() & parsed["valid"]).arg_true()
    if len(from_number):
        birth = birth.clone().scatter(from_number, birth_dates(parsed["body"].gather(from_number)))
    return pl.concat(
        [frame, parsed.rename({"body": "key"}), birth.alias("birth").to_frame()], how="horizontal"
    )


def _with_name_key(frame: pl.DataFrame) -> pl.DataFrame:
    # Lists write 张 三 / 张三 / 张三　(full-width space) for the same name.
    return frame.with_columns(name_key=pl.col("name").str.replace_all(r"\s+", ""))


def _name_candidates(frame: pl.DataFrame) -> pl.DataFrame:
    """Rows that can be matched by name: a name and a birth date."""
    return _with_name_key(frame.filter(pl.col("birth").is_not_null())).filter(pl.col("name_key") != "")


def _findings(frame: pl.DataFrame, **columns) -> pl.DataFrame:
    """Finding rows from `frame` (which carries row, id, name, village); `columns` gives the others."""
    exprs = {
        "kind": pl.lit(columns.pop("kind")),
        "source": pl.lit(columns.pop("source")),
        "row": pl.col("row"),
        "other_source": pl.lit(None, dtype=pl.String),
        "other_row": pl.lit(None, dtype=pl.Int64),
        "id_number": pl.col("id"),
        "name": pl.col("name"),
        "village": pl.col("village"),
        "detail": pl.lit(""),
    }
    for name, value in columns.items():
        exprs[name] = value if isinstance(value, pl.Expr) else pl.lit(value)
    return frame.select(**{name: expr.cast(FINDING_SCHEMA[name]) for name, expr in exprs.items()})


def _invalid(source: str, frame: pl.DataFrame, today: dt.date) -> pl.DataFrame:
    bad = frame.filter(~pl.col("valid")).with_columns(problem=id_problem(pl.col("id"), today))
    text = pl.col("problem").replace_strict(PROBLEM_TEXT, return_dtype=pl.String)
    return _findings(bad, kind=INVALID_ID, source=source, detail=pl.lit("ID number fails GB 11643: ") + text)


def _duplicates(source: str, frame: pl.DataFrame) -> pl.DataFrame:
    # Same valid ID number: the first row is kept (seed-003 feature 5, deduplication by ID number).
    valid = frame.filter(pl.col("valid"))
    repeated = valid.filter(pl.col("key").is_duplicated())
    by_id = repeated.with_columns(other_row=pl.col("row").min().over("key")).filter(
        pl.col("row") != pl.col("other_row")
    )
    found = [
        _findings(
            by_id,
            kind=DUPLICATE,
            source=source,
            other_source=source,
            other_row=pl.col("other_row"),
            detail=pl.lit("same ID number as row ") + pl.col("other_row").cast(pl.String),
        )
    ]
    # Invalid ID number: the same name, birth date and village as another row.
    invalid = _name_candidates(frame.filter(~pl.col("valid")))
    if invalid.height:
        near = frame.join(invalid.select("birth", "village").unique(), on=["birth", "village"], how="semi")
        group = _name_candidates(near).join(invalid.select(_NAME_KEY).unique(), on=_NAME_KEY, how="semi")
        group = group.sort(["valid", "row"], descending=[True, False]).with_columns(
            other_row=pl.col("row").first().over(_NAME_KEY)
        )
        by_name = group.filter(~pl.col("valid") & (pl.col("row") != pl.col("other_row")))
        found.append(
            _findings(
                by_name,
                kind=DUPLICATE,
                source=source,
                other_source=source,
                other_row=pl.col("other_row"),
                detail=pl.lit("invalid ID number; same name, birth date and village as row ")
                + pl.col("other_row").cast(pl.String),
            )
        )
    return pl.concat(found)


def _match(a: pl.DataFrame, b: pl.DataFrame) -> pl.DataFrame:
    """Pairs of kept rows (row, other_row, by): on the valid ID number, then the rest on name key."""
    a_keys = a.filter(pl.col("valid")).select("row", "key")
    b_keys = b.filter(pl.col("valid")).select(other_row=pl.col("row"), key=pl.col("key"))
    by_id = a_keys.join(b_keys, on="key").select("row", "other_row", by=pl.lit(BY_ID))
    a_rest = _name_candidates(a.join(b_keys, on="key", how="anti"))
    if a_rest.height == 0:
        return by_id
    # Narrow the other list on cheap columns before normalising names (it can hold millions of rows).
    b_near = b.join(a_rest.select("birth", "village").unique(), on=["birth", "village"], how="semi")
    b_rest = _name_candidates(b_near.join(a_keys, on="key", how="anti"))
    by_name = a_rest.select("row", *_NAME_KEY).join(
        b_rest.select(*_NAME_KEY, other_row=pl.col("row")), on=_NAME_KEY
    )
    return pl.concat([by_id, by_name.select("row", "other_row", by=pl.lit(BY_NAME))])


def _conflicts(
    source: str, a: pl.DataFrame, other: str, b: pl.DataFrame, pairs: pl.DataFrame
) -> pl.DataFrame:
    a_status = a.filter(pl.col("status") != "").select("row", "id", "name", "village", "status")
    b_status = b.filter(pl.col("status") != "").select(other_row=pl.col("row"), other_status=pl.col("status"))
    if a_status.height == 0 or b_status.height == 0:
        return pl.DataFrame(schema=FINDING_SCHEMA)
    joined = pairs.join(a_status, on="row").join(b_status, on="other_row")
    clash = joined.filter(pl.col("status") != pl.col("other_status")).unique(["row", "other_row"])
    detail = (
        pl.col("status")
        + pl.lit(f" on the {source} list, ")
        + pl.col("other_status")
        + pl.lit(f" on the {other} list (row ")
        + pl.col("other_row").cast(pl.String)
        + pl.lit(")")
    )
    return _findings(
        clash,
        kind=STATUS_CONFLICT,
        source=source,
        other_source=other,
        other_row=pl.col("other_row"),
        detail=detail,
    )


def _township(village: pl.Expr) -> pl.Expr:
    # Division code: province 2, city 2, county 2, township 3, village 3 digits.
    return village.str.slice(0, 9) + pl.lit("000")


@dataclass(frozen=True)
class Result:
    findings: pl.DataFrame
    rates: pl.DataFrame
    matches: pl.DataFrame

    def rate(self, village: str, which: str) -> Rate:
        """'enrolment' (poor_enrolled / poor) or 'records' (health_records / residents) of a village."""
        numerator, denominator = {
            "enrolment": ("poor_enrolled", "poor"),
            "records": ("health_records", "residents"),
        }[which]
        row = self.rates.filter(pl.col("village") == village)
        if row.height == 0:
            return Rate(0, 0)
        return Rate(row[numerator][0] or 0, row[denominator][0] or 0)

    def by_township(self) -> pl.DataFrame:
        """The rate counts summed per township, the flag recomputed from the sums."""
        counts = ["poor", "poor_enrolled", "health_records", "health_persons", "residents"]
        summed = self.rates.group_by("township").agg(
            *[
                pl.when(pl.col(c).is_null().all()).then(None).otherwise(pl.col(c).sum()).alias(c)
                for c in counts
            ],
            villages_exceeding=pl.col("records_exceed_residents").sum().cast(pl.Int64),
        )
        return summed.with_columns(
            records_exceed_residents=(pl.col("health_records") > pl.col("residents")).fill_null(False)
        ).sort("township")

    def counts(self, level: str = "village") -> pl.DataFrame:
        """Findings counted per `level` ('village' or 'township') and kind."""
        frame = self.findings.with_columns(township=_township(pl.col("village")))
        return frame.group_by(level, "kind").agg(count=pl.len()).sort(level, "kind")


def _rates(
    prepared: Mapping[str, pl.DataFrame],
    kept: Mapping[str, pl.DataFrame],
    enrolled_rows: pl.Series | None,
    residents: Mapping[str, int] | None,
) -> pl.DataFrame:
    parts = []
    if POVERTY in kept:
        poor = kept[POVERTY].filter(pl.col("status") == POOR)
        if enrolled_rows is None:
            enrolled = pl.lit(None, dtype=pl.Int64)
        else:
            # A flag per row first: a membership test inside the aggregation runs once per village.
            poor = poor.with_columns(enrolled=pl.col("row").is_in(enrolled_rows.implode()))
            enrolled = pl.col("enrolled").sum().cast(pl.Int64)
        parts.append(poor.group_by("village").agg(poor=pl.len().cast(pl.Int64), poor_enrolled=enrolled))
    if HEALTH_RECORDS in prepared:
        parts.append(prepared[HEALTH_RECORDS].group_by("village").agg(health_records=pl.len().cast(pl.Int64)))
        parts.append(kept[HEALTH_RECORDS].group_by("village").agg(health_persons=pl.len().cast(pl.Int64)))
    if residents is not None:
        parts.append(
            pl.DataFrame(
                {"village": list(residents), "residents": [int(n) for n in residents.values()]},
                schema={"village": pl.String, "residents": pl.Int64},
            )
        )
    villages = pl.concat([part.select("village") for part in parts]).unique() if parts else None
    rates = villages if villages is not None else pl.DataFrame(schema={"village": pl.String})
    for part in parts:
        rates = rates.join(part, on="village", how="left")
    for column in ("poor", "poor_enrolled", "health_records", "health_persons", "residents"):
        if column not in rates.columns:
            rates = rates.with_columns(pl.lit(None, dtype=pl.Int64).alias(column))
    zero_if_listed = {
        "poor": POVERTY in kept,
        "poor_enrolled": POVERTY in kept and enrolled_rows is not None,
        "health_records": HEALTH_RECORDS in prepared,
        "health_persons": HEALTH_RECORDS in prepared,
    }
    rates = rates.with_columns(
        *[pl.col(c).fill_null(0) for c, listed in zero_if_listed.items() if listed],
    )
    return rates.select(
        "village",
        township=_township(pl.col("village")),
        poor="poor",
        poor_enrolled="poor_enrolled",
        health_records="health_records",
        health_persons="health_persons",
        residents="residents",
        # seed-003 §3.9: records above residents mean duplicate or non-resident records.
        records_exceed_residents=(pl.col("health_records") > pl.col("residents")).fill_null(False),
    ).sort("village")


def _exceeding(rates: pl.DataFrame) -> pl.DataFrame:
    over = rates.filter("records_exceed_residents")
    residents = pl.col("residents")
    percent = (pl.col("health_records") * 10_000 * 2 + residents) // (residents * 2)
    # Integer half-up rounding of the percentage to 2 places, so no float enters the text.
    shown = (percent // 100).cast(pl.String) + pl.lit(".") + (percent % 100).cast(pl.String).str.zfill(2)
    detail = (
        pl.col("health_records").cast(pl.String)
        + pl.lit(" health records, ")
        + residents.cast(pl.String)
        + pl.lit(" residents")
        + pl.when(residents > 0).then(pl.lit(" (") + shown + pl.lit(" %)")).otherwise(pl.lit(""))
    )
    return over.select(
        kind=pl.lit(RECORDS_EXCEED_RESIDENTS),
        source=pl.lit(HEALTH_RECORDS),
        row=pl.lit(None, dtype=pl.Int64),
        other_source=pl.lit(None, dtype=pl.String),
        other_row=pl.lit(None, dtype=pl.Int64),
        id_number=pl.lit(None, dtype=pl.String),
        name=pl.lit(None, dtype=pl.String),
        village=pl.col("village"),
        detail=detail,
    )


def reconcile(
    lists: Mapping[str, pl.DataFrame],
    residents: Mapping[str, int] | None = None,
    *,
    today: dt.date | None = None,
) -> Result:
    """Compare the department lists; see the module docstring for what is found and how."""
    unknown = set(lists) - set(SOURCES)
    if unknown:
        raise ValueError(f"unknown list {sorted(unknown)!r}; expected some of {SOURCES!r}")
    today = today or dt.date.today()
    present = [source for source in SOURCES if source in lists]
    prepared = {source: _prepare(lists[source], today) for source in present}

    found: list[pl.DataFrame] = []
    kept: dict[str, pl.DataFrame] = {}
    for source in present:
        frame = prepared[source]
        found.append(_invalid(source, frame, today))
        duplicates = _duplicates(source, frame)
        found.append(duplicates)
        kept[source] = frame.join(duplicates.select("row"), on="row", how="anti")

    pairs: dict[tuple[str, str], pl.DataFrame] = {}
    for i, source in enumerate(present):
        for other in present[i + 1 :]:
            pair = _match(kept[source], kept[other])
            pairs[source, other] = pair
            found.append(_conflicts(source, kept[source], other, kept[other], pair))

    enrolled_rows = None
    for check in PRESENCE_CHECKS:
        if check.source not in kept or check.other not in kept:
            continue
        if (check.source, check.other) in pairs:
            matched = pairs[check.source, check.other]["row"]
        else:
            matched = pairs[check.other, check.source]["other_row"]
        if check.kind == NOT_ENROLLED:
            enrolled_rows = matched
        rows = kept[check.source]
        if check.status is not None:
            rows = rows.filter(pl.col("status") == check.status)
        absent = rows.join(matched.to_frame("row"), on="row", how="anti")
        found.append(
            _findings(
                absent, kind=check.kind, source=check.source, other_source=check.other, detail=check.detail
            )
        )

    rates = _rates(prepared, kept, enrolled_rows, residents)
    found.append(_exceeding(rates))

    order = {
        "kind_order": pl.col("kind").replace_strict(KINDS, list(range(len(KINDS))), return_dtype=pl.Int64),
        "source_order": pl.col("source").replace_strict(
            SOURCES, list(range(len(SOURCES))), return_dtype=pl.Int64
        ),
    }
    findings = (
        pl.concat([pl.DataFrame(schema=FINDING_SCHEMA), *found])
        .with_columns(**order)
        .sort("kind_order", "source_order", "row", "other_source", "other_row", nulls_last=True)
        .drop("kind_order", "source_order")
    )
    matches = pl.concat(
        [pl.DataFrame(schema=MATCH_SCHEMA)]
        + [
            pair.select(
                source=pl.lit(source), row="row", other_source=pl.lit(other), other_row="other_row", by="by"
            )
            for (source, other), pair in pairs.items()
        ]
    )
    return Result(findings=findings, rates=rates, matches=matches)
