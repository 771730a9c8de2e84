"""Bulk import: every bad row reported with its row, column and rule; all rows or none written."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from types import SimpleNamespace

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from openpyxl.utils.datetime import CALENDAR_WINDOWS_1900

from weijian.core import synthetic
from weijian.core.audit import acting_as
from weijian.core.errors import NotAllowed
from weijian.core.models import AuditEntry, Organisation, ScopeMode, User
from weijian.core.textsearch import search_key
from weijian.registry import imports
from weijian.registry.models import (
    GradeClass,
    GradeLevel,
    Institution,
    InstitutionType,
    Ownership,
    PracticeCategory,
    Practitioner,
    PractitionerCategory,
)
from weijian.registry.tasks import import_registry_file

INSTITUTION_HEADERS = [c.header for c in imports._Institutions.columns]
PRACTITIONER_HEADERS = [c.header for c in imports._Practitioners.columns]
TOWNSHIP_1 = "369901001000"
TOWNSHIP_2 = "369901002000"
VILLAGE_11 = "369901001001"


def institution_rows(n: int, *, first_serial: int = 500_000, division: str = VILLAGE_11) -> list[dict]:
    kinds = [("村卫生室", ""), ("乡镇卫生院", "一级"), ("诊所", ""), ("综合医院", "二级")]
    rows = []
    for i in range(n):
        kind, level = kinds[i % len(kinds)]
        rows.append(
            {
                "机构名称": f"导入测试{i}号{kind}",
                "统一社会信用代码": synthetic.credit_code("369901", first_serial + i),
                "执业许可证登记号": f"PDY{first_serial + i:010d}",
                "机构类别": kind,
                "级别": level,
                "等次": "甲" if level == "二级" else "",
                "所有制": "公立",
                "营利性": "非营利",
                "床位数": str(i % 80),
                "诊疗科目": "01、02;内科" if i % 2 else "",
                "医保定点": "是" if i % 3 else "否",
                "区划代码": division,
                "负责人": "张三",
                "地址": "城关镇解放路1号",
                "电话": "0797-1234567",
                "许可证有效期至": "2029-12-31",
            }
        )
    return rows


def as_file(
    rows: list[dict], headers: list[str], fmt: str, *, encoding: str = "utf-8-sig"
) -> tuple[bytes, str]:
    if fmt == "csv":
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(headers)
        writer.writerows([[row.get(h, "") for h in headers] for row in rows])
        return text.getvalue().encode(encoding), "file.csv"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(h) for h in headers])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), "file.xlsx"


def run(rows, fmt="csv", *, user=None, dry_run=False, kind="institutions", **options):
    headers = INSTITUTION_HEADERS if kind == "institutions" else PRACTITIONER_HEADERS
    data, name = as_file(rows, headers, fmt, **options)
    return imports.import_file(kind, io.BytesIO(data), user=user, dry_run=dry_run, filename=name)


def found(report) -> set[tuple[int, str, str]]:
    return {(e.row, e.column, e.rule) for e in report.errors}


def counts() -> tuple[int, int, int, int]:
    return (
        Organisation.objects.count(),
        Institution.objects.count(),
        Practitioner.objects.count(),
        AuditEntry.objects.count(),
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("dry_run", [True, False])
def test_three_bad_rows_among_a_thousand_are_exactly_the_errors_and_nothing_is_written(world, fmt, dry_run):
    rows = institution_rows(1000)
    rows[9]["统一社会信用代码"] = rows[9]["统一社会信用代码"][:-1] + "0"  # row 11: wrong check character
    rows[499]["床位数"] = "六十"  # row 501
    rows[998]["区划代码"] = "369901009000"  # row 1000: a well-formed code no division has
    before = counts()

    report = run(rows, fmt, user=world.users["commission_leader"], dry_run=dry_run)

    assert found(report) == {
        (11, "统一社会信用代码", "credit_code"),
        (501, "床位数", "integer"),
        (1000, "区划代码", "division_unknown"),
    }
    assert report.rows == 1000 and report.created == 0 and not report.ok
    assert counts() == before


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_clean_file_is_written_in_a_real_run(world, fmt):
    rows = institution_rows(200)
    before = counts()

    report = run(rows, fmt, user=world.users["commission_leader"])

    assert report.ok and report.created == 200
    assert counts()[:2] == (before[0] + 200, before[1] + 200)
    hospital = Institution.objects.select_related("organisation").get(
        organisation__credit_code=rows[1]["统一社会信用代码"]
    )
    assert hospital.institution_type == InstitutionType.TOWNSHIP_HOSPITAL
    assert hospital.grade_level == GradeLevel.LEVEL_1 and hospital.grade_class == GradeClass.NONE
    assert hospital.organisation.scope_mode == ScopeMode.SUBTREE
    assert hospital.organisation.division_id == VILLAGE_11
    assert hospital.licence_valid_until == dt.date(2029, 12, 31) and hospital.insurance_designated
    assert sorted(hospital.service_lines.values_list("code", flat=True)) == ["01", "02", "03"]
    assert hospital.organisation.search_key == search_key("导入测试1号乡镇卫生院")  # bulk_create skips save()
    clinic = Institution.objects.get(organisation__credit_code=rows[0]["统一社会信用代码"])
    assert clinic.organisation.scope_mode == ScopeMode.OWN_INSTITUTION
    assert clinic.ownership == Ownership.PUBLIC and not clinic.service_lines.exists()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_clean_file_is_not_written_in_a_dry_run(world, fmt):
    before = counts()
    report = run(institution_rows(200), fmt, user=world.users["commission_leader"], dry_run=True)
    assert report.ok and report.rows == 200 and report.created == 0
    assert counts() == before


def test_a_gb18030_csv_is_read(world):
    rows = institution_rows(5)
    report = run(rows, "csv", encoding="gb18030")
    assert report.ok and report.created == 5
    assert Organisation.objects.filter(name="导入测试2号诊所").exists()


def test_a_township_importer_may_only_import_into_the_township(world):
    user = world.users["township_staff"]
    user.user_permissions.add(Permission.objects.get(codename="import_registry"))
    user = User.objects.get(pk=user.pk)  # fresh permission cache
    rows = institution_rows(3, division=TOWNSHIP_1)
    rows[1]["区划代码"] = TOWNSHIP_2
    rows[2]["区划代码"] = "369902001000"  # the neighbouring county

    report = run(rows, user=user, dry_run=True)

    assert found(report) == {
        (3, "区划代码", "division_out_of_scope"),
        (4, "区划代码", "division_out_of_scope"),
    }


def test_a_role_without_the_import_permission_is_refused(world):
    for role in ("township_staff", "supervisor"):
        with pytest.raises(NotAllowed):
            run(institution_rows(1), user=world.users[role], dry_run=True)


def test_duplicates_in_the_file_and_in_the_register_are_reported(world):
    rows = institution_rows(3)
    rows[2]["统一社会信用代码"] = rows[0]["统一社会信用代码"]
    rows[1]["统一社会信用代码"] = world.orgs["county_hospital"].credit_code

    report = run(rows, dry_run=True)

    assert found(report) == {
        (4, "统一社会信用代码", "duplicate_in_file"),
        (3, "统一社会信用代码", "already_registered"),
    }
    assert "2" in next(e.reason for e in report.errors if e.rule == "duplicate_in_file")


def test_every_rule_of_a_row_is_reported_with_a_message_naming_row_column_and_rule(world):
    rows = institution_rows(1)
    rows[0].update(
        {
            "机构名称": "",
            "机构类别": "卫生所",
            "等次": "甲",
            "诊疗科目": "03、99",
            "许可证有效期至": "2029-02-30",
        }
    )

    report = run(rows, dry_run=True)

    assert found(report) == {
        (2, "机构名称", "required"),
        (2, "机构类别", "enum"),
        (2, "诊疗科目", "enum"),
        (2, "许可证有效期至", "date"),
        (2, "等次", "grade_without_level"),
    }
    error = next(e for e in report.errors if e.rule == "enum" and e.column == "机构类别")
    assert error.value == "卫生所"
    assert all("2" in e.message and e.column in e.message and e.rule in e.message for e in report.errors)


def test_header_problems_are_errors_on_row_1(world):
    data = "机构名称,备注\n示范诊所,x\n".encode()
    report = imports.import_file("institutions", io.BytesIO(data), user=None, dry_run=True, filename="a.csv")
    rules = {(e.column, e.rule) for e in report.errors if e.row == 1}
    assert ("备注", "unknown_column") in rules and ("区划代码", "missing_column") in rules


def test_xlsx_numbers_and_dates_are_read_as_people_type_them(world):
    rows = institution_rows(1)
    rows[0].update(
        {"床位数": 60, "区划代码": int(VILLAGE_11), "诊疗科目": 3, "许可证有效期至": dt.datetime(2030, 6, 30)}
    )
    report = run(rows, "xlsx")
    assert report.ok
    institution = Institution.objects.get(organisation__credit_code=rows[0]["统一社会信用代码"])
    assert institution.beds == 60 and institution.licence_valid_until == dt.date(2030, 6, 30)
    assert list(institution.service_lines.values_list("code", flat=True)) == ["03"]


def test_audit_entries_are_written_for_every_imported_record(world):
    rows = institution_rows(3)
    with acting_as(world.users["commission_leader"], label="import"):
        run(rows, user=world.users["commission_leader"])
    org = Organisation.objects.get(credit_code=rows[0]["统一社会信用代码"])
    for model in ("core.organisation", "registry.institution"):
        entry = AuditEntry.objects.get(model=model, object_id=str(org.pk))
        assert entry.action == "create" and entry.actor == world.users["commission_leader"]
        assert entry.actor_label == "import"
    assert AuditEntry.objects.get(model="core.organisation", object_id=str(org.pk)).changes["name"] == [
        None,
        rows[0]["机构名称"],
    ]


def practitioner_rows(world, n: int) -> list[dict]:
    return [
        {
            "姓名": f"导入医生{i}",
            "身份证号": synthetic.id_number("369901", dt.date(1975, 6, 15), 100 + i),
            "人员类别": "执业医师" if i % 2 else "nurse",
            "执业类别": "临床" if i % 2 else "",
            "执业范围": "内科专业",
            "资格证书编码": f"Q{i:08d}",
            "执业证书编码": f"P{i:08d}",
            "执业机构统一社会信用代码": world.orgs["th1"].credit_code,
            "多点执业机构统一社会信用代码": world.orgs["county_hospital"].credit_code if i % 2 else "",
        }
        for i in range(n)
    ]


def test_practitioners_are_written_with_their_sites(world):
    rows = practitioner_rows(world, 4)
    rows[0]["身份证号"] = rows[0]["身份证号"].lower()  # a typed x is read as X

    report = run(rows, "xlsx", kind="practitioners", user=world.users["commission_leader"])

    assert report.ok and report.created == 4
    doctor = Practitioner.objects.get(name="导入医生1")
    assert (
        doctor.category == PractitionerCategory.PHYSICIAN
        and doctor.practice_category == PracticeCategory.CLINICAL
    )
    assert doctor.registered_institution == world.institutions["th1"]
    assert list(doctor.additional_sites.all()) == [world.institutions["county_hospital"]]
    assert Practitioner.objects.get(name="导入医生0").category == PractitionerCategory.NURSE


def test_practitioners_at_unknown_or_foreign_institutions_are_reported(world):
    rows = practitioner_rows(world, 3)
    rows[0]["执业机构统一社会信用代码"] = synthetic.credit_code("369901", 999_999)
    rows[1]["执业机构统一社会信用代码"] = world.orgs["hospital_b"].credit_code
    rows[2]["身份证号"] = world.practitioners["th1"].id_number
    rows[2]["多点执业机构统一社会信用代码"] = (
        f"{world.orgs['county_hospital'].credit_code}；{world.orgs['hospital_b'].credit_code}"
    )
    before = counts()

    report = run(rows, kind="practitioners", user=world.users["commission_leader"])

    assert found(report) == {
        (2, "执业机构统一社会信用代码", "institution_unknown"),
        (3, "执业机构统一社会信用代码", "institution_out_of_scope"),
        (4, "身份证号", "already_registered"),
        (4, "多点执业机构统一社会信用代码", "institution_out_of_scope"),
    }
    assert counts() == before


@pytest.mark.parametrize("kind", imports.KINDS)
def test_the_template_reimports_cleanly_once_its_example_row_is_filled(world, kind):
    book = openpyxl.load_workbook(io.BytesIO(imports.template_workbook(kind)))
    sheet = book.worksheets[0]
    headers = [c.value for c in sheet[1]]
    assert headers == (INSTITUTION_HEADERS if kind == "institutions" else PRACTITIONER_HEADERS)
    assert sheet.max_row == 2
    assert [c.value for c in book.worksheets[1]["A"][1 : len(headers) + 1]] == headers
    if kind == "practitioners":
        sheet.cell(2, headers.index("执业机构统一社会信用代码") + 1).value = world.orgs["th1"].credit_code
    out = io.BytesIO()
    book.save(out)

    report = imports.import_file(
        kind,
        io.BytesIO(out.getvalue()),
        user=world.users["commission_leader"],
        dry_run=False,
        filename="template.xlsx",
    )

    assert report.ok and report.created == 1, report.errors


def test_every_choice_has_a_chinese_label():
    tables = {
        InstitutionType: imports.INSTITUTION_TYPE_LABELS,
        GradeLevel: imports.GRADE_LEVEL_LABELS,
        Ownership: imports.OWNERSHIP_LABELS,
        PractitionerCategory: imports.PRACTITIONER_CATEGORY_LABELS,
        PracticeCategory: imports.PRACTICE_CATEGORY_LABELS,
    }
    for choices, labels in tables.items():
        assert set(labels) == set(choices.values), choices
    assert set(imports.GRADE_CLASS_LABELS) | {""} == set(GradeClass.values)


def test_the_command_prints_one_line_per_problem_and_exits_1(world, tmp_path, capsys):
    rows = institution_rows(3)
    rows[1]["床位数"] = "-1"
    data, _ = as_file(rows, INSTITUTION_HEADERS, "csv")
    path = tmp_path / "institutions.csv"
    path.write_bytes(data)
    before = counts()

    with pytest.raises(CommandError) as raised:
        call_command("import", "institutions", str(path), "--as", "commission_leader")

    assert raised.value.returncode == 1
    lines = [line for line in capsys.readouterr().out.splitlines() if line]
    assert len(lines) == 1 and "[床位数] integer" in lines[0] and "-1" in lines[0]
    assert counts() == before


def test_the_command_writes_a_clean_file_as_the_system(world, tmp_path, capsys):
    data, _ = as_file(institution_rows(3), INSTITUTION_HEADERS, "xlsx")
    path = tmp_path / "institutions.xlsx"
    path.write_bytes(data)

    call_command("import", "institutions", str(path))

    assert "3" in capsys.readouterr().out
    entry = AuditEntry.objects.filter(model="core.organisation").latest("id")
    assert entry.actor is None and entry.actor_label == "import"


def test_the_task_returns_the_report_as_a_dict(world, tmp_path):
    data, _ = as_file(institution_rows(2), INSTITUTION_HEADERS, "csv")
    path = tmp_path / "upload.csv"
    path.write_bytes(data)

    result = import_registry_file.enqueue(
        "institutions", str(path), world.users["commission_leader"].pk, True, "机构.csv"
    )

    assert result.return_value == {
        "kind": "institutions",
        "rows": 2,
        "errors": [],
        "created": 0,
        "dry_run": True,
        "ok": True,
    }


def test_the_xlsx_reader_reads_what_openpyxl_reads(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    rows = [
        ["文本", 12, 3.5, True, None, "  spaced  ", "a&b<c>"],
        [None, None, "only third"],
        [],
        ["=1+1", -7, 369901001000, False, "last"],
    ]
    for row in rows:
        sheet.append(row)
    sheet["H1"] = dt.date(2030, 6, 30)
    path = tmp_path / "mixed.xlsx"
    book.save(path)

    ours = {number: cells for number, cells in imports._XlsxSheet(path).rows()}
    theirs = openpyxl.load_workbook(path, read_only=True, data_only=True).worksheets[
        0
    ]  # formulas: their value

    for number, expected in enumerate(theirs.iter_rows(values_only=True), start=1):
        got = list(ours.get(number, [])) + [None] * (len(expected) - len(ours.get(number, [])))
        for mine, openpyxls in zip(got, expected, strict=True):
            if isinstance(openpyxls, dt.datetime):  # a date cell holds an Excel serial
                assert imports._date(mine, SimpleNamespace(epoch=CALENDAR_WINDOWS_1900)) == openpyxls.date()
            else:
                assert mine == openpyxls


def test_the_xlsx_reader_joins_rich_text_and_leaves_out_phonetic_guides(tmp_path):
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    package = "http://schemas.openxmlformats.org/package/2006/relationships"
    path = tmp_path / "excel.xlsx"

    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{package}"><Relationship Id="r" '
            f'Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<x:workbook xmlns:x="{main}" xmlns:r="{rel}"><x:workbookPr '
            'date1904="1"/><x:sheets><x:sheet name="a" sheetId="1" r:id="s"/></x:sheets></x:workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{package}">'
            f'<Relationship Id="s" Type="{rel}/worksheet" Target="/xl/worksheets/a.xml"/>'
            f'<Relationship Id="t" Type="{rel}/sharedStrings" Target="strings.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/strings.xml",
            f'<sst xmlns="{main}"><si><t>卫生院</t></si><si><r><t>城关</t></r>'
            '<r><t xml:space="preserve">镇 </t></r><rPh sb="0" eb="2"><t>チョウ</t></rPh></si></sst>',
        )
        archive.writestr(
            "xl/worksheets/a.xml",
            f'<x:worksheet xmlns:x="{main}"><x:sheetData><x:row r="1">'
            '<x:c r="B1" t="s"><x:v>1</x:v></x:c><x:c r="C1" t="s"><x:v>0</x:v></x:c></x:row>'
            '<x:row r="3"><x:c r="A3"><x:v>0</x:v></x:c></x:row></x:sheetData></x:worksheet>',
        )

    sheet = imports._XlsxSheet(path)

    assert list(sheet.rows()) == [(1, [None, "城关镇 ", "卫生院"]), (3, [0])]
    assert sheet.epoch.year == 1904


def test_other_file_types_are_refused(world):
    with pytest.raises(imports.ImportFileError) as raised:
        imports.import_file("institutions", io.BytesIO(b"x"), user=None, dry_run=True, filename="list.xls")
    assert raised.value.code == "unsupported_format"
    with pytest.raises(imports.ImportFileError):
        imports.import_file(
            "institutions", io.BytesIO(b"not a zip"), user=None, dry_run=True, filename="a.xlsx"
        )


def test_progress_is_reported_while_checking(world):
    data, name = as_file(institution_rows(2500), INSTITUTION_HEADERS, "csv")
    calls = []
    imports.import_file(
        "institutions",
        io.BytesIO(data),
        user=None,
        dry_run=True,
        filename=name,
        progress=lambda done, total: calls.append((done, total)),
    )
    assert [done for done, _ in calls] == [1000, 2000, 2500] and calls[-1] == (2500, 2500)


def test_an_upload_stored_for_the_task_is_removed_after_the_import(world, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from weijian.registry.tasks import store_upload

    settings.MEDIA_ROOT = tmp_path
    data, _ = as_file(institution_rows(1), INSTITUTION_HEADERS, "xlsx")
    stored = store_upload(SimpleUploadedFile("机构.xlsx", data))

    result = import_registry_file.enqueue("institutions", str(stored), None, False, "机构.xlsx")

    assert result.return_value["created"] == 1 and not stored.exists()
