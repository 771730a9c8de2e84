"""Fixtures for the inspection tests: a campaign in county A, violation categories, permissions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission

from weijian.campaigns.models import Campaign, ViolationCategory
from weijian.inspections.catalogue import CHECKLIST_DIR, ensure_checklists, load_file, normalise_sections
from weijian.inspections.models import Checklist


def _category_codes() -> set[str]:
    """Every violation category code the checklist files name (created here with get_or_create, so
    the tests do not depend on the campaigns' category data file)."""
    codes = set()
    for path in CHECKLIST_DIR.glob("*.toml"):
        for section in normalise_sections(load_file(path)["sections"]):
            codes |= {section["violation_category"], *(i["violation_category"] for i in section["items"])}
    return codes - {None}


CATEGORY_CODES = sorted(_category_codes())

INSPECTION_PERMISSIONS = (
    "add_inspection",
    "change_inspection",
    "add_samplingdraw",
    "change_samplingdraw",
    "add_checklistversion",
)


def grant(user, *codenames: str):
    """Give a world user inspection permissions directly (roles grant them elsewhere)."""
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="inspections", codename__in=codenames)
    )
    for cache in ("_perm_cache", "_user_perm_cache"):
        if hasattr(user, cache):
            delattr(user, cache)
    return user


@pytest.fixture
def categories(db):
    return {
        code: ViolationCategory.objects.get_or_create(code=code, defaults={"name": code, "group": "test"})[0]
        for code in CATEGORY_CODES
    }


@pytest.fixture
def checklists(categories):
    ensure_checklists()
    return {c.code: c for c in Checklist.objects.all()}


@pytest.fixture
def campaign(world):
    return Campaign.objects.create(
        name="医疗乱象专项整治",
        year=2026,
        division=world.divisions["county_a"],
        owner=world.orgs["commission_a"],
        start=dt.date(2026, 3, 1),
        end=dt.date(2026, 11, 30),
    )


@pytest.fixture
def inspectors(world):
    for role in ("institution_manager", "supervisor", "township_staff"):
        grant(world.users[role], *INSPECTION_PERMISSIONS)
    return world.users
