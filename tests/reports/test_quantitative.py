"""工作量化统计表: each column counts the records of its kind by institution class, with a total row;
the county's form is the sum of its parts; the sheet says its columns are inferred."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest

from weijian.core.models import Organisation, OrganisationKind
from weijian.enforcement.models import PenaltyKind, Referral
from weijian.enforcement.subjects import fill_subject
from weijian.inspections.catalogue import current_version
from weijian.inspections.models import Checklist, Inspection
from weijian.rectification.models import Hazard
from weijian.registry.models import Institution, InstitutionType, Ownership
from weijian.reports.engine.periods import Period
from weijian.reports.forms import FORMS, Request
from weijian.reports.forms import quantitative as form

from . import factories as make

Q1 = Period(dt.date(2026, 1, 1), dt.date(2026, 3, 31))


@pytest.fixture
def private_hospital(world):
    organisation = Organisation.objects.create(
        name="东山民营医院", kind=OrganisationKind.MEDICAL_INSTITUTION, division=world.divisions["t2"]
    )
    return Institution.objects.create(
        organisation=organisation,
        institution_type=InstitutionType.GENERAL_HOSPITAL,
        ownership=Ownership.PRIVATE,
        grade_level="2",
    )


def _inspection(world, campaign, key, on, *, kind="on_site", status="submitted"):
    return Inspection.objects.create(
        campaign=campaign,
        checklist_version=current_version(Checklist.objects.get(code="a18_safety")),
        institution=world.institutions[key],
        kind=kind,
        status=status,
        inspected_on=on,
    )


def _hazard(world, campaign, key, found_on):
    return Hazard.objects.create(
        institution=world.institutions[key],
        campaign=campaign,
        category=make.category("fire"),
        level="general",
        description="消防通道堆放杂物",
        source="on_site",
        found_on=found_on,
    )


def _referral(world, campaign, sender, sent_on, **subject):
    referral = Referral(
        from_organisation=world.orgs[sender],
        to_organisation=world.orgs["supervision_a"],
        campaign=campaign,
        category=make.category("beauty_unlicensed_practice"),
        facts="疑似无证开展医疗美容",
        sent_on=sent_on,
    )
    if "institution" in subject:
        referral.institution = world.institutions[subject["institution"]]
    else:
        referral.party_name = subject["party"]
        referral.division = world.divisions["t1"]
    fill_subject(referral)
    referral.save()


@pytest.fixture
def campaign(world, private_hospital):
    world.institutions["private_hospital"] = private_hospital
    campaign = make.campaign(world, name="医疗乱象专项整治行动")
    _inspection(world, campaign, "county_hospital", dt.date(2026, 1, 8))
    _inspection(world, campaign, "county_hospital", dt.date(2026, 3, 8))  # the same institution again
    _inspection(world, campaign, "th1", dt.date(2026, 2, 8))
    _inspection(world, campaign, "th1", dt.date(2026, 2, 9), kind="self")
    _inspection(world, campaign, "vc11", dt.date(2026, 2, 9), status="draft")
    _inspection(world, campaign, "beauty_t1", dt.date(2026, 4, 9))
    _hazard(world, campaign, "county_hospital", dt.date(2026, 1, 8))
    _hazard(world, campaign, "county_hospital", dt.date(2026, 3, 8))
    _hazard(world, campaign, "beauty_t1", dt.date(2026, 3, 9))
    _hazard(world, campaign, "th2", dt.date(2026, 4, 1))

    hospital_case = make.case(
        world,
        campaign,
        "medical_documents",
        institution="county_hospital",
        opened_on=dt.date(2026, 1, 5),
        filed_on=dt.date(2026, 1, 10),
        procedure="general",
        decided_on=dt.date(2026, 2, 1),
        closed_on=dt.date(2026, 3, 1),
    )
    make.penalty(hospital_case, PenaltyKind.WARNING, subject_type="person")
    make.penalty(hospital_case, PenaltyKind.FINE, amount="2000.00")
    doctor_case = make.case(
        world,
        campaign,
        "beauty_medical_institution",
        practitioner="beauty_t1",
        opened_on=dt.date(2026, 2, 1),
        filed_on=dt.date(2026, 2, 2),
        procedure="simple",
        decided_on=dt.date(2026, 2, 2),
    )
    make.penalty(doctor_case, PenaltyKind.WARNING)
    salon_case = make.case(
        world,
        campaign,
        "beauty_unlicensed_practice",
        party="某美容店",
        opened_on=dt.date(2026, 2, 10),
        filed_on=dt.date(2026, 2, 11),
        procedure="general",
        decided_on=dt.date(2026, 3, 1),
    )
    make.penalty(salon_case, PenaltyKind.FINE, amount="5000.00")
    make.penalty(salon_case, PenaltyKind.WARNING)  # to the salon, not a person
    make.transfer(salon_case, sent_on=dt.date(2026, 3, 10))
    make.case(world, campaign, "illegal_practice", party="李某", person=True, opened_on=dt.date(2026, 3, 5))
    make.case(
        world,
        campaign,
        "medical_documents",
        institution="private_hospital",
        opened_on=dt.date(2025, 12, 20),
        filed_on=dt.date(2026, 1, 3),
        procedure="general",
    )

    make.complaint(world, campaign, institution="county_hospital", substantiated=True)
    make.complaint(world, campaign, institution="county_hospital", substantiated=False)
    make.complaint(world, campaign, substantiated=True)
    make.complaint(world, campaign, institution="beauty_t1", received_on=dt.date(2026, 4, 2))

    _referral(world, campaign, "supervision_a", dt.date(2026, 2, 1), party="某美容店")
    _referral(world, campaign, "market_a", dt.date(2026, 3, 1), institution="beauty_t1")
    _referral(world, campaign, "commission_b", dt.date(2026, 3, 1), party="邻县美容店")
    return campaign


def test_each_institution_falls_in_its_class(world, private_hospital):
    expected = {
        "county_hospital": form.PUBLIC_SECONDARY,
        "th1": form.OTHER_INSTITUTION,
        "vc11": form.OTHER_INSTITUTION,
        "beauty_t1": form.PRIVATE_CLINIC,
    }
    assert {key: form.class_of(world.institutions[key]) for key in expected} == expected
    assert form.class_of(private_hospital) == form.PRIVATE_HOSPITAL
    assert form.class_of(None) == form.UNREGISTERED
    in_db = dict(Institution.objects.annotate(klass=form.class_expression("")).values_list("pk", "klass"))
    assert in_db[private_hospital.pk] == form.PRIVATE_HOSPITAL
    assert {key: in_db[world.institutions[key].pk] for key in expected} == expected


def test_every_column_counts_the_records_of_its_class(world, campaign):
    table = form.compute(campaign, world.divisions["county_a"], Q1)
    columns = form.COLUMN_KEYS
    rows = {
        code: dict(zip(columns, row, strict=True))
        for code, row in zip(form.CLASS_CODES, table.rows, strict=True)
    }
    zero = dict.fromkeys(columns, 0) | {"fines": Decimal(0)}
    assert rows[form.PUBLIC_SECONDARY] == zero | {
        "institutions_inspected": 1,
        "problems_found": 2,
        "violations": 1,
        "filed": 1,
        "filed_general": 1,
        "closed": 1,
        "warnings": 1,
        "fines": Decimal("0.2"),
        "complaints_received": 2,
        "complaints_substantiated": 1,
    }
    assert rows[form.PRIVATE_HOSPITAL] == zero | {"filed": 1, "filed_general": 1}
    assert rows[form.PRIVATE_CLINIC] == zero | {
        "problems_found": 1,
        "violations": 1,
        "filed": 1,
        "filed_simple": 1,
        "warnings": 1,
        "referrals": 1,
    }
    assert rows[form.OTHER_INSTITUTION] == zero | {"institutions_inspected": 1}
    assert rows[form.UNREGISTERED] == zero | {
        "violations": 2,
        "filed": 1,
        "filed_general": 1,
        "fines": Decimal("0.5"),
        "unlicensed": 2,
        "complaints_received": 1,
        "complaints_substantiated": 1,
        "referrals": 2,
    }
    assert dict(zip(columns, table.total, strict=True)) == {
        "institutions_inspected": 2,
        "problems_found": 3,
        "violations": 4,
        "filed": 4,
        "filed_simple": 1,
        "filed_general": 3,
        "closed": 1,
        "warnings": 2,
        "fines": Decimal("0.7"),
        "unlicensed": 2,
        "complaints_received": 3,
        "complaints_substantiated": 2,
        "referrals": 3,
    }


def test_the_county_form_is_the_sum_of_its_townships_and_its_own_level(world, campaign):
    county = form.compute(campaign, world.divisions["county_a"], Q1)
    parts = form.by_child_divisions(campaign, world.divisions["county_a"], Q1)
    assert [area.name for area, _f in parts] == ["城关镇", "东山乡", "示范县本级"]
    assert form.rollup([f for _a, f in parts], area_name="示范县") == county
    t2 = dict(zip(form.CLASS_CODES, parts[1][1].rows, strict=True))
    assert t2[form.PRIVATE_HOSPITAL][form.COLUMN_KEYS.index("filed")] == 1


def test_the_sheet_names_the_period_and_says_its_columns_are_inferred(world, campaign):
    content = FORMS["quantitative"].build(
        Request(campaign=campaign, division=world.divisions["county_a"], period=Q1, fmt="xlsx")
    )
    ws = openpyxl.load_workbook(io.BytesIO(content)).active
    assert ws["A1"].value == "工作量化统计表"
    assert "统计期间:2026年第1季度" in ws["A2"].value
    assert "推断" in ws["A11"].value
    assert {"A3:A4", "E3:G3", "L3:M3", "N3:N4"} <= {str(r) for r in ws.merged_cells.ranges}
    assert [ws.cell(4, c).value for c in (5, 6, 7, 12, 13)] == [
        "合计",
        "其中简易程序",
        "其中一般程序",
        "受理",
        "核实",
    ]
    assert [ws.cell(r, 1).value for r in range(5, 11)] == [
        "二级以上公立医疗机构",
        "民营医院",
        "个体诊所",
        "其他医疗机构",
        "无证行医及其他",
        "合计",
    ]
    assert [ws.cell(10, c).value for c in range(2, 10)] == [2, 3, 4, 4, 1, 3, 1, 2]
    assert ws.cell(10, 10).number_format == "0.0000"


def test_a_year_is_labelled_as_the_annual_form():
    assert Period(dt.date(2026, 1, 1), dt.date(2026, 12, 31)).label == "2026年度"
    assert Period(dt.date(2026, 10, 1), dt.date(2026, 12, 31)).label == "2026年第4季度"
    assert Period(dt.date(2026, 2, 1), dt.date(2026, 3, 31)).label == "2026年2月1日至2026年3月31日"
