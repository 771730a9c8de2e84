"""`weijian report`: the file round trip, and errors that name the option at fault."""

import datetime as dt
import io

import docx
import openpyxl
import pytest
from django.core.management import CommandError, call_command

from weijian.enforcement.models import PenaltyKind

from . import factories as make


@pytest.fixture
def campaign(world):
    campaign = make.campaign(world)
    salon = make.case(
        world,
        campaign,
        "beauty_unlicensed_practice",
        party="甲美容店",
        filed_on=dt.date(2026, 3, 2),
        decided_on=dt.date(2026, 3, 20),
        is_typical=True,
    )
    make.penalty(salon, PenaltyKind.FINE, amount="5000.00")
    return campaign


def _report(*args):
    out = io.StringIO()
    call_command("report", *[str(a) for a in args], stdout=out)
    return out.getvalue()


def test_the_summary_table_round_trips_through_a_file(world, campaign, tmp_path):
    path = tmp_path / "summary.xlsx"
    said = _report(
        "beauty-summary",
        "--campaign", campaign.pk,
        "--division", "369901000000",
        "--from", "2026-01-01",
        "--to", "2026-06-30",
        "--by-child",
        "--format", "xlsx",
        "--out", path,
    )  # fmt: skip
    assert str(path) in said
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["合计", "城关镇", "东山乡", "示范县本级"]
    assert book["合计"]["B7"].value == 1  # one case filed against an organisation
    assert book["城关镇"]["B7"].value == 1


def test_typical_cases_come_out_as_a_word_document(world, campaign, tmp_path):
    path = tmp_path / "cases.docx"
    _report(
        "typical-cases",
        "--campaign",
        campaign.pk,
        "--division",
        "369901000000",
        "--format",
        "docx",
        "--out",
        path,
    )
    [table] = docx.Document(path).tables
    assert [c.text for c in table.rows[1].cells][1:3] == ["甲美容店", "2026年3月20日"]


@pytest.mark.parametrize(
    "args, option",
    [
        (
            ["beauty-summary", "--campaign", "0", "--division", "369901000000", "--format", "xlsx"],
            "--campaign",
        ),
        (["beauty-summary", "--division", "369999000000", "--format", "xlsx"], "--division"),
        (
            ["beauty-summary", "--division", "369901000000", "--from", "2026-13-01", "--format", "xlsx"],
            "--from",
        ),
        (["beauty-summary", "--division", "369901000000", "--format", "docx"], "--format"),
        (["safety-checklist", "--division", "369901000000", "--format", "xlsx"], "--inspection"),
        (["typical-cases", "--division", "369901000000", "--by-child", "--format", "docx"], "--by-child"),
        (["beauty-summary", "--division", "369901000000", "--format", "xlsx", "--as", "nobody"], "--as"),
    ],
)
def test_a_bad_argument_is_named_in_the_error(world, campaign, tmp_path, args, option):
    if "--campaign" not in args:
        args = [*args, "--campaign", campaign.pk]
    with pytest.raises(CommandError) as error:
        _report(*args, "--out", tmp_path / "x")
    assert str(error.value).startswith(option)
    assert not (tmp_path / "x").exists()


def test_as_a_user_the_division_must_lie_in_their_scope(world, campaign, tmp_path):
    with pytest.raises(CommandError, match=r"^--division"):
        _report(
            "beauty-summary",
            "--campaign", campaign.pk,
            "--division", "369901000000",
            "--format", "xlsx",
            "--out", tmp_path / "x.xlsx",
            "--as", "township_staff",
        )  # fmt: skip
