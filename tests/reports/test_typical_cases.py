"""典型案例报送: the catalogue lists the campaign's typical cases decided in the period in the subtree,
one row each with the penalty content written from its penalties, and one narrative per case."""

import datetime as dt
import io

import docx
import pytest

from weijian.enforcement.models import PenaltyKind
from weijian.reports.engine.periods import Period
from weijian.reports.forms import FORMS, Request
from weijian.reports.forms import typical_cases as form

from . import factories as make

PERIOD = Period(dt.date(2026, 1, 1), dt.date(2026, 6, 30))


@pytest.fixture
def campaign(world):
    campaign = make.campaign(world)
    first = make.case(
        world,
        campaign,
        "beauty_medical_institution",
        institution="beauty_t1",
        filed_on=dt.date(2026, 3, 1),
        decided_on=dt.date(2026, 3, 20),
        is_typical=True,
    )
    first.title = "美丽医疗美容诊所超范围开展二级手术项目案"
    first.narrative = "2026年3月,县卫生健康综合监督执法局接群众举报……"
    first.save()
    make.penalty(first, PenaltyKind.CORRECTION_ORDER)
    make.penalty(first, PenaltyKind.FINE, amount="5000.00")
    make.penalty(first, PenaltyKind.WARNING)

    second = make.case(
        world,
        campaign,
        "beauty_unlicensed_practice",
        party="张某",
        person=True,
        division="t2",
        filed_on=dt.date(2026, 4, 1),
        decided_on=dt.date(2026, 4, 15),
        is_typical=True,
    )
    make.penalty(second, PenaltyKind.CONFISCATION, amount="820.50")
    make.penalty(second, PenaltyKind.FINE, amount="30000.00")

    make.case(world, campaign, "beauty_drugs", party="甲店", decided_on=dt.date(2026, 3, 1))  # not typical
    make.case(world, campaign, "beauty_drugs", party="乙店", decided_on=dt.date(2026, 8, 1), is_typical=True)
    make.case(
        world,
        campaign,
        "beauty_drugs",
        party="丙店",
        division="tb1",
        decided_on=dt.date(2026, 3, 1),
        is_typical=True,
    )
    return campaign


def test_the_penalty_content_lists_penalties_then_other_measures(world, campaign):
    cases = form.compute(campaign, world.divisions["county_a"], PERIOD).cases
    assert [c.penalty_content for c in cases] == [
        "警告,罚款 5000 元;行政强制及其他措施:责令改正",
        "罚款 30000 元,没收违法所得 820.50 元",
    ]


def test_only_typical_cases_decided_in_the_period_in_the_subtree_are_listed(world, campaign):
    cases = form.compute(campaign, world.divisions["county_a"], PERIOD).cases
    assert [(c.subject_name, c.decided_on) for c in cases] == [
        ("美丽医疗美容诊所", dt.date(2026, 3, 20)),
        ("张某", dt.date(2026, 4, 15)),
    ]
    assert [c.subject_name for c in form.compute(campaign, world.divisions["t2"], PERIOD).cases] == ["张某"]


def test_the_document_has_the_catalogue_and_one_narrative_per_case(world, campaign):
    content = FORMS["typical-cases"].build(
        Request(campaign=campaign, division=world.divisions["county_a"], period=PERIOD, fmt="docx")
    )
    document = docx.Document(io.BytesIO(content))
    texts = [p.text for p in document.paragraphs]
    assert "一、示范县案件材料报送目录" in texts
    [table] = document.tables
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows[0] == ["序号", "机构名称", "处罚时间", "违法事实", "违反法律", "处罚依据", "行政处罚具体内容"]
    assert len(rows) == 1 + 2
    assert rows[1] == [
        "1",
        "美丽医疗美容诊所",
        "2026年3月20日",
        "超范围开展二级手术项目",
        "违反了《医疗美容服务管理办法》第十一条",
        "按照《医疗机构管理条例实施细则》第八十条进行处罚",
        "警告,罚款 5000 元;行政强制及其他措施:责令改正",
    ]
    assert rows[2][:3] == ["2", "张某", "2026年4月15日"]
    after = texts[texts.index("二、案情概述") + 1 :]
    assert after == [
        "1.美丽医疗美容诊所超范围开展二级手术项目案",
        "2026年3月,县卫生健康综合监督执法局接群众举报……",
        "2.beauty_unlicensed_practice案",
        "超范围开展二级手术项目",  # no narrative written: the facts stand in
    ]


def test_yuan_amounts_drop_zero_fen_only():
    from decimal import Decimal

    assert form.yuan(Decimal("5000.00")) == "5000"
    assert form.yuan(Decimal("5000.50")) == "5000.50"
