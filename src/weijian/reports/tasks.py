"""Report jobs that run as django-tasks tasks (in-process by default, see settings.TASKS).

`generate_report` builds a form with `services.generate` and keeps the file under MEDIA_ROOT/reports;
its return value names the file (`{"filename": ..., "path": ...}`, the path relative to MEDIA_ROOT), or,
when the request is refused (bad period, division out of scope, …), carries the refusal
(`{"error": {"code", "message", "field"}}`): a refusal is an answer for the requester, not a crash.
Arguments are plain values so any backend can queue them: ids, a division code, ISO dates.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

from django.conf import settings
from django_tasks import task

from weijian.core.errors import DomainError

from . import services

REPORT_DIR = "reports"


def stored_path(relative: str) -> Path:
    """The stored report at a path returned by `generate_report`."""
    return Path(settings.MEDIA_ROOT) / relative


@task()
def generate_report(
    form: str,
    campaign_id: int,
    division_code: str,
    fmt: str,
    date_from: str | None = None,
    date_to: str | None = None,
    inspection_id: int | None = None,
    by_child: bool = False,
    user_id: int | None = None,
) -> dict[str, str]:
    from weijian.core.models import User

    user = None if user_id is None else User.objects.get(pk=user_id)
    try:
        filename, content = services.generate(
            user,
            form,
            campaign=campaign_id,
            division=division_code,
            date_from=dt.date.fromisoformat(date_from) if date_from else None,
            date_to=dt.date.fromisoformat(date_to) if date_to else None,
            fmt=fmt,
            inspection=inspection_id,
            by_child=by_child,
        )
    except DomainError as error:
        return {"error": {"code": error.code, "message": str(error.message), "field": error.field or ""}}
    relative = Path(REPORT_DIR) / uuid.uuid4().hex / filename
    path = stored_path(str(relative))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return {"filename": filename, "path": str(relative)}
