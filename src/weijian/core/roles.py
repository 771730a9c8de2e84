"""Roles are Django groups with permissions, one per row of the users table in PRODUCT.md.

What a role may do is the group's permissions; which records it may do it to is the data scope of
the user's organisation (weijian.core.scope). Groups are kept in step with this table after every
migrate, so changing a role is a change to this file.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

VIEW_REGISTRY = ("registry.view_institution", "registry.view_practitioner", "registry.view_enterprise")
EDIT_REGISTRY = (
    "registry.add_institution",
    "registry.change_institution",
    "registry.add_practitioner",
    "registry.change_practitioner",
    "registry.add_enterprise",
    "registry.change_enterprise",
    "registry.import_registry",
)
VIEW_AUDIT = ("core.view_auditentry",)
VIEW_CAMPAIGN = ("campaigns.view_campaign",)
VIEW_INSPECTION = ("inspections.view_inspection",)
EDIT_INSPECTION = ("inspections.add_inspection", "inspections.change_inspection")
VIEW_SAMPLING = ("inspections.view_samplingdraw",)
VIEW_HAZARD = ("rectification.view_hazard",)
VIEW_ENFORCEMENT = (
    "enforcement.view_case",
    "enforcement.view_sitecheck",
    "enforcement.view_referral",
    "enforcement.view_judicialtransfer",
    "enforcement.view_creditpoint",
    "enforcement.view_blacklistentry",
)
EDIT_ENFORCEMENT = (
    "enforcement.add_sitecheck",
    "enforcement.add_case",
    "enforcement.change_case",
    "enforcement.file_case",
    "enforcement.decide_case",
    "enforcement.transfer_case",
    "enforcement.add_referral",
    "enforcement.change_referral",
    "enforcement.add_judicialtransfer",
    "enforcement.change_judicialtransfer",
)
VIEW_COMPLAINT = ("complaints.view_complaint",)
HANDLE_COMPLAINT = ("complaints.add_complaint", "complaints.handle_complaint")
VIEW_INSURANCE = (
    "insurance.view_policyversion",
    "insurance.view_household",
    "insurance.view_member",
    "insurance.view_enrolment",
    "insurance.view_contribution",
    "insurance.view_ledgerentry",
    "insurance.view_claim",
    "insurance.view_settlement",
    "insurance.view_statement",
)
EDIT_INSURANCE = (
    "insurance.add_household",
    "insurance.change_household",
    "insurance.add_member",
    "insurance.change_member",
    "insurance.add_enrolment",
    "insurance.add_contribution",
    "insurance.add_claim",
    "insurance.settle_claim",
    "insurance.review_statement",
)
VIEW_POVERTY = (
    "poverty.view_poorhousehold",
    "poverty.view_poorperson",
    "poverty.view_statuschange",
    "poverty.view_departmentlist",
    "poverty.view_reconciliation",
    "poverty.view_mismatch",
    "poverty.view_doctorteam",
    "poverty.view_contract",
    "poverty.view_fulfilment",
    "poverty.view_followup",
    "poverty.view_villagecover",
    "poverty.view_sittingmonth",
    "poverty.view_checkupcampaign",
    "poverty.view_checkup",
)
# Contracts, fulfilment, follow-ups and check-ups: what a village doctor records on a phone.
RECORD_SERVICE = (
    "poverty.view_poorhousehold",
    "poverty.view_poorperson",
    "poverty.view_contract",
    "poverty.view_fulfilment",
    "poverty.view_followup",
    "poverty.view_checkupcampaign",
    "poverty.view_checkup",
    "poverty.record_service",
)
MANAGE_POVERTY = (
    "poverty.manage_registry",
    "poverty.resolve_mismatch",
    "poverty.add_doctorteam",
    "poverty.change_doctorteam",
    "poverty.add_villagecover",
    "poverty.change_villagecover",
    "poverty.add_checkupcampaign",
)


@dataclass(frozen=True)
class Role:
    code: str
    label: str
    works_on: str
    permissions: tuple[str, ...]


ROLES: tuple[Role, ...] = (
    Role(
        "commission_leader",
        _("Commission leader / section head"),
        _("campaigns, targets, dashboards, bulletins"),
        VIEW_REGISTRY
        + EDIT_REGISTRY
        + VIEW_AUDIT
        + ("core.view_organisation",)
        + VIEW_CAMPAIGN
        + ("campaigns.add_campaign", "campaigns.change_campaign")
        + VIEW_INSPECTION
        + VIEW_SAMPLING
        + ("inspections.add_samplingdraw", "inspections.change_samplingdraw")
        + ("inspections.add_checklistversion",)
        + VIEW_HAZARD
        + ("rectification.list_hazard",)
        + VIEW_ENFORCEMENT
        + ("enforcement.manage_blacklist",)
        + VIEW_COMPLAINT
        + HANDLE_COMPLAINT
        + ("complaints.triage_complaint",)
        + VIEW_INSURANCE
        + VIEW_POVERTY
        + MANAGE_POVERTY
        + ("poverty.reconcile",),
    ),
    Role(
        "supervisor",
        _("Health supervisor"),
        _("inspections, findings, cases, penalties, complaints"),
        VIEW_REGISTRY
        + VIEW_AUDIT
        + ("core.view_organisation",)
        + VIEW_CAMPAIGN
        + VIEW_INSPECTION
        + EDIT_INSPECTION
        + VIEW_SAMPLING
        + ("inspections.add_samplingdraw",)
        + VIEW_HAZARD
        + ("rectification.add_hazard", "rectification.verify_rectification", "rectification.close_hazard")
        + VIEW_ENFORCEMENT
        + EDIT_ENFORCEMENT
        + ("enforcement.manage_blacklist",)
        + VIEW_COMPLAINT
        + HANDLE_COMPLAINT
        + ("complaints.triage_complaint",),
    ),
    Role(
        "department_officer",
        _("Partner department officer"),
        _("tasks assigned to the department, referrals received"),
        (
            "registry.view_institution",
            "registry.view_enterprise",
            *VIEW_CAMPAIGN,
            # Referrals sent to or by the department (the referral scope adds both ends).
            "enforcement.view_referral",
            "enforcement.add_referral",
            "enforcement.change_referral",
        ),
    ),
    Role(
        "institution_manager",
        _("Institution manager / safety officer"),
        _("self-inspection, rectification plans, weekly reports"),
        (
            "registry.view_institution",
            "registry.view_practitioner",
            *VIEW_CAMPAIGN,
            *VIEW_INSPECTION,
            *EDIT_INSPECTION,
            *VIEW_HAZARD,
            "rectification.add_hazard",
            "rectification.plan_rectification",
            # Complaints transferred to the institution for handling (their scope is the handler).
            *VIEW_COMPLAINT,
            "complaints.handle_complaint",
        ),
    ),
    Role(
        "insurance_clerk",
        _("Insurance clerk"),
        _("enrolment, contributions, claims, settlement, statements"),
        (
            "registry.view_institution",
            *VIEW_INSURANCE,
            *EDIT_INSURANCE,
            # Poor persons not enrolled are the scheme's to fix (seed-003 §4.2).
            "poverty.view_poorperson",
            "poverty.view_mismatch",
            "poverty.resolve_mismatch",
        ),
    ),
    Role(
        "institution_cashier",
        _("Institution cashier"),
        _("claims and on-the-spot settlement"),
        (
            "registry.view_institution",
            # Claims, settlements and statements of the cashier's own institution (organisation scope).
            "insurance.view_claim",
            "insurance.add_claim",
            "insurance.settle_claim",
            "insurance.view_settlement",
            "insurance.view_statement",
        ),
    ),
    Role(
        "township_staff",
        _("Township hospital staff"),
        _("poverty registry, contracts, follow-ups"),
        (
            "registry.view_institution",
            "registry.view_practitioner",
            *VIEW_CAMPAIGN,
            *VIEW_HAZARD,
            *VIEW_POVERTY,
            *RECORD_SERVICE,
            *MANAGE_POVERTY,
        ),
    ),
    Role(
        "village_doctor",
        _("Village doctor / family-doctor team"),
        _("contracts and follow-ups"),
        ("registry.view_institution", *RECORD_SERVICE),
    ),
    Role(
        "auditor",
        _("Auditor / supervision committee"),
        _("read-only ledgers, audit trail, disclosures"),
        VIEW_REGISTRY
        + VIEW_AUDIT
        + ("core.view_organisation",)
        + VIEW_CAMPAIGN
        + VIEW_INSPECTION
        + VIEW_SAMPLING
        + VIEW_HAZARD
        + VIEW_ENFORCEMENT
        + VIEW_COMPLAINT
        + VIEW_INSURANCE
        + VIEW_POVERTY,
    ),
)

ROLE_BY_CODE = {role.code: role for role in ROLES}


def role_of(user) -> Role | None:
    """The user's role: the first of their groups that is a role (a user normally has one)."""
    for name in user.groups.values_list("name", flat=True):
        if name in ROLE_BY_CODE:
            return ROLE_BY_CODE[name]
    return None


def sync_roles() -> None:
    from django.contrib.auth.models import Group, Permission

    for role in ROLES:
        group, _created = Group.objects.get_or_create(name=role.code)
        wanted = []
        for dotted in role.permissions:
            app_label, codename = dotted.split(".")
            wanted.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        group.permissions.set(wanted)


def sync_roles_after_migrate(sender, using="default", **kwargs) -> None:
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    if not apps.is_installed("weijian.registry"):
        return
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    sync_roles()
