"""Demo county, supervision part: the supervision loop (issue "Supervision loop", item 8).

Two running 2026 campaigns of the county commission, 医疗卫生行业安全集中整治 (template
`health_sector_safety`, A18 checklist) and 医疗乱象专项整治 (template `medical_disorder`, A2
checklist); self-inspections by most institutions; on-site inspections by the supervision institute
(every county-level institution, about half of the others, so some classes meet their coverage target
and some do not); hazards from the 发现 answers in every state of the rectification workflow, with
their HazardEvents; and one published random sampling draw with a fixed seed.

Everything is dated relative to `SUPERVISION_TODAY`, never the clock. Hazards are walked through the
workflow table (`rectification.workflow.transition`) in memory and written in bulk with one event per
step, by the user on the right side (the institution's demo login where it has one, otherwise no
actor; the commission leader lists, the supervisors re-inspect and close out).
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import Group

from weijian.campaigns import catalogue as campaign_catalogue
from weijian.campaigns.coverage import CLASS_OF_TYPE, COUNTY_LEVEL_TYPES, DEFAULT_CLASS
from weijian.campaigns.models import TEMPLATE_YEAR, Campaign, InstitutionClass
from weijian.core.models import DivisionLevel, User
from weijian.core.roles import ROLES
from weijian.core.workdays import WorkingDayCalendar
from weijian.inspections import catalogue as checklist_catalogue
from weijian.inspections import sampling
from weijian.inspections.models import (
    Answer,
    AnswerType,
    Checklist,
    ChecklistItem,
    ChecklistSection,
    ChecklistVersion,
    Inspection,
    InspectionKind,
    InspectionStatus,
    SamplingDraw,
)
from weijian.rectification import workflow
from weijian.rectification.models import Hazard, HazardEvent, HazardLevel, HazardSource, HazardState
from weijian.rectification.services import REPORT_DUE_WORKING_DAYS

from . import names
from .context import DemoContext

YEAR = 2026
# The supervision loop's "today": the safety campaign is in its look-back phase, the disorder one in
# its last phase. Fixed, so that states, deadlines and what is overdue never depend on the clock.
SUPERVISION_TODAY = dt.date(YEAR, 11, 20)
SAMPLING_SEED = 20260701
EXTRA_SUPERVISORS = 2  # besides the `supervisor` login, so the sampling draw can form teams

# (template, checklist, share of institutions that self-inspect, self-inspection window,
#  on-site window, chance a 发现-type item is found at a self- / on-site inspection)
CAMPAIGNS = (
    ("health_sector_safety", "a18_safety", 0.75, ("10-08", "10-31"), ("11-01", "11-18"), 0.012, 0.03),
    ("medical_disorder", "a2_verification", 0.6, ("06-05", "09-25"), ("07-01", "11-18"), 0.012, 0.035),
)
# Safety campaign (no coverage targets): every county-level institution and about half of the others.
SAFETY_ON_SITE_SHARE = 0.5
# Disorder campaign: which share of the drawn institutions of a class has been inspected by "today".
# The draw takes ceil(target × class), so a class whose drawn ones are all done meets its target.
DRAWN_DONE = {
    InstitutionClass.COUNTY_LEVEL: 1.0,
    InstitutionClass.TOWNSHIP_HOSPITAL: 1.0,
    InstitutionClass.CLINIC: 1.0,
    InstitutionClass.COMMUNITY: 0.5,
    InstitutionClass.MEDICAL_BEAUTY: 0.4,
}
VILLAGE_CLINIC_ON_SITE = 0.25  # no target for them; the township hospitals' own checks are not modelled
MAJOR_SHARE = 0.25

STATES = (
    HazardState.FOUND,
    HazardState.LISTED,
    HazardState.PLANNED,
    HazardState.IN_PROGRESS,
    HazardState.COMPLETED,
    HazardState.VERIFIED,
    HazardState.CLOSED,
    HazardState.LOOKED_BACK,
)
# The actions that bring a hazard of each level from `found` to each state (the happy path).
PATHS = {
    HazardLevel.MAJOR: ("list", "plan", "start", "complete", "verify_pass", "close", "look_back"),
    HazardLevel.GENERAL: ("plan", "start", "complete", "verify_pass", "close", "look_back"),
}

DETAILS = (
    "相关台账记录不全",
    "制度未落实到位",
    "未按要求定期检查",
    "责任人未明确",
    "现场存在安全隐患",
    "整改不彻底，存在反复",
    "资料不完整，未能提供相关记录",
)
LOCATIONS = ("门诊楼", "住院部", "药房", "配电房", "锅炉房", "食堂", "库房", "检验科", "放射科", "消防控制室")
MEASURES = (
    "制定整改清单，明确责任科室，逐项整改并建立台账",
    "更换老化设施设备，完善巡查制度，每周自查",
    "组织专项培训，修订管理制度，落实岗位责任",
    "聘请专业机构检测维护，整改完成后组织内部复查",
)
CONTINGENCY = (
    "整改期间加强巡查，设置警示标识，落实应急值守",
    "完善应急预案，配备应急器材，整改期间每日检查",
)
EVIDENCE = (
    "整改前后对比照片及整改报告已上传",
    "提交整改报告、检测报告及培训签到表",
    "已完成整改，附验收记录和制度文件",
)


def generate(ctx: DemoContext) -> None:
    """The two campaigns, their inspections, hazards and the sampling draw."""
    _ensure_reference_data(ctx)
    calendar = WorkingDayCalendar({})
    supervisors = _supervisors(ctx)
    people = _people(ctx, supervisors)
    classes = {i.pk: _class_of(i) for i in ctx.institutions}
    campaigns = {}
    for template, checklist_code, self_share, self_window, site_window, p_self, p_site in CAMPAIGNS:
        campaign, coverage = _campaign(ctx, template)
        campaigns[template] = campaign
        items = _checklist_items(ctx, checklist_code)
        version = items[0].section.version
        if template == "medical_disorder":
            draw = _sampling_draw(ctx, campaign, coverage, classes, supervisors)
            on_site = _disorder_on_site(ctx, draw, classes)
        else:
            on_site = [
                (i, None)
                for i in ctx.institutions
                if classes[i.pk] == InstitutionClass.COUNTY_LEVEL
                or ctx.random.random() < SAFETY_ON_SITE_SHARE
            ]
        self_inspected = [i for i in ctx.institutions if ctx.random.random() < self_share]
        inspections, answers = [], []
        plans = [(i, None, InspectionKind.SELF, self_window, p_self) for i in self_inspected]
        plans += [(i, team, InspectionKind.ON_SITE, site_window, p_site) for i, team in on_site]
        for institution, team, kind, window, chance in plans:
            inspection, found = _inspection(
                ctx, campaign, version, institution, kind, team, window, supervisors, people, items, chance
            )
            inspections.append((inspection, found))
            answers += found
        ctx.save([inspection for inspection, _found in inspections])
        ctx.link(
            Inspection.team.through,
            [
                {"inspection_id": inspection.pk, "user_id": user.pk}
                for inspection, _found in inspections
                for user in getattr(inspection, "_demo_team", ())
            ],
        )
        ctx.save(answers)
        _hazards(ctx, campaign, inspections, people, calendar)
    ctx.log(
        "supervision: "
        f"{len(campaigns)} campaigns, {ctx.counts['inspections.Inspection']} inspections, "
        f"{ctx.counts['rectification.Hazard']} hazards"
    )


# --- reference data and people ---------------------------------------------------------------------


def _ensure_reference_data(ctx: DemoContext) -> None:
    """Templates, categories and checklists are loaded after every migrate (and `flush` emits
    post_migrate again); load them here only if they are missing, e.g. after a flush that did not."""
    if not ctx.write:
        return
    from weijian.campaigns.models import ViolationCategory

    if not ViolationCategory.objects.exists():
        campaign_catalogue.load_violation_categories()
    if not Campaign.objects.filter(is_template=True).exists():
        campaign_catalogue.ensure_templates()
    if not ChecklistVersion.objects.exists():
        checklist_catalogue.ensure_checklists()


def _supervisors(ctx: DemoContext) -> list[User]:
    """The supervision institute's supervisors: the `supervisor` login and, if it is alone, two more
    with the same password hash and role (not listed as logins: one login per role)."""
    institute = ctx.organisations["supervision_institute"]
    existing = [u for u in ctx.users if u.organisation is institute and not u.is_superuser]
    if len(existing) > 1:
        return existing
    login = next(u for u in ctx.users if u.username == "supervisor")
    extra = [
        User(
            username=f"supervisor{n}",
            password=login.password,
            full_name=names.person_name(ctx.random, male=ctx.random.random() < 0.6),
            organisation=institute,
        )
        for n in range(2, 2 + EXTRA_SUPERVISORS)
    ]
    ctx.save(extra)
    ctx.users.extend(extra)
    group = _group(ctx, "supervisor")
    ctx.link(User.groups.through, [{"user_id": u.pk, "group_id": group.pk} for u in extra])
    return [login, *extra]


def _group(ctx: DemoContext, role: str) -> Group:
    if not ctx.write:
        codes = [r.code for r in ROLES]
        return Group(pk=codes.index(role) + 1, name=role)
    return Group.objects.get(name=role)


def _people(ctx: DemoContext, supervisors: list[User]) -> dict[str, Any]:
    by_name = {u.username: u for u in ctx.users}
    # The institution-side actor of a hazard: the institution's demo login, where it has one.
    own = {}
    for username in ("institution_manager", "township_staff", "village_doctor"):
        user = by_name.get(username)
        if user is not None:
            own.setdefault(user.organisation.pk, user)
    return {"leader": by_name["commission_leader"], "supervisors": supervisors, "own": own}


def _class_of(institution) -> str:
    """`campaigns.coverage.class_expression` on an institution in memory."""
    if (
        institution.organisation.division.level == DivisionLevel.COUNTY
        or institution.institution_type in COUNTY_LEVEL_TYPES
    ):
        return InstitutionClass.COUNTY_LEVEL.value
    return CLASS_OF_TYPE.get(institution.institution_type, DEFAULT_CLASS).value


def _date(month_day: str) -> dt.date:
    month, day = (int(p) for p in month_day.split("-"))
    return dt.date(YEAR, month, day)


def _moment(day: dt.date, minutes: int = 0) -> dt.datetime:
    start = dt.datetime(day.year, day.month, day.day, 9, 0, tzinfo=ZoneInfo(settings.TIME_ZONE))
    return start + dt.timedelta(minutes=minutes)


def _day_in(ctx: DemoContext, first: dt.date, last: dt.date) -> dt.date:
    last = min(last, SUPERVISION_TODAY)
    return first + dt.timedelta(days=ctx.random.randrange((last - first).days + 1))


# --- campaigns and checklists ----------------------------------------------------------------------


def _campaign(ctx: DemoContext, template: str) -> tuple[Campaign, dict[str, Decimal]]:
    """The 2026 campaign of the template, owned by the county commission, and its coverage targets."""
    spec = campaign_catalogue.spec_from_file(campaign_catalogue.TEMPLATES_DIR / f"{template}.toml")
    owner = ctx.organisations["commission"]
    if ctx.write:
        from weijian.campaigns.services import campaign_from_template

        campaign = campaign_from_template(
            user=None, template_code=template, division=ctx.county, year=YEAR, owner=owner
        )
        # Written by the service (each record audited), not by ctx.save: counted here from the spec.
        for model, n in _written_by_template(spec).items():
            ctx.counts[model._meta.label] += n
    else:
        years = YEAR - TEMPLATE_YEAR
        fields = {
            **spec["fields"],
            **{
                f: campaign_catalogue.shift_years(spec["fields"][f], years)
                for f in campaign_catalogue.CAMPAIGN_DATE_FIELDS
            },
        }
        campaign = Campaign(**fields, year=YEAR, template_code=template, division=ctx.county, owner=owner)
        ctx.save([campaign])
        # The children are not needed by what follows; a dry run only counts them.
        for model, n in _written_by_template(spec).items():
            if model is not Campaign:
                ctx.counts[model._meta.label] += n
    return campaign, spec["coverage"]


def _written_by_template(spec: dict[str, Any]) -> dict[type, int]:
    """How many records `campaign_from_template` writes for the spec, by model."""
    from weijian.campaigns import models as m

    return {
        m.Campaign: 1,
        m.CampaignTask: len(spec["tasks"]),
        m.TaskPartner: sum(len(t["partners"]) for t in spec["tasks"]),
        m.Phase: len(spec["phases"]),
        m.Deliverable: sum(len(p["deliverables"]) for p in spec["phases"]),
        m.CoverageTarget: len(spec["coverage"]),
        m.ReportingRule: len(spec["reporting"]),
        m.LeadingGroupMember: len(spec["leading_group"]),
    }


def _checklist_items(ctx: DemoContext, code: str) -> list[ChecklistItem]:
    """The items of the checklist's current version, in order, each with its section (and version)."""
    if ctx.write:
        version = ChecklistVersion.objects.filter(checklist__code=code).order_by("-number").first()
        return list(
            ChecklistItem.objects.filter(section__version=version)
            .select_related("section__version")
            .order_by("section__order", "order")
        )
    # A dry run reads the data file, as ensure_checklists would load it.
    data = checklist_catalogue.load_file(checklist_catalogue.CHECKLIST_DIR / f"{code}.toml")
    checklist = Checklist(pk=hash(code) % 1000, code=code, title=data["title"])
    version = ChecklistVersion(pk=checklist.pk, checklist=checklist, number=1)
    items, pk = [], 0
    for s_order, s in enumerate(checklist_catalogue.normalise_sections(data["sections"]), start=1):
        section = ChecklistSection(
            version=version, order=s_order, title=s["title"], violation_category_id=s["violation_category"]
        )
        for i_order, i in enumerate(s["items"], start=1):
            pk += 1
            items.append(
                ChecklistItem(
                    pk=pk,
                    section=section,
                    order=i_order,
                    text=i["text"],
                    answer_type=i["answer_type"],
                    requires_evidence=i["requires_evidence"],
                    violation_category_id=i["violation_category"],
                )
            )
    return items


# --- sampling and inspections ----------------------------------------------------------------------


def _sampling_draw(ctx, campaign, coverage, classes, supervisors) -> SamplingDraw:
    """A published draw (双随机一公开): ceil(target × class) institutions per class with a target, and a
    team of two of the institute's supervisors for each. Recorded as `sampling_draw` records one."""
    pools: dict[str, list[int]] = {}
    for institution in sorted(ctx.institutions, key=lambda i: i.pk):
        pools.setdefault(classes[institution.pk], []).append(institution.pk)
    counts = {
        klass: math.ceil(Decimal(target) * len(pools.get(klass, [])) / 100)
        for klass, target in sorted(coverage.items())
    }
    inspectors = sorted(u.pk for u in supervisors)
    team_size = 2
    result = sampling.draw(pools, counts, inspectors, team_size, SAMPLING_SEED)
    draw = SamplingDraw(
        campaign=campaign,
        seed=SAMPLING_SEED,
        inputs={"institutions": pools, "counts": counts, "inspectors": inspectors, "team_size": team_size},
        result=result,
        drawn_by=next(u for u in ctx.users if u.username == "commission_leader"),
        drawn_at=_moment(dt.date(YEAR, 6, 28)),
        published_at=_moment(dt.date(YEAR, 6, 28), 120),
    )
    ctx.save([draw])
    return draw


def _disorder_on_site(ctx: DemoContext, draw: SamplingDraw, classes) -> list[tuple[Any, list | None]]:
    """The drawn institutions inspected by "today" (the first DRAWN_DONE share of each class's, in
    draw order), with their drawn teams, and some village clinics."""
    by_pk = {i.pk: i for i in ctx.institutions}
    drawn: dict[str, list[dict]] = {}
    for row in draw.result:
        drawn.setdefault(row["class"], []).append(row)
    chosen = [
        (by_pk[row["institution"]], row["inspectors"])
        for klass, rows in drawn.items()
        for row in rows[: math.floor(len(rows) * DRAWN_DONE.get(klass, 0.5))]
    ]
    chosen += [
        (i, None)
        for i in ctx.institutions
        if classes[i.pk] == InstitutionClass.VILLAGE_CLINIC and ctx.random.random() < VILLAGE_CLINIC_ON_SITE
    ]
    return chosen


def _inspection(ctx, campaign, version, institution, kind, drawn, window, supervisors, people, items, chance):
    """A submitted inspection with every item answered; returns it and its answers. An on-site
    inspection of a drawn institution is by the drawn team."""
    day = _day_in(ctx, _date(window[0]), _date(window[1]))
    if kind == InspectionKind.ON_SITE:
        if drawn:
            team = [u for u in supervisors if u.pk in drawn]
        else:
            team = sorted(ctx.random.sample(supervisors, 2), key=lambda u: u.pk)
        submitter = team[0]
    else:
        team = []
        submitter = people["own"].get(institution.organisation.pk)
    submitted = _moment(day, 8 * 60)
    inspection = Inspection(
        campaign=campaign,
        checklist_version=version,
        institution=institution,
        kind=kind,
        status=InspectionStatus.SUBMITTED,
        inspected_on=day,
        unit_head_name=institution.head or names.person_name(ctx.random, male=True),
        unit_head_signed_at=submitted,
        submitted_by=submitter,
        submitted_at=submitted,
    )
    inspection._demo_team = team
    answers = []
    for item in items:
        answer = Answer(inspection=inspection, item=item)
        if item.answer_type == AnswerType.FOUND:
            found = _category(item) is not None and ctx.random.random() < chance
            answer.found = found
            if found:
                answer.text = f"{item.text}：{ctx.random.choice(DETAILS)}"
        elif item.answer_type == AnswerType.YES_NO:
            answer.found = ctx.random.random() < 0.92
        elif item.answer_type == AnswerType.NUMBER:
            answer.number = Decimal(ctx.random.randrange(0, 50))
        else:
            answer.text = "已按要求落实"
        answers.append(answer)
    found_count = sum(1 for a in answers if a.found and a.item.answer_type == AnswerType.FOUND)
    inspection.summary = (
        f"共检查{len(answers)}项，发现问题{found_count}项。" if found_count else "未发现问题。"
    )
    return inspection, answers


def _category(item: ChecklistItem) -> str | None:
    return item.violation_category_id or item.section.violation_category_id


# --- hazards ---------------------------------------------------------------------------------------


def _hazards(ctx, campaign, inspections, people, calendar) -> None:
    """One hazard per 发现 answer, walked to a state that grows with its age, so every state and both
    levels occur; the steps are the workflow table's, one HazardEvent each."""
    found = [
        (inspection, answer)
        for inspection, answers in inspections
        for answer in answers
        if answer.found and answer.item.answer_type == AnswerType.FOUND
    ]
    found.sort(key=lambda pair: (pair[0].inspected_on, pair[0].pk, pair[1].item.pk))
    start = min((i.inspected_on for i, _a in found), default=SUPERVISION_TODAY)
    span = max((SUPERVISION_TODAY - start).days, 1)
    hazards, events = [], []
    # The first hazards cover every state of both levels; the others progress with their age.
    forced = [(HazardLevel.MAJOR, s) for s in STATES] + [
        (HazardLevel.GENERAL, s) for s in STATES if s != HazardState.LISTED
    ]
    order = list(range(len(found)))
    ctx.random.shuffle(order)
    forced_at = dict(zip(order, forced, strict=False))
    for index, (inspection, answer) in enumerate(found):
        if index in forced_at:
            level, target = forced_at[index]
        else:
            level = HazardLevel.MAJOR if ctx.random.random() < MAJOR_SHARE else HazardLevel.GENERAL
            age = (SUPERVISION_TODAY - inspection.inspected_on).days / span
            steps = len(PATHS[level])
            reached = round(age * steps + ctx.random.gauss(0, 1.5))
            target = _state_after(level, max(0, min(steps, reached)))
        hazard = Hazard(
            institution=inspection.institution,
            campaign=campaign,
            inspection=inspection,
            answer=answer,
            source=HazardSource.ON_SITE
            if inspection.kind == InspectionKind.ON_SITE
            else HazardSource.SELF_INSPECTION,
            location=ctx.random.choice(LOCATIONS),
            category_id=_category(answer.item),
            level=level,
            description=answer.text,
            found_on=inspection.inspected_on,
            report_due=calendar.add_working_days(inspection.inspected_on, REPORT_DUE_WORKING_DAYS),
        )
        hazard._demo_steps = _walk(ctx, hazard, target, people)
        hazards.append(hazard)
    ctx.save(hazards)
    for hazard in hazards:
        for event in hazard._demo_steps:
            event.hazard = hazard
            events.append(event)
    ctx.save(events)


def _state_after(level: str, steps: int) -> str:
    state = HazardState.FOUND
    for action in PATHS[level][:steps]:
        state = workflow.next_state(state, action, level)
    return state


def _walk(ctx, hazard: Hazard, target: str, people) -> list[HazardEvent]:
    """Apply the happy path to `target` on the hazard in memory; one event per step, on days between
    the finding and "today". A few re-inspections fail once first."""
    actions = []
    state = HazardState.FOUND
    for action in PATHS[hazard.level]:
        if state == target:
            break
        if action == "verify_pass" and ctx.random.random() < 0.15:
            actions += ["verify_fail", "complete"]
        actions.append(action)
        state = workflow.next_state(state, action, hazard.level)
    first = hazard.found_on
    days = sorted(_day_in(ctx, first, SUPERVISION_TODAY) for _ in actions)
    # Those still awaiting a plan were found recently or are overdue; leave them as drawn.
    events, state = [], HazardState.FOUND
    institution_user = people["own"].get(hazard.institution.organisation.pk)
    for n, (action, day) in enumerate(zip(actions, days, strict=True)):
        row = workflow.transition(state, action, hazard.level)
        note = ""
        if action == "plan":
            hazard.responsible_person = hazard.institution.head or names.person_name(ctx.random, male=True)
            hazard.measures = ctx.random.choice(MEASURES)
            hazard.funding = Decimal(ctx.random.randrange(5, 500) * 100)
            # Some deadlines fall before "today" for hazards still being rectified: overdue.
            hazard.deadline = day + dt.timedelta(days=ctx.random.randrange(7, 45))
            hazard.contingency_plan = ctx.random.choice(CONTINGENCY)
        elif action == "complete":
            hazard.completion_evidence = ctx.random.choice(EVIDENCE)
        elif action == "verify_fail":
            note = "复查未通过：整改不彻底，请继续整改"
        elif action == "close":
            hazard.closed_on = day
        elif action == "look_back":
            note = "回头看：整改成效巩固，未发现反弹"
        if row.who == workflow.INSTITUTION:
            actor = institution_user
        elif action == "list":
            actor = people["leader"]
        else:
            actor = ctx.random.choice(people["supervisors"])
        events.append(
            HazardEvent(
                action=action,
                from_state=state,
                to_state=row.next_state,
                actor=actor,
                at=_moment(day, 30 + n),
                note=note,
            )
        )
        state = row.next_state
    hazard.state = state
    return events
