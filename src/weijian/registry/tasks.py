"""Registry jobs that run as django-tasks tasks (in-process by default, see settings.TASKS).

The web page stores the upload with `store_upload` and enqueues `import_registry_file`; the result's
return value is the import report as a dict (`ImportReport.as_dict`). While it runs, the task keeps
its progress in the cache under `progress_key(result id)`, read with `import_progress`.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django_tasks import TaskContext, task

from weijian.core.audit import acting_as

from . import imports

PROGRESS_TTL = 24 * 3600


def upload_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def store_upload(uploaded) -> Path:
    """Keep an uploaded file where a worker can read it; the import task removes it when done."""
    directory = upload_dir()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{uuid.uuid4().hex}{Path(uploaded.name).suffix.lower()}"
    with path.open("wb") as out:
        for chunk in uploaded.chunks():
            out.write(chunk)
    return path


def progress_key(result_id: str) -> str:
    return f"weijian:registry-import:{result_id}"


def import_progress(result_id: str) -> dict[str, int] | None:
    """{"done": rows checked, "total": rows expected} of a running import, or None."""
    return cache.get(progress_key(result_id))


@task(takes_context=True)
def import_registry_file(
    context: TaskContext, kind: str, path: str, user_id: int | None, dry_run: bool, filename: str
) -> dict[str, Any]:
    """Import `path` (named `filename` by the user, whose suffix picks the format) as `user_id`."""
    from weijian.core.models import User

    user = None if user_id is None else User.objects.get(pk=user_id)
    key = progress_key(context.task_result.id)

    def progress(done: int, total: int) -> None:
        cache.set(key, {"done": done, "total": total}, PROGRESS_TTL)

    try:
        with acting_as(user, label="import"):
            report = imports.import_file(
                kind, path, user=user, dry_run=dry_run, filename=filename, progress=progress
            )
    finally:
        stored = Path(path)
        if stored.parent.resolve() == upload_dir().resolve():
            stored.unlink(missing_ok=True)
    return report.as_dict()
