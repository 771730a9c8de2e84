"""Complaint pages: the public form and tracking page without login, the staff list by scope with its
badges and counters, intake, and the workflow walked through a complaint's page."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from tests.complaints import factories
from weijian.complaints.models import Complaint

pytestmark = pytest.mark.django_db

D = dt.date


def _public_form(world, **overrides):
    data = {
        "division": world.divisions["t1"].pk,
        "category": "illegal_medical_beauty",
        "subject_name": "某美容工作室",
        "content": "在居民楼内为顾客注射玻尿酸",
        "name": "李女士",
        "phone": "13800138001",
        "email": "",
        "website": "",
    }
    data.update(overrides)
    return data


def _act(client, complaint, action, **data):
    return client.post(
        reverse("complaints:complaint_detail", args=[complaint.pk]), {"action": action, **data}
    )


def _state(complaint) -> str:
    complaint.refresh_from_db()
    return complaint.state


# --- public pages -------------------------------------------------------------------------------------


def test_the_public_form_opens_without_login_and_fits_a_phone(client, world):
    response = client.get(reverse("complaints:public_submit"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="viewport" content="width=device-width' in html
    assert "csrfmiddlewaretoken" in html
    divisions = list(response.context["form"].fields["division"].queryset)
    assert {d.level for d in divisions} == {"county", "township"}
    assert world.divisions["t1"] in divisions


def test_a_public_submission_without_login_creates_a_complaint_and_shows_number_due_date_and_key(
    client, world
):
    response = client.post(reverse("complaints:public_submit"), _public_form(world))
    assert response.status_code == 200
    complaint = Complaint.objects.get()
    assert (complaint.channel, complaint.received_by) == ("web", world.orgs["commission_a"])
    html = response.content.decode()
    assert complaint.number in html
    assert complaint.reply_due.strftime("%Y-%m-%d") in html
    key = re.search(r'id="tracking-key"><strong><code>([A-Z0-9-]+)</code>', html).group(1)
    tracked = client.post(reverse("complaints:public_track"), {"number": complaint.number, "secret": key})
    assert tracked.context["status"].number == complaint.number


def test_the_public_form_needs_csrf(world):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post(reverse("complaints:public_submit"), _public_form(world)).status_code == 403
    assert not Complaint.objects.exists()


def test_a_bot_filling_the_hidden_field_creates_nothing(client, world):
    response = client.post(reverse("complaints:public_submit"), _public_form(world, website="http://spam"))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not Complaint.objects.exists()


def test_a_named_public_complaint_without_contact_is_sent_back_with_the_error(client, world):
    response = client.post(reverse("complaints:public_submit"), _public_form(world, phone="", email=""))
    assert response.status_code == 200
    assert response.context["form"].errors["phone"]
    assert not Complaint.objects.exists()


def test_an_anonymous_public_complaint_keeps_no_contact(client, world):
    client.post(reverse("complaints:public_submit"), _public_form(world, anonymous="on"))
    complaint = Complaint.objects.get()
    assert complaint.anonymous and not complaint.complainant_phone and not complaint.complainant_name


def test_tracking_shows_the_reply_only_to_the_complainant(client, world):
    complaint = factories.submit(world, phone="13800138001")
    complaint.state, complaint.handled_on, complaint.result = "replied", D(2026, 10, 20), "属实"
    complaint.reply, complaint.replied_on = "已责令停业整顿", D(2026, 10, 21)
    complaint.save()
    url = reverse("complaints:public_track")
    assert client.get(url).status_code == 200

    found = client.post(url, {"number": complaint.number.lower(), "secret": "138-0013-8001"})
    assert found.context["status"].reply == "已责令停业整顿"
    assert "已责令停业整顿" in found.content.decode()

    wrong = client.post(url, {"number": complaint.number, "secret": "13800000000"})
    assert wrong.context["status"] is None
    assert "已责令停业整顿" not in wrong.content.decode()
    assert 'id="not-found"' in wrong.content.decode()


def test_an_anonymous_complaint_is_tracked_by_its_key_only(client, world):
    complaint = factories.submit(world, anonymous=True)
    url = reverse("complaints:public_track")
    assert client.post(url, {"number": complaint.number, "secret": complaint.tracking_key}).context["status"]
    assert (
        client.post(url, {"number": complaint.number, "secret": "ABCD-EFGH-JKMN"}).context["status"] is None
    )


# --- staff pages --------------------------------------------------------------------------------------


def test_staff_pages_need_a_login(client, world):
    complaint = factories.complaint(world)
    for url in (
        reverse("complaints:complaint_list"),
        reverse("complaints:complaint_new"),
        reverse("complaints:complaint_detail", args=[complaint.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert "login" in response.url


@pytest.mark.parametrize(
    ("role", "status", "listed"),
    [
        ("commission_leader", 200, {"a"}),
        ("supervisor", 200, {"a"}),
        ("auditor", 200, {"a"}),
        ("superuser", 200, {"a", "b"}),
        ("institution_manager", 200, set()),
        ("department_officer", 403, set()),
        ("no_organisation", 403, set()),
    ],
)
def test_the_staff_list_shows_only_scoped_complaints(world, login, role, status, listed):
    complaints = {
        "a": factories.complaint(world, division="t1"),
        "b": factories.complaint(world, division="tb1", handling="commission_b"),
    }
    response = login(world.users[role]).get(reverse("complaints:complaint_list"))
    assert response.status_code == status
    if status == 200:
        shown = {row["complaint"] for row in response.context["rows"]}
        assert shown == {complaints[key] for key in listed}
        assert response.context["counters"]["received"] == len(listed)


def test_the_list_filters_and_marks_overdue_and_late_complaints(world, login):
    overdue = factories.complaint(world, reply_due=D(2020, 1, 6), subject_name="甲诊所")
    ahead = factories.complaint(world, reply_due=D(2099, 1, 5), subject_name="乙诊所")
    late = factories.complaint(
        world,
        state="replied",
        reply_due=D(2026, 10, 30),
        handled_on=D(2026, 11, 2),
        replied_on=D(2026, 11, 3),
        subject_name="丙诊所",
    )
    client = login(world.users["supervisor"])
    response = client.get(reverse("complaints:complaint_list"))
    rows = {row["complaint"]: row for row in response.context["rows"]}
    assert (rows[overdue]["overdue"], rows[ahead]["overdue"], rows[late]["overdue"]) == (True, False, False)
    assert (rows[late]["late"], rows[overdue]["late"]) == (True, None)
    html = response.content.decode()
    assert html.count("overdue-badge") == 1 and html.count("late-badge") == 1

    only_overdue = client.get(reverse("complaints:complaint_list"), {"overdue": "on"})
    assert [row["complaint"] for row in only_overdue.context["rows"]] == [overdue]
    by_text = client.get(reverse("complaints:complaint_list"), {"q": "乙诊所"})
    assert [row["complaint"] for row in by_text.context["rows"]] == [ahead]
    by_state = client.get(reverse("complaints:complaint_list"), {"state": "replied"})
    assert [row["complaint"] for row in by_state.context["rows"]] == [late]


def test_staff_record_a_hotline_complaint_and_see_the_tracking_key_once(world, login):
    client = login(world.users["supervisor"])
    assert client.get(reverse("complaints:complaint_new")).status_code == 200
    response = client.post(
        reverse("complaints:complaint_new"),
        {
            "channel": "hotline",
            "received_at": "2026-09-28T09:30",
            "division": world.divisions["t2"].pk,
            "category": "red_envelope",
            "institution": world.institutions["th2"].pk,
            "content": "住院期间被索要红包",
            "name": "王先生",
            "phone": "13700000000",
        },
    )
    complaint = Complaint.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("complaints:complaint_detail", args=[complaint.pk])
    assert (complaint.channel, complaint.received_on, complaint.reply_due) == (
        "hotline",
        D(2026, 9, 28),
        D(2026, 10, 30),
    )
    page = client.get(response.url)
    assert any(complaint.number in str(m) for m in page.context["messages"])


def test_roles_without_intake_permission_cannot_open_the_intake_page(world, login):
    assert (
        login(world.users["institution_manager"]).get(reverse("complaints:complaint_new")).status_code == 403
    )


def test_the_workflow_is_walked_through_the_detail_page(world, login):
    complaint = factories.submit(world, division="county_a", category=factories.category("cell_therapy"))
    leader = login(world.users["commission_leader"])
    page = leader.get(reverse("complaints:complaint_detail", args=[complaint.pk]))
    assert [f["action"] for f in page.context["action_forms"]] == ["assign", "transfer"]
    assert page.context["days_left"] is not None
    hospital = world.orgs["county_hospital"]
    assert _act(leader, complaint, "transfer", **{"transfer-to_organisation": hospital.pk}).status_code == 302
    assert _state(complaint) == "transferred"

    manager = login(world.users["institution_manager"])
    page = manager.get(reverse("complaints:complaint_detail", args=[complaint.pk]))
    assert [f["action"] for f in page.context["action_forms"]] == ["start_check"]
    assert _act(manager, complaint, "start_check").status_code == 302
    # 举报1例现场核查1例: the form refuses to close the tip without the on-site check.
    handle = {
        "handle-substantiated": "yes",
        "handle-result": "属实，已移交监督所立案",
        "handle-handled_on": "2026-10-20",
    }
    response = _act(manager, complaint, "handle", **handle)
    assert response.status_code == 200
    assert response.context["action_forms"][0]["form"].errors["on_site_checked_on"]
    assert _state(complaint) == "checking"
    assert (
        _act(
            manager, complaint, "handle", **handle, **{"handle-on_site_checked_on": "2026-10-09"}
        ).status_code
        == 302
    )
    assert (_state(complaint), complaint.substantiated) == ("handled", True)
    reply = {"reply-reply": "经查属实，已依法处理", "reply-replied_on": "2026-10-22"}
    assert _act(manager, complaint, "reply", **reply).status_code == 302
    assert _state(complaint) == "replied"

    assert _act(manager, complaint, "rate", **{"rate-satisfaction": "satisfied"}).status_code == 403
    leader = login(world.users["commission_leader"])  # one test client: log in again
    assert _act(leader, complaint, "rate", **{"rate-satisfaction": "satisfied"}).status_code == 302
    assert _state(complaint) == "rated"
    page = leader.get(reverse("complaints:complaint_detail", args=[complaint.pk]))
    assert [e["event"].action for e in page.context["events"]] == [
        "transfer",
        "start_check",
        "handle",
        "reply",
        "rate",
    ]
    assert page.context["action_forms"] == []


def test_an_action_the_workflow_does_not_allow_now_is_reported_and_changes_nothing(world, login):
    complaint = factories.complaint(world, state="received")
    response = _act(login(world.users["commission_leader"]), complaint, "reply", **{"reply-reply": "x"})
    assert response.status_code == 302
    page = login(world.users["commission_leader"]).get(response.url)
    assert [m.level_tag for m in page.context["messages"]] == ["error"]
    assert _state(complaint) == "received"


def test_the_detail_page_lists_linked_cases_for_those_who_see_the_case_ledger(world, login):
    complaint = factories.complaint(
        world, state="handled", handled_on=D(2026, 10, 20), handling="county_hospital"
    )
    case = factories.case(world, complaint, penalties=1)
    page = login(world.users["supervisor"]).get(reverse("complaints:complaint_detail", args=[complaint.pk]))
    assert page.context["cases"] == [case]
    assert case.number in page.content.decode()
    page = login(world.users["institution_manager"]).get(
        reverse("complaints:complaint_detail", args=[complaint.pk])
    )
    assert page.context["cases"] == []


def test_the_campaign_is_set_from_the_detail_page_during_triage(world, login):
    from tests.rectification.factories import campaign as make_campaign

    campaign = make_campaign(world, year=2026)
    complaint = factories.complaint(world, state="received")
    client = login(world.users["supervisor"])
    assert client.get(reverse("complaints:complaint_detail", args=[complaint.pk])).context["campaign_form"]
    assert _act(client, complaint, "set_campaign", campaign=campaign.pk).status_code == 302
    complaint.refresh_from_db()
    assert complaint.campaign == campaign
