"""How the forms' aggregations talk to the database."""

from __future__ import annotations

from contextlib import contextmanager

from django.db import connection, transaction


@contextmanager
def aggregation_session():
    """On PostgreSQL, run a form's queries in one transaction with JIT compilation off: for these
    sub-second GROUP BYs over a million rows, compiling cost 50–400 ms a query and saved less
    (bench/beauty_summary.py). Elsewhere, nothing changes (SQLite would take a write lock)."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            _tune(cursor)
        yield


def _tune(cursor) -> None:
    """Settings for this transaction only. JIT compiling cost more than it saved, and the forms read
    narrow covering indexes (enforcement's *_form_idx, sitecheck_first_idx), which the default
    random_page_cost, set for spinning disks, makes the planner shun."""
    cursor.execute("SET LOCAL jit = off")
    cursor.execute("SET LOCAL random_page_cost = 1.1")
