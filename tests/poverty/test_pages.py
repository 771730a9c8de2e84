"""Pages of health poverty alleviation: the registry and a person's record, the phone forms of the village
doctor (follow-up, service, contract, check-up), the overdue list, work items, village cover, the indicator
dashboard with its drill-down, and the monthly summary with its workbook."""

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from weijian.core import synthetic
from weijian.insurance import services as insurance_services
from weijian.insurance.models import Claim
from weijian.poverty import selectors
from weijian.poverty.engine import kpi
from weijian.poverty.models import Contract, FollowUp, SittingMonth, VillageCover
from weijian.registry.models import Practitioner, PractitionerCategory

pytestmark = pytest.mark.django_db

V11, V21, T1, T2 = "369901001001", "369901002001", "369901001000", "369901002000"


def _ids(html: str, prefix: str) -> set[int]:
    return {int(pk) for pk in re.findall(rf'id="{prefix}-(\d+)"', html)}


def _cell(html: str, row_id: str, indicator: str) -> tuple[int, int, str]:
    row = re.search(rf'<tr id="{row_id}".*?</tr>', html, re.S).group(0)
    cell = re.search(
        rf'data-indicator="{indicator}" data-status="(\w+)" data-numerator="(\d+)" data-denominator="(\d+)"',
        row,
    )
    return int(cell.group(2)), int(cell.group(3)), cell.group(1)


# --- who may open what ------------------------------------------------------------------------------------


PAGES = [
    ("township_staff", "poverty:person_list", None),
    ("village_doctor", "poverty:person_list", None),
    ("insurance_clerk", "poverty:person_list", None),
    ("township_staff", "poverty:person_detail", "wang"),
    ("village_doctor", "poverty:person_detail", "wang"),
    ("insurance_clerk", "poverty:person_detail", "wang"),
    ("township_staff", "poverty:person_status", "wang"),
    ("village_doctor", "poverty:follow_up_new", "wang"),
    ("village_doctor", "poverty:fulfilment_new", "wang"),
    ("village_doctor", "poverty:contract_new", "zhang"),
    ("village_doctor", "poverty:follow_ups", None),
    ("township_staff", "poverty:mismatch_list", None),
    ("insurance_clerk", "poverty:mismatch_list", None),
    ("insurance_clerk", "poverty:mismatch_resolve", "mismatch"),
    ("township_staff", "poverty:covers", None),
    ("village_doctor", "poverty:checkups", None),
    ("commission_leader", "poverty:kpi", None),
    ("auditor", "poverty:kpi", None),
    ("village_doctor", "poverty:kpi", None),
    ("commission_leader", "poverty:report", None),
    ("auditor", "poverty:report_xlsx", None),
]


def _url(poverty_world, name, key):
    if key is None:
        return reverse(name)
    pk = poverty_world.mismatch.pk if key == "mismatch" else poverty_world.persons[key].pk
    return reverse(name, args=[pk])


@pytest.mark.parametrize(("role", "name", "key"), PAGES)
def test_each_page_opens_for_the_role_that_uses_it(world, poverty_world, login, role, name, key):
    response = login(world.users[role]).get(_url(poverty_world, name, key))
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("role", "name", "key"),
    [
        ("institution_cashier", "poverty:person_list", None),
        ("insurance_clerk", "poverty:follow_ups", None),
        ("insurance_clerk", "poverty:kpi", None),
        ("insurance_clerk", "poverty:follow_up_new", "wang"),
        ("village_doctor", "poverty:person_status", "wang"),
        ("village_doctor", "poverty:mismatch_list", None),
        ("village_doctor", "poverty:covers", None),
        ("auditor", "poverty:follow_up_new", "wang"),
        ("auditor", "poverty:mismatch_resolve", "mismatch"),
    ],
)
def test_a_role_without_the_permission_is_refused(world, poverty_world, login, role, name, key):
    response = login(world.users[role]).get(_url(poverty_world, name, key))
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("role", "url"),
    [
        ("village_doctor", lambda p: reverse("poverty:person_detail", args=[p.persons["li"].pk])),
        ("village_doctor", lambda p: reverse("poverty:follow_up_new", args=[p.persons["li"].pk])),
        ("township_staff", lambda p: reverse("poverty:person_detail", args=[p.persons["li"].pk])),
        ("township_staff", lambda p: reverse("poverty:person_status", args=[p.persons["li"].pk])),
        ("village_doctor", lambda p: f"{reverse('poverty:kpi')}?area={V21}"),
        ("village_doctor", lambda p: f"{reverse('poverty:kpi_people')}?village={V21}&indicator=contract"),
        ("township_staff", lambda p: f"{reverse('poverty:kpi')}?area={T2}"),
        ("township_staff", lambda p: f"{reverse('poverty:report')}?area=369902000000"),
        ("commission_leader", lambda p: f"{reverse('poverty:kpi')}?area=369902001000"),
    ],
)
def test_a_record_or_area_out_of_scope_is_not_found(world, poverty_world, login, role, url):
    assert login(world.users[role]).get(url(poverty_world)).status_code == 404


# --- the registry -----------------------------------------------------------------------------------------


def test_the_village_doctor_lists_the_poor_of_the_clinics_village_only(world, poverty_world, login):
    p = poverty_world.persons
    html = login(world.users["village_doctor"]).get(reverse("poverty:person_list")).content.decode()
    assert _ids(html, "person") == {p["wang"].pk, p["zhang"].pk, p["gone"].pk}
    assert f'id="person-{p["wang"].pk}" data-status="poor" data-contracted="true"' in html
    assert f'id="person-{p["zhang"].pk}" data-status="poor" data-contracted="false"' in html


def test_the_commission_filters_the_registry_by_village_status_and_name(world, poverty_world, login):
    p = poverty_world.persons
    client = login(world.users["commission_leader"])
    url = reverse("poverty:person_list")
    v21 = world.divisions["v21"]
    assert _ids(client.get(url).content.decode(), "person") == {person.pk for person in p.values()}
    assert _ids(client.get(url, {"division": v21.pk}).content.decode(), "person") == {p["li"].pk}
    assert _ids(client.get(url, {"status": "exited"}).content.decode(), "person") == {p["gone"].pk}
    assert _ids(client.get(url, {"q": "张三"}).content.decode(), "person") == {p["zhang"].pk}


def test_a_persons_record_shows_history_contract_dues_and_claims_only_to_who_may_see_claims(
    world, poverty_world, login
):
    wang = poverty_world.persons["wang"]
    clerk_html = login(world.users["insurance_clerk"]).get(reverse("poverty:person_detail", args=[wang.pk]))
    clerk_html = clerk_html.content.decode()
    assert 'id="claims"' in clerk_html
    html = (
        login(world.users["township_staff"])
        .get(reverse("poverty:person_detail", args=[wang.pk]))
        .content.decode()
    )
    assert 'id="claims"' not in html  # township staff may not see claims
    assert 'data-enrolled="true"' in html  # 王大山's household is enrolled for this year
    assert f'data-contract="{poverty_world.contract.pk}"' in html
    assert "血压测量" in html
    # Last hypertension follow-up 100 days ago, every 90 days: 10 days overdue.
    assert 'data-programme="hypertension" data-overdue-days="10" class="overdue-row"' in html
    assert "刘帮扶" in html and 'href="tel:13900000001"' in html


def test_exit_is_dated_with_a_reason_and_a_missing_reason_is_shown_on_its_field(world, poverty_world, login):
    zhang = poverty_world.persons["zhang"]
    client = login(world.users["township_staff"])
    url = reverse("poverty:person_status", args=[zhang.pk])
    today = poverty_world.today
    response = client.post(url, {"action": "exit", "effective_on": today.isoformat(), "reason": ""})
    assert response.status_code == 200
    assert 'data-field-error="reason"' in response.content.decode()
    response = client.post(
        url, {"action": "exit", "effective_on": today.isoformat(), "reason": "家庭收入达标"}
    )
    assert response.status_code == 302
    zhang.refresh_from_db()
    assert zhang.status == "exited"
    assert zhang.status_changes.last().reason == "家庭收入达标"


# --- follow-ups ------------------------------------------------------------------------------------------------


def test_a_follow_up_recorded_on_the_phone_leaves_the_overdue_list_and_raises_the_township_kpi(
    world, poverty_world, login
):
    wang = poverty_world.persons["wang"]
    doctor = login(world.users["village_doctor"])
    overdue = doctor.get(reverse("poverty:follow_ups")).content.decode()
    assert f'id="due-{wang.pk}-hypertension"' in overdue
    assert 'data-count="1"' in overdue  # 张三 is on time; 李四 is another village's

    staff = login(world.users["township_staff"])
    before = staff.get(reverse("poverty:kpi")).content.decode()
    # t1's dues: 王大山 overdue, 张三 on time (钱已脱 exited: no longer followed up).
    assert _cell(before, "area-total", kpi.FOLLOW_UP) == (1, 2, "no_target")

    doctor = login(world.users["village_doctor"])
    response = doctor.post(
        reverse("poverty:follow_up_new", args=[wang.pk]),
        {
            "programme": "hypertension",
            "done_on": poverty_world.today.isoformat(),
            "method": "phone",
            "result": "stable",
            "note": "血压 135/85",
        },
        follow=True,
    )
    assert response.redirect_chain == [(reverse("poverty:follow_ups"), 302)]
    html = response.content.decode()
    assert f'id="due-{wang.pk}-hypertension"' not in html
    assert 'data-count="0"' in html
    assert FollowUp.objects.filter(person=wang, done_on=poverty_world.today, note="血压 135/85").exists()

    staff = login(world.users["township_staff"])
    after = staff.get(reverse("poverty:kpi")).content.decode()
    assert _cell(after, "area-total", kpi.FOLLOW_UP) == (2, 2, "no_target")
    county = login(world.users["commission_leader"]).get(reverse("poverty:kpi")).content.decode()
    assert _cell(county, f"area-{T1}", kpi.FOLLOW_UP) == (2, 2, "no_target")
    assert _cell(county, f"area-{T2}", kpi.FOLLOW_UP) == (0, 1, "no_target")


def test_the_overdue_toggle_shows_every_follow_up_due(world, poverty_world, login):
    p = poverty_world.persons
    html = (
        login(world.users["township_staff"]).get(reverse("poverty:follow_ups"), {"all": "1"}).content.decode()
    )
    assert f'id="due-{p["wang"].pk}-hypertension"' in html
    assert f'id="due-{p["zhang"].pk}-diabetes"' in html
    assert 'data-count="2"' in html


def test_a_follow_up_dated_tomorrow_is_refused_on_the_date_field(world, poverty_world, login):
    wang = poverty_world.persons["wang"]
    response = login(world.users["village_doctor"]).post(
        reverse("poverty:follow_up_new", args=[wang.pk]),
        {
            "programme": "hypertension",
            "done_on": (poverty_world.today + dt.timedelta(days=1)).isoformat(),
            "method": "home",
            "result": "stable",
        },
    )
    assert response.status_code == 200
    assert 'data-field-error="done_on"' in response.content.decode()
    assert FollowUp.objects.filter(person=wang).count() == 1


# --- contracts and services ---------------------------------------------------------------------------------


def test_the_village_doctor_signs_a_contract_with_the_township_team_then_records_a_service(
    world, poverty_world, login
):
    zhang = poverty_world.persons["zhang"]
    client = login(world.users["village_doctor"])
    today = poverty_world.today.isoformat()
    response = client.post(
        reverse("poverty:contract_new", args=[zhang.pk]),
        {
            "team": poverty_world.team.pk,
            "signed_on": today,
            "category": "registered_poor",
            "package": "health_management",
        },
    )
    assert response.status_code == 302
    contract = Contract.objects.get(person=zhang)
    assert (contract.team, contract.valid_until) == (
        poverty_world.team,
        poverty_world.today + dt.timedelta(days=364),
    )

    url = reverse("poverty:fulfilment_new", args=[zhang.pk])
    response = client.post(url, {"done_on": today, "content": "随访告知", "done": "0", "reason_not_done": ""})
    assert 'data-field-error="reason_not_done"' in response.content.decode()
    response = client.post(
        url, {"done_on": today, "content": "随访告知", "done": "0", "reason_not_done": "migrant_work"}
    )
    assert response.status_code == 302
    fulfilment = contract.fulfilments.get()
    assert (fulfilment.done, fulfilment.reason_not_done) == (False, "migrant_work")


def test_a_service_without_a_contract_sends_the_doctor_to_sign_one(world, poverty_world, login):
    zhang = poverty_world.persons["zhang"]
    client = login(world.users["village_doctor"])
    html = client.get(reverse("poverty:fulfilment_new", args=[zhang.pk])).content.decode()
    assert 'id="form-errors"' in html
    assert reverse("poverty:contract_new", args=[zhang.pk]) in html
    response = client.post(
        reverse("poverty:fulfilment_new", args=[zhang.pk]),
        {"done_on": poverty_world.today.isoformat(), "content": "血糖测量", "done": "1"},
    )
    assert response.status_code == 200
    assert not Contract.objects.filter(person=zhang).exists()


def test_a_second_contract_is_refused_on_the_form(world, poverty_world, login):
    wang = poverty_world.persons["wang"]
    response = login(world.users["township_staff"]).post(
        reverse("poverty:contract_new", args=[wang.pk]),
        {
            "team": poverty_world.team.pk,
            "signed_on": poverty_world.today.isoformat(),
            "category": "registered_poor",
            "package": "basic",
        },
    )
    assert response.status_code == 200
    # The service names the person, not a field of the form: the error stands above the form.
    assert 'id="form-errors"' in response.content.decode()
    assert Contract.objects.filter(person=wang).count() == 1


# --- work items ---------------------------------------------------------------------------------------------------


def test_the_insurance_clerk_resolves_a_mismatch_and_the_open_count_drops(world, poverty_world, login):
    mismatch = poverty_world.mismatch
    client = login(world.users["insurance_clerk"])
    html = client.get(reverse("poverty:mismatch_list")).content.decode()
    assert 'data-open="1"' in html and 'data-kind="not_enrolled" data-count="1"' in html
    url = reverse("poverty:mismatch_resolve", args=[mismatch.pk])
    response = client.post(url, {"resolution": ""})
    assert 'data-field-error="resolution"' in response.content.decode()
    response = client.post(url, {"resolution": "已补办参保"})
    assert response.status_code == 302
    mismatch.refresh_from_db()
    assert (mismatch.state, mismatch.resolution) == ("resolved", "已补办参保")
    html = client.get(reverse("poverty:mismatch_list")).content.decode()
    assert 'data-open="0"' in html
    assert f'id="mismatch-{mismatch.pk}"' not in html  # the list shows open items unless asked
    assert (
        f'id="mismatch-{mismatch.pk}"'
        in client.get(reverse("poverty:mismatch_list"), {"state": ""}).content.decode()
    )


# --- village cover ----------------------------------------------------------------------------------------------


def test_sitting_days_outside_7_to_10_are_flagged_and_a_replacement_needs_a_reason(
    world, poverty_world, login
):
    cover = poverty_world.cover
    client = login(world.users["township_staff"])
    html = client.get(reverse("poverty:covers")).content.decode()
    month = poverty_world.today.replace(day=1)
    before = (month - dt.timedelta(days=1)).replace(day=1)
    before = (before - dt.timedelta(days=1)).replace(day=1)
    assert f'data-month="{before:%Y-%m}" data-days="5" class="off" data-off="true"' in html

    response = client.post(
        reverse("poverty:sitting_new"), {"cover": cover.pk, "month": f"{month:%Y-%m}", "days": "12"}
    )
    assert response.status_code == 302
    assert SittingMonth.objects.get(cover=cover, month=month).days == 12
    html = client.get(reverse("poverty:covers")).content.decode()
    assert f'data-month="{month:%Y-%m}" data-days="12" class="off"' in html

    data = {
        "village": world.divisions["v11"].pk,
        "practitioner": world.practitioners["th2"].pk,
        "institution": world.institutions["th1"].pk,
        "since": poverty_world.today.isoformat(),
        "reason": "",
    }
    # The township staff of t1 cannot choose t2's doctor (not in scope): the form refuses the choice.
    response = client.post(reverse("poverty:cover_assign"), data)
    assert 'data-field-error="practitioner"' in response.content.decode()
    commission = login(world.users["commission_leader"])
    # A covering doctor must work at the township hospital named.
    response = commission.post(reverse("poverty:cover_assign"), {**data, "reason": "原包村医生调岗"})
    assert 'data-field-error="practitioner"' in response.content.decode()
    second = Practitioner.objects.create(
        id_number=synthetic.id_number(world.divisions["t1"].code, dt.date(1986, 4, 1), 902),
        name="城关镇卫生院第二医生",
        category=PractitionerCategory.PHYSICIAN,
        registered_institution=world.institutions["th1"],
    )
    data["practitioner"] = second.pk
    response = commission.post(reverse("poverty:cover_assign"), data)
    assert 'data-field-error="reason"' in response.content.decode()
    response = commission.post(reverse("poverty:cover_assign"), {**data, "reason": "原包村医生调岗"})
    assert response.status_code == 302
    current = VillageCover.objects.get(village=world.divisions["v11"], until__isnull=True)
    assert (current.practitioner, current.change_reason) == (second, "原包村医生调岗")


# --- check-ups ----------------------------------------------------------------------------------------------------


def test_a_check_up_recorded_by_id_number_raises_the_campaigns_coverage(world, poverty_world, login):
    campaign = poverty_world.campaign
    wang = poverty_world.persons["wang"]
    client = login(world.users["village_doctor"])
    html = client.get(reverse("poverty:checkups")).content.decode()
    # Of the clinic's village only 王大山 is in the target (张三 is 66, 钱已脱 exited).
    assert f'id="campaign-{campaign.pk}" data-target="1" data-examined="0"' in html
    data = {"campaign": campaign.pk, "id_number": "369901199001010000", "examined_on": poverty_world.today}
    response = client.post(reverse("poverty:checkups"), data)
    assert 'data-field-error="id_number"' in response.content.decode()
    response = client.post(reverse("poverty:checkups"), {**data, "id_number": wang.id_number})
    assert response.status_code == 302
    html = client.get(reverse("poverty:checkups")).content.decode()
    assert f'id="campaign-{campaign.pk}" data-target="1" data-examined="1"' in html
    county = login(world.users["commission_leader"]).get(reverse("poverty:checkups")).content.decode()
    assert f'id="campaign-{campaign.pk}" data-target="2" data-examined="1"' in county


# --- indicators ------------------------------------------------------------------------------------------------------


def test_the_dashboard_drills_down_from_county_to_village_to_the_people_missing_a_contract(
    world, poverty_world, login
):
    p = poverty_world.persons
    client = login(world.users["commission_leader"])
    county = client.get(reverse("poverty:kpi")).content.decode()
    assert f'href="?area={T1}"' in county and f'href="?area={T2}"' in county
    assert '<svg class="chart"' in county
    # Resident poor of t1: 王大山 signed, 张三 not.
    assert _cell(county, f"area-{T1}", kpi.CONTRACT) == (1, 2, "missed")
    township = client.get(reverse("poverty:kpi"), {"area": T1}).content.decode()
    people_url = f"{reverse('poverty:kpi_people')}?village={V11}&amp;indicator=contract"
    assert people_url in township
    html = client.get(
        reverse("poverty:kpi_people"), {"village": V11, "indicator": "contract"}
    ).content.decode()
    assert _ids(html, "person") == {p["zhang"].pk}


def test_a_rate_over_100_percent_is_flagged_as_impossible(world, poverty_world, login, monkeypatch):
    real = selectors.kpi_table

    def with_duplicates(user, *, area, today):
        area, rows, total = real(user, area=area, today=today)
        # seed-003 §3.9: 31,233 health records over 30,891 residents.
        rows[0].rates[kpi.ENROLMENT] = kpi.Rate(31233, 30891)
        return area, rows, total

    monkeypatch.setattr(selectors, "kpi_table", with_duplicates)
    html = login(world.users["commission_leader"]).get(reverse("poverty:kpi")).content.decode()
    assert _cell(html, f"area-{T1}", kpi.ENROLMENT) == (31233, 30891, "impossible")
    row = re.search(rf'<tr id="area-{T1}".*?</tr>', html, re.S).group(0)
    assert "101.1%" in row and 'class="flag"' in row


# --- the monthly summary -------------------------------------------------------------------------------------------


def test_the_workbooks_totals_row_equals_the_pages_and_the_parts_add_up(world, poverty_world, login):
    today = poverty_world.today
    cashier = world.users["institution_cashier"]
    member = poverty_world.persons["wang"].member
    claim = insurance_services.claim_enter(
        cashier,
        institution=world.institutions["county_hospital"],
        member=member,
        claim_type="inpatient",
        admit_date=today - dt.timedelta(days=5),
        discharge_date=today,
        total="10000",
    )
    # The registry's flag at entry (a registered poor patient); set here so the test does not depend on
    # how the claim form copies it.
    Claim.objects.filter(pk=claim.pk).update(poor=True)
    claim.refresh_from_db()
    insurance_services.claim_settle(cashier, claim, on=today)

    client = login(world.users["commission_leader"])
    response = client.get(reverse("poverty:report"), {"month": f"{today:%Y-%m}"})
    page_total = response.context["total"]["values"]
    columns = [column["key"] for column in response.context["columns"]]
    assert page_total[columns.index("admissions")] == 1
    assert page_total[columns.index("total")] == Decimal("10000.00")
    assert page_total[columns.index("persons")] == 3  # 王大山, 张三, 李四 (钱已脱 exited)
    assert response.context["check"]["difference"] == Decimal("0.00")
    assert 'data-difference="0.00"' in response.content.decode()

    workbook = client.get(reverse("poverty:report_xlsx"), {"month": f"{today:%Y-%m}"})
    sheet = load_workbook(io.BytesIO(workbook.content)).active
    rows = [row for row in sheet.iter_rows(values_only=True) if row and row[0] == "合计"]
    assert len(rows) == 1
    xlsx_total = [None if value is None else Decimal(str(value)) for value in rows[0][1 : len(columns) + 1]]
    assert xlsx_total == [None if value is None else Decimal(value) for value in page_total]


def test_the_report_for_a_township_has_a_row_per_village(world, poverty_world, login):
    response = login(world.users["township_staff"]).get(reverse("poverty:report"))
    html = response.content.decode()
    assert f'id="row-{V11}"' in html
    assert response.context["total"]["values"][0] == 2  # 王大山 and 张三 are poor in t1
