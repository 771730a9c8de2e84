"""Benchmark: import N synthetic institutions (default 100,000) into a fresh SQLite database.

    .venv/bin/python bench/import_registry.py [--rows 100000] [--format csv xlsx]

For each format it times a dry run (read + check every row) and a real run (read + check + write with
search keys, many-to-many rows and audit entries) on a fresh copy of a migrated database, and, as
the machine's floor, a bare `bulk_create` of the same number of Organisation rows. PRODUCT.md asks
for ≤ 30 s per 100,000 rows; figures go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import shutil
import sys
import tempfile
import time
import zipfile
from pathlib import Path

WORK = Path(tempfile.mkdtemp(prefix="weijian-bench-"))
TEMPLATE_DB = WORK / "migrated.sqlite3"
os.environ["DATABASE_URL"] = f"sqlite:///{TEMPLATE_DB}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weijian.settings")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connections, transaction  # noqa: E402

from weijian.core import synthetic  # noqa: E402
from weijian.core.audit import acting_as  # noqa: E402
from weijian.core.models import Division, DivisionLevel, Organisation, OrganisationKind, ScopeMode  # noqa: E402
from weijian.registry import imports  # noqa: E402

COUNTY = "369901"
TOWNSHIPS = 20
VILLAGES = 15
KINDS = (
    ("村卫生室", "", "", "否", 0),
    ("诊所", "", "", "否", 0),
    ("乡镇卫生院", "一级", "", "是", 60),
    ("门诊部", "", "", "是", 10),
    ("综合医院", "二级", "甲", "是", 300),
    ("中医医院", "二级", "乙", "是", 150),
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
PLACES = "东南西北中上下前后新老大小高长青白石桥河湖山林田"


def seed_divisions() -> list[str]:
    province = Division.objects.create(code="360000000000", name="江西省", level=DivisionLevel.PROVINCE)
    city = Division.objects.create(
        code="369900000000", name="示范市", level=DivisionLevel.CITY, parent=province
    )
    county = Division.objects.create(
        code=f"{COUNTY}000000", name="示范县", level=DivisionLevel.COUNTY, parent=city
    )
    codes = []
    for t in range(1, TOWNSHIPS + 1):
        township = Division.objects.create(
            code=f"{COUNTY}{t:03d}000", name=f"第{t}乡", level=DivisionLevel.TOWNSHIP, parent=county
        )
        codes.append(township.code)
        for v in range(1, VILLAGES + 1):
            codes.append(
                Division.objects.create(
                    code=f"{COUNTY}{t:03d}{v:03d}",
                    name=f"第{t}乡第{v}村",
                    level=DivisionLevel.VILLAGE,
                    parent=township,
                ).code
            )
    return codes


def rows(n: int, divisions: list[str]) -> list[list[object]]:
    out = []
    for i in range(n):
        kind, level, grade, insured, beds = KINDS[i % len(KINDS)]
        place = PLACES[i % len(PLACES)] + PLACES[i // len(PLACES) % len(PLACES)]
        out.append(
            [
                f"示范县{place}{i}号{kind}",
                synthetic.credit_code(COUNTY, 1_000_000 + i),
                f"PDY{i:012d}X",
                kind,
                level,
                grade,
                "公立" if i % 3 else "民营",
                "非营利" if i % 3 else "营利",
                str(beds),
                "01、02、03" if beds else "02",
                insured,
                divisions[i % len(divisions)],
                SURNAMES[i % len(SURNAMES)] + PLACES[i % 7] + PLACES[i % 11],
                f"示范县{place}路{i % 300}号",
                f"0797-{i % 10_000_000:07d}",
                "2029-12-31",
            ]
        )
    return out


def write_csv(path: Path, data: list[list[object]]) -> None:
    import csv

    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow([c.header for c in imports._Institutions.columns])
        writer.writerows(data)


def write_xlsx(path: Path, data: list[list[object]]) -> None:
    """The sheet as Excel and WPS write it: a shared-string table and a <dimension> (openpyxl writes
    inline strings and no dimension, which is not what users upload)."""
    from xml.sax.saxutils import escape

    from openpyxl.utils import get_column_letter

    strings: dict[str, int] = {}
    header = [c.header for c in imports._Institutions.columns]
    letters = [get_column_letter(i + 1) for i in range(len(header))]
    sheet = [
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN}">'
        f'<dimension ref="A1:{letters[-1]}{len(data) + 1}"/><sheetData>'
    ]
    for number, row in enumerate([header, *data], start=1):
        cells = []
        for letter, value in zip(letters, row, strict=True):
            if value == "":
                continue
            if isinstance(value, int) or (number > 1 and letter == "I"):
                cells.append(f'<c r="{letter}{number}"><v>{value}</v></c>')
            else:
                index = strings.setdefault(value, len(strings))
                cells.append(f'<c r="{letter}{number}" t="s"><v>{index}</v></c>')
        sheet.append(f'<row r="{number}">{"".join(cells)}</row>')
    sheet.append("</sheetData></worksheet>")
    shared = "".join(f"<si><t>{escape(s)}</t></si>" for s in strings)
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{PACKAGE_RELS}"><Relationship Id="rId1" '
            f'Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{MAIN}" xmlns:r="{rel}"><sheets><sheet name="机构" '
            'sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{PACKAGE_RELS}">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>",
        )
        archive.writestr("xl/worksheets/sheet1.xml", "".join(sheet))
        archive.writestr(
            "xl/sharedStrings.xml",
            f'<sst xmlns="{MAIN}" count="{len(strings)}" uniqueCount="{len(strings)}">{shared}</sst>',
        )


MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES = (
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)


@contextlib.contextmanager
def fresh_database(name: str):
    """A copy of the migrated, seeded database as the default connection."""
    connections.close_all()
    path = WORK / f"{name}.sqlite3"
    shutil.copyfile(TEMPLATE_DB, path)
    settings_dict = connections["default"].settings_dict
    settings_dict["NAME"] = str(path)
    try:
        yield
    finally:
        connections.close_all()
        settings_dict["NAME"] = str(TEMPLATE_DB)


class Timer:
    """Wraps a function of the import to add up the time spent in it."""

    def __init__(self, module, name):
        self.module, self.name, self.original, self.seconds = module, name, getattr(module, name), 0.0

    def __enter__(self):
        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return self.original(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - start

        setattr(self.module, self.name, timed)
        return self

    def __exit__(self, *exc):
        setattr(self.module, self.name, self.original)


def baseline(n: int) -> float:
    with fresh_database("baseline"):
        organisations = [
            Organisation(
                name=f"机构{i}",
                kind=OrganisationKind.MEDICAL_INSTITUTION,
                division_id=f"{COUNTY}000000",
                credit_code=synthetic.credit_code(COUNTY, 1_000_000 + i),
                scope_mode=ScopeMode.OWN_INSTITUTION,
            )
            for i in range(n)
        ]
        start = time.perf_counter()
        with transaction.atomic():
            Organisation.objects.bulk_create(organisations)
        return time.perf_counter() - start


def measure(path: Path, n: int) -> dict[str, float]:
    figures = {}
    with fresh_database(f"{path.suffix[1:]}-dry"):
        start = time.perf_counter()
        report = imports.import_file("institutions", path, user=None, dry_run=True, filename=path.name)
        figures["dry run"] = time.perf_counter() - start
        assert report.ok and report.rows == n, report.errors[:5]
    with fresh_database(f"{path.suffix[1:]}-real"), acting_as(None, label="bench"):
        with Timer(imports.textsearch, "search_key") as keys, Timer(imports, "record_bulk_create") as audit:
            start = time.perf_counter()
            report = imports.import_file("institutions", path, user=None, dry_run=False, filename=path.name)
            figures["real run"] = time.perf_counter() - start
        assert report.ok and report.created == n, report.errors[:5]
        assert Organisation.objects.filter(kind=OrganisationKind.MEDICAL_INSTITUTION).count() == n
        figures["of which search keys"] = keys.seconds
        figures["of which audit entries"] = audit.seconds
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--format", nargs="+", choices=("csv", "xlsx"), default=["csv", "xlsx"])
    options = parser.parse_args()
    n = options.rows

    call_command("migrate", verbosity=0)
    divisions = seed_divisions()
    connections.close_all()
    data = rows(n, divisions)
    files = {}
    for fmt in options.format:
        files[fmt] = WORK / f"institutions.{fmt}"
        (write_csv if fmt == "csv" else write_xlsx)(files[fmt], data)
    del data

    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, SQLite {__import__('sqlite3').sqlite_version}, "
        f"Django {django.get_version()}"
    )
    floor = baseline(n)
    print(f"baseline: bare bulk_create of {n:,} Organisation rows: {floor:.2f} s ({n / floor:,.0f} rows/s)")
    for fmt, path in files.items():
        figures = measure(path, n)
        real = figures["real run"]
        print(
            f"{fmt} ({path.stat().st_size / 1e6:.1f} MB): "
            + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in figures.items())
            + f"; {n / real:,.0f} rows/s; {real / floor:.1f}× the floor; "
            + ("within" if real * 100_000 / n <= 30 else "OVER")
            + " the 30 s / 100,000 rows budget"
        )
    shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    main()
