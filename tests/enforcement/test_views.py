"""Enforcement pages: the case ledger follows role and scope; a case is walked from lead to close
through its page's forms; a case is opened from a complaint; a referral is answered; the blacklist is
kept and exported as the joint-punishment workbook of what the user may see."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.enforcement import factories
from weijian.campaigns.services import campaign_from_template
from weijian.enforcement import services
from weijian.enforcement.models import BlacklistEntry, Case, CaseEvent, Penalty, Referral, SiteCheck

pytestmark = pytest.mark.django_db

OPENED_ON = dt.date(2026, 3, 2)


def _detail(case) -> str:
    return reverse("enforcement:case_detail", args=[case.pk])


def _act(client, case, action, **fields):
    """Post one action form of the case's page, its fields prefixed as the page prefixes them."""
    data = {"action": action, **{f"{action}-{name}": value for name, value in fields.items()}}
    return client.post(_detail(case), data)


def _penalty_rows(*rows) -> dict:
    """The decision's penalty formset as the page posts it: four rows, the unused ones blank."""
    data = {
        "penalties-TOTAL_FORMS": "4",
        "penalties-INITIAL_FORMS": "0",
        "penalties-MIN_NUM_FORMS": "1",
        "penalties-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        data.update({f"penalties-{index}-{name}": value for name, value in row.items()})
    return data


def _decide(client, case, *rows):
    return client.post(
        _detail(case),
        {
            "action": "decide",
            "decide-decided_on": "2026-03-20",
            "decide-facts": "在居民楼内开展注射类医疗美容项目",
            "decide-law_violated": "《医疗机构管理条例》第二十四条",
            "decide-penalty_basis": "《医疗机构管理条例》第四十三条",
            **_penalty_rows(*rows),
        },
    )


def _state(case) -> str:
    case.refresh_from_db()
    return case.state


# --- scope ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("supervisor", 200),
        ("commission_leader", 200),
        ("auditor", 200),
        ("superuser", 200),
        ("institution_manager", 403),
        ("township_staff", 403),
        ("department_officer", 403),
        ("no_organisation", 403),
    ],
)
def test_the_case_ledger_and_a_cases_page_follow_the_role(world, login, role, status):
    case = factories.open_case(world)
    client = login(world.users[role])

    ledger = client.get(reverse("enforcement:case_list"))
    page = client.get(_detail(case))

    assert ledger.status_code == status
    assert page.status_code == status
    if status == 200:
        assert _detail(case) in ledger.content.decode()


def test_a_user_of_county_b_finds_no_case_of_county_a(world, login):
    case = factories.open_case(world)
    county_b = factories.user_at(world.orgs["commission_b"], "supervisor_b")
    client = login(county_b)

    assert client.get(_detail(case)).status_code == 404
    assert _act(client, case, "verify").status_code == 404
    assert case.number not in client.get(reverse("enforcement:case_list")).content.decode()
    assert _state(case) == "lead"


def test_the_ledger_filters_by_state_and_text(world, login):
    lead = factories.open_case(world)
    other = factories.open_case(world, institution=world.institutions["th1"], title="城关镇卫生院超范围执业")
    factories.move(world, other, "supervisor", "verify")
    client = login(world.users["supervisor"])

    by_state = client.get(reverse("enforcement:case_list"), {"state": "verifying"}).context["page"]
    by_text = client.get(reverse("enforcement:case_list"), {"q": "卫生院"}).context["page"]

    assert list(by_state) == [other]
    assert list(by_text) == [other]
    assert lead not in list(by_text)


# --- the case workflow through the pages ------------------------------------------------------------


def test_a_supervisor_opens_files_decides_and_closes_a_case_through_the_pages(world, login):
    client = login(world.users["supervisor"])
    campaign = factories.campaign(world)

    opened = client.post(
        reverse("enforcement:case_new"),
        {
            "category": "beauty_unlicensed_practice",
            "title": "丽人美容工作室非法开展医疗美容",
            "source": "inspection",
            "opened_on": "2026-03-02",
            "campaign": campaign.pk,
            "party_name": "丽人美容工作室",
            "party_address": "城关镇解放路12号",
            "venue_type": "residential",
            "division": world.divisions["t1"].pk,
        },
    )
    case = Case.objects.get()
    assert opened.status_code == 302
    assert opened["Location"] == _detail(case)
    assert (case.party_name, case.venue_type, case.division, case.campaign, case.state) == (
        "丽人美容工作室",
        "residential",
        world.divisions["t1"],
        campaign,
        "lead",
    )

    _act(client, case, "verify")
    _act(client, case, "file", procedure="general", filed_on="2026-03-05")
    _act(client, case, "investigate")
    assert _state(case) == "investigating"
    decided = _decide(
        client,
        case,
        {"kind": "warning", "description": "对操作人员给予警告", "on_person": "on"},
        {"kind": "fine", "amount": "30000.50", "description": "罚款三万元"},
    )
    assert decided.status_code == 302
    assert _state(case) == "decided"
    _act(client, case, "execute")
    _act(client, case, "close", closed_on="2026-04-10", note="罚款已缴纳")

    case.refresh_from_db()
    assert case.state == "closed"
    assert (case.procedure, case.filed_on, case.decided_on, case.closed_on) == (
        "general",
        dt.date(2026, 3, 5),
        dt.date(2026, 3, 20),
        dt.date(2026, 4, 10),
    )
    assert case.law_violated == "《医疗机构管理条例》第二十四条"
    assert list(
        Penalty.objects.filter(case=case).values_list("kind", "amount", "description", "subject_type")
    ) == [
        ("warning", None, "对操作人员给予警告", "person"),
        ("fine", Decimal("30000.50"), "罚款三万元", "organisation"),
    ]
    assert list(case.events.values_list("action", flat=True)) == [
        "verify",
        "file",
        "investigate",
        "decide",
        "execute",
        "close",
    ]
    assert CaseEvent.objects.get(case=case, action="close").note == "罚款已缴纳"
    page = client.get(_detail(case)).content.decode()
    assert "30,000.50" in page or "30000.50" in page


def test_a_fine_without_an_amount_is_shown_on_its_row_and_decides_nothing(world, login):
    case = factories.open_case(world)
    factories.move(world, case, "supervisor", "verify")
    factories.move(world, case, "supervisor", "file", procedure="simple", filed_on=factories.FILED_ON)
    client = login(world.users["supervisor"])

    response = _decide(client, case, {"kind": "warning"}, {"kind": "fine", "description": "罚款"})

    assert response.status_code == 200
    formset = response.context["penalty_formset"]
    assert formset.forms[1].errors["amount"]
    assert not formset.forms[0].errors
    assert _state(case) == "filed"
    assert not Penalty.objects.exists()


def test_only_the_actions_the_user_may_take_are_offered(world, login):
    case = factories.open_case(world)

    supervisor = login(world.users["supervisor"]).get(_detail(case)).context
    leader = login(world.users["commission_leader"]).get(_detail(case)).context

    assert [entry["action"] for entry in supervisor["action_forms"]] == ["verify", "drop", "hand_over"]
    assert leader["action_forms"] == []
    # An action the leader's role may not take is refused, and nothing changes.
    assert _act(login(world.users["commission_leader"]), case, "verify").status_code == 403
    assert _state(case) == "lead"


def test_a_decided_case_is_marked_typical_with_its_narrative(world, login):
    case = factories.to_decided(world, factories.open_case(world))
    client = login(world.users["supervisor"])

    empty = client.post(
        _detail(case), {"action": "mark_typical", "typical-typical": "on", "typical-narrative": ""}
    )
    assert empty.status_code == 200
    assert empty.context["typical_form"].errors["narrative"]

    client.post(
        _detail(case),
        {"action": "mark_typical", "typical-typical": "on", "typical-narrative": "曝光典型案例"},
    )
    case.refresh_from_db()
    assert (case.is_typical, case.narrative) == (True, "曝光典型案例")
    listed = client.get(reverse("enforcement:case_list"), {"typical": "yes"}).context["page"]
    assert list(listed) == [case]


def test_a_filed_case_is_sent_to_the_police_with_its_evidence_and_the_receipt_recorded(world, login):
    case = factories.open_case(world)
    factories.move(world, case, "supervisor", "verify")
    factories.move(world, case, "supervisor", "file", procedure="general", filed_on=factories.FILED_ON)
    client = login(world.users["supervisor"])

    client.post(
        _detail(case),
        {
            "action": "send_to_police",
            "police-receiving_body": "示范县公安局",
            "police-evidence": "现场检查笔录\n\n产品检测报告\n",
            "police-sent_on": "2026-03-08",
        },
    )
    transfer = case.judicial_transfers.get()
    assert (transfer.receiving_body, transfer.evidence, transfer.sent_on) == (
        "示范县公安局",
        ["现场检查笔录", "产品检测报告"],
        dt.date(2026, 3, 8),
    )

    client.post(
        _detail(case),
        {
            "action": "answer_transfer",
            "transfer": transfer.pk,
            "reply": "acknowledge",
            f"transfer-{transfer.pk}-acknowledge-acknowledged_on": "2026-03-09",
        },
    )
    transfer.refresh_from_db()
    assert (transfer.state, transfer.acknowledged_on) == ("acknowledged", dt.date(2026, 3, 9))


def test_a_case_is_handed_over_to_an_organisation_chosen_on_the_page(world, login):
    case = factories.open_case(world, facts="发布违法医疗美容广告")
    client = login(world.users["supervisor"])

    _act(client, case, "hand_over", to_organisation=world.orgs["market_a"].pk, sent_on="2026-03-04")

    assert _state(case) == "handed_over"
    referral = Referral.objects.get(case=case)
    assert (referral.to_organisation, referral.sent_on, referral.facts) == (
        world.orgs["market_a"],
        dt.date(2026, 3, 4),
        "发布违法医疗美容广告",
    )


# --- from a complaint -------------------------------------------------------------------------------


def test_a_case_opened_from_a_complaint_is_prefilled_and_linked_to_it(world, login):
    complaint = factories.complaint(world)
    client = login(world.users["supervisor"])
    url = f"{reverse('enforcement:case_new')}?complaint={complaint.pk}"

    form = client.get(url).context["form"]
    assert form.initial["source"] == "complaint"
    assert form.initial["party_name"] == "丽人美容工作室"
    assert form.initial["category"] == "beauty_unlicensed_practice"

    client.post(
        url,
        {
            "complaint": complaint.pk,
            "category": "beauty_unlicensed_practice",
            "title": "丽人美容工作室非法医疗美容",
            "source": "complaint",
            "opened_on": "2026-03-02",
            "party_name": "丽人美容工作室",
            "division": world.divisions["t1"].pk,
        },
    )
    case = Case.objects.get()
    assert (case.complaint, case.source) == (complaint, "complaint")
    assert (
        case.number
        in client.get(reverse("complaints:complaint_detail", args=[complaint.pk])).content.decode()
    )


def test_a_complaint_out_of_scope_cannot_seed_a_case(world, login):
    complaint = factories.complaint(world, division="county_b")
    client = login(world.users["supervisor"])

    assert client.get(f"{reverse('enforcement:case_new')}?complaint={complaint.pk}").status_code == 404


# --- on-site checks and referrals -------------------------------------------------------------------


def test_a_site_check_offers_the_categories_of_its_campaigns_tasks(world, login):
    campaign = campaign_from_template(
        user=None, template_code="medical_beauty", division=world.divisions["county_a"], year=2026
    )
    client = login(world.users["supervisor"])
    url = reverse("enforcement:site_check_new")

    offered = client.get(url, {"campaign": campaign.pk}).context["form"].fields["category"].queryset
    response = client.post(
        f"{url}?campaign={campaign.pk}",
        {
            "campaign": campaign.pk,
            "category": "beauty_drugs",
            "checked_on": "2026-03-10",
            "institution": world.institutions["beauty_t1"].pk,
            "violation_found": "on",
        },
    )

    assert "beauty_unlicensed_practice" in {c.pk for c in offered}
    assert "fire" not in {c.pk for c in offered}
    assert response.status_code == 302
    check = SiteCheck.objects.get()
    assert (check.campaign, check.category_id, check.violation_found) == (campaign, "beauty_drugs", True)


def test_the_recipient_acknowledges_and_accepts_a_referral_opening_a_case(world, login):
    market = login(world.users["department_officer"])
    market.post(
        reverse("enforcement:referral_new"),
        {
            "to_organisation": world.orgs["supervision_a"].pk,
            "category": "beauty_unlicensed_practice",
            "facts": "某美容店内有人注射玻尿酸",
            "sent_on": "2026-03-02",
            "party_name": "丽人美容工作室",
            "division": world.divisions["t1"].pk,
        },
    )
    referral = Referral.objects.get()
    url = reverse("enforcement:referral_detail", args=[referral.pk])
    # The sender sees it among those sent, but may not answer it.
    assert referral in market.get(reverse("enforcement:referral_list"), {"direction": "out"}).context["page"]
    assert market.get(url).context["action_forms"] == []

    supervisor = login(world.users["supervisor"])
    assert referral in supervisor.get(reverse("enforcement:referral_list")).context["page"]
    supervisor.post(url, {"action": "acknowledge", "acknowledge-acknowledged_on": "2026-03-03"})
    supervisor.post(url, {"action": "accept", "accept-decided_on": "2026-03-04", "accept-open_case": "on"})

    referral.refresh_from_db()
    assert referral.state == "accepted"
    case = referral.opened_cases.get()
    assert (case.source, case.organisation, case.party_name) == (
        "referral",
        world.orgs["supervision_a"],
        "丽人美容工作室",
    )


# --- blacklist --------------------------------------------------------------------------------------


def _listed(world, *, user="supervisor", institution="beauty_t1", listed_on=dt.date(2026, 5, 1)):
    return services.blacklist_add(
        user=world.users[user],
        reason="非法开展医疗美容情节严重",
        listed_on=listed_on,
        punishment_scope="全县医疗卫生机构",
        institution=world.institutions[institution],
    )


def test_the_blacklist_export_holds_the_visible_entries_in_force_only(world, login):
    in_force = _listed(world)
    removed = _listed(world, institution="th1")
    services.blacklist_remove(
        user=world.users["supervisor"], entry_id=removed.pk, removed_on=dt.date(2026, 6, 1), reason="信用修复"
    )
    _listed(world, user="superuser", institution="hospital_b")  # county B: not the supervisor's

    response = login(world.users["supervisor"]).get(reverse("enforcement:blacklist_export"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    names = [row[1] for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert names == [in_force.subject_name]


def test_a_manager_of_the_blacklist_adds_and_removes_an_entry_through_the_page(world, login):
    case = factories.to_closed(world, factories.open_case(world))
    client = login(world.users["commission_leader"])
    url = reverse("enforcement:blacklist")

    client.post(
        url,
        {
            "action": "add",
            "add-case_number": case.number,
            "add-reason": "非法开展医疗美容情节严重",
            "add-listed_on": "2026-05-01",
            "add-punishment_scope": "全县医疗卫生机构",
        },
    )
    entry = BlacklistEntry.objects.get()
    assert (entry.case, entry.institution, entry.punishment_scope) == (
        case,
        world.institutions["beauty_t1"],
        "全县医疗卫生机构",
    )

    client.post(
        url,
        {
            "action": "remove",
            "entry": entry.pk,
            f"remove-{entry.pk}-removed_on": "2026-06-01",
            f"remove-{entry.pk}-reason": "信用修复",
        },
    )
    entry.refresh_from_db()
    assert (entry.removed_on, entry.removal_reason) == (dt.date(2026, 6, 1), "信用修复")
    assert entry in client.get(url).context["inactive"]


def test_a_role_that_only_views_the_blacklist_gets_no_form_and_cannot_post(world, login):
    _listed(world)
    client = login(world.users["auditor"])
    url = reverse("enforcement:blacklist")

    page = client.get(url)
    refused = client.post(url, {"action": "add", "add-reason": "x"})

    assert page.status_code == 200
    assert page.context["add_form"] is None
    assert refused.status_code == 403
    assert BlacklistEntry.objects.count() == 1


def test_the_credit_page_totals_the_points_of_the_year(world, login):
    factories.to_closed(world, factories.open_case(world))

    totals = (
        login(world.users["supervisor"]).get(reverse("enforcement:credit"), {"year": 2026}).context["totals"]
    )
    other_year = (
        login(world.users["supervisor"]).get(reverse("enforcement:credit"), {"year": 2025}).context["totals"]
    )

    assert [t.institution for t in totals if t.institution] == [world.institutions["beauty_t1"]]
    assert other_year == []
