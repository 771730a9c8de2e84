"""The scheme office's pages: households and enrolment, collection progress, the fund report and its
alert, the village notice board with its workbook, policy versions, and the county boundary."""

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from weijian.core import synthetic
from weijian.core.models import Division, DivisionLevel, User
from weijian.insurance import services
from weijian.insurance.models import Contribution, Enrolment, Household, PolicyVersion, Settlement

pytestmark = pytest.mark.django_db

NEXT_YEAR = 2027  # nobody is enrolled for it yet


def _members_formset(rows: list[dict]) -> dict:
    data = {
        "members-TOTAL_FORMS": "8",
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "8",
    }
    for index, row in enumerate(rows):
        for name, value in row.items():
            data[f"members-{index}-{name}"] = value
    return data


def _member_row(division, name, serial, *, group="none", certificate="") -> dict:
    born = dt.date(1980, 2, 3)
    return {
        "name": name,
        "id_number": synthetic.id_number(division.code, born, 900 + serial),
        "birth_date": born.isoformat(),
        "relation": "",
        "special_group": group,
        "certificate_number": certificate,
        "card_number": f"HZ9{serial:07d}",
    }


def _register(client, village, number, rows, **headers):
    data = {"division": village.pk, "number": number, "head_name": rows[0]["name"], "address": ""}
    return client.post(reverse("insurance:household_new"), {**data, **_members_formset(rows)}, **headers)


def _enrol(client, household, **overrides):
    data = {"year": NEXT_YEAR, "paid_on": "2026-11-02", "receipt_number": "SJ-PAGE-1"}
    data.update(overrides)
    return client.post(reverse("insurance:household_detail", args=[household.pk]), data)


def _amount(html: str, element_id: str) -> Decimal:
    return Decimal(re.search(rf'id="{element_id}"[^>]*data-amount="([-0-9.]+)"', html).group(1))


def _settle(world, member, *, on, total="10000", claim_type="inpatient"):
    cashier = world.users["institution_cashier"]
    claim = services.claim_enter(
        cashier,
        institution=world.institutions["county_hospital"],
        member=member,
        claim_type=claim_type,
        admit_date=on - dt.timedelta(days=5),
        discharge_date=on,
        total=total,
    )
    return services.claim_settle(cashier, claim, on=on)


# --- households and enrolment ------------------------------------------------------------------------------


def test_the_clerk_registers_and_enrols_a_household_and_the_collection_rates_change(world, financing, login):
    client = login(world.users["insurance_clerk"])
    county, t2, v21 = world.divisions["county_a"], world.divisions["t2"], world.divisions["v21"]
    progress_url = f"{reverse('insurance:collection')}?year={NEXT_YEAR}&division={county.pk}"
    before = client.get(progress_url).context["progress"]
    t2_before = next(row for row in before.rows if row.division == t2)
    assert (t2_before.enrolled, t2_before.enrolment_rate, t2_before.collection_rate) == (0, Decimal(0), None)

    response = _register(
        client, v21, "369901002001X01", [_member_row(v21, "孙一", 1), _member_row(v21, "孙二", 2)]
    )
    household = Household.objects.get(number="369901002001X01")
    assert response.status_code == 302
    assert response["Location"] == reverse("insurance:household_detail", args=[household.pk])
    assert household.members.count() == 2

    response = _enrol(client, household)
    assert response.status_code == 302
    assert Enrolment.objects.filter(household=household, year=NEXT_YEAR).count() == 2
    page = client.get(reverse("insurance:household_detail", args=[household.pk])).content.decode()
    assert f'id="enrolment-{NEXT_YEAR}" data-enrolled="2"' in page
    assert "SJ-PAGE-1" in page

    response = client.get(progress_url)
    after = response.context["progress"]
    t2_after = next(row for row in after.rows if row.division == t2)
    # t2 holds 李's three members and the two new ones; only the new household is enrolled for next year.
    assert (t2_after.members, t2_after.enrolled, t2_after.households_enrolled) == (5, 2, 1)
    assert t2_after.enrolment_rate == Decimal("40.0")
    assert t2_after.collection_rate == Decimal("100.0")
    assert t2_after.collected == t2_after.expected > 0
    html = response.content.decode()
    assert f'data-enrolment-rate="{t2_after.enrolment_rate}"' in html
    deadline = dt.date(NEXT_YEAR - 1, 12, 31)
    assert f'data-days-left="{(deadline - timezone.localdate()).days}"' in html


def test_a_member_row_error_names_the_row_and_the_field(world, financing, login):
    client = login(world.users["insurance_clerk"])
    v11 = world.divisions["v11"]
    taken = financing.households["wang"].members.first().id_number
    second = {**_member_row(v11, "周二", 4), "id_number": taken}
    response = _register(
        client, v11, "369901001001X02", [_member_row(v11, "周一", 3), second], HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert not Household.objects.filter(number="369901001001X02").exists()
    rows = response.context["members"].forms
    assert "id_number" in rows[1].errors and not rows[0].errors
    summary = str(response.context["form"].non_field_errors())
    assert "Member 2" in summary and summary.count("Member") == 1


def test_a_dibao_member_without_the_civil_affairs_receipt_is_told_which_field(world, financing, login):
    client = login(world.users["insurance_clerk"])
    v11 = world.divisions["v11"]
    rows = [_member_row(v11, "钱一", 5), _member_row(v11, "钱二", 6, group="dibao", certificate="DB-X1")]
    _register(client, v11, "369901001001X03", rows)
    household = Household.objects.get(number="369901001001X03")
    assert (
        'id="covered-members"'
        in client.get(reverse("insurance:household_detail", args=[household.pk])).content.decode()
    )

    response = _enrol(client, household, receipt_number="SJ-PAGE-2")
    assert response.status_code == 200
    errors = response.context["enrol_form"].errors
    assert list(errors) == ["civil_affairs_receipt"]
    assert not Enrolment.objects.filter(household=household).exists()

    assert (
        _enrol(client, household, receipt_number="SJ-PAGE-2", civil_affairs_receipt="MZ-PAGE-2").status_code
        == 302
    )
    payers = dict(Contribution.objects.filter(household=household).values_list("payer_type", "headcount"))
    assert payers == {"individual": 1, "civil_affairs": 1}


def test_the_household_list_searches_by_number_and_head(world, financing, login):
    client = login(world.users["insurance_clerk"])
    wang = financing.households["wang"]
    response = client.get(reverse("insurance:household_list"), {"q": "王大"})
    assert [h.pk for h in response.context["page"]] == [wang.pk]
    response = client.get(reverse("insurance:household_list"), {"division": world.divisions["t2"].pk})
    assert [h.pk for h in response.context["page"]] == [financing.households["li"].pk]


# --- subsidies and the fund ----------------------------------------------------------------------------------


def test_receiving_subsidies_from_the_collection_page_shows_each_level(world, financing, login):
    client = login(world.users["insurance_clerk"])
    county = world.divisions["county_a"]
    url = reverse("insurance:collection")
    response = client.post(url, {"year": 2026, "division": county.pk, "action": "receive_subsidies"})
    assert response.status_code == 302
    page = client.get(response["Location"])
    received = {row["payer"]: row["received"] for row in page.context["subsidies"]}
    # Five members enrolled in county A: central 60, region 30, city 15, county 15 yuan each.
    assert received == {
        "central": Decimal("300.00"),
        "region": Decimal("150.00"),
        "city": Decimal("75.00"),
        "county": Decimal("75.00"),
    }
    assert 'id="subsidy-central" data-due="300.00" data-received="300.00"' in page.content.decode()
    # The auditor reads the page but has no button.
    auditor = login(world.users["auditor"]).get(url, {"year": 2026, "division": county.pk})
    assert 'id="receive-subsidies"' not in auditor.content.decode()


def test_the_fund_report_after_a_settlement_equals_a_direct_sum(world, financing, login):
    county = world.divisions["county_a"]
    wang = financing.households["wang"].members.get(name="王大山")
    settlement = _settle(world, wang, on=dt.date(2026, 3, 10))
    client = login(world.users["insurance_clerk"])
    response = client.get(reverse("insurance:fund_report"), {"year": 2026})
    html = response.content.decode()
    within = {"division__code__startswith": county.prefix}
    compensated = Settlement.objects.filter(**within).aggregate(s=Sum("reimbursed"))["s"]
    raised = Contribution.objects.filter(year=2026, **within).aggregate(s=Sum("amount"))["s"]
    assert compensated == settlement.reimbursed > 0
    assert _amount(html, "compensation-to-date") == compensated
    assert _amount(html, "balance-total") == raised
    assert _amount(html, "owed") == compensated
    assert 'id="month-2026-03"' in html
    report = response.context["report"]
    assert sum(month.compensation_total for month in report.months) == compensated

    xlsx = client.get(reverse("insurance:fund_report_xlsx"), {"year": 2026})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    months = [
        row for row in sheet.iter_rows(min_row=3, values_only=True) if row and row[0] and row[0][:2] == "20"
    ]
    assert [row[0] for row in months] == [f"{m.month:%Y-%m}" for m in report.months]
    march = next(row for row in months if row[0] == "2026-03")
    assert Decimal(str(march[11])) == compensated  # the month's total compensation column


def test_the_alert_appears_when_payouts_run_ahead_of_the_plan(world, financing, login):
    client = login(world.users["insurance_clerk"])
    url = reverse("insurance:fund_report")
    assert 'id="fund-alert"' not in client.get(url, {"year": 2026}).content.decode()
    wang = financing.households["wang"].members.get(name="王大山")
    # 5 persons × the year's income per person is far below a 45,000-yuan stay.
    _settle(world, wang, on=dt.date(2026, 1, 20), total="80000")
    response = client.get(url, {"year": 2026})
    report = response.context["report"]
    assert report.compensation_to_date > report.plan_to_date
    assert 'id="fund-alert"' in response.content.decode()


# --- the notice board --------------------------------------------------------------------------------------


def test_the_notice_board_lists_its_village_only_with_reversals_negative_and_the_same_xlsx(
    world, financing, login
):
    v11 = world.divisions["v11"]
    wang = financing.households["wang"].members.get(name="王大山")
    li = financing.households["li"].members.get(name="李四")
    own = _settle(world, wang, on=dt.date(2026, 3, 10))
    other = _settle(world, li, on=dt.date(2026, 3, 12))
    services.claim_reverse(
        world.users["institution_cashier"], own.claim, reason="录错", on=dt.date(2026, 3, 20)
    )
    client = login(world.users["insurance_clerk"])
    params = {"village": v11.pk, "month": "2026-03"}
    response = client.get(reverse("insurance:notice_board"), params)
    html = response.content.decode()
    assert f'id="settlement-{own.pk}"' in html
    assert f'id="settlement-{other.pk}"' not in html
    rows = response.context["board"].rows
    assert [row.reimbursed for row in rows] == [own.reimbursed, -own.reimbursed]
    assert _amount(html, "board-total") == Decimal("0.00")
    assert 'id="board-members" data-count="3"' in html  # 王's two and 赵
    assert 'id="board-enrolled" data-count="2"' in html
    assert "@media print" in html

    xlsx = client.get(reverse("insurance:notice_board_xlsx"), params)
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    listed = [row for row in sheet.iter_rows(min_row=3, values_only=True) if isinstance(row[0], int)]
    assert [(row[2], Decimal(str(row[6]))) for row in listed] == [
        ("王大山", own.reimbursed),
        ("王大山", -own.reimbursed),
    ]
    assert "李四" not in {row[2] for row in listed}


# --- the county boundary -----------------------------------------------------------------------------------


def _county_b_clerk(world) -> User:
    user = User.objects.create_user("clerk_b", organisation=world.orgs["commission_b"])
    user.groups.add(Group.objects.get(name="insurance_clerk"))
    return user


def test_a_county_b_user_cannot_see_county_a_households_or_boards(world, financing, login):
    client = login(_county_b_clerk(world))
    wang = financing.households["wang"]
    assert client.get(reverse("insurance:household_detail", args=[wang.pk])).status_code == 404
    listed = [h.pk for h in client.get(reverse("insurance:household_list")).context["page"]]
    assert listed == [financing.households["neighbour"].pk]
    board = client.get(reverse("insurance:notice_board"), {"village": world.divisions["v11"].pk})
    assert board.status_code == 404
    collection = client.get(reverse("insurance:collection"), {"division": world.divisions["county_a"].pk})
    assert collection.status_code == 404
    assert _enrol(client, wang, receipt_number="SJ-B").status_code == 404


def test_the_notice_board_offers_only_villages_of_the_users_subtree(world, financing, login):
    Division.objects.create(
        code="369902001001", name="河西村", level=DivisionLevel.VILLAGE, parent=world.divisions["tb1"]
    )
    client = login(world.users["insurance_clerk"])
    response = client.get(reverse("insurance:notice_board"))
    offered = set(response.context["form"].fields["village"].queryset)
    assert offered == {world.divisions["v11"], world.divisions["v21"]}
    assert client.get(reverse("insurance:notice_board"), {"village": "369902001001"}).status_code == 404


# --- policy versions ---------------------------------------------------------------------------------------


def test_policy_versions_are_listed_and_shown_as_text(world, financing, login):
    version = PolicyVersion.objects.get(code="demo-ncms")
    client = login(world.users["insurance_clerk"])
    html = client.get(reverse("insurance:policy_list")).content.decode()
    assert f'id="policy-{version.pk}" data-code="demo-ncms" data-version="1"' in html
    assert "policies/new/" not in html  # the clerk may not publish
    detail = client.get(reverse("insurance:policy_detail", args=[version.pk])).content.decode()
    assert '<pre id="policy-document">' in detail and "[inpatient]" in detail
    assert client.get(reverse("insurance:policy_new")).status_code == 403


def test_publishing_a_broken_policy_names_the_key(world, financing, login):
    source = PolicyVersion.objects.get(code="demo-ncms")
    client = login(world.users["superuser"])
    url = f"{reverse('insurance:policy_new')}?from={source.pk}"
    assert client.get(url).context["form"].initial["document"] == source.document
    broken = source.document.replace("valid_from = 2010-01-01", 'valid_from = "soon"')
    response = client.post(url, {"document": broken, "division": "", "note": "bad date"})
    assert response.status_code == 200
    assert "policy.valid_from" in " ".join(response.context["form"].errors["document"])
    assert PolicyVersion.objects.filter(code="demo-ncms").count() == 1

    fixed = source.document.replace(
        "示范县新型农村合作医疗补偿方案（演示）", "示范县新型农村合作医疗补偿方案（修订）"
    )
    response = client.post(url, {"document": fixed, "division": "", "note": "renamed"})
    published = PolicyVersion.objects.get(code="demo-ncms", version=2)
    assert response["Location"] == reverse("insurance:policy_detail", args=[published.pk])
    assert (published.created_by, published.note) == (world.users["superuser"], "renamed")


def test_the_auditor_reads_every_page_without_forms_to_change_anything(world, financing, login):
    client = login(world.users["auditor"])
    for name in ("household_list", "collection", "fund_report", "notice_board", "policy_list"):
        response = client.get(reverse(f"insurance:{name}"))
        assert response.status_code == 200, name
    detail = client.get(reverse("insurance:household_detail", args=[financing.households["wang"].pk]))
    assert detail.context["enrol_form"] is None
    assert client.get(reverse("insurance:household_new")).status_code == 403
    assert client.get(reverse("insurance:notice_board_xlsx")).status_code == 200


PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def test_a_member_photo_is_uploaded_shown_to_the_office_and_checked(
    world, financing, login, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    household = financing.households["wang"]
    member = household.members.first()
    url = reverse("insurance:member_photo", args=[household.pk, member.pk])
    client = login(world.users["insurance_clerk"])
    refused = client.post(
        url, {"photo": SimpleUploadedFile("a.png", b"not an image", "image/png")}, follow=True
    )
    assert "JPEG" in refused.content.decode()  # the message names the formats, in either language
    member.refresh_from_db()
    assert not member.photo
    client.post(url, {"photo": SimpleUploadedFile("a.png", PNG, "image/png")})
    member.refresh_from_db()
    assert member.photo
    shown = client.get(url)
    assert shown.status_code == 200 and b"".join(shown.streaming_content) == PNG
    # The cashier does not browse residents.
    assert login(world.users["institution_cashier"]).get(url).status_code == 403


def test_the_office_records_a_collectives_support_and_it_reaches_the_fund(world, financing, login):
    client = login(world.users["insurance_clerk"])
    township = world.divisions["t1"]
    page = client.get(reverse("insurance:collection"), {"year": 2026})
    assert 'id="collective"' in page.content.decode()
    url = reverse("insurance:collective_contribution")
    data = {"division": township.pk, "year": 2026, "paid_on": "2025-12-20", "receipt_number": "JT-1"}
    refused = client.post(url, {**data, "amount": "0"}, follow=True)
    assert not Contribution.objects.filter(receipt_number="JT-1").exists()
    assert refused.status_code == 200
    client.post(url, {**data, "amount": "20000"})
    recorded = Contribution.objects.get(receipt_number="JT-1")
    assert (recorded.payer_type, recorded.amount, recorded.division) == (
        "collective",
        Decimal("20000.00"),
        township,
    )
    report = client.get(reverse("insurance:fund_report"), {"year": 2026})
    december = next(month for month in report.context["report"].months if month.month == dt.date(2025, 12, 1))
    assert december.income["collective"] == Decimal("20000.00")
    # The cashier records no money for the scheme.
    assert login(world.users["institution_cashier"]).post(url, {**data, "amount": "1"}).status_code == 403
