"""Navigation by module, filtered by what the user's role may open."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .roles import role_of


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    permission: str | None = None


# Each module adds its entries here as it lands.
NAVIGATION = (
    NavItem(_("Home"), "home"),
    NavItem(_("Institutions"), "registry:institution_list", "registry.view_institution"),
    NavItem(_("Practitioners"), "registry:practitioner_list", "registry.view_practitioner"),
    NavItem(_("Enterprises"), "registry:enterprise_list", "registry.view_enterprise"),
    NavItem(_("Import"), "registry:import", "registry.import_registry"),
    NavItem(_("Campaigns"), "campaigns:campaign_list", "campaigns.view_campaign"),
    NavItem(_("Inspections"), "inspections:inspection_list", "inspections.view_inspection"),
    NavItem(_("Rectification"), "rectification:board", "rectification.view_hazard"),
    NavItem(_("Complaints"), "complaints:complaint_list", "complaints.view_complaint"),
    NavItem(_("Cases"), "enforcement:case_list", "enforcement.view_case"),
    NavItem(_("Referrals"), "enforcement:referral_list", "enforcement.view_referral"),
    NavItem(_("Blacklist"), "enforcement:blacklist", "enforcement.view_blacklistentry"),
    NavItem(_("Claims"), "insurance:claim_list", "insurance.view_claim"),
    NavItem(_("Statements"), "insurance:statement_list", "insurance.view_statement"),
    NavItem(_("Households"), "insurance:household_list", "insurance.view_household"),
    NavItem(_("Fund"), "insurance:fund_report", "insurance.view_ledgerentry"),
    # The poverty pages have their own tabs (registry, follow-ups, indicators, work items, lists).
    NavItem(_("Health poverty"), "poverty:person_list", "poverty.view_poorperson"),
    NavItem(_("Follow-ups due"), "poverty:follow_ups", "poverty.record_service"),
)


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    items = [
        {
            "label": item.label,
            "url": reverse(item.url_name),
            "active": request.path == reverse(item.url_name)
            if item.url_name == "home"
            else request.path.startswith(reverse(item.url_name)),
        }
        for item in NAVIGATION
        if item.permission is None or user.has_perm(item.permission)
    ]
    return {"nav_items": items, "user_role": role_of(user)}
