"""Demo county, enforcement part: the 2026 medical-beauty campaign (template `medical_beauty`) with its
inspected objects, complaints in every state (some overdue, some replied late), cases in every state
of the case workflow with penalties, referrals between departments, one transfer to the police, bad-
conduct points and the blacklist.

Dated relative to the supervision part's "today" (`SUPERVISION_TODAY`), never the clock. Cases are
walked through the workflow table in memory, one CaseEvent per step, and written in bulk.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from decimal import Decimal
from typing import Any

from weijian.complaints import catalogue as complaint_catalogue
from weijian.complaints.models import (
    Channel,
    Complaint,
    ComplaintCategory,
    ComplaintEvent,
    ComplaintState,
    Satisfaction,
)
from weijian.core.workdays import WorkingDayCalendar
from weijian.enforcement import credit, services, workflow
from weijian.enforcement.models import (
    BlacklistEntry,
    Case,
    CaseEvent,
    CaseSource,
    CaseState,
    CreditPoint,
    JudicialTransfer,
    JudicialTransferState,
    Penalty,
    PenaltyKind,
    Procedure,
    Referral,
    ReferralState,
    SiteCheck,
    VenueType,
)
from weijian.enforcement.subjects import fill_subject, first_check_flags
from weijian.registry.models import InstitutionType

from . import names, supervision_part
from .context import DemoContext
from .supervision_part import SUPERVISION_TODAY, YEAR, _day_in, _moment

TODAY = SUPERVISION_TODAY
CAMPAIGN_START = dt.date(YEAR, 6, 1)

# Unlicensed parties found during the campaign: (name, venue, is a person).
PARTIES = (
    ("丽人生活美容会所", VenueType.BEAUTY_SALON, False),
    ("悦颜美容工作室", VenueType.BEAUTY_SALON, False),
    ("花漾皮肤管理中心", VenueType.BEAUTY_SALON, False),
    ("锦江宾馆808房间", VenueType.HOTEL, True),
    ("名媛会所", VenueType.CLUB, False),
    ("幸福小区3栋2单元", VenueType.RESIDENTIAL, True),
    ("微整形网络推广账号", VenueType.ONLINE, True),
    ("雅美纹绣店", VenueType.BEAUTY_SALON, False),
    ("金海岸酒店1203房间", VenueType.HOTEL, True),
    ("春晓美容美发店", VenueType.BEAUTY_SALON, False),
)

# (case title, category, facts, law violated, penalty basis, penalties: (kind, yuan or None, on a person))
CASE_KINDS = {
    "beauty_unlicensed_practice": (
        "未取得医疗机构执业许可证擅自开展医疗美容",
        "当事人未取得《医疗机构执业许可证》，在经营场所为顾客注射玻尿酸、肉毒毒素",
        "违反了《医疗机构管理条例》第十四条",
        "按照《医疗机构管理条例》第四十三条进行处罚",
        ((PenaltyKind.FINE, 30000), (PenaltyKind.CONFISCATION, 8600), (PenaltyKind.CORRECTION_ORDER, None)),
    ),
    "beauty_medical_institution": (
        "超范围开展二级手术项目",
        "当事人超出核准登记的诊疗科目范围开展隆胸术等二级手术项目",
        "违反了《医疗美容服务管理办法》第十一条",
        "按照《医疗机构管理条例实施细则》第八十条进行处罚",
        ((PenaltyKind.WARNING, None), (PenaltyKind.FINE, 3000), (PenaltyKind.CORRECTION_ORDER, None)),
    ),
    "beauty_drugs": (
        "使用未经注册的药品开展医疗美容",
        "当事人购进并使用无批准文号的肉毒毒素注射剂",
        "违反了《中华人民共和国药品管理法》第九十八条",
        "按照《中华人民共和国药品管理法》第一百一十六条进行处罚",
        ((PenaltyKind.FINE, 50000), (PenaltyKind.CONFISCATION, 12000)),
    ),
    "beauty_devices": (
        "使用未依法注册的第三类医疗器械",
        "当事人使用未取得注册证的射频美容设备",
        "违反了《医疗器械监督管理条例》第五十五条",
        "按照《医疗器械监督管理条例》第八十六条进行处罚",
        ((PenaltyKind.WARNING, None), (PenaltyKind.FINE, 20000)),
    ),
    "beauty_illegal_ad": (
        "发布未经审查的医疗美容广告",
        "当事人未取得《医疗广告审查证明》，在微信公众号发布医疗美容广告",
        "违反了《医疗广告管理办法》第三条",
        "按照《医疗广告管理办法》第二十条进行处罚",
        ((PenaltyKind.WARNING, None), (PenaltyKind.CORRECTION_ORDER, None)),
    ),
    "illegal_practice": (
        "非医师行医",
        "当事人未取得医师资格在诊所从事诊疗活动",
        "违反了《中华人民共和国医师法》第十三条",
        "按照《中华人民共和国医师法》第五十九条进行处罚",
        ((PenaltyKind.FINE, 10000), (PenaltyKind.CONFISCATION, 2500)),
    ),
}

# The happy paths through the case workflow, by procedure.
PATHS = {
    Procedure.GENERAL: ("verify", "file", "investigate", "decide", "execute", "close"),
    Procedure.SIMPLE: ("verify", "file", "decide", "close"),
}
# How many cases stop in each state: every state of the workflow appears.
CASE_PLAN = (
    (CaseState.LEAD, 3),
    (CaseState.VERIFYING, 3),
    (CaseState.FILED, 3),
    (CaseState.INVESTIGATING, 4),
    (CaseState.DECIDED, 3),
    (CaseState.EXECUTING, 4),
    (CaseState.CLOSED, 12),
    (CaseState.DROPPED, 2),
    (CaseState.HANDED_OVER, 1),
)
COMPLAINTS = 60
CHANNEL_WEIGHTS = (
    (Channel.HOTLINE, 30),
    (Channel.WEB, 15),
    (Channel.LETTER, 5),
    (Channel.EMAIL, 5),
    (Channel.WALK_IN, 5),
    (Channel.WECHAT, 5),
)
RESULTS = (
    "经现场核查，反映问题属实，已立案查处",
    "经核查，反映问题部分属实，已责令整改",
    "经核查，未发现反映的违法行为",
)
REPLIES = ("已将核查处理结果电话告知投诉人", "已书面答复投诉人", "已通过短信答复投诉人")


def generate(ctx: DemoContext) -> None:
    complaint_categories = _complaint_categories(ctx)
    campaign, _coverage = supervision_part._campaign(ctx, "medical_beauty")
    people = _people(ctx)
    calendar = WorkingDayCalendar({})
    beauty = [i for i in ctx.institutions if i.institution_type == InstitutionType.MEDICAL_BEAUTY]
    clinics = [
        i
        for i in ctx.institutions
        if i.institution_type in (InstitutionType.CLINIC, InstitutionType.OUTPATIENT_DEPARTMENT)
    ]
    parties = _parties(ctx)

    checks = _site_checks(ctx, campaign, beauty, clinics, parties, people)
    complaints, complaint_events = _complaints(
        ctx, campaign, complaint_categories, beauty, parties, people, calendar
    )
    ctx.save(checks)
    ctx.save(complaints)
    referral = _market_referral(ctx, campaign, parties[0], people)
    cases, _events, penalties = _cases(ctx, campaign, checks, complaints, referral, people)
    _mark_penalised_complaints(ctx, cases)
    _judicial_transfer(ctx, cases, people)
    _credit_and_blacklist(ctx, cases, penalties)
    ctx.save(complaint_events)
    ctx.log(
        f"enforcement: {len(checks)} inspected objects, {len(complaints)} complaints, {len(cases)} cases, "
        f"{ctx.counts['enforcement.Penalty']} penalties"
    )


# --- reference data and people -----------------------------------------------------------------------


def _complaint_categories(ctx: DemoContext) -> dict[str, ComplaintCategory]:
    if ctx.write:
        complaint_catalogue.load_complaint_categories()
        return {c.code: c for c in ComplaintCategory.objects.all()}
    rows = tomllib.loads(complaint_catalogue.CATEGORIES_FILE.read_text(encoding="utf-8"))["category"]
    return {
        row["code"]: ComplaintCategory(
            code=row["code"], name=row["name"], reply_working_days=row.get("reply_working_days", 20)
        )
        for row in rows
    }


def _people(ctx: DemoContext) -> dict[str, Any]:
    by_name = {u.username: u for u in ctx.users}
    institute = ctx.organisations["supervision_institute"]
    return {
        "supervisors": [u for u in ctx.users if u.organisation is institute and not u.is_superuser],
        "leader": by_name["commission_leader"],
        "market": by_name["department_officer"],
        "institute": institute,
        "commission": ctx.organisations["commission"],
        "market_regulation": ctx.organisations["market_regulation"],
        "cyberspace": ctx.organisations["cyberspace"],
        "public_security": ctx.organisations["public_security"],
    }


def _parties(ctx: DemoContext) -> list[dict[str, Any]]:
    parties = []
    for n, (name, venue, is_person) in enumerate(PARTIES):
        township = ctx.townships[n % len(ctx.townships)]
        label = names.person_name(ctx.random, male=ctx.random.random() < 0.3) if is_person else name
        parties.append(
            {
                "party_name": label,
                "party_is_person": is_person,
                "party_address": f"{township.name}{name}"
                if is_person
                else f"{township.name}{ctx.random.randrange(1, 200)}号",
                "venue_type": venue,
                "division": township,
            }
        )
    return parties


def _subject(record, *, institution=None, party: dict[str, Any] | None = None):
    if institution is not None:
        record.institution = institution
    else:
        for name, value in (party or {}).items():
            setattr(record, name, value)
    fill_subject(record)
    return record


# --- inspected objects and complaints ------------------------------------------------------------------


def _site_checks(ctx, campaign, beauty, clinics, parties, people) -> list[SiteCheck]:
    """Every beauty institution once (a few twice, for drugs or devices), a share of the clinics, and
    every unlicensed party found."""
    checks = []

    def check(category, *, institution=None, party=None, found=False):
        record = SiteCheck(
            campaign=campaign,
            category_id=category,
            checked_on=_day_in(ctx, CAMPAIGN_START, TODAY),
            inspector=ctx.random.choice(people["supervisors"]),
            violation_found=found,
        )
        checks.append(_subject(record, institution=institution, party=party))

    for institution in beauty:
        check("beauty_medical_institution", institution=institution, found=ctx.random.random() < 0.3)
        if ctx.random.random() < 0.4:
            check(ctx.random.choice(("beauty_drugs", "beauty_devices")), institution=institution)
    for institution in clinics:
        if ctx.random.random() < 0.2:
            check("beauty_medical_institution", institution=institution)
    for party in parties:
        category = (
            "beauty_illegal_ad" if party["venue_type"] == VenueType.ONLINE else "beauty_unlicensed_practice"
        )
        check(category, party=party, found=True)
    first_check_flags(checks)
    return checks


def _complaints(ctx, campaign, categories, beauty, parties, people, calendar):
    """Complaints through the year in every state. Those still open past their reply date are overdue
    on "today"; a few were replied after the deadline."""
    channels = [c for c, w in CHANNEL_WEIGHTS for _ in range(w)]
    codes = (
        "illegal_medical_beauty",
        "beauty_advertising",
        "drugs_devices",
        "fees",
        "service_quality",
        "cell_therapy",
    )
    complaints, events = [], []
    states = [ComplaintState.RATED] * 24 + [ComplaintState.REPLIED] * 10 + [ComplaintState.HANDLED] * 6
    states += [ComplaintState.CHECKING] * 8 + [ComplaintState.ASSIGNED] * 4 + [ComplaintState.TRANSFERRED] * 4
    states += [ComplaintState.RECEIVED] * (COMPLAINTS - len(states))
    for n, target in enumerate(states, start=1):
        category = categories[ctx.random.choice(codes)]
        # Those not yet replied to came in during the last weeks, so only some are overdue.
        waiting = target not in (ComplaintState.REPLIED, ComplaintState.RATED)
        first = TODAY - dt.timedelta(days=40) if waiting else CAMPAIGN_START
        received_on = _day_in(ctx, first, TODAY - dt.timedelta(days=7))
        anonymous = ctx.random.random() < 0.25
        institution = ctx.random.choice(beauty) if beauty and ctx.random.random() < 0.6 else None
        party = None if institution else ctx.random.choice(parties)
        complaint = Complaint(
            number=f"TS{YEAR}-{n:06d}",
            channel=ctx.random.choice(channels),
            received_at=_moment(received_on, ctx.random.randrange(0, 480)),
            received_on=received_on,
            anonymous=anonymous,
            complainant_name=""
            if anonymous
            else names.person_name(ctx.random, male=ctx.random.random() < 0.5),
            complainant_phone="" if anonymous else f"13{ctx.random.randrange(10**8, 10**9)}",
            institution=institution,
            subject_name="" if institution else party["party_name"],
            subject_address="" if institution else party["party_address"],
            division=institution.organisation.division if institution else party["division"],
            category=category,
            campaign=campaign,
            content=f"反映{institution.organisation.name if institution else party['party_name']}存在{category.name}问题",
            received_by=people["commission"],
            handling_organisation=people["commission"],
            reply_due=calendar.add_working_days(received_on, category.reply_working_days),
        )
        events += _walk_complaint(ctx, complaint, target, people)
        complaints.append(complaint)
    return complaints, events


def _walk_complaint(ctx, complaint, target, people) -> list[ComplaintEvent]:
    path = ["assign", "start_check", "handle", "reply", "rate"]
    if target == ComplaintState.TRANSFERRED or (
        target not in (ComplaintState.RECEIVED, ComplaintState.ASSIGNED) and ctx.random.random() < 0.2
    ):
        path[0] = "transfer"
    order = {
        ComplaintState.RECEIVED: 0,
        ComplaintState.ASSIGNED: 1,
        ComplaintState.TRANSFERRED: 1,
        ComplaintState.CHECKING: 2,
        ComplaintState.HANDLED: 3,
        ComplaintState.REPLIED: 4,
        ComplaintState.RATED: 5,
    }[target]
    # Most replies come in time; about one in six after the deadline.
    late = ctx.random.random() < 0.17
    last = (
        complaint.reply_due + dt.timedelta(days=ctx.random.randrange(2, 10)) if late else complaint.reply_due
    )
    days = sorted(_day_in(ctx, complaint.received_on, min(last, TODAY)) for _ in range(order))
    events, state = [], ComplaintState.RECEIVED
    leader = people["leader"]
    supervisor = ctx.random.choice(people["supervisors"])
    # Assigned in-house, the commission's section head handles it; transferred (转办), the supervision
    # institute does. The receiving commission records the complainant's satisfaction.
    handler = leader
    for n, (action, day) in enumerate(zip(path[:order], days, strict=True)):
        actor = handler
        if action == "assign":
            complaint.handler = leader
            new, actor = ComplaintState.ASSIGNED, leader
        elif action == "transfer":
            complaint.handling_organisation = people["institute"]
            handler = supervisor
            new, actor = ComplaintState.TRANSFERRED, leader
        elif action == "start_check":
            complaint.handler = handler
            new = ComplaintState.CHECKING
        elif action == "handle":
            complaint.substantiated = ctx.random.random() < 0.6
            complaint.result = RESULTS[0 if complaint.substantiated else 2]
            complaint.handled_on = day
            complaint.on_site_checked_on = day
            new = ComplaintState.HANDLED
        elif action == "reply":
            complaint.reply = ctx.random.choice(REPLIES)
            complaint.replied_on = day
            new = ComplaintState.REPLIED
        else:
            complaint.satisfaction = ctx.random.choice(
                (
                    Satisfaction.SATISFIED,
                    Satisfaction.SATISFIED,
                    Satisfaction.BASICALLY,
                    Satisfaction.DISSATISFIED,
                )
            )
            new, actor = ComplaintState.RATED, leader
        events.append(
            ComplaintEvent(
                complaint=complaint,
                action=action,
                from_state=state,
                to_state=new,
                actor=actor,
                at=_moment(day, 60 + n),
            )
        )
        state = new
    complaint.state = state
    return events


# --- referrals and cases ---------------------------------------------------------------------------


def _market_referral(ctx, campaign, party, people) -> Referral:
    """Market regulation found a salon doing injections (篇1 §1.2) and passed it to health; accepted."""
    sent_on = dt.date(YEAR, 7, 6)
    referral = Referral(
        from_organisation=people["market_regulation"],
        to_organisation=people["institute"],
        campaign=campaign,
        category_id="beauty_unlicensed_practice",
        facts="日常检查中发现该生活美容店涉嫌为顾客注射玻尿酸，涉嫌无资质开展医疗美容",
        sent_on=sent_on,
        state=ReferralState.ACCEPTED,
        acknowledged_on=sent_on + dt.timedelta(days=1),
        decided_on=sent_on + dt.timedelta(days=2),
    )
    ctx.save([_subject(referral, party=party)])
    return referral


def _cases(ctx, campaign, checks, complaints, referral, people):
    """Cases from the checks that found a violation and from substantiated complaints, walked to the
    states of CASE_PLAN; every penalty recorded at the decision."""
    leads = [("check", c) for c in checks if c.violation_found]
    leads += [("complaint", c) for c in complaints if c.substantiated]
    ctx.random.shuffle(leads)
    targets = [state for state, n in CASE_PLAN for _ in range(n)]
    cases, events, penalties = [], [], []
    for sequence, ((kind, lead), target) in enumerate(zip(leads, targets, strict=False), start=1):
        category = (
            lead.category_id
            if kind == "check"
            else (lead.category.violation_category_id or "beauty_medical_institution")
        )
        if category not in CASE_KINDS:
            category = "beauty_medical_institution"
        title, facts, law, basis, measures = CASE_KINDS[category]
        opened_on = lead.checked_on if kind == "check" else lead.handled_on or lead.received_on
        case = Case(
            number=services.case_number(people["institute"].pk, YEAR, sequence),
            organisation=people["institute"],
            handler=ctx.random.choice(people["supervisors"]),
            campaign=campaign,
            source=CaseSource.INSPECTION if kind == "check" else CaseSource.COMPLAINT,
            complaint=lead if kind == "complaint" else None,
            category_id=category,
            title=title,
            facts="",
            opened_on=opened_on,
        )
        if kind == "check":
            _copy_subject(case, lead)
        elif lead.institution is not None:
            _subject(case, institution=lead.institution)
        else:
            _subject(
                case,
                party={
                    "party_name": lead.subject_name,
                    "party_address": lead.subject_address,
                    "division": lead.division,
                },
            )
        if sequence == 1 and referral is not None:
            case.source, case.referral = CaseSource.REFERRAL, referral
            _copy_subject(case, referral)
        simple = all(kind in (PenaltyKind.WARNING, PenaltyKind.CORRECTION_ORDER) for kind, _y in measures)
        procedure = Procedure.SIMPLE if simple else Procedure.GENERAL
        kinds = tuple(kind for kind, _yuan in measures)
        events += _walk_case(ctx, case, target, procedure, kinds, (facts, law, basis))
        if case.decided_on is not None:
            for kind, yuan in measures:
                penalties.append(
                    Penalty(
                        case=case,
                        kind=kind,
                        amount=Decimal(yuan) if yuan is not None else None,
                        subject_type=case.subject_type,
                        campaign=campaign,
                        division=case.division,
                        category_id=case.category_id,
                        decided_on=case.decided_on,
                    )
                )
        if target == CaseState.CLOSED and len([c for c in cases if c.is_typical]) < 3:
            case.is_typical = True
            case.narrative = (
                f"{case.opened_on:%Y年%m月%d日}，执法人员根据{case.get_source_display()}对{case.subject_name}进行检查，"
                f"发现{facts}。经立案调查，{law}，{basis}，依法作出行政处罚，当事人已履行处罚决定。"
            )
        cases.append(case)
    ctx.save(cases)
    ctx.save(events)
    ctx.save(penalties)
    handed = [c for c in cases if c.state == CaseState.HANDED_OVER]
    ctx.save(
        [
            _copy_subject(
                Referral(
                    from_organisation=people["institute"],
                    to_organisation=people["cyberspace"],
                    case=case,
                    campaign=campaign,
                    category_id=case.category_id,
                    facts="涉案信息在互联网平台传播，移送网信部门依法处置",
                    sent_on=case._demo_days[-1],
                    state=ReferralState.ACKNOWLEDGED,
                    acknowledged_on=case._demo_days[-1] + dt.timedelta(days=2),
                ),
                case,
            )
            for case in handed
        ]
    )
    return cases, events, penalties


def _mark_penalised_complaints(ctx, cases) -> None:
    """What the decision step does for a case opened from a complaint (实施行政处罚件)."""
    for complaint in {case.complaint for case in cases if case.complaint is not None and case.decided_on}:
        complaint.led_to_penalty = True
        if ctx.write:
            complaint.save(update_fields=["led_to_penalty"])


def _copy_subject(record, source):
    for name in (
        "institution",
        "practitioner",
        "party_name",
        "party_is_person",
        "party_id_number",
        "party_address",
        "venue_type",
        "division",
    ):
        setattr(record, name, getattr(source, name))
    fill_subject(record)
    return record


def _walk_case(ctx, case, target, procedure, kinds, texts) -> list[CaseEvent]:
    facts, law, basis = texts
    if target == CaseState.DROPPED:
        actions = ["verify", "drop"]
    elif target == CaseState.HANDED_OVER:
        actions = ["verify", "hand_over"]
    else:
        actions = []
        state = CaseState.LEAD
        for action in PATHS[procedure]:
            if state == target:
                break
            actions.append(action)
            state = workflow.next_state(state, action, procedure, kinds)
    days = sorted(_day_in(ctx, case.opened_on, TODAY) for _ in actions)
    events, state = [], CaseState.LEAD
    for n, (action, day) in enumerate(zip(actions, days, strict=True)):
        new = workflow.next_state(state, action, procedure, kinds)
        note = ""
        if action == "file":
            case.procedure, case.filed_on = procedure, day
        elif action == "decide":
            case.facts, case.law_violated, case.penalty_basis, case.decided_on = facts, law, basis, day
        elif action == "close":
            case.closed_on = day
        elif action == "drop":
            note = "经核查，违法事实不成立，不予立案"
        elif action == "hand_over":
            note = "涉案信息属网信部门职责，移送处置"
        events.append(
            CaseEvent(
                case=case,
                action=action,
                from_state=state,
                to_state=new,
                actor=case.handler,
                at=_moment(day, 120 + n),
                note=note,
            )
        )
        state = new
    case.state = state
    case._demo_days = days
    return events


def _judicial_transfer(ctx, cases, people) -> None:
    """The most serious unlicensed-practice case went to the police (行刑衔接), who accepted it."""
    candidates = [
        c
        for c in cases
        if c.category_id == "beauty_unlicensed_practice"
        and c.state in (CaseState.EXECUTING, CaseState.CLOSED)
    ]
    if not candidates:
        return
    case = candidates[0]
    sent_on = case.decided_on
    ctx.save(
        [
            JudicialTransfer(
                case=case,
                receiving_body=people["public_security"].name,
                to_organisation=people["public_security"],
                evidence=["现场检查笔录", "询问笔录", "涉案药品检验报告", "顾客证人证言", "收费凭证"],
                sent_on=sent_on,
                state=JudicialTransferState.ACCEPTED,
                acknowledged_on=sent_on + dt.timedelta(days=1),
                decided_on=sent_on + dt.timedelta(days=5),
                campaign=case.campaign,
                division=case.division,
                category_id=case.category_id,
                subject_type=case.subject_type,
            )
        ]
    )


def _credit_and_blacklist(ctx, cases, penalties) -> None:
    """Points for the closed cases against registered institutions (`credit.score_case`'s rules, applied
    in memory), and the two most serious unlicensed-practice parties on the blacklist."""
    rules, groups = credit.load_rules(), credit.category_groups()
    points = []
    for penalty in penalties:
        case = penalty.case
        if case.state != CaseState.CLOSED or case.institution is None:
            continue
        score = credit.points_for(
            rules,
            kind=penalty.kind,
            category=case.category_id,
            group=groups.get(case.category_id, ""),
            penalised=credit.INSTITUTION,
        )
        if score is not None:
            rule, value = score.rule, score.points
            points.append(
                CreditPoint(
                    institution=case.institution,
                    case=case,
                    penalty=penalty,
                    rule=rule,
                    points=value,
                    awarded_on=case.closed_on,
                    division=case.division,
                )
            )
    ctx.save(points)
    serious = [
        c for c in cases if c.state == CaseState.CLOSED and c.category_id == "beauty_unlicensed_practice"
    ]
    ctx.save(
        [
            _copy_subject(
                BlacklistEntry(
                    case=case,
                    reason=f"{case.title}，情节严重，已移送公安机关",
                    listed_on=case.closed_on,
                    punishment_scope="全县医疗卫生机构不得聘用；市场监管、医保部门联合惩戒",
                ),
                case,
            )
            for case in serious[:2]
        ]
    )
