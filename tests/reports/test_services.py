"""Producing a form: who may, over which division, and what a bad request is told."""

import datetime as dt
import io

import openpyxl
import pytest
from django.contrib.auth.models import Group

from weijian.core.errors import NotAllowed, NotVisible
from weijian.core.models import User
from weijian.reports import services
from weijian.reports.tasks import generate_report, stored_path

from . import factories as make


@pytest.fixture
def campaign(world):
    campaign = make.campaign(world, start=dt.date(2026, 1, 1), end=dt.date(2026, 6, 30))
    make.site_check(world, campaign, "beauty_drugs", party="甲店", on=dt.date(2026, 2, 1))
    return campaign


@pytest.fixture
def county_b_leader(world):
    user = User.objects.create_user("leader_b", organisation=world.orgs["commission_b"])
    user.groups.add(Group.objects.get(name="commission_leader"))
    return user


def _generate(user, campaign, division, form="beauty-summary", **options):
    options.setdefault("fmt", "docx" if form == "typical-cases" else "xlsx")
    return services.generate(user, form, campaign=campaign, division=division, **options)


def test_a_user_of_another_county_cannot_produce_the_county_s_form(world, campaign, county_b_leader):
    with pytest.raises(NotVisible) as error:
        _generate(county_b_leader, campaign, world.divisions["county_a"])
    assert error.value.field == "campaign"


def test_a_user_cannot_produce_a_form_for_a_division_outside_their_scope(world, campaign):
    with pytest.raises(NotVisible) as error:
        _generate(world.users["township_staff"], campaign, world.divisions["county_a"], form="safety-weekly")
    assert error.value.field == "division"
    name, _content = _generate(
        world.users["township_staff"], campaign, world.divisions["t1"], form="safety-weekly"
    )
    assert "城关镇" in name


def test_forms_listing_records_need_the_records_permission(world, campaign):
    officer = world.users["department_officer"]
    assert _generate(officer, campaign, world.divisions["county_a"])[1]
    with pytest.raises(NotAllowed):
        _generate(officer, campaign, world.divisions["county_a"], form="typical-cases")
    with pytest.raises(NotAllowed):
        _generate(world.users["no_organisation"], campaign, world.divisions["county_a"])


def test_the_period_defaults_to_the_campaign_s(world, campaign):
    name, content = _generate(world.users["supervisor"], campaign, world.divisions["county_a"])
    assert name == "医疗美容专项整治工作汇总表-示范县-20260101-20260630.xlsx"
    assert openpyxl.load_workbook(io.BytesIO(content)).active["F5"].value == 1


def test_the_weekly_report_defaults_to_the_week_ending_on_the_last_friday(world, campaign):
    name, _content = _generate(
        None, campaign, world.divisions["county_a"], form="safety-weekly", date_to=dt.date(2026, 5, 13)
    )
    assert name.endswith("-20260501-20260508.xlsx")


@pytest.mark.parametrize(
    "options, field",
    [
        ({"fmt": "docx"}, "fmt"),
        ({"form": "typical-cases", "by_child": True}, "by_child"),
        ({"date_from": dt.date(2026, 3, 1), "date_to": dt.date(2026, 2, 1)}, "date_from"),
        ({"form": "safety-checklist"}, "inspection"),
        ({"inspection": 1}, "inspection"),
        ({"form": "monthly"}, "form"),
    ],
)
def test_a_bad_request_names_the_argument_at_fault(world, campaign, options, field):
    with pytest.raises(services.InvalidReportRequest) as error:
        _generate(None, campaign, world.divisions["county_a"], **options)
    assert error.value.field == field


def test_an_unknown_campaign_or_division_is_not_found(world, campaign):
    with pytest.raises(NotVisible) as error:
        _generate(None, campaign.pk + 100, world.divisions["county_a"])
    assert error.value.field == "campaign"
    with pytest.raises(NotVisible) as error:
        _generate(None, campaign, "369999000000")
    assert error.value.field == "division"


def test_the_task_stores_the_file_it_generates(world, campaign, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    result = generate_report.enqueue(
        "beauty-summary",
        campaign.pk,
        "369901000000",
        "xlsx",
        date_from="2026-01-01",
        date_to="2026-03-31",
        user_id=world.users["supervisor"].pk,
    )
    stored = result.return_value
    assert stored["filename"] == "医疗美容专项整治工作汇总表-示范县-20260101-20260331.xlsx"
    ws = openpyxl.load_workbook(stored_path(stored["path"])).active
    assert ws["A1"].value == "医疗美容专项整治工作汇总表"
