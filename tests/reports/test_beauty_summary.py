"""医疗美容专项整治工作汇总表: every cell counts the records it says it counts; blank stays blank and
zero stays zero; the county's form is the sum of its parts; the sheet has the source's layout."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest

from weijian.enforcement.models import PenaltyKind
from weijian.reports.areas import Area
from weijian.reports.engine.periods import Period
from weijian.reports.forms import FORMS, Request
from weijian.reports.forms import beauty_summary as form

from . import factories as make

PERIOD = Period(dt.date(2026, 1, 1), dt.date(2026, 6, 30))
UP, MI, DRUGS, DEVICES, AD, INTERNET, POSTAL = form.CATEGORY_CODES
ORG, PERSON = "organisation", "person"


@pytest.fixture
def scenario(world):
    """A campaign with records inside and outside the period, the campaign and county A."""
    campaign = make.campaign(world)
    other_campaign = make.campaign(world, name="另一专项行动")

    satisfied = make.complaint(
        world,
        campaign,
        received_on=dt.date(2026, 3, 1),
        handled_on=dt.date(2026, 3, 10),
        replied_on=dt.date(2026, 3, 12),
        satisfaction="satisfied",
    )
    rated_basically = make.complaint(
        world,
        campaign,
        received_on=dt.date(2026, 4, 1),
        division="t2",
        handled_on=dt.date(2026, 4, 9),
        replied_on=dt.date(2026, 4, 10),
        satisfaction="basically",
    )
    make.complaint(world, campaign, received_on=dt.date(2026, 5, 1))
    make.complaint(world, campaign, received_on=dt.date(2025, 12, 31), handled_on=dt.date(2026, 1, 5))
    make.complaint(world, campaign, division="tb1")
    make.complaint(world, other_campaign)

    # 检查对象数: the salon checked twice counts once.
    make.site_check(world, campaign, UP, party="甲美容店", on=dt.date(2026, 3, 1))
    make.site_check(world, campaign, UP, party="甲美容店", on=dt.date(2026, 3, 8))
    make.site_check(world, campaign, UP, party="张某", person=True, division="t2", on=dt.date(2026, 4, 1))
    make.site_check(world, campaign, MI, institution="beauty_t1", on=dt.date(2026, 3, 5))
    make.site_check(world, campaign, DRUGS, party="乙店", on=dt.date(2026, 8, 1))  # after the period
    make.site_check(world, other_campaign, DEVICES, party="丙店")
    make.site_check(world, campaign, AD, party="丁店", division="tb1")  # county B

    salon = make.case(
        world,
        campaign,
        UP,
        party="甲美容店",
        filed_on=dt.date(2026, 3, 2),
        decided_on=dt.date(2026, 3, 20),
        complaint=satisfied,
    )
    make.penalty(salon, PenaltyKind.FINE, amount="5000.00")
    make.penalty(salon, PenaltyKind.CONFISCATION, amount="1234.56")
    make.penalty(salon, PenaltyKind.CORRECTION_ORDER)
    make.transfer(salon, sent_on=dt.date(2026, 3, 25))

    person = make.case(
        world,
        campaign,
        UP,
        party="张某",
        person=True,
        division="t2",
        filed_on=dt.date(2026, 4, 2),
        decided_on=dt.date(2026, 4, 10),
    )
    make.penalty(person, PenaltyKind.WARNING)
    make.penalty(person, PenaltyKind.FINE, amount="2000.00")

    clinic = make.case(
        world,
        campaign,
        MI,
        institution="beauty_t1",
        filed_on=dt.date(2026, 5, 1),
        decided_on=dt.date(2026, 5, 20),
    )
    make.penalty(clinic, PenaltyKind.WARNING)
    make.penalty(clinic, PenaltyKind.WARNING, subject_type=PERSON)  # its doctor warned too
    make.penalty(clinic, PenaltyKind.SUSPENSION)
    make.penalty(clinic, PenaltyKind.REVOCATION, description="医疗机构执业许可证")

    # Filed before the period, decided in it: the penalty counts, the case does not.
    earlier = make.case(
        world,
        campaign,
        MI,
        institution="beauty_t1",
        filed_on=dt.date(2025, 12, 20),
        decided_on=dt.date(2026, 1, 10),
    )
    make.penalty(earlier, PenaltyKind.FINE, amount="10000.00")

    make.case(
        world, campaign, AD, party="戊广告公司", filed_on=dt.date(2026, 6, 1), complaint=rated_basically
    )
    later = make.case(
        world,
        campaign,
        POSTAL,
        party="某快递点",
        filed_on=dt.date(2026, 7, 15),
        decided_on=dt.date(2026, 7, 20),
    )
    make.penalty(later, PenaltyKind.WARNING)
    make.case(world, other_campaign, UP, party="己店", filed_on=dt.date(2026, 3, 3))
    make.case(world, campaign, UP, party="庚店", division="tb1", filed_on=dt.date(2026, 3, 3))
    return campaign


def test_every_cell_counts_the_records_of_the_campaign_subtree_and_period(world, scenario):
    summary = form.compute(scenario, world.divisions["county_a"], PERIOD)
    z = Decimal(0)
    blank2 = (None, None)
    assert summary.inspected == (2, 1, None, None, 0, None, None)
    #                 无证行医       医疗机构              药品     器械     广告 网信  寄递
    expected = {
        "案件数": (1, 1, 1, 0, *blank2, *blank2, 1, None, None),
        "责令改正数": (1, 0, 0, 0, *blank2, *blank2, 0, None, None),
        "警告数": (0, 1, 1, 1, *blank2, *blank2, 0, None, None),
        "责令停业整顿户数": (0, 0, 1, 0, *blank2, *blank2, 0, None, None),
        "罚款户(人)次": (1, 1, 1, 0, *blank2, *blank2, 0, None, None),
        "罚款金额(万元)": (Decimal("0.5"), Decimal("0.2"), Decimal(1), z, *blank2, *blank2, z, None, None),
        "没收违法所得(万元)": (Decimal("0.123456"), z, z, z, *blank2, *blank2, z, None, None),
        "吊销行政许可资质": (0, 0, 1, 0, *blank2, *blank2, 0, None, None),
        "移送司法机关": (1, 0, 0, 0, *blank2, *blank2, 0, None, None),
    }
    assert dict(zip([label for label, _m in form.ROWS], summary.rows, strict=True)) == expected
    assert summary.complaints == form.ComplaintCounts(
        received=3, closed=2, penalised=1, replied=2, satisfied=1
    )


def test_amounts_are_exact_decimals_in_ten_thousand_yuan(world, scenario):
    summary = form.compute(scenario, world.divisions["county_a"], PERIOD)
    amount = summary.cell("没收违法所得(万元)", (UP, ORG))
    assert isinstance(amount, Decimal)
    assert amount * 10000 == Decimal("1234.56")


def test_a_column_without_records_is_blank_and_one_with_records_shows_zeros(world):
    campaign = make.campaign(world)
    make.site_check(world, campaign, INTERNET, party="某网站", on=dt.date(2026, 2, 1))
    summary = form.compute(campaign, world.divisions["county_a"], PERIOD)
    internet = form.DATA_COLUMNS.index((INTERNET, None))
    assert summary.inspected == (None, None, None, None, None, 1, None)
    for row in summary.rows:
        assert row[internet] == 0
        assert [cell for i, cell in enumerate(row) if i != internet] == [None] * 10
    assert summary.complaints == form.ComplaintCounts()


def test_a_township_form_counts_only_its_township(world, scenario):
    t2 = form.compute(scenario, world.divisions["t2"], PERIOD)
    assert t2.inspected == (1, None, None, None, None, None, None)
    assert t2.cell("案件数", (UP, PERSON)) == 1
    assert t2.cell("案件数", (UP, ORG)) == 0
    assert t2.cell("案件数", (MI, ORG)) is None
    assert t2.complaints == form.ComplaintCounts(received=1, closed=1, penalised=0, replied=1, satisfied=0)


def test_the_county_form_is_the_cell_wise_sum_of_its_township_forms(world, scenario):
    county = form.compute(scenario, world.divisions["county_a"], PERIOD)
    townships = [form.compute(scenario, world.divisions[t], PERIOD) for t in ("t1", "t2")]
    assert form.rollup(townships, area_name="示范县") == county


def test_records_at_county_level_make_the_own_level_part_of_the_roll_up(world, scenario):
    hospital = make.case(world, scenario, MI, institution="county_hospital", filed_on=dt.date(2026, 2, 1))
    make.penalty(hospital, PenaltyKind.FINE, amount="300.00", decided_on=dt.date(2026, 2, 3))
    county = form.compute(scenario, world.divisions["county_a"], PERIOD)
    parts = form.by_child_divisions(scenario, world.divisions["county_a"], PERIOD)
    assert [area.name for area, _f in parts] == ["城关镇", "东山乡", "示范县本级"]
    own = parts[-1][1]
    assert own.cell("案件数", (MI, ORG)) == 1
    assert own.cell("案件数", (UP, ORG)) is None
    assert form.rollup([f for _a, f in parts], area_name="示范县") == county


def test_roll_up_keeps_blank_plus_blank_blank_and_blank_plus_a_number_that_number(world, scenario):
    t1 = form.compute(scenario, Area(world.divisions["t1"]), PERIOD)
    t2 = form.compute(scenario, Area(world.divisions["t2"]), PERIOD)
    total = form.rollup([t1, t2])
    assert t2.cell("警告数", (MI, ORG)) is None and t1.cell("警告数", (MI, ORG)) == 1
    assert total.cell("警告数", (MI, ORG)) == 1
    assert total.cell("警告数", (DRUGS, ORG)) is None


def _sheet(campaign, division, *, by_child=False):
    content = FORMS["beauty-summary"].build(
        Request(campaign=campaign, division=division, period=PERIOD, fmt="xlsx", by_child=by_child)
    )
    return openpyxl.load_workbook(io.BytesIO(content))


def test_the_sheet_has_the_layout_of_the_source(world, scenario):
    ws = _sheet(scenario, world.divisions["county_a"]).active
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert merged == {
        "A1:L1",
        "A2:L2",
        "A3:A4",
        "B3:E3",
        "F3:I3",
        "J3:J4",
        "K3:K4",
        "L3:L4",
        "B4:C4",
        "D4:E4",
        "F4:G4",
        "H4:I4",
        "B5:C5",
        "D5:E5",
        "F5:G5",
        "H5:I5",
        "A6:A7",
        "A16:L16",
        "A17:L17",
    }
    assert ws["A1"].value == "医疗美容专项整治工作汇总表"
    assert ws["A2"].value == "示范县 省(自治区、直辖市)"
    assert [ws[c].value for c in ("A3", "B3", "F3", "J3", "K3", "L3")] == [
        "处理情况",
        "非法医疗美容",
        "非法制售使用药品、医疗器械",
        "违法医疗美容广告",
        "违规互联网信息",
        "违规开展寄递业务信息",
    ]
    assert [ws[c].value for c in ("B4", "D4", "F4", "H4")] == ["无证行医", "医疗机构", "药品", "医疗器械"]
    assert ws["A5"].value == "检查对象数"
    assert [ws.cell(6, c).value for c in range(2, 13)] == ["机构", "人员"] * 4 + [None] * 3
    assert [ws.cell(r, 1).value for r in range(6, 16)] == [
        "案件数",
        None,  # 案件数 spans the 机构/人员 row and its data row
        "责令改正数",
        "警告数",
        "责令停业整顿户数",
        "罚款户(人)次",
        "罚款金额(万元)",
        "没收违法所得(万元)",
        "吊销行政许可资质",
        "移送司法机关",
    ]
    assert ws["A16"].value == (
        "投诉举报情况:投诉举报 3 件;办结 2 件;实施行政处罚 1 件;反馈 2 件;举报人满意 1 件。"
    )
    assert ws["A17"].value == "备注:机构和人员处罚数据部分可合理缺项。"


def test_the_sheet_leaves_blank_cells_empty_and_writes_zeros(world, scenario):
    ws = _sheet(scenario, world.divisions["county_a"]).active
    # Row 5: one value per category, in the first cell of each merged pair.
    assert [ws[c].value for c in ("B5", "D5", "F5", "H5", "J5", "K5", "L5")] == [
        2,
        1,
        None,
        None,
        0,
        None,
        None,
    ]
    assert [ws.cell(7, c).value for c in range(2, 13)] == [1, 1, 1, 0, None, None, None, None, 1, None, None]
    fines = [ws.cell(12, c) for c in range(2, 13)]
    assert [c.value if c.value is None else Decimal(str(c.value)) for c in fines] == [
        Decimal("0.5"),
        Decimal("0.2"),
        Decimal(1),
        0,
        None,
        None,
        None,
        None,
        0,
        None,
        None,
    ]
    confiscated = ws.cell(13, 2)
    assert Decimal(str(confiscated.value)) == Decimal("0.1235")
    assert confiscated.number_format == "0.0000"


def test_by_child_adds_a_sheet_per_child_division_after_the_total(world, scenario):
    book = _sheet(scenario, world.divisions["county_a"], by_child=True)
    assert book.sheetnames == ["合计", "城关镇", "东山乡", "示范县本级"]
    assert book["城关镇"]["A2"].value == "城关镇 省(自治区、直辖市)"
    assert book["合计"]["B7"].value == book["城关镇"]["B7"].value + (book["东山乡"]["B7"].value or 0)


def test_a_province_fills_the_blank_before_the_printed_province():
    assert form.region_line("江西省") == "江西省(自治区、直辖市)"
