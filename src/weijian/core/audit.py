"""The audit trail: every create, update and delete of an audited record, with who, when, old → new.

Audited models inherit `AuditedModel`; the actor comes from `acting_as(...)`, which the web
middleware, the API and every command set. Bulk writes call `record_bulk_create`; deletes, also
queryset deletes, are caught by a post_delete handler. `QuerySet.update()` bypasses the trail, so
services never use it on audited models.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import json
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any, ClassVar

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils import timezone

_actor: ContextVar[tuple[Callable[[], Any], str] | None] = ContextVar("weijian_audit_actor", default=None)


@contextlib.contextmanager
def acting_as(user=None, *, label: str = "", lazy_user: Callable[[], Any] | None = None) -> Iterator[None]:
    """Attribute the writes inside the block to `user` (or to `label` for system jobs)."""
    resolve = lazy_user or (lambda: user)
    token = _actor.set((resolve, label))
    try:
        yield
    finally:
        _actor.reset(token)


def current_actor() -> tuple[Any, str]:
    entry = _actor.get()
    if entry is None:
        return None, "system"
    resolve, label = entry
    user = resolve()
    if user is not None and getattr(user, "is_authenticated", False):
        return user, label or user.get_username()
    return None, label or "anonymous"


def _plain(value: Any) -> Any:
    if isinstance(value, FieldFile):
        return value.name or None
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def field_values(instance: models.Model) -> dict[str, Any]:
    exclude = getattr(instance, "audit_exclude", frozenset())
    return {
        f.attname: _plain(getattr(instance, f.attname))
        for f in instance._meta.concrete_fields
        if f.attname in instance.__dict__ and f.name not in exclude
    }


def _model_label(model: type[models.Model]) -> str:
    return model._meta.label_lower


def _entry(instance: models.Model, action: str, changes: dict[str, list[Any]]):
    from .models import AuditEntry

    actor, label = current_actor()
    return AuditEntry(
        at=timezone.now(),
        actor=actor,
        actor_label=label[:150],
        action=action,
        model=_model_label(type(instance)),
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        changes=changes,
    )


def record(instance: models.Model, action: str, changes: dict[str, list[Any]]) -> None:
    _entry(instance, action, changes).save()


def record_transition(instance: models.Model, *, field: str, old: str, new: str, note: str = "") -> None:
    """For workflow services: a state change is audited with the action and its note."""
    changes: dict[str, list[Any]] = {field: [old, new]}
    if note:
        changes["note"] = [None, note]
    record(instance, "transition", changes)


def record_bulk_create(instances: list[models.Model]) -> None:
    """Audit a bulk insert: one entry per record, the actor and time resolved once.

    Imports write hundreds of thousands of entries, so rows go in with one executemany; each value is
    prepared by its model field, so the same code serves SQLite and PostgreSQL.
    """
    from django.db import connection

    from .models import AuditEntry

    if not instances:
        return
    actor, label = current_actor()
    meta = AuditEntry._meta
    fields = [
        meta.get_field(name)
        for name in ("at", "actor", "actor_label", "action", "model", "object_id", "object_repr", "changes")
    ]
    changes_field = fields[-1]
    constant = [
        f.get_db_prep_save(v, connection)
        for f, v in zip(
            fields[:4], (timezone.now(), getattr(actor, "pk", None), label[:150], "create"), strict=True
        )
    ]
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    # Per model, not per record: the audited columns, the label and how the JSON goes to the driver.
    model = type(instances[0])
    exclude = getattr(model, "audit_exclude", frozenset())
    names = [f.attname for f in model._meta.concrete_fields if f.name not in exclude]
    model_label = _model_label(model)
    if connection.vendor == "sqlite":
        # What the JSONField stores on SQLite (json.dumps with its encoder), without its per-value calls.
        def to_json(changes):
            return json.dumps(changes, cls=DjangoJSONEncoder)
    else:

        def to_json(changes):
            return changes_field.get_db_prep_save(changes, connection)

    rows = []
    for instance in instances:
        values = instance.__dict__
        changes = {name: [None, _plain(values[name])] for name in names if name in values}
        rows.append((*constant, model_label, str(instance.pk), str(instance)[:200], to_json(changes)))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[start : start + 5000])


class AuditedModel(models.Model):
    """A model whose every save and delete writes an audit entry."""

    audit_exclude: ClassVar[frozenset[str]] = frozenset()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        creating = self._state.adding
        before = getattr(self, "_audit_snapshot", {})
        super().save(*args, **kwargs)
        after = field_values(self)
        if creating:
            changes = {k: [None, v] for k, v in after.items()}
        else:
            changes = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
        if creating or changes:
            record(self, "create" if creating else "update", changes)
        self._audit_snapshot = after

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._audit_snapshot = field_values(instance)
        return instance


def record_delete(sender, instance, **kwargs) -> None:
    """post_delete handler, so queryset deletes (the admin's bulk delete) are audited too."""
    if isinstance(instance, AuditedModel):
        record(instance, "delete", {k: [v, None] for k, v in field_values(instance).items()})


def record_m2m_change(sender, instance, action, reverse, model, pk_set, **kwargs) -> None:
    """m2m_changed handler: audit changes to many-to-many fields of audited models (forward side)."""
    if reverse or not isinstance(instance, AuditedModel):
        return
    field = next((f for f in instance._meta.many_to_many if f.remote_field.through is sender), None)
    if field is None:
        return
    if action in {"pre_add", "pre_remove", "pre_clear"}:
        instance._audit_m2m_before = sorted(getattr(instance, field.name).values_list("pk", flat=True))
    elif action in {"post_add", "post_remove", "post_clear"}:
        before = getattr(instance, "_audit_m2m_before", [])
        after = sorted(getattr(instance, field.name).values_list("pk", flat=True))
        if before != after:
            record(instance, "update", {field.name: [before, after]})
