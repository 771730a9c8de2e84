"""The violation categories and the four campaign templates load from their data files, once."""

import datetime as dt
from decimal import Decimal

from weijian.campaigns import catalogue
from weijian.campaigns.models import TEMPLATE_YEAR, Campaign, ViolationCategory
from weijian.core.models import AuditEntry

SAFETY_RISKS = {
    "safety_responsibility",
    "gas",
    "traffic",
    "special_equipment",
    "fire",
    "hazardous_chemicals",
    "construction",
    "food",
}
TEMPLATES = {
    "medical_disorder": "医疗乱象专项整治",
    "medical_beauty": "打击非法医疗美容服务专项整治",
    "health_sector_safety": "医疗卫生行业安全集中整治",
    "red_envelope_kickback": "红包回扣专项整治",
}


def _template(code):
    return Campaign.objects.get(is_template=True, template_code=code)


def _tasks(code):
    """{title: (lead, [partner departments], [co-leads])} of a template."""
    return {
        t.title: (
            t.lead_department,
            [p.department for p in t.partners.all() if not p.co_lead],
            [p.department for p in t.partners.all() if p.co_lead],
        )
        for t in _template(code).tasks.prefetch_related("partners")
    }


def test_every_group_of_seed_004_section_5_and_the_medical_beauty_table_is_loaded(db):
    groups = set(ViolationCategory.objects.values_list("group", flat=True))
    assert len(groups) == 14  # §5.1–5.13 and the medical-beauty summary table
    names = set(
        ViolationCategory.objects.filter(group="打击非法医疗美容(汇总表)").values_list("name", flat=True)
    )
    assert {
        "无证行医",
        "医疗机构",
        "药品",
        "医疗器械",
        "违法医疗美容广告",
        "违规互联网信息",
        "违规开展寄递业务",
    } <= names
    assert ViolationCategory.objects.get(code="red_envelope").group == "行风(九不准)"


def test_exactly_the_eight_risk_types_of_section_5_12_are_safety_risks(db):
    assert (
        set(ViolationCategory.objects.filter(is_safety_risk=True).values_list("code", flat=True))
        == SAFETY_RISKS
    )


def test_each_group_is_a_category_too_for_classifying_by_group_only(db):
    licensing = ViolationCategory.objects.get(code="licensing")
    assert (licensing.name, licensing.group) == ("执业资质与范围", "执业资质与范围")
    assert licensing.order < ViolationCategory.objects.get(code="certificate_renting").order


def test_reloading_the_categories_updates_names_and_deletes_nothing(db):
    ViolationCategory.objects.filter(code="gas").update(name="旧名称")
    ViolationCategory.objects.create(code="retired_code", name="已停用", group="其他")
    assert catalogue.load_violation_categories() == 1
    assert ViolationCategory.objects.get(code="gas").name == "燃气使用安全"
    assert ViolationCategory.objects.filter(code="retired_code").exists()
    assert catalogue.load_violation_categories() == 0


def test_the_four_templates_are_loaded_as_year_less_campaigns_without_a_division(db):
    templates = Campaign.objects.filter(is_template=True)
    assert {t.template_code: t.name for t in templates} == TEMPLATES
    for template in templates:
        assert template.division is None and template.year is None
        assert template.start.year == TEMPLATE_YEAR
        assert template.tasks.exists() and template.phases.exists()


def test_loading_the_templates_again_writes_nothing(db):
    before = AuditEntry.objects.count()
    ids = {t.pk for t in catalogue.ensure_templates()}
    assert ids == set(Campaign.objects.filter(is_template=True).values_list("pk", flat=True))
    assert AuditEntry.objects.count() == before


def test_a_template_edited_in_the_database_is_put_back_to_its_file(db):
    template = _template("red_envelope_kickback")
    template.tasks.first().delete()
    catalogue.ensure_templates()
    assert _template("red_envelope_kickback").tasks.count() == 5


def test_every_task_of_every_template_has_a_lead(db):
    for code in TEMPLATES:
        for title, (lead, _partners, _co) in _tasks(code).items():
            assert lead, (code, title)


def test_the_medical_disorder_tasks_follow_the_lead_and_partner_matrix_of_seed_004_1_2(db):
    tasks = _tasks("medical_disorder")
    assert len(tasks) == 16  # 10 + 3 + 3
    expected = {
        "查处出具虚假证明文件行为": ("commission", ["public_security", "medical_insurance"], []),
        "查处制售假药行为(含医院自制制剂)": ("market_regulation", ["commission", "public_security"], []),
        "查处以医疗名义推广销售所谓“保健”相关用品等违法违规行为": (
            "commission",
            ["market_regulation", "public_security"],
            [],
        ),
        "监测互联网虚假医疗信息,清理处置医院网站、公众号等发布的虚假医疗信息": (
            "commission",
            ["cyberspace", "market_regulation"],
            [],
        ),
        "加强对医疗机构收费行为的监督检查": ("medical_insurance", [], []),
        "研究建立严重失信行为多部门联合惩戒机制": ("development_reform", [], ["medical_insurance"]),
    }
    for title, row in expected.items():
        assert tasks[title] == row, title
    renting = _template("medical_disorder").tasks.get(order=1)
    assert set(renting.violation_categories.values_list("code", flat=True)) == {
        "certificate_renting",
        "certificate_forgery",
    }


def test_the_safety_campaign_has_a_task_per_risk_type_and_its_reporting_calendar(db):
    template = _template("health_sector_safety")
    covered = set(template.tasks.values_list("violation_categories__code", flat=True))
    assert covered == SAFETY_RISKS
    for lead, partners, _co in _tasks("health_sector_safety").values():
        assert lead == "commission" and "market_regulation" in partners
    weekly = template.reporting_rules.get(cadence="weekly")
    assert (weekly.weekday, weekly.cutoff, weekly.until) == (5, dt.time(11), dt.date(TEMPLATE_YEAR, 12, 31))
    assert "上周五至本周五" in weekly.note
    assert template.reporting_rules.get(cadence="daily").until == dt.date(TEMPLATE_YEAR, 12, 31)
    assert template.reporting_rules.get(cadence="after_inspection").within_working_days == 7
    first = template.phases.get(order=1)
    assert first.end == dt.date(TEMPLATE_YEAR, 10, 31)


def test_the_red_envelope_campaign_has_the_phases_deadlines_and_coverage_of_a1(db):
    template = _template("red_envelope_kickback")
    phases = [(p.name, p.start, p.end) for p in template.phases.all()]
    y = TEMPLATE_YEAR
    assert phases == [
        ("教育自查阶段", dt.date(y, 9, 10), dt.date(y, 9, 20)),
        ("集中整治阶段", dt.date(y, 9, 21), dt.date(y, 11, 15)),
        ("评估总结阶段", dt.date(y, 11, 16), dt.date(y, 11, 25)),
    ]
    dues = {d.title: d.due for p in template.phases.all() for d in p.deliverables.all()}
    assert dues == {"本单位行动方案": dt.date(y, 9, 20), "专项整治行动总结": dt.date(y, 11, 20)}
    coverage = {c.institution_class: c.target_percent for c in template.coverage_targets.all()}
    assert coverage["county_level"] == Decimal(100)
    assert all(v == Decimal(50) for k, v in coverage.items() if k != "county_level")
    assert "国卫办发〔2013〕49号" in [b["number"] for b in template.legal_basis]
    assert template.leading_group.count() == 16


def test_the_medical_beauty_campaign_covers_medical_beauty_institutions_and_its_table_columns(db):
    template = _template("medical_beauty")
    assert template.scope_institution_types == ["medical_beauty"]
    covered = set(template.tasks.values_list("violation_categories__code", flat=True))
    assert {
        "beauty_unlicensed_practice",
        "beauty_medical_institution",
        "beauty_drugs",
        "beauty_devices",
        "beauty_illegal_ad",
        "beauty_internet_information",
        "beauty_postal",
    } <= covered
    assert "国卫办监督发〔2020〕4号" in [b["number"] for b in template.legal_basis]
