"""Health poverty alleviation jobs run as django-tasks tasks (in-process by default, see settings.TASKS).

`reconcile_area` compares the latest list of each department for an area (engine/reconcile.py) and
turns the findings into work items. The run's `progress` shows on its page while it works; a failed
run keeps its error and changes no work item. Arguments are plain values so any backend can queue it.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count
from django_tasks import task

from weijian.core.audit import acting_as


def _frames(run) -> dict:
    from .engine.reconcile import frame_from_rows
    from .models import ListRow

    frames = {}
    for department_list in run.lists.all():
        rows = ListRow.objects.filter(department_list=department_list).values_list(
            "row", "id_number", "name", "birth_date", "village_code", "status"
        )
        frames[department_list.source] = frame_from_rows(
            {"row": r, "id_number": i, "name": n, "birth_date": b, "village": v, "status": s}
            for r, i, n, b, v, s in rows.iterator(chunk_size=5000)
        )
    return frames


def residents_by_village(area) -> dict[str, int]:
    """The scheme's registered population per village: the denominator for the health-record rate."""
    from weijian.insurance.models import Member

    rows = (
        Member.objects.filter(household__division__code__startswith=area.prefix)
        .values("household__division__code")
        .annotate(n=Count("id"))
    )
    return {row["household__division__code"]: row["n"] for row in rows}


RATE_COUNTS = ("poor", "poor_enrolled", "health_records", "health_persons", "residents")


def village_counts(rates) -> dict[str, dict[str, int | None]]:
    """The engine's per-village counts as plain JSON (None where a list was not compared)."""
    return {row["village"]: {name: row[name] for name in RATE_COUNTS} for row in rates.to_dicts()}


@task()
def reconcile_area(run_id: int, user_id: int | None = None) -> dict:
    from weijian.core.models import User

    from . import services
    from .engine.reconcile import reconcile
    from .models import Reconciliation

    user = None if user_id is None else User.objects.get(pk=user_id)
    run = Reconciliation.objects.select_related("division", "started_by").get(pk=run_id)
    with acting_as(user, label="" if user else "reconciliation job"):
        try:
            frames = _frames(run)
            run.progress = 30
            run.save(update_fields=["progress"])
            result = reconcile(frames, residents=residents_by_village(run.division))
            findings = result.findings.to_dicts()
            run.progress = 70
            run.save(update_fields=["progress"])
            with transaction.atomic():
                counts = services.reconciliation_apply(run, findings)
                services.finish_run(run, counts=counts, rates=village_counts(result.rates))
        except Exception as error:  # the run records why it failed; no work item changed
            services.finish_run(run, error=f"{type(error).__name__}: {error}")
            raise
    return {"run": run.pk, "counts": counts}
