"""医疗卫生行业安全集中整治检查表: the source's four rows, filled from a submitted inspection's answers
grouped by checklist section, with the header, signatures and note, printable on one page width."""

import datetime as dt
import io

import openpyxl
import pytest

from weijian.inspections.catalogue import current_version
from weijian.inspections.models import Answer, Checklist, ChecklistItem, Inspection, InspectionKind
from weijian.reports import services
from weijian.reports.forms import safety_checklist as form

from . import factories as make


@pytest.fixture
def inspection(world):
    campaign = make.campaign(world, name="医疗卫生行业安全集中整治")
    version = current_version(Checklist.objects.get(code="a18_safety"))
    inspection = Inspection.objects.create(
        campaign=campaign,
        checklist_version=version,
        institution=world.institutions["th1"],
        kind=InspectionKind.ON_SITE,
        status="submitted",
        inspected_on=dt.date(2026, 5, 6),
    )
    items = {i.text: i for i in ChecklistItem.objects.filter(section__version=version)}

    def answer(text_start, found, text=""):
        [item] = [i for t, i in items.items() if t.startswith(text_start)]
        Answer.objects.create(inspection=inspection, item=item, found=found, text=text)

    answer("是否制订下发", True)
    answer("是否全面动员", True)
    answer("是否开展安全生产自查自纠", False, "尚未建立隐患清单")
    answer("是否制定整改方案", True)
    answer("安全科长、安全员", False, "安全员未取得证书")
    answer("安全管理制度不完善", True)
    for item in version.sections.get(title="燃气使用安全").items.all():
        Answer.objects.create(inspection=inspection, item=item, found=False)
    answer("消防设施不完好有效", True, "3楼灭火器过期")
    return inspection


def test_the_answers_fill_the_four_rows_of_the_source(inspection):
    checklist = form.compute(inspection)
    assert checklist.institution_name == "城关镇卫生院"
    assert [r.item for r in checklist.rows] == [
        "安全责任制落实情况",
        "安全集中整治情况",
        "安全隐患整改情况",
        "安全负责人参加培训情况",
    ]
    deployment, risks, rectification, training = (r.findings.split("\n") for r in checklist.rows)
    assert deployment == [
        "是否制订下发安全集中整治工作方案:是",
        "是否全面动员部署安全集中整治工作:是",
        "是否开展安全生产自查自纠，并建立隐患清单:否(尚未建立隐患清单)",
        "存在问题:安全管理制度不完善",
    ]
    assert risks == [
        "燃气使用安全:未发现问题",
        "交通安全:未检查",
        "压力管道、特种设备安全:未检查",
        "消防安全:存在问题:消防设施不完好有效(3楼灭火器过期)",
        "危化品安全:未检查",
        "建筑施工安全:未检查",
        "食品安全:未检查",
    ]
    assert rectification == ["是否制定整改方案，形成安全隐患检查、整改、销号闭合管理:是"]
    assert training == ["安全科长、安全员是否参加安全培训，并取得相关证书:否(安全员未取得证书)"]


def test_the_sheet_has_the_layout_of_the_source_and_prints_on_one_page_width(world, inspection):
    _name, content = services.generate(
        None,
        "safety-checklist",
        campaign=inspection.campaign,
        division=world.divisions["county_a"],
        inspection=inspection,
        fmt="xlsx",
    )
    ws = openpyxl.load_workbook(io.BytesIO(content)).active
    assert ws["A1"].value == "医疗卫生行业安全集中整治检查表"
    assert ws["A2"].value == "被检单位:城关镇卫生院"
    assert ws["C2"].value == "检查日期:2026年5月6日"
    assert [ws.cell(3, c).value for c in range(1, 4)] == ["督查项目", "督查内容", "完成情况及存在问题"]
    assert ws["B4"].value.startswith("安全集中整治工作部署及组织实施情况\n1.是否制订下发安全集中整治工作方案")
    assert ws["B5"].value.endswith("6.建筑施工安全\n7.食品安全")
    assert ws["A8"].value == (
        "注:此表原件由检查组收回并交由委办公室汇总,相关整改方案请于7个工作日内形成书面报告上报检查组。"
    )
    assert ws["A9"].value == "检查组签字:"
    assert ws["C9"].value == "被检单位负责人签字(盖章):"
    assert ws.print_area == "'检查表'!$A$1:$C$9"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)


def test_a_draft_inspection_has_no_checklist_yet(world, inspection):
    inspection.status = "draft"
    inspection.save()
    with pytest.raises(services.InvalidReportRequest) as error:
        services.generate(
            None,
            "safety-checklist",
            campaign=inspection.campaign,
            division=world.divisions["county_a"],
            inspection=inspection,
            fmt="xlsx",
        )
    assert error.value.field == "inspection"
