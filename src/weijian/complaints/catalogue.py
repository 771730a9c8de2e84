"""Complaint categories follow data/complaint_categories.toml after every migrate."""

from __future__ import annotations

import tomllib
from pathlib import Path

from .models import DEFAULT_REPLY_WORKING_DAYS, ComplaintCategory

CATEGORIES_FILE = Path(__file__).parent / "data" / "complaint_categories.toml"


def load_complaint_categories() -> int:
    """Create or update every category of the file; categories are never deleted (complaints keep them)."""
    rows = tomllib.loads(CATEGORIES_FILE.read_text(encoding="utf-8"))["category"]
    for order, row in enumerate(rows):
        ComplaintCategory.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "reply_working_days": row.get("reply_working_days", DEFAULT_REPLY_WORKING_DAYS),
                "requires_on_site_check": row.get("requires_on_site_check", False),
                "violation_category_id": row.get("violation"),
                "order": order,
            },
        )
    return len(rows)


def load_after_migrate(sender, using="default", **kwargs) -> None:
    load_complaint_categories()
