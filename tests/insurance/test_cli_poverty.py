"""`weijian settle --policy demo-poverty`: the layer columns, on both paths, and the major-disease check."""

import csv
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from weijian.insurance.csvio import LAYER_COLUMNS


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


HEADER = "claim_id,person_id,claim_type,facility_level,admit_date,discharge_date,total,disease,poor,major_disease,over_treatment"
ROWS = [
    # Level-2 poor stay of 50,000, no deductible: basic 32,500; serious (17,500 − 6,000) × 55% = 6,325;
    # supplementary 11,175 × 70% = 7,822.50; assistance 3,352.50 × 10% = 335.25; love fund (stroke)
    # 3,017.25 × 40% = 1,206.90; waiver 80; patient 1,730.35.
    "a,p1,inpatient,2,2012-01-01,2012-01-05,50000,stroke,1,,0",
    # Major disease at level 3, 90,000: basic 40% capped at the 12,500 left of 45,000; insurance 70% =
    # 63,000 → serious 50,500; supplementary 27% = 24,300; patient 3% = 2,700.
    "b,p1,inpatient,3,2012-02-01,2012-02-05,90000,,1,mdr_tb,0",
    # Over-treatment at level 3, 90,000: basic 0 (cap spent); serious 107,500 − 6,000 → 55,825 − 6,325 =
    # 49,500; supplementary 40,500 × 70% = 28,350; assistance 1,215; own 10,935 > 8,550: the hospital
    # bears 2,385.
    "c,p1,inpatient,3,2012-03-01,2012-03-05,90000,,1,,1",
    # Not poor, outpatient: basic 30% only.
    "d,p2,outpatient,1,2012-03-01,2012-03-01,90,,0,,",
]
EXPECTED = (
    "claim_id,eligible,reason,deductible,pooled,ratio,reimbursed,patient_pays,cap_applied,"
    "basic,serious_illness,supplementary,assistance,funds,waiver,backstop,hospital_borne\n"
    "a,1,,0.00,50000.00,0.65,32500.00,1730.35,0,32500.00,6325.00,7822.50,335.25,1206.90,80.00,0.00,0.00\n"
    "b,1,annual_cap,0.00,90000.00,0.40,12500.00,2700.00,1,12500.00,50500.00,24300.00,0.00,0.00,0.00,0.00,0.00\n"
    "c,1,annual_cap,0.00,90000.00,0.40,0.00,8550.00,1,0.00,49500.00,28350.00,1215.00,0.00,0.00,0.00,2385.00\n"
    "d,1,,0.00,90.00,0.30,27.00,63.00,0,27.00,0.00,0.00,0.00,0.00,0.00,0.00,0.00\n"
)


def _claims_file(tmp_path, rows=ROWS):
    path = tmp_path / "claims.csv"
    path.write_text("\n".join([HEADER, *rows, ""]), encoding="utf-8")
    return path


def _settle(tmp_path, claims, *extra, policy="demo-poverty"):
    out = tmp_path / "settled.csv"
    call_command("settle", "--policy", policy, "--claims", str(claims), "--out", str(out), *extra)
    return out.read_text(encoding="utf-8")


def test_demo_poverty_writes_every_layer_and_the_patients_share(tmp_path):
    assert _settle(tmp_path, _claims_file(tmp_path)) == EXPECTED


def test_the_explained_path_writes_the_same_file(tmp_path):
    text = _settle(tmp_path, _claims_file(tmp_path), "--explain", str(tmp_path / "steps.jsonl"))
    assert text == EXPECTED
    assert '"step": "hospital_borne"' in (tmp_path / "steps.jsonl").read_text(encoding="utf-8")


def test_the_layers_and_the_patients_share_add_up_to_the_total_on_every_row(tmp_path):
    text = _settle(tmp_path, _claims_file(tmp_path))
    totals = {row.split(",")[0]: Decimal(row.split(",")[6]) for row in ROWS}
    for row in csv.DictReader(text.splitlines()):
        paid = sum(Decimal(row[name]) for name in (*LAYER_COLUMNS, "patient_pays"))
        assert paid == totals[row["claim_id"]]


def test_demo_ncms_ignores_the_poverty_columns_and_writes_its_usual_columns(tmp_path):
    text = _settle(tmp_path, _claims_file(tmp_path), policy="demo-ncms")
    assert (
        text.splitlines()[0]
        == "claim_id,eligible,reason,deductible,pooled,ratio,reimbursed,patient_pays,cap_applied"
    )
    assert text.splitlines()[1] == "a,1,,100.00,49900.00,0.65,32435.00,17565.00,0"


@pytest.mark.parametrize("explain", [False, True])
def test_a_major_disease_not_on_the_list_is_reported_with_row_and_column(tmp_path, explain):
    rows = [*ROWS[:2], "x,p3,inpatient,2,2012-01-01,2012-01-05,1000,,1,flu,0"]
    extra = ("--explain", str(tmp_path / "steps.jsonl")) if explain else ()
    with pytest.raises(
        CommandError, match="row 4, column major_disease: is not one of the policy's major diseases: 'flu'"
    ):
        _settle(tmp_path, _claims_file(tmp_path, rows), *extra)
    assert not (tmp_path / "settled.csv").exists()


def test_a_poor_flag_other_than_0_or_1_is_reported(tmp_path):
    rows = ["a,p1,inpatient,2,2012-01-01,2012-01-05,50000,stroke,yes,,0"]
    with pytest.raises(CommandError, match="row 2, column poor: must be 0 or 1"):
        _settle(tmp_path, _claims_file(tmp_path, rows))
