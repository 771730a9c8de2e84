"""The columnar reader and writer keep the file contract of the row reader and writer exactly."""

import io
from unittest import mock

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from weijian.insurance import csvio
from weijian.insurance.engine.batch import REASONS, settle_batch
from weijian.insurance.engine.policy import demo_policy
from weijian.insurance.engine.scalar import CLAIM_TYPES, settle_year

HEADER = "claim_id,person_id,claim_type,facility_level,admit_date,discharge_date,total"
OPTIONAL = (
    "self_pay",
    "blood",
    "tcm_amount",
    "other_insurance_paid",
    "designated",
    "for_profit",
    "special_group",
    "eyes",
    "disease",
    "chronic_disease",
    "specialist",
)
POLICY = demo_policy()


def _row_verdict(text):
    try:
        return csvio.parse_claims(text)
    except csvio.ClaimsFileError as error:
        return [str(problem) for problem in error.problems]


def _columnar_verdict(text):
    try:
        return csvio.claims_from_columns(csvio.parse_claims_columns(text))
    except csvio.ClaimsFileError as error:
        return [str(problem) for problem in error.problems]


yuan = st.one_of(
    st.integers(0, 10**9).map(lambda fen: f"{fen // 100}.{fen % 100:02d}"),
    st.integers(0, 10**6).map(str),
    st.integers(0, 10**6).map(lambda fen: f"{fen // 10}.{fen % 10}"),
)
odd_cells = st.sampled_from(["", " ", "x", "1.234", "-5", "１２", "2012-02-30", "1e3", ".5", "5.", "0"])


@st.composite
def claim_files(draw, valid=True):
    columns = [*HEADER.split(","), *draw(st.lists(st.sampled_from(OPTIONAL), unique=True, max_size=6))]
    columns = draw(st.permutations(columns))
    lines = [",".join(columns)]
    for index in range(draw(st.integers(0, 25))):
        discharge = draw(st.integers(1, 28))
        kind = draw(st.sampled_from(CLAIM_TYPES))
        cells = {
            "claim_id": draw(
                st.sampled_from([f"c{index}", f"c{index}", f" c{index} ", f"c{index % 4}", "张三"])
            ),
            "person_id": draw(st.sampled_from(["p1", "p2", "p三", " p1"])),
            "claim_type": kind,
            "facility_level": draw(st.sampled_from("123")),
            "admit_date": f"2012-03-{draw(st.integers(1, discharge)):02d}",
            "discharge_date": f"2012-03-{discharge:02d}",
            "total": draw(yuan),
            "self_pay": draw(st.sampled_from(["", "0", "1.5"])),
            "blood": draw(st.sampled_from(["", "2"])),
            "tcm_amount": draw(st.sampled_from(["", "0", "3"])),
            "other_insurance_paid": draw(st.sampled_from(["", "1"])),
            "designated": draw(st.sampled_from(["", "0", "1"])),
            "for_profit": draw(st.sampled_from(["", "0", "1"])),
            "specialist": draw(st.sampled_from(["", "0", "1"])),
            "special_group": draw(st.sampled_from(["", "none", "dibao", "wubao"])),
            "eyes": "1" if kind == "cataract_outpatient" else draw(st.sampled_from(["", "0"])),
            "disease": draw(st.sampled_from(["", "stroke", "viral_hepatitis"])),
            "chronic_disease": "hypertension" if kind == "chronic_outpatient" else "",
        }
        if not valid and draw(st.booleans()):
            cells[draw(st.sampled_from(columns))] = draw(odd_cells)
        line = ",".join(cells[name] for name in columns)
        if not valid:
            line += draw(st.sampled_from(["", "", ",", ",stray"]))
            if draw(st.integers(0, 9)) == 0:
                line = ""
        lines.append(line)
    ending = draw(st.sampled_from(["\n", "\r\n"]))
    return ending.join(lines) + draw(st.sampled_from(["", ending]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(claim_files(valid=True))
def test_the_columnar_reader_reads_valid_files_as_the_row_reader(text):
    assert _columnar_verdict(text) == _row_verdict(text)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(claim_files(valid=False))
def test_the_columnar_reader_names_bad_cells_as_the_row_reader(text):
    assert _columnar_verdict(text) == _row_verdict(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n" + HEADER + "\n",
        f'{HEADER}\n"c,1",p1,outpatient,1,2012-03-01,2012-03-01,10\n"c""2",p1,outpatient,1,2012-03-01,2012-03-01,10\n',
        f'{HEADER}\n"c\n3",p1,outpatient,1,2012-03-01,2012-03-01,10\nc4,p1,outpatient,1,2012-03-01,2012-03-01,x\n',
        f"{HEADER}\n\u3000c1\u3000,p1,outpatient,1,2012-03-01,2012-03-01,10\n",
        f"{HEADER}\nc1,p1,outpatient,1,2012-03-01,2012-03-01,10\rc2,p1,outpatient,1,2012-03-01,2012-03-01,10\r",
        f"{HEADER}\nc1,p1,cataract_outpatient,1,2012-03-01,2012-03-01,10\nc2,p1,chronic_outpatient,1,2012-03-02,2012-03-01,10\n",
        f"{HEADER}\nc1,p1,outpatient,1,2012-03-01,2012-03-01,10,,,x\n,,,,,,,,\n  ,\t\nc1,p1,outpatient,1,2012-03-01,2012-03-01,10\n",
    ],
)
def test_quoted_multiline_and_odd_files_get_the_row_readers_verdict(text):
    assert _columnar_verdict(text) == _row_verdict(text)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(claim_files(valid=True))
def test_batch_and_scalar_paths_write_the_same_bytes(text):
    claims = _row_verdict(text)
    if not claims or isinstance(claims[0], str):
        return
    scalar = io.StringIO()
    csvio.write_settlements(settle_year(claims, POLICY), scalar)
    columns = csvio.parse_claims_columns(text)
    batch = io.StringIO()
    csvio.write_settlement_columns(columns.claim_ids, settle_batch(columns.table, POLICY), batch)
    assert batch.getvalue() == scalar.getvalue()


@given(st.lists(st.text(min_size=1, max_size=6), min_size=1, max_size=8, unique=True))
def test_claim_ids_are_quoted_as_the_csv_module_quotes_them(ids):
    ids = [item for item in ids if "\0" not in item] or ["x"]
    size = len(ids)
    zeros = np.zeros(size, dtype=np.int64)
    settled = {
        "eligible": np.ones(size, dtype=bool),
        "reason": zeros,
        "deductible": zeros,
        "pooled": zeros + 123456,
        "ratio_numerator": zeros + 13,
        "ratio_denominator": zeros + 20,
        "reimbursed": zeros + 5,
        "patient_pays": zeros + 99,
        "cap_applied": np.zeros(size, dtype=bool),
    }
    batch = io.StringIO()
    csvio.write_settlement_columns(np.array([item.encode() for item in ids], dtype=bytes), settled, batch)
    expected = io.StringIO()
    csvio.csv.DictWriter(expected, fieldnames=csvio.OUTPUT_COLUMNS, lineterminator="\n").writeheader()
    for item in ids:
        line = f"{item},1,,0.00,1234.56,0.65,0.05,0.99,0\n"
        writer = io.StringIO()
        csvio.csv.writer(writer, lineterminator="\n").writerow([item, ""])
        expected.write(writer.getvalue()[:-2] + line[len(item) :])
    assert batch.getvalue() == expected.getvalue()


# Plain files (no quotes, NUL or non-ASCII whitespace) are tokenised and decided by polars; a file with a
# line longer than the header is left to the numpy tokeniser. Both must keep the row reader's verdicts.

amount_like = st.one_of(
    yuan,
    st.sampled_from(
        ["+5", "-5", "1e3", ".5", "5.", "1.234", "٣", "１２", "0x5", "1_000", "00012.30", "12,5"]
    ),
    st.sampled_from(["9999999999999.99", "10000000000000", "0000000000000000001", "inf", "NaN"]),
    st.text(alphabet="0123456789.+-e ", max_size=8),
)
date_like = st.one_of(
    st.dates().map(str),
    st.sampled_from(["2012-02-30", "2012-3-01", "0000-01-01", "+012-03-01", "2012-03-01T00", "٢٠١٢-٠٣-٠١"]),
    st.text(alphabet="0123-", max_size=11),
)
padding = st.sampled_from(["", "", "", " ", "\t", "  ", "\x0b", "\x1f"])


@st.composite
def odd_plain_files(draw):
    """Plain files (no quotes) with odd cells, padding, short and blank rows, many distinct texts."""
    columns = [*HEADER.split(","), *draw(st.lists(st.sampled_from(OPTIONAL), unique=True, max_size=11))]
    columns = draw(st.permutations(columns))
    diseases = draw(
        st.sampled_from([["stroke", "viral_hepatitis", ""], [f"d{index}" for index in range(80)]])
    )
    lines = [",".join(columns)]
    for index in range(draw(st.integers(0, 30))):
        kind = draw(st.sampled_from(CLAIM_TYPES))
        cells = {
            "claim_id": draw(st.sampled_from([f"c{index}", f"c{index % 3}", "张三", ""])),
            "person_id": draw(st.sampled_from(["p1", "p2", "p三", ""])),
            "claim_type": draw(st.sampled_from([kind, kind, "Inpatient", "x"])),
            "facility_level": draw(st.sampled_from(["1", "2", "3", "4", "01", ""])),
            "admit_date": draw(st.one_of(st.just("2012-03-01"), date_like)),
            "discharge_date": draw(st.one_of(st.just("2012-03-09"), date_like)),
            "total": draw(amount_like),
            "self_pay": draw(amount_like),
            "blood": draw(st.sampled_from(["", "2", "2.5"])),
            "tcm_amount": draw(amount_like),
            "other_insurance_paid": draw(st.sampled_from(["", "1", "99999999"])),
            "designated": draw(st.sampled_from(["", "0", "1", "2", "yes"])),
            "for_profit": draw(st.sampled_from(["", "0", "1"])),
            "specialist": draw(st.sampled_from(["", "0", "1"])),
            "special_group": draw(st.sampled_from(["", "none", "dibao", "wubao", "Dibao"])),
            "eyes": draw(st.sampled_from(["", "0", "1", "2", "3"])),
            "disease": draw(st.sampled_from(diseases)),
            "chronic_disease": draw(st.sampled_from(["", "hypertension", "diabetes"])),
        }
        row = [draw(padding) + cells[name] + draw(padding) for name in columns]
        shape = draw(st.integers(0, 9))
        if shape == 0:
            row = row[: draw(st.integers(0, len(row)))]  # a short row
        elif shape == 1:
            row = [draw(padding) for _ in row]  # a blank row
        lines.append(",".join(row))
    ending = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    return ending.join(lines) + draw(st.sampled_from(["", ending]))


def _settled_verdict(text):
    """The columnar verdict, or the row reader's where amounts are beyond the columnar range (as the
    command does)."""
    try:
        return _columnar_verdict(text)
    except csvio.NotColumnar:
        return _row_verdict(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(odd_plain_files())
def test_polars_reads_odd_plain_files_as_the_row_reader(text):
    with mock.patch.object(csvio, "_tokenise_frame", wraps=csvio._tokenise_frame) as frame:
        assert _settled_verdict(text) == _row_verdict(text)
    assert frame.call_count == 1


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(odd_plain_files(), claim_files(valid=False)))
def test_the_numpy_tokeniser_still_reads_files_as_the_row_reader(text):
    with mock.patch.object(csvio, "_tokenise_frame", return_value=None):
        assert _settled_verdict(text) == _row_verdict(text)


def test_polars_takes_rectangular_plain_files_and_leaves_the_rest():
    row = "c1,p1,outpatient,1,2012-03-01,2012-03-01,10"
    assert csvio._tokenise_frame(f"{HEADER}\n{row}\n\n{row[:8]}\n".encode()) is not None
    # A line longer than the header: polars would refuse it, the numpy tokeniser reads it.
    assert csvio._tokenise_frame(f"{HEADER}\n{row},\n".encode()) is None
    assert csvio._tokenise_frame(f"{HEADER}\n".encode()) is None
    for text in (f'{HEADER}\n"c1",p1,outpatient,1,2012-03-01,2012-03-01,10\n', f"{HEADER}\n\u3000{row}\n"):
        with mock.patch.object(csvio, "_tokenise_frame") as frame:
            assert _columnar_verdict(text) == _row_verdict(text)
        frame.assert_not_called()


settled_columns = st.integers(1, 30).flatmap(
    lambda size: st.fixed_dictionaries(
        {
            "ids": st.lists(
                st.text(
                    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters=',"\r\n\0'),
                    min_size=1,
                    max_size=6,
                ),
                min_size=size,
                max_size=size,
            ),
            "fen": st.lists(st.integers(0, 10**13), min_size=4 * size, max_size=4 * size),
            "reason": st.lists(st.integers(0, len(REASONS) - 1), min_size=size, max_size=size),
            "ratio": st.lists(
                st.one_of(st.just((0, 0)), st.tuples(st.integers(0, 7), st.integers(1, 7))),
                min_size=size,
                max_size=size,
            ),
            "flags": st.lists(st.booleans(), min_size=2 * size, max_size=2 * size),
        }
    )
)


@settings(max_examples=100, deadline=None)
@given(settled_columns)
def test_polars_writes_the_settlements_file_byte_for_byte_as_numpy(drawn):
    size = len(drawn["ids"])
    fen = np.array(drawn["fen"], dtype=np.int64).reshape(4, size)
    flags = np.array(drawn["flags"]).reshape(2, size)
    settled = {
        "eligible": flags[0],
        "cap_applied": flags[1],
        "reason": np.array(drawn["reason"], dtype=np.int8),
        # 0/0 is no ratio (flat rate or ineligible), as the batch engine marks it.
        "ratio_numerator": np.array([n for n, _ in drawn["ratio"]], dtype=np.int64),
        "ratio_denominator": np.array([d for _, d in drawn["ratio"]], dtype=np.int64),
        **dict(zip(("deductible", "pooled", "reimbursed", "patient_pays"), fen, strict=True)),
    }
    ids = np.array([item.encode() for item in drawn["ids"]], dtype=bytes)
    by_polars = io.StringIO()
    with mock.patch.object(csvio, "_settlements_text", wraps=csvio._settlements_text) as polars_writer:
        csvio.write_settlement_columns(ids, settled, by_polars)
    assert polars_writer.call_count == 1
    by_numpy = io.StringIO()
    with mock.patch.object(csvio, "_plain_ids", return_value=False):
        csvio.write_settlement_columns(ids, settled, by_numpy)
    assert by_polars.getvalue() == by_numpy.getvalue()
