"""The reconciliation engine (信息比对) on hand-built lists: every planted mismatch found, nothing else."""

import datetime as dt
import subprocess
import sys
from decimal import Decimal

import polars as pl
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from weijian.core.validators import id_number_check_char, id_number_error
from weijian.poverty.engine.idnumber import id_problem, parse_id_numbers, valid_id_numbers
from weijian.poverty.engine.kpi import Rate
from weijian.poverty.engine.reconcile import BY_ID, BY_NAME, SOURCES, frame_from_rows, reconcile

TODAY = dt.date(2026, 11, 24)
V1, V2, V3 = "510101001001", "510101001002", "510101002001"  # V3 in another township


def ident(birth: str, seq: int) -> str:
    body = f"510101{birth}{seq:03d}"
    return body + id_number_check_char(body)


def broken(number: str) -> str:
    """The number with a wrong check character."""
    return number[:17] + ("1" if number[17] != "1" else "2")


A = ident("19500101", 2)  # check character X
B = ident("19600202", 11)
C = ident("19700303", 21)
D = ident("19800404", 31)
E = ident("19450505", 41)
F = ident("19550606", 51)
G = ident("19900707", 61)
H = ident("19850808", 71)
assert A.endswith("X")


def row(row, id_number, name, village, status="", birth=None):
    return {
        "row": row,
        "id_number": id_number,
        "name": name,
        "birth_date": birth,
        "village": village,
        "status": status,
    }


def planted_lists():
    poverty = frame_from_rows([
        row(2, A, "王一", V1, "poor"),
        row(3, B, "李二", V1, "poor"),  # not on the insurance list
        row(4, C, "张三", V1, "poor"),  # no health record
        row(5, broken(D), "赵四", V2, "poor", dt.date(1980, 4, 4)),  # invalid, matched by name elsewhere
        row(6, E, "钱五", V2, "exited"),  # poor on the civil-affairs list
        row(7, A, "王一", V1, "poor"),  # A twice
    ])  # fmt: skip
    insurance = frame_from_rows([
        row(2, f" {A.lower()} ", "王一", V1),  # lower-case x and spaces: the same valid number
        row(3, C, "张三", V1),
        row(4, D, "赵四", V2),
        row(5, E, "钱五", V2),
        row(6, G, "周七", V1),
        row(7, G[:5] + "A" + G[6:], "周七", V1, birth=dt.date(1990, 7, 7)),  # G again, number mistyped
    ])  # fmt: skip
    civil_affairs = frame_from_rows([
        row(2, A, "王一", V1, "poor"),
        row(3, E, "钱五", V2, "poor"),
        row(4, F, "孙六", V3, "poor"),  # not on the poverty roster
        row(5, "51010119751212001", "刘九", V3),  # 17 characters, no status
    ])  # fmt: skip
    health_records = frame_from_rows([
        row(2, A, "王一", V1),
        row(3, B, "李二", V1),
        row(4, D, "赵 四", V2),
        row(5, E, "钱五", V2),
        row(6, H, "吴八", V2),
        row(7, H, "吴八", V2),  # the same record twice: 4 records for 3 residents in V2
        row(8, ident("20300101", 5), "郑十", V1),  # born in the future
    ])  # fmt: skip
    lists = {
        "poverty": poverty,
        "insurance": insurance,
        "civil_affairs": civil_affairs,
        "health_records": health_records,
    }
    return lists, {V1: 100, V2: 3, V3: 50}


def kinds(result):
    return {(f["kind"], f["source"], f["row"]) for f in result.findings.to_dicts()}


def test_every_planted_mismatch_is_found_and_nothing_else():
    lists, residents = planted_lists()
    result = reconcile(lists, residents, today=TODAY)
    assert kinds(result) == {
        ("invalid_id", "poverty", 5),
        ("invalid_id", "insurance", 7),
        ("invalid_id", "civil_affairs", 5),
        ("invalid_id", "health_records", 8),
        ("duplicate", "poverty", 7),
        ("duplicate", "insurance", 7),
        ("duplicate", "health_records", 7),
        ("not_enrolled", "poverty", 3),
        ("missing", "poverty", 4),
        ("missing", "civil_affairs", 4),
        ("status_conflict", "poverty", 6),
        ("records_exceed_residents", "health_records", None),
    }
    assert result.findings.height == 12


def test_findings_name_the_other_row_and_the_reason():
    lists, residents = planted_lists()
    findings = reconcile(lists, residents, today=TODAY).findings
    by_key = {(f["kind"], f["source"], f["row"]): f for f in findings.to_dicts()}

    assert by_key["duplicate", "poverty", 7]["other_row"] == 2
    assert by_key["duplicate", "poverty", 7]["detail"] == "same ID number as row 2"
    assert by_key["duplicate", "insurance", 7]["other_row"] == 6
    assert by_key["duplicate", "health_records", 7]["other_row"] == 6
    assert by_key["invalid_id", "poverty", 5]["detail"] == "ID number fails GB 11643: wrong check character"
    assert by_key["invalid_id", "civil_affairs", 5]["detail"] == "ID number fails GB 11643: not 18 characters"
    assert by_key["invalid_id", "health_records", 8]["detail"].endswith("before 1880 or in the future")
    conflict = by_key["status_conflict", "poverty", 6]
    assert (conflict["other_source"], conflict["other_row"]) == ("civil_affairs", 3)
    assert conflict["detail"] == "exited on the poverty list, poor on the civil_affairs list (row 3)"
    assert by_key["not_enrolled", "poverty", 3]["other_source"] == "insurance"
    assert by_key["missing", "poverty", 4]["other_source"] == "health_records"
    assert by_key["missing", "civil_affairs", 4]["other_source"] == "poverty"
    exceed = by_key["records_exceed_residents", "health_records", None]
    assert exceed["village"] == V2
    assert exceed["detail"] == "4 health records, 3 residents (133.33 %)"
    # Findings come in KINDS order, then SOURCES order, then row.
    assert findings["kind"].to_list()[:4] == ["invalid_id"] * 4
    assert findings["source"].to_list()[:4] == list(SOURCES)


def test_an_invalid_id_number_is_matched_on_name_birth_date_and_village():
    lists, residents = planted_lists()
    matches = reconcile(lists, residents, today=TODAY).matches
    d_rows = matches.filter((pl.col("source") == "poverty") & (pl.col("row") == 5))
    # The insurance and health records carry no birth date: it is read from their valid numbers;
    # the health record writes the name with a space.
    assert set(d_rows.select("other_source", "other_row", "by").iter_rows()) == {
        ("insurance", 4, BY_NAME),
        ("health_records", 4, BY_NAME),
    }


def test_without_the_birth_date_an_invalid_number_matches_nobody():
    lists, residents = planted_lists()
    lists["poverty"] = lists["poverty"].with_columns(
        birth_date=pl.when(pl.col("row") == 5).then(None).otherwise(pl.col("birth_date"))
    )
    found = kinds(reconcile(lists, residents, today=TODAY))
    assert ("not_enrolled", "poverty", 5) in found
    assert ("missing", "poverty", 5) in found


def test_a_person_is_followed_across_all_four_lists():
    lists, residents = planted_lists()
    matches = reconcile(lists, residents, today=TODAY).matches
    a_rows = {"poverty": 2, "insurance": 2, "civil_affairs": 2, "health_records": 2}
    pairs = {
        (m["source"], m["other_source"])
        for m in matches.to_dicts()
        if a_rows[m["source"]] == m["row"]
        and a_rows[m["other_source"]] == m["other_row"]
        and m["by"] == BY_ID
    }
    assert len(pairs) == 6  # every pair of the four lists


def test_clean_lists_give_no_findings():
    p = [row(2, A, "王一", V1, "poor"), row(3, B, "李二", V1, "exited")]
    lists = {
        "poverty": frame_from_rows(p),
        "insurance": frame_from_rows([row(8, A, "王一", V1), row(9, B, "李二", V1)]),
        "civil_affairs": frame_from_rows([row(2, A, "王一", V1, "poor")]),
        "health_records": frame_from_rows([row(2, B, "李二", V1), row(3, A, "王一", V1)]),
    }
    result = reconcile(lists, {V1: 2}, today=TODAY)
    assert result.findings.is_empty()
    assert result.rate(V1, "enrolment") == Rate(1, 1)
    assert result.rate(V1, "records") == Rate(2, 2)


def test_a_list_not_given_is_not_compared():
    lists, residents = planted_lists()
    del lists["insurance"]
    result = reconcile(lists, residents, today=TODAY)
    assert not any(kind == "not_enrolled" for kind, _, _ in kinds(result))
    assert result.rates["poor_enrolled"].null_count() == result.rates.height


def test_rates_are_counted_per_village_and_township():
    lists, residents = planted_lists()
    result = reconcile(lists, residents, today=TODAY)
    rates = {r["village"]: r for r in result.rates.to_dicts()}
    # V1: 王一 (twice, counted once), 李二, 张三 poor; 李二 not enrolled.
    assert (rates[V1]["poor"], rates[V1]["poor_enrolled"]) == (3, 2)
    # V2: 赵四 poor (matched by name), 钱五 exited.
    assert (rates[V2]["poor"], rates[V2]["poor_enrolled"]) == (1, 1)
    assert (rates[V2]["health_records"], rates[V2]["health_persons"], rates[V2]["residents"]) == (4, 3, 3)
    assert rates[V2]["records_exceed_residents"] and not rates[V1]["records_exceed_residents"]
    assert (rates[V3]["poor"], rates[V3]["health_records"], rates[V3]["residents"]) == (0, 0, 50)
    townships = {r["township"]: r for r in result.by_township().to_dicts()}
    first = townships["510101001000"]
    assert (first["poor"], first["poor_enrolled"], first["health_records"], first["residents"]) == (
        4,
        3,
        7,
        103,
    )
    assert first["villages_exceeding"] == 1 and not first["records_exceed_residents"]
    counts = {(r["township"], r["kind"]): r["count"] for r in result.counts("township").to_dicts()}
    assert counts["510101001000", "duplicate"] == 3
    assert counts["510101002000", "missing"] == 1


def test_the_record_rate_is_recomputed_not_typed_in():
    # seed-003 §3.9 (R5 L237): 31,233 records over 30,891 residents was reported as 103.04 %.
    records = pl.DataFrame({
        "row": range(2, 31_235),
        "id_number": [ident("19700101", 0)] * 31_233,
        "name": "x",
        "village": V1,
    })  # fmt: skip
    result = reconcile({"health_records": records}, {V1: 30_891}, today=TODAY)
    rate = result.rate(V1, "records")
    assert rate == Rate(31_233, 30_891)
    assert rate.percent() == Decimal("101.11")
    assert rate.impossible
    exceed = result.findings.filter(pl.col("kind") == "records_exceed_residents")
    assert exceed["detail"].to_list() == ["31233 health records, 30891 residents (101.11 %)"]
    # The same number 31,233 times: one person kept, the rest duplicates.
    assert result.rates["health_persons"].to_list() == [1]
    assert result.findings.filter(pl.col("kind") == "duplicate").height == 31_232


def test_a_village_without_a_known_population_is_not_flagged():
    result = reconcile({"health_records": frame_from_rows([row(2, A, "王一", V1)])}, {V2: 0}, today=TODAY)
    assert result.findings.is_empty()
    assert result.rate(V1, "records") == Rate(1, 0)


def test_records_in_a_village_of_no_residents_are_flagged_without_a_rate():
    result = reconcile({"health_records": frame_from_rows([row(2, A, "王一", V1)])}, {V1: 0}, today=TODAY)
    assert result.findings.select("kind", "village", "detail").rows() == [
        ("records_exceed_residents", V1, "1 health records, 0 residents")
    ]
    assert result.rate(V1, "records").impossible


def test_an_unknown_status_or_list_is_refused():
    import pytest

    with pytest.raises(ValueError, match="unknown status"):
        reconcile({"poverty": frame_from_rows([row(2, A, "王一", V1, "maybe")])})
    with pytest.raises(ValueError, match="unknown list"):
        reconcile({"tax": frame_from_rows([])})


# --- the vectorised GB 11643 check against the single-value one -----------------------------------------------

CODES = {
    "A resident ID number has 18 characters.": "length",
    "The first 17 characters of a resident ID number must be digits.": "digits",
    "The last character of a resident ID number must be a digit or X.": "check_char",
    "The first two digits of a resident ID number must be a province code.": "area",
    "Digits 7 to 14 of a resident ID number must be a real birth date.": "birth_date",
    "The birth date in a resident ID number is out of range.": "birth_range",
    "The check character of the resident ID number is wrong (GB 11643).": "checksum",
}


@st.composite
def near_numbers(draw):
    area = draw(st.sampled_from(["11", "51", "65", "83", "84", "00", "99"]))
    year = draw(st.sampled_from(["0000", "1879", "1880", "1900", "1999", "2000", "2004", "2026", "2027"]))
    month = draw(st.sampled_from(["00", "01", "02", "04", "12", "13"]))
    day = draw(st.sampled_from(["00", "01", "28", "29", "30", "31", "32"]))
    rest = draw(st.text("0123456789", min_size=7, max_size=7))
    body = area + rest[:4] + year + month + day + rest[4:]
    check = draw(st.sampled_from([id_number_check_char(body)] * 3 + list("0123456789Xx")))
    number = body + check
    edit = draw(st.sampled_from(["", "", "", "drop", "add", "letter", "wide", "newline", "sign", "space"]))
    position = draw(st.integers(0, 17))
    if edit == "drop":
        number = number[:position] + number[position + 1 :]
    elif edit == "add":
        number = number[:position] + "7" + number[position:]
    elif edit == "letter":
        number = number[:position] + "a" + number[position + 1 :]
    elif edit == "wide":
        number = number[:position] + "５" + number[position + 1 :]
    elif edit == "newline":
        number += "\n"
    elif edit == "sign":  # an integer cast would accept a leading sign
        number = draw(st.sampled_from("+-")) + number[1:]
    elif edit == "space":
        number = number[:position] + " " + number[position + 1 :]
    return number


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(near_numbers(), st.text(max_size=20)), min_size=1, max_size=40))
def test_the_vectorised_check_agrees_with_the_single_value_check(values):
    series = pl.Series(values, dtype=pl.String)
    valid = valid_id_numbers(series, TODAY)
    problems = series.to_frame("v").select(id_problem(pl.col("v"), TODAY))[:, 0]
    with translation.override("en"):
        expected = [id_number_error(v, today=TODAY) for v in values]
    assert valid.to_list() == [e is None for e in expected]
    assert problems.to_list() == [None if e is None else CODES[str(e)] for e in expected]


def test_numbers_are_stripped_and_upper_cased_before_the_check():
    parsed = parse_id_numbers(pl.Series([f" {A.lower()}\t", A, broken(A).lower(), None]), TODAY)
    assert parsed["id"].to_list() == [A, A, broken(A).upper(), ""]
    assert parsed["valid"].to_list() == [True, True, False, False]
    assert parsed["body"].to_list() == [int(A[:17]), int(A[:17]), None, None]


def test_the_engine_imports_and_reconciles_without_django():
    # The engine runs where Django is neither configured nor imported (batch jobs, the benchmark).
    script = (
        "import sys\n"
        "from weijian.poverty.engine.reconcile import reconcile, frame_from_rows\n"
        "p = frame_from_rows([{'row': 2, 'id_number': '51010119500101002X', 'name': 'a', 'village': "
        "'510101001001', 'status': 'poor'}])\n"
        "print(reconcile({'poverty': p, 'insurance': frame_from_rows([])}).findings['kind'].to_list())\n"
        "assert not any(n == 'django' or n.startswith('django.') for n in sys.modules), 'django imported'\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['not_enrolled']"
