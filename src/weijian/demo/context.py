"""What the parts of the demo generator share: the seeded randomness, what was built so far, the writer."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple, TypeVar

from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Max
from django.utils import timezone

from weijian.core import synthetic
from weijian.core.audit import AuditedModel, record_bulk_create

M = TypeVar("M", bound=models.Model)

BATCH_SIZE = 500
# Above this many records a model is written by `_insert` (one executemany, no per-row SQL compiling).
FAST_INSERT_MIN = 2000
# Field types whose Python value is what the database driver takes, on SQLite and PostgreSQL alike.
PLAIN_TYPES = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "BigIntegerField",
        "BooleanField",
        "CharField",
        "ForeignKey",
        "IntegerField",
        "OneToOneField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SlugField",
        "SmallIntegerField",
        "TextField",
    }
)
# The demo's "today": fixed, so that what is generated never depends on the clock.
REFERENCE_DATE = dt.date(2026, 1, 1)


class DemoLogin(NamedTuple):
    username: str
    role: str
    organisation: str


@dataclass
class DemoContext:
    """Passed to every part. A part reads what earlier parts built and appends what it builds.

    With `write=False` nothing touches the database: `save` and `link` only number the records, so
    the whole plan can be computed in memory (the determinism test compares it with a real build).
    Parts therefore take what they need from here, never from queries.
    """

    seed: int
    write: bool = True
    log: Callable[[str], None] = print
    # Replaced before each part by a stream of its own (see build.run_parts), so a change to one
    # part never changes what another generates.
    random: random.Random = field(init=False)
    today: dt.date = REFERENCE_DATE
    # Households of the health-financing part; tests that do not look at financing may ask for fewer.
    insurance_households: int = 30_000

    province: Any = None
    city: Any = None
    county: Any = None
    townships: list = field(default_factory=list)
    villages: list = field(default_factory=list)
    # Named units other parts and the demo logins refer to: "commission", "market_regulation",
    # "county_hospital", "first_township_hospital", ...
    organisations: dict[str, Any] = field(default_factory=dict)
    institutions: list = field(default_factory=list)
    practitioners: list = field(default_factory=list)
    enterprises: list = field(default_factory=list)
    medical_groups: list = field(default_factory=list)
    # Set by the insurance part: (household, its members) of the households in the poverty registry.
    poor_households: list = field(default_factory=list)
    # Set by the insurance part: (member, enrolled this year) of every scheme member.
    insurance_members: list = field(default_factory=list)
    users: list = field(default_factory=list)
    logins: list[DemoLogin] = field(default_factory=list)

    counts: Counter[str] = field(default_factory=Counter)
    # In a dry run, the many-to-many rows `link` would have inserted, by label.
    linked: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    _taken_codes: set[str] = field(default_factory=set)
    _fake_pk: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self.random = random.Random(self.seed)

    # --- writing -------------------------------------------------------------------------------

    def save(self, objs: list[M]) -> list[M]:
        """Insert the records in bulk (search keys must already be set: bulk_create skips save())."""
        if not objs:
            return objs
        model = type(objs[0])
        if self.write:
            if len(objs) >= FAST_INSERT_MIN:
                _insert(objs)
            else:
                model.objects.bulk_create(objs, batch_size=BATCH_SIZE)
            if issubclass(model, AuditedModel):
                record_bulk_create(objs)
        else:
            self._number(model, objs)
        self.counts[model._meta.label] += len(objs)
        return objs

    def insert_rows(self, model: type[models.Model], columns: tuple[str, ...], rows: list[tuple]) -> None:
        """Insert plain rows of an unaudited model (values the driver takes as they are), for tables too
        large to build model objects for; ids are left to the database."""
        if self.write and rows:
            quote = connection.ops.quote_name
            names = [model._meta.get_field(column).column for column in columns]
            sql = (
                f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(name) for name in names)}) "
                f"VALUES ({', '.join(['%s'] * len(names))})"
            )
            with connection.cursor() as cursor:
                for start in range(0, len(rows), 5000):
                    cursor.executemany(sql, rows[start : start + 5000])
        self.counts[model._meta.label] += len(rows)

    def link(self, through: type[models.Model], rows: list[dict[str, Any]]) -> None:
        """Insert many-to-many rows, e.g. `link(Institution.service_lines.through, [{...}, ...])`."""
        label = through._meta.label
        if not self.write:
            self.linked.setdefault(label, []).extend(rows)
        elif rows:
            through.objects.bulk_create([through(**row) for row in rows], batch_size=BATCH_SIZE)
        self.counts[label] += len(rows)

    def _number(self, model: type[models.Model], objs: list[models.Model]) -> None:
        """What bulk_create does to the objects, without a database: take the ids of the related
        records saved earlier, then number the new ones."""
        relations = [f for f in model._meta.concrete_fields if f.is_relation]
        numbered = isinstance(model._meta.pk, models.AutoField)
        label = model._meta.label
        for obj in objs:
            for f in relations:
                if (
                    getattr(obj, f.attname) is None
                    and f.is_cached(obj)
                    and f.get_cached_value(obj) is not None
                ):
                    setattr(obj, f.name, f.get_cached_value(obj))
            if numbered and obj.pk is None:
                self._fake_pk[label] += 1
                obj.pk = self._fake_pk[label]

    # --- codes ---------------------------------------------------------------------------------

    def credit_code(self, area_code: str, *, authority: str = "1", kind: str = "2") -> str:
        """A checksum-valid unified social credit code not used before in this demo."""
        while True:
            code = synthetic.credit_code(
                area_code, self.random.randrange(31**8, 31**9), authority=authority, kind=kind
            )
            if code not in self._taken_codes:
                self._taken_codes.add(code)
                return code

    def id_number(self, area_code: str, birth: dt.date, *, male: bool) -> str:
        """A checksum-valid resident ID number not used before; the sequence's parity gives the sex."""
        while True:
            sequence = self.random.randrange(0, 500) * 2 + (1 if male else 0)
            number = synthetic.id_number(area_code, birth, sequence)
            if number not in self._taken_codes:
                self._taken_codes.add(number)
                return number

    def birth_date(self, *, min_age: int, max_age: int) -> dt.date:
        start = dt.date(self.today.year - max_age, 1, 1)
        end = dt.date(self.today.year - min_age, 12, 31)
        return start + dt.timedelta(days=self.random.randrange((end - start).days + 1))


def _insert(objs: list[models.Model]) -> None:
    """What `bulk_create` does for the demo's large tables, several times faster: ids are assigned here
    (the demo writes into its own transaction, nobody else inserts) and each row's values are prepared
    once, by its field where the driver needs it, then go in with executemany."""
    model = type(objs[0])
    meta = model._meta
    fields = meta.concrete_fields
    for column in fields:
        if column.is_relation:
            for obj in objs:
                if getattr(obj, column.attname) is None and column.is_cached(obj):
                    related = column.get_cached_value(obj)
                    if related is not None:
                        setattr(obj, column.name, related)  # sets the id and keeps the cache
    next_pk = (model.objects.aggregate(last=Max("pk"))["last"] or 0) + 1
    now = timezone.now()
    for obj in objs:
        if obj.pk is None:
            obj.pk = next_pk
            next_pk += 1
        for column in fields:
            if (getattr(column, "auto_now", False) or getattr(column, "auto_now_add", False)) and getattr(
                obj, column.attname
            ) is None:
                setattr(obj, column.attname, now if isinstance(column, models.DateTimeField) else now.date())
        obj._state.adding = False
        obj._state.db = connection.alias
    prepare = []
    for column in fields:
        kind = column.get_internal_type()
        if kind in PLAIN_TYPES:
            prepare.append(None)
        elif connection.vendor == "sqlite" and kind in ("DecimalField", "DateField"):
            prepare.append(_sqlite_text)
        else:
            prepare.append(lambda value, column=column: column.get_db_prep_save(value, connection))
    attnames = [column.attname for column in fields]
    rows = [
        tuple(
            getattr(obj, name) if prep is None else prep(getattr(obj, name))
            for name, prep in zip(attnames, prepare, strict=True)
        )
        for obj in objs
    ]
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(column.column) for column in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[start : start + 5000])
        for statement in connection.ops.sequence_reset_sql(no_style(), [model]):
            cursor.execute(statement)


def _sqlite_text(value):
    # What Django's SQLite backend stores for a decimal or a date: its text (2026-11-20, 45.50).
    return None if value is None else str(value)
