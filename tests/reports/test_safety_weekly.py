"""医疗卫生行业安全集中整治周报表: one sheet per institution with the week's open hazards, each saying
whether it was rectified by the end of the week and why not."""

import datetime as dt
import io

import openpyxl
import pytest
from django.utils import timezone

from weijian.rectification.models import Hazard, HazardEvent, HazardSource
from weijian.reports.engine.periods import Period, reporting_week
from weijian.reports.forms import FORMS, Request
from weijian.reports.forms import safety_weekly as form

from . import factories as make

WEEK = Period(dt.date(2026, 5, 1), dt.date(2026, 5, 8))  # Friday to Friday


def _at(day: dt.date, hour: int = 10):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _hazard(world, campaign, institution="county_hospital", **fields):
    fields.setdefault("found_on", dt.date(2026, 5, 2))
    fields.setdefault("state", "found")
    return Hazard.objects.create(
        institution=world.institutions[institution],
        campaign=campaign,
        category=make.category("fire"),
        level=fields.pop("level", "general"),
        description=fields.pop("description", "消防通道堆放杂物"),
        source=HazardSource.ON_SITE,
        location=fields.pop("location", "住院部"),
        **fields,
    )


def _event(hazard, day, from_state, to_state, note=""):
    HazardEvent.objects.create(
        hazard=hazard, action="x", from_state=from_state, to_state=to_state, at=_at(day), note=note
    )


@pytest.fixture
def campaign(world):
    campaign = make.campaign(world, name="医疗卫生行业安全集中整治")
    other = make.campaign(world, name="另一专项行动")
    _hazard(
        world,
        campaign,
        description="配电房无灭火器",
        found_on=dt.date(2026, 4, 20),
        state="in_progress",
        deadline=dt.date(2026, 5, 31),
        measures="已申请采购",
    )
    done = _hazard(
        world, campaign, description="安全出口指示灯损坏", state="completed", measures="更换指示灯"
    )
    _event(done, dt.date(2026, 5, 3), "found", "planned")
    _event(done, dt.date(2026, 5, 6), "in_progress", "completed")
    late = _hazard(world, campaign, description="氧气罐未定期检验", state="completed")
    _event(late, dt.date(2026, 5, 4), "planned", "in_progress", note="等待厂家配件")
    _event(late, dt.date(2026, 5, 10), "in_progress", "completed")
    _hazard(
        world,
        campaign,
        description="旧问题",
        found_on=dt.date(2026, 4, 1),
        state="closed",
        closed_on=dt.date(2026, 4, 25),
    )
    _hazard(
        world,
        campaign,
        description="本周销号",
        found_on=dt.date(2026, 4, 1),
        state="closed",
        closed_on=dt.date(2026, 5, 3),
    )
    _hazard(world, campaign, "th1", description="燃气管道老化", level="major", found_on=dt.date(2026, 5, 5))
    _hazard(world, campaign, "th1", description="下周发现", found_on=dt.date(2026, 5, 9))
    _hazard(world, campaign, "hospital_b", description="邻县隐患")
    _hazard(world, other, description="另一行动的隐患")
    return campaign


def test_the_week_runs_from_last_friday_to_this_friday():
    assert reporting_week(dt.date(2026, 5, 13)) == WEEK
    assert reporting_week(dt.date(2026, 5, 8)) == WEEK


def test_each_institution_lists_its_open_hazards_of_the_week(world, campaign):
    reports = form.compute(campaign, world.divisions["county_a"], WEEK)
    assert [r.institution_name for r in reports] == ["示范县人民医院", "城关镇卫生院"]
    hospital, township = reports
    assert [(r.description, r.rectified) for r in hospital.rows] == [
        ("本周销号", "是"),
        ("配电房无灭火器", "否(计划于2026年5月31日前完成整改)"),
        ("安全出口指示灯损坏", "是"),
        ("氧气罐未定期检验", "否(等待厂家配件)"),  # completed only after the week
    ]
    assert [(r.level, r.description, r.rectified) for r in township.rows] == [("重大", "燃气管道老化", "否")]


def test_the_sheet_has_the_layout_of_the_source(world, campaign):
    content = FORMS["safety-weekly"].build(
        Request(campaign=campaign, division=world.divisions["county_a"], period=WEEK, fmt="xlsx")
    )
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["示范县人民医院", "城关镇卫生院"]
    ws = book["示范县人民医院"]
    assert ws["A1"].value == "医疗卫生行业安全集中整治周报表"
    assert ws["A3"].value == "填报单位(盖章):示范县人民医院"
    assert ws["E3"].value == "填报日期:2026年5月8日"
    assert [ws.cell(4, c).value for c in range(1, 8)] == [
        "序号",
        "隐患部位/科室",
        "隐患种类",
        "隐患级别(一般/重大)",
        "隐患描述",
        "是否完成整改(未整改原因)",
        "采取的工作措施",
    ]
    assert [ws.cell(6, c).value for c in range(1, 8)] == [
        2,
        "住院部",
        "消防安全",
        "一般",
        "配电房无灭火器",
        "否(计划于2026年5月31日前完成整改)",
        "已申请采购",
    ]
    assert ws["A9"].value == "填报人(签字):"
    assert ws["E9"].value == "审核人(签字):"
    assert ws["A10"].value.startswith("注:在做好安全情况日报的基础上")
    assert "统计时间区间为上周五至本周五" in ws["A10"].value


def test_a_week_without_hazards_still_gives_a_form_to_send(world):
    campaign = make.campaign(world)
    content = FORMS["safety-weekly"].build(
        Request(campaign=campaign, division=world.divisions["t2"], period=WEEK, fmt="xlsx")
    )
    ws = openpyxl.load_workbook(io.BytesIO(content)).active
    assert ws["A1"].value == "医疗卫生行业安全集中整治周报表"
    assert ws["A5"].value == "填报人(签字):"
