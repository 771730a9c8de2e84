"""Benchmark: the medical-beauty summary table (医疗美容专项整治工作汇总表) over 1,000,000 cases on PostgreSQL.

    .venv/bin/python bench/beauty_summary.py [--cases 1000000] [--runs 5] [--reuse]

It (re)creates the database named by DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/weijian_bench), migrates it and fills it with SQL (generate_series,
no ORM loop): one county of 20 townships and 300 villages, one campaign holding all N cases (90 % in
the seven summary-table categories, 95 % filed, 80 % decided), about 1.2 penalties per decided case,
N site checks over N/3 subjects, transfers for 2 % of the cases and N/5 complaints, every record
inside the period. That is the worst case for the form: nothing is filtered away but other categories.
After VACUUM ANALYZE it times `beauty_summary.compute` for the whole county and for one township (best and
median of --runs), and, as floors of the same run, a bare `SELECT count(*)` over the penalty table and
one GROUP BY (category, subject type) over the whole case table, without filters.
PRODUCT.md asks for ≤ 1 s over 1,000,000 cases; figures go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import sys
import time
from pathlib import Path

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/weijian_bench"
os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weijian.settings")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import dj_database_url  # noqa: E402
import psycopg  # noqa: E402
from psycopg import sql  # noqa: E402

COUNTY = "369901"
TOWNSHIPS = 20
VILLAGES = 15
YEAR = 2026
FIRST_TABLE = re.compile(r'FROM "(\w+)"')


def recreate_database(url: str, *, reuse: bool) -> bool:
    """Create the benchmark database (dropping an old one unless `reuse`); True when it is new."""
    settings = dj_database_url.parse(url)
    name = settings["NAME"]
    server = psycopg.connect(
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        user=settings["USER"] or None,
        password=settings["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )
    with server:
        exists = server.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and reuse:
            return False
        if exists:
            server.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
        server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="keep an existing benchmark database as it is")
    options = parser.parse_args()

    fresh = recreate_database(os.environ["DATABASE_URL"], reuse=options.reuse)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    # Also on a reused database: a migration may have added the indexes the forms read.
    call_command("migrate", verbosity=0)
    if fresh:
        start = time.perf_counter()
        seed(options.cases)
        print(f"seeded {options.cases:,} cases and their records in {time.perf_counter() - start:.1f} s")
    else:
        from weijian.complaints.models import Complaint
        from weijian.enforcement.models import SiteCheck

        # A database seeded before these marks existed.
        if SiteCheck.objects.exists() and not SiteCheck.objects.filter(first_of_subject=True).exists():
            mark_first_checks()
        if Complaint.objects.exists() and not Complaint.objects.filter(led_to_penalty=True).exists():
            mark_penalised_complaints()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0].split(",")[0]
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {version}, Django {django.get_version()}"
    )
    print(counts())
    measure(options.runs)


def _insert(model, n_sql: str, values: dict[str, str], source: str | None = None) -> None:
    """INSERT … SELECT into `model`'s table: `values` maps columns to SQL expressions over the
    series `i` (or over `source`); every other NOT NULL column gets its field's default."""
    from django.db import connection

    columns = dict(values)
    for field in model._meta.concrete_fields:
        if field.column in columns or field.null or field.primary_key:
            continue
        default = field.get_default()
        columns[field.column] = _literal(json.dumps(default) if isinstance(default, list | dict) else default)
    names = ", ".join(f'"{c}"' for c in columns)
    exprs = ", ".join(str(e) for e in columns.values())
    from_clause = source or f"generate_series(1, {n_sql}) AS i"
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {model._meta.db_table} ({names}) SELECT {exprs} FROM {from_clause}")


def _literal(value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def seed(n: int) -> None:
    import datetime as dt

    from django.db import connection, transaction

    from weijian.campaigns.models import Campaign
    from weijian.complaints.models import Complaint
    from weijian.core.models import Division, DivisionLevel, Organisation, OrganisationKind
    from weijian.enforcement.models import Case, JudicialTransfer, Penalty, SiteCheck
    from weijian.reports.forms.beauty_summary import CATEGORY_CODES

    province = Division.objects.create(code="360000000000", name="江西省", level=DivisionLevel.PROVINCE)
    city = Division.objects.create(
        code="369900000000", name="示范市", level=DivisionLevel.CITY, parent=province
    )
    county = Division.objects.create(
        code=f"{COUNTY}000000", name="示范县", level=DivisionLevel.COUNTY, parent=city
    )
    codes = [county.code]
    for t in range(1, TOWNSHIPS + 1):
        township = Division.objects.create(
            code=f"{COUNTY}{t:03d}000", name=f"第{t}乡", level=DivisionLevel.TOWNSHIP, parent=county
        )
        codes.append(township.code)
        Division.objects.bulk_create(
            Division(
                code=f"{COUNTY}{t:03d}{v:03d}",
                name=f"第{t}乡第{v}村",
                level=DivisionLevel.VILLAGE,
                parent=township,
            )
            for v in range(1, VILLAGES + 1)
        )
        codes += [f"{COUNTY}{t:03d}{v:03d}" for v in range(1, VILLAGES + 1)]
    office = Organisation.objects.create(
        name="示范县卫生健康综合监督执法局", kind=OrganisationKind.SUPERVISION_INSTITUTE, division=county
    )
    campaign = Campaign.objects.create(
        name="医疗美容专项整治",
        year=YEAR,
        division=county,
        owner=office,
        start=dt.date(YEAR, 1, 1),
        end=dt.date(YEAR, 12, 31),
    )
    # 90 % of the records in the seven columns, the rest in a category the form leaves out.
    categories = (
        "ARRAY[" + ", ".join(f"'{c}'" for c in (*CATEGORY_CODES, *CATEGORY_CODES, "illegal_practice")) + "]"
    )
    category = f"({categories})[1 + (i::bigint * 7919) % 15]"
    division_array = "(ARRAY[" + ", ".join(f"'{c}'" for c in codes) + "])"

    def division_of(key: str) -> str:
        return f"{division_array}[1 + ({key}::bigint * 104729) % {len(codes)}]"

    division = division_of("i")
    # A subject is found again and again: N records over N/3 subjects, each in one division.
    subject = "(i % 333333)"
    subject_division = division_of(subject)
    day0 = f"DATE '{YEAR}-01-01'"

    with transaction.atomic():
        complaints = n // 5
        _insert(
            Complaint,
            str(complaints),
            {
                "number": "'TS-' || i",
                "channel": "'hotline'",
                "received_at": f"TIMESTAMPTZ '{YEAR}-01-01 09:00+08' + (i % 360) * INTERVAL '1 day'",
                "received_on": f"{day0} + (i % 360)",
                "subject_name": "'某美容店'",
                "division_id": division,
                "category_id": "'illegal_medical_beauty'",
                "campaign_id": str(campaign.pk),
                "content": "'无证开展注射美容'",
                "state": "CASE WHEN i % 4 = 0 THEN 'received' ELSE 'rated' END",
                "received_by_id": str(office.pk),
                "handling_organisation_id": str(office.pk),
                "reply_due": f"{day0} + (i % 360) + 28",
                "led_to_penalty": "false",
                "handled_on": f"CASE WHEN i % 4 = 0 THEN NULL ELSE {day0} + (i % 360) + 10 END",
                "replied_on": f"CASE WHEN i % 4 = 0 THEN NULL ELSE {day0} + (i % 360) + 12 END",
                "satisfaction": "CASE WHEN i % 4 = 0 THEN '' WHEN i % 3 = 0 THEN 'basically' ELSE 'satisfied' END",
            },
        )
        first_complaint = Complaint.objects.order_by("pk").values_list("pk", flat=True).first()
        _insert(
            Case,
            str(n),
            {
                "party_name": f"'当事人' || {subject}",
                "party_is_person": "(i % 10 >= 7)",
                "subject_type": "CASE WHEN i % 10 >= 7 THEN 'person' ELSE 'organisation' END",
                "subject_key": f"'x:' || {subject_division} || ':' || {subject}",
                "division_id": subject_division,
                "number": "'示卫罚-' || i",
                "organisation_id": str(office.pk),
                "campaign_id": str(campaign.pk),
                "source": "'inspection'",
                "complaint_id": f"CASE WHEN i % 10 = 3 THEN {first_complaint} + (i / 10) % {complaints} END",
                "category_id": category,
                "title": "'案件' || i",
                "procedure": "CASE WHEN i % 3 = 0 THEN 'simple' ELSE 'general' END",
                "state": "CASE WHEN i % 20 = 0 THEN 'lead' WHEN i % 5 = 0 THEN 'investigating' ELSE 'closed' END",
                "opened_on": f"{day0} + (i % 350)",
                "filed_on": f"CASE WHEN i % 20 = 0 THEN NULL ELSE {day0} + (i % 350) + 1 END",
                "decided_on": f"CASE WHEN i % 5 = 0 THEN NULL ELSE {day0} + (i % 350) + 10 END",
            },
        )
        # One measure per decided case, two for every fifth: about 1.2 per decided case.
        kinds = "(ARRAY['warning', 'fine', 'correction_order', 'confiscation', 'fine', 'suspension', 'revocation'])"
        _insert(
            Penalty,
            "",
            {
                "case_id": "c.id",
                "kind": f"{kinds}[1 + (c.id + k) % 7]",
                "amount": f"CASE WHEN {kinds}[1 + (c.id + k) % 7] IN ('fine', 'confiscation') "
                "THEN (1000.50 + (c.id % 500) * 100)::numeric(14, 2) END",
                "subject_type": "c.subject_type",
                "campaign_id": "c.campaign_id",
                "division_id": "c.division_id",
                "category_id": "c.category_id",
                "decided_on": "c.decided_on",
            },
            source="enforcement_case c CROSS JOIN LATERAL generate_series(1, CASE WHEN c.id % 5 = 1 THEN 2 ELSE 1 END) AS k "
            "WHERE c.decided_on IS NOT NULL",
        )
        _insert(
            JudicialTransfer,
            "",
            {
                "case_id": "c.id",
                "receiving_body": "'示范县公安局'",
                "sent_on": "c.decided_on + 5",
                "state": "'sent'",
                "evidence": "'[]'",
                "campaign_id": "c.campaign_id",
                "division_id": "c.division_id",
                "category_id": "c.category_id",
                "subject_type": "c.subject_type",
            },
            source="enforcement_case c WHERE c.decided_on IS NOT NULL AND c.id % 40 = 7",
        )
        _insert(
            SiteCheck,
            str(n),
            {
                "party_name": f"'当事人' || {subject}",
                "party_is_person": "(i % 10 >= 7)",
                "subject_type": "CASE WHEN i % 10 >= 7 THEN 'person' ELSE 'organisation' END",
                "subject_key": f"'x:' || {subject_division} || ':' || {subject}",
                "division_id": subject_division,
                "campaign_id": str(campaign.pk),
                "category_id": category,
                "checked_on": f"{day0} + (i % 360)",
                "first_of_subject": "false",
            },
        )
    mark_first_checks()
    mark_penalised_complaints()
    # What autovacuum does to freshly loaded tables: statistics, and the visibility map that lets
    # index-only scans skip the table.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def mark_first_checks() -> None:
    """What enforcement.subjects.mark_first_checks keeps true, set for every subject in one statement."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE enforcement_sitecheck s SET first_of_subject = TRUE FROM ("
            " SELECT DISTINCT ON (campaign_id, category_id, subject_key) id FROM enforcement_sitecheck"
            " ORDER BY campaign_id, category_id, subject_key, checked_on, id) f WHERE s.id = f.id"
        )


def mark_penalised_complaints() -> None:
    """What the decision step of enforcement.services.case_transition sets, in one statement."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE complaints_complaint SET led_to_penalty = TRUE WHERE id IN ("
            " SELECT c.complaint_id FROM enforcement_case c"
            " WHERE c.complaint_id IS NOT NULL"
            " AND EXISTS (SELECT 1 FROM enforcement_penalty p WHERE p.case_id = c.id))"
        )


def counts() -> str:
    from weijian.complaints.models import Complaint
    from weijian.enforcement.models import Case, JudicialTransfer, Penalty, SiteCheck

    figures = {
        "cases": Case.objects.count(),
        "penalties": Penalty.objects.count(),
        "site checks": SiteCheck.objects.count(),
        "transfers": JudicialTransfer.objects.count(),
        "complaints": Complaint.objects.count(),
    }
    return "rows: " + ", ".join(f"{name} {n:,}" for name, n in figures.items())


def _timed(function, runs: int) -> tuple[float, float]:
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        seconds.append(time.perf_counter() - start)
    return min(seconds), statistics.median(seconds)


def measure(runs: int) -> None:
    import datetime as dt

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from weijian.campaigns.models import Campaign
    from weijian.core.models import Division
    from weijian.reports.engine.periods import Period
    from weijian.reports.forms import beauty_summary

    campaign = Campaign.objects.get(name="医疗美容专项整治", year=YEAR)
    county = Division.objects.get(code=f"{COUNTY}000000")
    township = Division.objects.get(code=f"{COUNTY}001000")
    period = Period(dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31))

    def floor(statement: str):
        def run():
            with connection.cursor() as cursor:
                cursor.execute(statement)
                cursor.fetchall()

        return run

    floors = {
        "SELECT count(*) over the penalty table": floor("SELECT count(*) FROM enforcement_penalty"),
        "one bare GROUP BY category, subject type over the case table": floor(
            "SELECT category_id, subject_type, count(*) FROM enforcement_case GROUP BY 1, 2"
        ),
    }
    medians = {}
    for label, run in floors.items():
        best, medians[label] = _timed(run, runs)
        print(f"floor: {label}: best {best:.3f} s, median {medians[label]:.3f} s")
    group_by = medians["one bare GROUP BY category, subject type over the case table"]

    form = beauty_summary.compute(campaign, county, period)
    cases = sum(c or 0 for c in form.rows[0])
    print(f"county form: {cases:,} cases filed in the seven columns, complaints {form.complaints}")
    with CaptureQueriesContext(connection) as queries:
        beauty_summary.compute(campaign, county, period)
    # Only the main connection's queries are captured; the other half runs on its own connection.
    print(
        "county form, one run, queries of the main connection: "
        + ", ".join(
            f"{FIRST_TABLE.search(q['sql']).group(1)} {float(q['time']):.3f} s"
            for q in queries.captured_queries
            if q["sql"].startswith("SELECT") and FIRST_TABLE.search(q["sql"])
        )
    )
    for label, division in (("county (all records)", county), ("one township", township)):
        best, median = _timed(lambda d=division: beauty_summary.compute(campaign, d, period), runs)
        print(
            f"compute, {label}: best {best:.3f} s, median {median:.3f} s "
            f"({median / group_by:.1f}× one bare GROUP BY); "
            + ("within" if median <= 1 else "OVER")
            + " the 1 s budget"
        )


if __name__ == "__main__":
    main()
