import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation


@pytest.fixture(autouse=True)
def english():
    """The messages are checked in English; the default language (Chinese) is checked by the catalogue test."""
    with translation.override("en"):
        yield


HEADER = (
    "claim_id,person_id,claim_type,facility_level,admit_date,discharge_date,total,self_pay,"
    "special_exam,special_material,partial_items,special_group,for_profit"
)
ROWS = [
    # Outpatient: 30% of 1,200.00 = 360.00, over the 300.00 outpatient annual cap.
    "out-1,p1,outpatient,1,2012-05-01,2012-05-01,1200,,,,,,0",
    # Level-2 inpatient, the year's first admission: cost 10,000 − 1,000 self-pay − 300 (60% of special
    # exam 500) − 200 (50% of special material 400) − 600 (partial items 1,200 > 1,000 count 50%)
    # = 7,900; − deductible 100 = pooled 7,800; × 65% = 5,070.00.
    "in-2,p1,inpatient,2,2012-03-01,2012-03-10,10000,1000,500,400,1200,none,0",
    # 低保 at level 1: no deductible; (800 − 100) × 75% = 525.00.
    "dibao-3,p2,inpatient,1,2012-04-01,2012-04-05,800,100,,,,dibao,0",
    # A for-profit facility is excluded: nothing is paid.
    "profit-4,p3,outpatient,1,2012-04-01,2012-04-01,200,,,,,,1",
    # Normal delivery: flat 300.00, no ratio.
    "birth-5,p4,delivery_normal,1,2012-06-01,2012-06-03,2000,,,,,,0",
]
EXPECTED = (
    "claim_id,eligible,reason,deductible,pooled,ratio,reimbursed,patient_pays,cap_applied\n"
    "out-1,1,annual_cap,0.00,1200.00,0.30,300.00,900.00,1\n"
    "in-2,1,,100.00,7800.00,0.65,5070.00,4930.00,0\n"
    "dibao-3,1,,0.00,700.00,0.75,525.00,275.00,0\n"
    "profit-4,0,for_profit,0.00,0.00,,0.00,200.00,0\n"
    "birth-5,1,,0.00,2000.00,,300.00,1700.00,0\n"
)


def _claims_file(tmp_path, rows=ROWS, header=HEADER, bom=False):
    path = tmp_path / "claims.csv"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + "\n".join([header, *rows, ""]).encode())
    return path


def _settle(tmp_path, claims, *extra):
    call_command(
        "settle",
        "--policy",
        "demo-ncms",
        "--claims",
        str(claims),
        "--out",
        str(tmp_path / "settled.csv"),
        *extra,
    )


def test_claims_are_settled_by_the_policy_and_written_in_input_order(tmp_path, capsys):
    _settle(tmp_path, _claims_file(tmp_path))
    assert (tmp_path / "settled.csv").read_text(encoding="utf-8") == EXPECTED
    assert "Settled 5 claims; reimbursed 6195.00 yuan;" in capsys.readouterr().out


def test_a_claims_file_with_a_byte_order_mark_settles_the_same(tmp_path):
    _settle(tmp_path, _claims_file(tmp_path, bom=True))
    assert (tmp_path / "settled.csv").read_text(encoding="utf-8") == EXPECTED


def test_the_explanation_has_one_line_per_claim_with_signed_yuan_steps(tmp_path):
    _settle(tmp_path, _claims_file(tmp_path), "--explain", str(tmp_path / "steps.jsonl"))
    lines = (tmp_path / "steps.jsonl").read_text(encoding="utf-8").splitlines()
    explained = [json.loads(line) for line in lines]
    assert [entry["claim_id"] for entry in explained] == ["out-1", "in-2", "dibao-3", "profit-4", "birth-5"]
    assert [(step["step"], step["amount"]) for step in explained[1]["steps"]] == [
        ("total", "10000.00"),
        ("self_pay", "-1000.00"),
        ("special_exam_not_counted", "-300.00"),
        ("special_material_not_counted", "-200.00"),
        ("partial_items_not_counted", "-600.00"),
        ("deductible", "-100.00"),
        ("pooled", "7800.00"),
        ("ratio_applied", "5070.00"),
        ("reimbursed", "5070.00"),
    ]
    assert explained[1]["steps"][0]["clause"] == "篇6 §6.4.3"


def test_a_malformed_row_among_good_rows_is_named_and_nothing_is_written(tmp_path):
    rows = [*ROWS[:2], "bad-6,p5,inpatient,2,2012-02-30,2012-03-01,12.345,,,,,,0", *ROWS[2:]]
    with pytest.raises(CommandError) as raised:
        _settle(tmp_path, _claims_file(tmp_path, rows=rows), "--explain", str(tmp_path / "steps.jsonl"))
    message = str(raised.value)
    assert "row 4, column admit_date: must be a date YYYY-MM-DD, not '2012-02-30'" in message
    assert "row 4, column total: must be yuan with at most 2 decimals" in message
    assert "nothing was written" in message
    assert sorted(path.name for path in tmp_path.iterdir()) == ["claims.csv"]


def test_a_failed_run_leaves_an_earlier_output_file_untouched(tmp_path):
    (tmp_path / "settled.csv").write_text("earlier run\n")
    with pytest.raises(CommandError):
        _settle(tmp_path, _claims_file(tmp_path, rows=["x,p1,inpatient,9,2012-01-01,2012-01-01,1,,,,,,0"]))
    assert (tmp_path / "settled.csv").read_text() == "earlier run\n"


def test_an_unknown_column_is_refused(tmp_path):
    claims = _claims_file(tmp_path, header=HEADER + ",colour", rows=[row + ",red" for row in ROWS])
    with pytest.raises(CommandError, match="row 1, column colour: is not a known column"):
        _settle(tmp_path, claims)
    assert not (tmp_path / "settled.csv").exists()


def test_a_duplicate_claim_id_is_refused(tmp_path):
    with pytest.raises(CommandError, match="row 7, column claim_id: in-2 repeats row 3"):
        _settle(tmp_path, _claims_file(tmp_path, rows=[*ROWS, ROWS[1]]))
    assert not (tmp_path / "settled.csv").exists()


def test_many_bad_rows_are_listed_up_to_fifty_then_counted(tmp_path):
    rows = [f"c{n},p1,outpatient,1,2012-01-01,2012-01-01,x,,,,,,0" for n in range(60)]
    with pytest.raises(CommandError) as raised:
        _settle(tmp_path, _claims_file(tmp_path, rows=rows))
    message = str(raised.value)
    assert "row 51, column total" in message
    assert "row 52, column total" not in message
    assert message.endswith("and 10 more")


def test_an_unknown_policy_names_the_available_ones(tmp_path):
    with pytest.raises(CommandError, match="no policy named county-x; available: demo-ncms"):
        call_command(
            "settle",
            "--policy",
            "county-x",
            "--claims",
            str(_claims_file(tmp_path)),
            "--out",
            str(tmp_path / "o.csv"),
        )


def test_the_batch_path_and_the_explained_path_write_the_same_settlements(tmp_path):
    # Without --explain the file is settled column by column; with it, claim by claim.
    rows = [
        *(row + "," for row in ROWS),
        "in-6,p1,inpatient,2,2012-03-12,2012-03-20,250000.5,,,,,wubao,0,",
        "in-7,p1,inpatient,3,2012-08-01,2012-08-09,99.99,0.99,,,,,0,",
        '"quoted,id",p5,outpatient,1,2012-05-01,2012-05-01,10,,,,,,0,',
        "cat-8,p6,cataract_outpatient,1,2012-05-01,2012-05-01,3000,,,,,,0,2",
    ]
    claims = _claims_file(tmp_path, rows=rows, header=HEADER + ",eyes")
    _settle(tmp_path, claims)
    batch = (tmp_path / "settled.csv").read_bytes()
    _settle(tmp_path, claims, "--explain", str(tmp_path / "steps.jsonl"))
    assert (tmp_path / "settled.csv").read_bytes() == batch
    assert batch.count(b"\n") == len(rows) + 1
    assert b'"quoted,id",1,' in batch


def test_a_claims_file_with_only_a_header_writes_only_the_header(tmp_path, capsys):
    _settle(tmp_path, _claims_file(tmp_path, rows=[]))
    assert (tmp_path / "settled.csv").read_text(encoding="utf-8") == EXPECTED.splitlines(keepends=True)[0]
    assert "Settled 0 claims; reimbursed 0.00 yuan;" in capsys.readouterr().out
