import datetime
import io
import subprocess
import sys
from fractions import Fraction

import pytest

from weijian.insurance import csvio
from weijian.insurance.engine.policy import demo_policy
from weijian.insurance.engine.scalar import settle_year

HEADER = "claim_id,person_id,claim_type,facility_level,admit_date,discharge_date,total"


def _problems(text: str) -> list[str]:
    with pytest.raises(csvio.ClaimsFileError) as raised:
        csvio.parse_claims(text)
    return [str(problem) for problem in raised.value.problems]


def test_a_row_becomes_a_claim_in_fen_with_engine_defaults_for_absent_columns():
    (claim,) = csvio.parse_claims(f"{HEADER}\nc1,p1,inpatient,2,2012-03-01,2012-03-10,1234.5\n")
    assert claim.total == 123450
    assert claim.facility_level == 2
    assert claim.discharge_date == datetime.date(2012, 3, 10)
    assert claim.designated is True
    assert claim.special_group == "none"


def test_columns_may_come_in_any_order_and_flags_map_to_booleans():
    text = (
        "total,for_profit,special_group,discharge_date,admit_date,facility_level,claim_type,person_id,claim_id\n"
        "80,1,dibao,2012-01-02,2012-01-02,1,outpatient,p9,c9\n"
    )
    (claim,) = csvio.parse_claims(text)
    assert (claim.claim_id, claim.person_id, claim.total) == ("c9", "p9", 8000)
    assert claim.for_profit is True
    assert claim.special_group == "dibao"


def test_a_byte_order_mark_before_the_header_is_ignored(tmp_path):
    path = tmp_path / "claims.csv"
    path.write_bytes(b"\xef\xbb\xbf" + f"{HEADER}\nc1,p1,outpatient,1,2012-01-02,2012-01-02,10\n".encode())
    (claim,) = csvio.read_claims(path)
    assert claim.claim_id == "c1"


def test_a_file_that_is_not_utf8_is_refused(tmp_path):
    path = tmp_path / "claims.csv"
    path.write_bytes(f"{HEADER}\n".encode() + "c1,张三".encode("gb18030"))
    with pytest.raises(csvio.ClaimsFileError, match="row 2, column -: is not UTF-8 text"):
        csvio.read_claims(path)


def test_unknown_and_missing_columns_are_reported_on_the_header_row():
    problems = _problems("claim_id,person_id,claim_type,facility_level,admit_date,discharge_date,colour\n")
    assert problems[0].startswith("row 1, column colour: is not a known column")
    assert problems[1:] == ["row 1, column total: is required"]


def test_every_bad_cell_is_reported_with_its_spreadsheet_row_and_column():
    text = (
        f"{HEADER},blood\n"
        "c1,p1,inpatient,2,2012-03-01,2012-03-10,100,\n"
        "c2,p1,surgery,4,2012-13-01,2012-03-10,1.234,-5\n"
        "\n"
        "c3,p1,outpatient,1,2012-03-01,2012-03-01,,\n"
    )
    assert _problems(text) == [
        "row 3, column claim_type: must be one of inpatient | outpatient | chronic_outpatient | "
        "delivery_normal | delivery_pathological | cataract_outpatient | tcm_outpatient, not 'surgery'",
        "row 3, column facility_level: must be 1, 2 or 3, not '4'",
        "row 3, column admit_date: must be a date YYYY-MM-DD, not '2012-13-01'",
        "row 3, column total: must be yuan with at most 2 decimals, e.g. 1234.50, not '1.234'",
        "row 3, column blood: must be yuan with at most 2 decimals, e.g. 1234.50, not '-5'",
        "row 5, column total: is required",
    ]


def test_a_row_the_engine_refuses_is_reported_with_the_engine_rule():
    text = f"{HEADER},self_pay\nc1,p1,inpatient,2,2012-03-10,2012-03-01,100,\nc2,p1,outpatient,1,2012-03-01,2012-03-01,100,200\n"
    assert _problems(text) == [
        "row 2, column discharge_date: is before admit_date",
        "row 3, column total: is less than the sum of self_pay, special_exam, special_treatment, blood, "
        "special_material, partial_items, excluded_amount",
    ]


def test_a_repeated_claim_id_names_the_row_it_repeats():
    text = f"{HEADER}\nc1,p1,outpatient,1,2012-03-01,2012-03-01,10\nc1,p2,outpatient,1,2012-03-02,2012-03-02,10\n"
    assert _problems(text) == ["row 3, column claim_id: c1 repeats row 2"]


def test_cells_beyond_the_header_are_refused():
    text = f"{HEADER}\nc1,p1,outpatient,1,2012-03-01,2012-03-01,10,stray\n"
    assert _problems(text) == ["row 2, column H: is outside the header"]


def test_problems_beyond_the_limit_are_counted_not_listed():
    problems = [csvio.Problem(row, "total", "is required") for row in range(2, 9)]
    assert csvio.describe(problems, limit=5)[-2:] == ["row 6, column total: is required", "and 2 more"]


@pytest.mark.parametrize(
    ("ratio", "text"),
    [
        (Fraction(65, 100), "0.65"),
        (Fraction(3, 10), "0.30"),
        (Fraction(715, 1000), "0.715"),
        (Fraction(1), "1.00"),
        (None, ""),
    ],
)
def test_a_ratio_is_written_as_a_decimal_with_at_least_two_places(ratio, text):
    assert csvio.format_ratio(ratio) == text


def test_output_rows_hold_yuan_with_two_decimals_and_an_empty_reason_when_nothing_was_adjusted():
    claims = csvio.parse_claims(f"{HEADER}\nc1,p1,outpatient,1,2012-03-01,2012-03-01,10\n")
    handle = io.StringIO()
    csvio.write_settlements(settle_year(claims, demo_policy()), handle)
    assert handle.getvalue() == (
        "claim_id,eligible,reason,deductible,pooled,ratio,reimbursed,patient_pays,cap_applied\n"
        "c1,1,,0.00,10.00,0.30,3.00,7.00,0\n"
    )


def test_when_one_file_cannot_be_written_no_file_is_left_behind(tmp_path):
    def fail(handle):
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        csvio.write_files({tmp_path / "a.csv": lambda handle: handle.write("x"), tmp_path / "b.jsonl": fail})
    assert list(tmp_path.iterdir()) == []


def test_the_file_contract_reads_and_writes_without_django(tmp_path):
    # Batch jobs and benchmarks use the same reader and writer where Django is not configured.
    script = (
        "import io, sys\n"
        "from weijian.insurance import csvio\n"
        "from weijian.insurance.engine.policy import demo_policy\n"
        "from weijian.insurance.engine.scalar import settle_year\n"
        f"claims = csvio.parse_claims({HEADER!r} + '\\nc1,p1,outpatient,1,2012-03-01,2012-03-01,10\\n')\n"
        "out = io.StringIO()\n"
        "csvio.write_settlements(settle_year(claims, demo_policy()), out)\n"
        "print(out.getvalue().splitlines()[1])\n"
        "assert not any(name == 'django' or name.startswith('django.') for name in sys.modules), 'django imported'\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "c1,1,,0.00,10.00,0.30,3.00,7.00,0"
