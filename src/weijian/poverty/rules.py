"""Rules of the module that both the services and the selectors apply: who a check-up campaign targets
and which one-stop rules (major-disease list, self-pay cap) hold for an area."""

from __future__ import annotations

import datetime as dt
import functools

from weijian.core.models import Division
from weijian.insurance import selectors as insurance_selectors
from weijian.insurance.engine.policy import POLICY_DIR, load_policy

from .models import CheckupCampaign, CheckupTarget, PoorPerson, PovertyStatus


@functools.cache
def builtin_one_stop_rules():
    """The one-stop rules shipped with the project (demo-poverty.toml), read once."""
    return load_policy(POLICY_DIR / "demo-poverty.toml").poverty


def one_stop_rules(division: Division, on: dt.date):
    """The one-stop layers of the policy in force for the area on the day (the major-disease list, the
    self-pay cap); the built-in demo-poverty rules where the area has adopted none yet."""
    try:
        version = insurance_selectors.policy_version_in_force(division, on)
    except insurance_selectors.NoPolicy:
        version = None
    rules = insurance_selectors.engine_policy(version).poverty if version is not None else None
    return rules or builtin_one_stop_rules()


def age_on(birth: dt.date, day: dt.date) -> int:
    """Whole years of age on a day."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def in_checkup_target(campaign: CheckupCampaign, person: PoorPerson) -> bool:
    """R6 L295: the poor aged 7–64 (age on the campaign's first day); or all poor; or key groups."""
    if person.status != PovertyStatus.POOR or not person.village.code.startswith(campaign.division.prefix):
        return False
    if campaign.target == CheckupTarget.POOR_7_TO_64:
        return 7 <= age_on(person.birth_date, campaign.starts_on) <= 64
    if campaign.target == CheckupTarget.KEY_GROUPS:
        return bool(person.programmes)
    return True
