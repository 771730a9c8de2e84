"""What every official form declares, and the request a form is built from."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from weijian.campaigns.models import Campaign
from weijian.core.models import Division
from weijian.inspections.models import Inspection

from ..engine.periods import Period

XLSX = "xlsx"
DOCX = "docx"


@dataclass(frozen=True)
class Request:
    """One form to produce: already resolved and checked by `weijian.reports.services.generate`."""

    campaign: Campaign
    division: Division
    period: Period
    fmt: str
    inspection: Inspection | None = None
    by_child: bool = False


@dataclass(frozen=True)
class FormSpec:
    code: str
    title: str  # the official title, as the source prints it
    description: str  # for the forms page (a lazy translation)
    formats: tuple[str, ...]
    build: Callable[[Request], bytes]
    # Needed besides campaigns.view_campaign, for forms that show records rather than counts.
    permission: str | None = None
    rolls_up: bool = False  # one sheet per child division on request (--by-child)
    weekly: bool = False  # the period defaults to the reporting week (last Friday to this Friday)
    needs_inspection: bool = False
