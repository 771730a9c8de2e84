"""Bulk import of institutions and practitioners from xlsx or csv files (the templates' layout).

Row 1 holds the Chinese column headers, every later row one record. Every row is checked and every
problem is reported as a `RowError`: the row number the user sees, the column, a stable rule code,
the value and a message. A dry run writes nothing. A real run writes nothing unless every row is
valid, and then writes all rows in one transaction with bulk inserts and their audit entries.

Speed (PRODUCT.md: 100,000 rows in ≤ 30 s, figures in docs/benchmarks.md): reference data (divisions,
registered codes, institutions) is read once into sets, rows are checked without queries, and xlsx
sheets are streamed with expat instead of openpyxl's reader, which alone needs about 25 s for
100,000 rows × 16 cells. openpyxl still writes the templates and converts Excel date serials.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import gc
import io
import posixpath
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any
from xml.parsers import expat

from django.db import connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

from weijian.core import textsearch
from weijian.core.audit import record_bulk_create
from weijian.core.errors import DomainError
from weijian.core.models import Division, Organisation, OrganisationKind, ScopeMode, default_scope_mode
from weijian.core.permissions import require
from weijian.core.scope import Scope, scope_of
from weijian.core.validators import credit_code_error, division_code_error, id_number_error

from .models import (
    GradeClass,
    GradeLevel,
    Institution,
    InstitutionType,
    Ownership,
    PracticeCategory,
    Practitioner,
    PractitionerCategory,
    ServiceLine,
)

KINDS = ("institutions", "practitioners")
PERMISSION = "registry.import_registry"
PROGRESS_EVERY = 1000
MAX_BEDS = 2**31 - 1  # the column is a 32-bit integer in PostgreSQL
LIST_SEPARATORS = re.compile(r"[、;；,，\s]+")

# Chinese labels → stored values. The models' labels are English message ids, so the words people
# write in a file are listed here; the first label of each value is the one the template offers,
# the others are common variants. Code values (e.g. "township_hospital", "A") are accepted too.
INSTITUTION_TYPE_LABELS = {
    InstitutionType.GENERAL_HOSPITAL: ("综合医院",),
    InstitutionType.TCM_HOSPITAL: ("中医医院", "中医院"),
    InstitutionType.INTEGRATED_HOSPITAL: ("中西医结合医院",),
    InstitutionType.SPECIALIST_HOSPITAL: ("专科医院",),
    InstitutionType.MCH_HOSPITAL: ("妇幼保健院", "妇幼保健计划生育服务中心"),
    InstitutionType.DISEASE_CONTROL: ("疾病预防控制中心", "疾控中心"),
    InstitutionType.TOWNSHIP_HOSPITAL: ("乡镇卫生院", "卫生院"),
    InstitutionType.COMMUNITY_CENTRE: ("社区卫生服务中心",),
    InstitutionType.COMMUNITY_STATION: ("社区卫生服务站",),
    InstitutionType.VILLAGE_CLINIC: ("村卫生室",),
    InstitutionType.CLINIC: ("诊所",),
    InstitutionType.OUTPATIENT_DEPARTMENT: ("门诊部",),
    InstitutionType.MEDICAL_BEAUTY: ("医疗美容机构",),
    InstitutionType.OTHER: ("其他医疗卫生机构", "其他"),
}
GRADE_LEVEL_LABELS = {
    GradeLevel.LEVEL_1: ("一级",),
    GradeLevel.LEVEL_2: ("二级",),
    GradeLevel.LEVEL_3: ("三级",),
    GradeLevel.UNGRADED: ("未定级",),
}
GRADE_CLASS_LABELS = {
    GradeClass.A: ("甲", "甲等"),
    GradeClass.B: ("乙", "乙等"),
    GradeClass.C: ("丙", "丙等"),
}
OWNERSHIP_LABELS = {Ownership.PUBLIC: ("公立", "公办"), Ownership.PRIVATE: ("民营", "社会办", "私立")}
FOR_PROFIT_LABELS = {True: ("营利",), False: ("非营利",)}
YES_NO_LABELS = {True: ("是",), False: ("否",)}
PRACTITIONER_CATEGORY_LABELS = {
    PractitionerCategory.PHYSICIAN: ("执业医师",),
    PractitionerCategory.ASSISTANT_PHYSICIAN: ("执业助理医师",),
    PractitionerCategory.NURSE: ("护士", "注册护士"),
    PractitionerCategory.PHARMACIST: ("药师",),
    PractitionerCategory.TECHNICIAN: ("医技人员", "技师"),
    PractitionerCategory.VILLAGE_DOCTOR: ("乡村医生",),
    PractitionerCategory.OTHER: ("其他卫生技术人员", "其他"),
}
PRACTICE_CATEGORY_LABELS = {
    PracticeCategory.CLINICAL: ("临床",),
    PracticeCategory.TCM: ("中医",),
    PracticeCategory.DENTAL: ("口腔",),
    PracticeCategory.PUBLIC_HEALTH: ("公共卫生",),
    PracticeCategory.NONE: ("不适用",),
}


@dataclass(frozen=True)
class RowError:
    """One problem in one cell. `message` names row, column and rule; `reason` is the bare cause."""

    row: int
    column: str
    rule: str
    value: str
    message: str
    reason: str = ""


@dataclass
class ImportReport:
    kind: str
    rows: int
    errors: list[RowError]
    created: int
    dry_run: bool

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict[str, Any]:
        """JSON-able, for task results and the API."""
        return {
            "kind": self.kind,
            "rows": self.rows,
            "errors": [asdict(e) for e in self.errors],
            "created": self.created,
            "dry_run": self.dry_run,
            "ok": self.ok,
        }


class ImportFileError(DomainError):
    """The file as a whole cannot be read (wrong type, not a spreadsheet, unknown encoding)."""

    code = "unreadable_file"
    status = 422


def import_file(
    kind: str,
    file: str | Path | IO[bytes],
    *,
    user,
    dry_run: bool,
    filename: str,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Check every row of `file` and, unless `dry_run` or any row is bad, write them all.

    `user` None is a system run (the command line without --as): no permission or scope limit.
    `progress(done, total)` is called every PROGRESS_EVERY rows checked (`total` is an estimate until
    the last call, done == total, made when every row is checked and before anything is written).
    """
    if kind not in KINDS:
        raise ValueError(f"unknown import kind {kind!r}")
    if user is not None:
        require(user, PERMISSION)
    sheet = _open_sheet(file, filename)
    report = progress or (lambda done, total: None)
    with _gc_paused():
        importer = _IMPORTERS[kind](Scope(everything=True) if user is None else scope_of(user), sheet.epoch)
        rows, errors, records = _check(importer, sheet, keep=not dry_run, progress=report)
        report(rows, rows)
        created = 0
        if not dry_run and not errors and records:
            with transaction.atomic():
                created = importer.write(records)
    return ImportReport(kind=kind, rows=rows, errors=errors, created=created, dry_run=dry_run)


def _check(
    importer: _Importer, sheet: _Sheet, *, keep: bool, progress: Callable[[int, int], None]
) -> tuple[int, list[RowError], list[dict[str, Any]]]:
    """Check every row; return the number of rows, the errors and (if `keep`) the valid rows' values."""
    errors: list[RowError] = []
    records: list[dict[str, Any]] = []
    rows = 0
    lines = sheet.rows()
    header_number, header = next(lines, (1, []))
    positions = _read_header(importer.columns, header if header_number == 1 else [], errors)
    where = {column.key: (column, index) for column, index in positions}
    for number, cells in lines:
        if not any(c is not None and not (type(c) is str and (not c or c.isspace())) for c in cells):
            continue  # blank rows, e.g. formatted but empty rows at the end of a sheet
        rows += 1
        if rows % PROGRESS_EVERY == 0:
            progress(rows, max(rows, sheet.total or 0))
        values: dict[str, Any] = {}
        for column, index in positions:
            raw = cells[index] if index < len(cells) else None
            if type(raw) is str:
                raw = raw.strip()
            if raw is None or raw == "":
                if column.required:
                    errors.append(_error(number, column, "required", "", _("This column is required.")))
                values[column.key] = column.default
                continue
            try:
                values[column.key] = column.parse(raw, importer)
            except _Invalid as invalid:
                errors.append(_error(number, column, invalid.rule, raw, invalid.reason))
                values[column.key] = _INVALID
        for key, rule, reason in importer.check_row(number, values):
            column, index = where[key]
            errors.append(_error(number, column, rule, cells[index] if index < len(cells) else "", reason))
        if keep and not errors:  # after the first bad row nothing will be written: keep nothing
            records.append(values)
    return rows, errors, records


@contextlib.contextmanager
def _gc_paused():
    """Pause the cyclic garbage collector: with hundreds of thousands of live rows and model instances
    it rescans them again and again (6 s of the 100,000-row benchmark), and an import makes no cycles
    worth collecting before it ends."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# --- columns and cell parsers ----------------------------------------------------------------------

_INVALID = object()


class _Invalid(Exception):
    def __init__(self, rule: str, reason: str):
        self.rule = rule
        self.reason = reason


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    parse: Callable[[Any, Any], Any]
    required: bool = False
    default: Any = ""
    help: Any = ""
    labels: dict | None = None  # for enumerations: value → Chinese labels
    example: Any = ""
    text_format: bool = False  # codes: the template formats the column as text so Excel keeps zeros


def _error(row: int, column: Column, rule: str, value: Any, reason: str) -> RowError:
    message = _("Row %(row)d, column %(column)s, rule %(rule)s: %(reason)s") % {
        "row": row,
        "column": column.header,
        "rule": rule,
        "reason": reason,
    }
    return RowError(
        row=row, column=column.header, rule=rule, value=_as_text(value)[:200], message=message, reason=reason
    )


def _as_text(value: Any) -> str:
    if type(value) is str:
        return value
    if value is None or value is _INVALID:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return "、".join(map(str, value))
    return str(value)


def _text(max_length: int):
    def parse(value, importer):
        text = _as_text(value)
        if len(text) > max_length:
            raise _Invalid("too_long", _("At most %(limit)d characters.") % {"limit": max_length})
        return text

    return parse


def _choice(labels: dict):
    lookup: dict[str, Any] = {}
    for value, words in labels.items():
        for word in words:
            lookup[word] = value
        if isinstance(value, str) and value:
            lookup[value] = lookup[value.lower()] = lookup[value.upper()] = value
        elif isinstance(value, bool):
            lookup[str(value).lower()] = value
    allowed = "、".join(words[0] for words in labels.values())

    def parse(value, importer):
        text = _as_text(value)
        found = lookup.get(text, _INVALID)
        if found is _INVALID:
            found = lookup.get(text.lower(), _INVALID)
        if found is _INVALID:
            raise _Invalid("enum", _("Use one of: %(allowed)s.") % {"allowed": allowed})
        return found

    return parse


def _credit_code(value, importer) -> str:
    code = _as_text(value).upper()
    if reason := credit_code_error(code):
        raise _Invalid("credit_code", reason)
    return code


def _credit_codes(value, importer) -> tuple[str, ...]:
    return tuple(
        dict.fromkeys(
            _credit_code(token, importer) for token in LIST_SEPARATORS.split(_as_text(value)) if token
        )
    )


def _id_number(value, importer) -> str:
    number = _as_text(value).upper()  # GB 11643 writes the check character as a capital X
    if reason := id_number_error(number):
        raise _Invalid("id_number", reason)
    return number


def _count(value, importer) -> int:
    if type(value) is int:
        number = value
    elif type(value) is float and value.is_integer():
        number = int(value)
    else:
        text = _as_text(value)
        if not (text.isascii() and text.isdigit()):
            raise _Invalid("integer", _("Enter a whole number from 0 to %(max)d.") % {"max": MAX_BEDS})
        number = int(text)
    if not 0 <= number <= MAX_BEDS:
        raise _Invalid("integer", _("Enter a whole number from 0 to %(max)d.") % {"max": MAX_BEDS})
    return number


_DATE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]00:00(?::00)?)?")


def cell_date(value, epoch: dt.datetime) -> dt.date:
    """A cell as a date: a date or datetime, an Excel serial (in the workbook's epoch) or text such as
    2027-12-31, 2027/12/31 or 2027年12月31日; ValueError otherwise. Other apps' list imports use it too."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if type(value) in (int, float) and 0 < value < 2958466:  # an Excel date serial
        return from_excel(value, epoch).date()
    match = _DATE.fullmatch(_as_text(value).strip())
    if match:
        return dt.date(*map(int, match.groups()))  # ValueError for a day that does not exist
    raise ValueError(value)


def _date(value, importer) -> dt.date:
    try:
        return cell_date(value, importer.epoch)
    except ValueError:
        raise _Invalid("date", _("Enter a date as YYYY-MM-DD, e.g. 2027-12-31.")) from None


def _division(value, importer) -> str:
    code = _as_text(value)
    if reason := division_code_error(code):
        raise _Invalid("division_unknown", reason)
    if code not in importer.divisions:
        raise _Invalid("division_unknown", _("No division has this code."))
    if not importer.in_scope(code):
        raise _Invalid("division_out_of_scope", _("This division is outside your area."))
    return code


def _service_lines(value, importer) -> tuple[str, ...]:
    codes = {}
    for token in LIST_SEPARATORS.split(_as_text(value)):
        if not token:
            continue
        code = importer.service_lines.get(token)
        if code is None and token.isdigit():
            code = importer.service_lines.get(token.zfill(2))
        if code is None:
            raise _Invalid(
                "enum",
                _(
                    "“%(value)s” is not in the catalogue of clinical subjects; write its "
                    "code or name, e.g. 03 or 内科."
                )
                % {"value": token},
            )
        codes[code] = None
    return tuple(codes)


def _institution(value, importer) -> int:
    code = _credit_code(value, importer)
    return importer.institution_id(code)


def _institutions(value, importer) -> tuple[int, ...]:
    return tuple(dict.fromkeys(importer.institution_id(code) for code in _credit_codes(value, importer)))


# --- the two kinds ---------------------------------------------------------------------------------


class _Importer:
    """Checks and writes one kind of record; holds the reference data read once per import."""

    columns: tuple[Column, ...] = ()
    unique: str = ""  # the column whose value must be new to the file and to the register
    title: Any = ""

    def __init__(self, scope: Scope, epoch: dt.datetime = CALENDAR_WINDOWS_1900):
        self.scope = scope
        self.epoch = epoch
        self.seen: dict[str, int] = {}
        self.registered = self.registered_keys()

    def in_scope(self, division_code: str) -> bool:
        if self.scope.everything:
            return True
        prefix = self.scope.division_prefix
        return prefix is not None and division_code.startswith(prefix)

    def registered_keys(self) -> set[str]:
        raise NotImplementedError

    def check_row(self, row: int, values: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
        """Cross-row checks: the unique column is new to the file and to the register."""
        key = values[self.unique]
        if key is _INVALID or not key:
            return
        if key in self.seen:
            yield (
                self.unique,
                "duplicate_in_file",
                _("The same value is already in row %(row)d.") % {"row": self.seen[key]},
            )
        else:
            self.seen[key] = row
        if key in self.registered:
            yield self.unique, "already_registered", _("Already in the register.")

    def write(self, records: list[dict[str, Any]]) -> int:
        raise NotImplementedError


class _Institutions(_Importer):
    title = gettext_lazy("Institutions")
    unique = "credit_code"
    columns = (
        Column(
            "机构名称",
            "name",
            _text(200),
            required=True,
            example="示范县城关镇卫生院",
            help=gettext_lazy("The name on the practice licence."),
        ),
        Column(
            "统一社会信用代码",
            "credit_code",
            _credit_code,
            required=True,
            example="12369901000000121W",
            text_format=True,
            help=gettext_lazy("18 characters (GB 32100), checked by the last one; not yet registered."),
        ),
        Column(
            "执业许可证登记号",
            "licence_number",
            _text(40),
            example="PDY60011136990111B1001",
            text_format=True,
            help=gettext_lazy("Registration number of the practice licence."),
        ),
        Column(
            "机构类别",
            "institution_type",
            _choice(INSTITUTION_TYPE_LABELS),
            required=True,
            labels=INSTITUTION_TYPE_LABELS,
            example="乡镇卫生院",
            help=gettext_lazy("Kind of institution."),
        ),
        Column(
            "级别",
            "grade_level",
            _choice(GRADE_LEVEL_LABELS),
            labels=GRADE_LEVEL_LABELS,
            example="一级",
            help=gettext_lazy("Hospital level; blank means ungraded."),
        ),
        Column(
            "等次",
            "grade_class",
            _choice(GRADE_CLASS_LABELS),
            labels=GRADE_CLASS_LABELS,
            example="甲",
            help=gettext_lazy("Grade within the level; blank if none. Needs a level."),
        ),
        Column(
            "所有制",
            "ownership",
            _choice(OWNERSHIP_LABELS),
            required=True,
            labels=OWNERSHIP_LABELS,
            example="公立",
            help=gettext_lazy("Public or private."),
        ),
        Column(
            "营利性",
            "for_profit",
            _choice(FOR_PROFIT_LABELS),
            default=False,
            labels=FOR_PROFIT_LABELS,
            example="非营利",
            help=gettext_lazy("Blank means not for profit."),
        ),
        Column(
            "床位数",
            "beds",
            _count,
            default=0,
            example=60,
            help=gettext_lazy("Approved beds, a whole number; blank means 0."),
        ),
        Column(
            "诊疗科目",
            "service_lines",
            _service_lines,
            default=(),
            example="01、02、03、05、07、30、32、50",
            text_format=True,
            help=gettext_lazy(
                "Approved clinical subjects: codes or names from the national catalogue, "
                "separated by 、 ; or ,"
            ),
        ),
        Column(
            "医保定点",
            "insurance_designated",
            _choice(YES_NO_LABELS),
            default=False,
            labels=YES_NO_LABELS,
            example="是",
            help=gettext_lazy("Designated for medical insurance; blank means no."),
        ),
        Column(
            "区划代码",
            "division",
            _division,
            required=True,
            example="369901001000",
            text_format=True,
            help=gettext_lazy(
                "12-digit statistical division code of the institution's place, within your area."
            ),
        ),
        Column("负责人", "head", _text(50), example="李明", help=gettext_lazy("Person in charge.")),
        Column("地址", "address", _text(200), example="示范县城关镇解放路1号", help=gettext_lazy("Address.")),
        Column(
            "电话", "phone", _text(30), example="0797-1234567", text_format=True, help=gettext_lazy("Phone.")
        ),
        Column(
            "许可证有效期至",
            "licence_valid_until",
            _date,
            default=None,
            example="2029-12-31",
            text_format=True,
            help=gettext_lazy("Last day the practice licence is valid, YYYY-MM-DD."),
        ),
    )

    def __init__(self, scope: Scope, epoch: dt.datetime = CALENDAR_WINDOWS_1900):
        super().__init__(scope, epoch)
        self.divisions = set(Division.objects.values_list("code", flat=True))
        self.service_lines = {}
        for code, name in ServiceLine.objects.values_list("code", "name"):
            self.service_lines[code] = self.service_lines[name] = code

    def registered_keys(self) -> set[str]:
        return set(Organisation.objects.exclude(credit_code="").values_list("credit_code", flat=True))

    def check_row(self, row, values):
        yield from super().check_row(row, values)
        if values["grade_class"] and values["grade_class"] is not _INVALID and values["grade_level"] == "":
            yield (
                "grade_class",
                "grade_without_level",
                _("A grade (甲, 乙, 丙) needs a level (一级, 二级, 三级)."),
            )

    def write(self, records):
        kind = OrganisationKind.MEDICAL_INSTITUTION
        # A township hospital runs its villages' clinics (乡村一体化管理), so it sees its township.
        scope_modes = {InstitutionType.TOWNSHIP_HOSPITAL: ScopeMode.SUBTREE}
        organisations = [
            Organisation(
                name=r["name"],
                kind=kind,
                division_id=r["division"],
                credit_code=r["credit_code"],
                scope_mode=scope_modes.get(r["institution_type"], default_scope_mode(kind)),
                search_key=textsearch.search_key(r["name"]),
            )
            for r in records
        ]
        Organisation.objects.bulk_create(organisations)
        fields = (
            "licence_number",
            "institution_type",
            "grade_level",
            "grade_class",
            "ownership",
            "for_profit",
            "beds",
            "insurance_designated",
            "head",
            "address",
            "phone",
            "licence_valid_until",
        )
        institutions = [
            Institution(organisation=o, **{f: r[f] for f in fields})
            for o, r in zip(organisations, records, strict=True)
        ]
        Institution.objects.bulk_create(institutions)
        _link(
            Institution.service_lines,
            [
                (o.pk, code)
                for o, r in zip(organisations, records, strict=True)
                for code in r["service_lines"]
            ],
        )
        record_bulk_create(organisations)
        record_bulk_create(institutions)
        return len(institutions)


class _Practitioners(_Importer):
    title = gettext_lazy("Practitioners")
    unique = "id_number"
    columns = (
        Column("姓名", "name", _text(50), required=True, example="王芳", help=gettext_lazy("Full name.")),
        Column(
            "身份证号",
            "id_number",
            _id_number,
            required=True,
            example="369901198506151239",
            text_format=True,
            help=gettext_lazy("18-character resident ID number (GB 11643); not yet registered."),
        ),
        Column(
            "人员类别",
            "category",
            _choice(PRACTITIONER_CATEGORY_LABELS),
            required=True,
            labels=PRACTITIONER_CATEGORY_LABELS,
            example="执业医师",
            help=gettext_lazy("Category."),
        ),
        Column(
            "执业类别",
            "practice_category",
            _choice(PRACTICE_CATEGORY_LABELS),
            labels=PRACTICE_CATEGORY_LABELS,
            example="临床",
            help=gettext_lazy("Practice category of a physician; blank if none."),
        ),
        Column(
            "执业范围",
            "practice_scope",
            _text(100),
            example="内科专业",
            help=gettext_lazy("Practice scope, as on the practice certificate."),
        ),
        Column(
            "资格证书编码",
            "qualification_certificate",
            _text(40),
            example="200836110369901198506151239",
            text_format=True,
            help=gettext_lazy("Qualification certificate number."),
        ),
        Column(
            "执业证书编码",
            "practice_certificate",
            _text(40),
            example="110369900012345",
            text_format=True,
            help=gettext_lazy("Practice certificate number."),
        ),
        Column(
            "执业机构统一社会信用代码",
            "registered_institution",
            _institution,
            required=True,
            example="12369901000000121W",
            text_format=True,
            help=gettext_lazy(
                "Credit code of the registered practice site: an institution already in "
                "the register and within your area."
            ),
        ),
        Column(
            "多点执业机构统一社会信用代码",
            "additional_sites",
            _institutions,
            default=(),
            text_format=True,
            help=gettext_lazy(
                "Credit codes of further practice sites, separated by 、 ; or , — each "
                "already in the register and within your area."
            ),
        ),
    )

    def __init__(self, scope: Scope, epoch: dt.datetime = CALENDAR_WINDOWS_1900):
        super().__init__(scope, epoch)
        self.institutions = dict(
            Institution.objects.exclude(organisation__credit_code="").values_list(
                "organisation__credit_code", "pk"
            )
        )
        self.visible = (
            None if scope.everything else set(Institution.objects.within(scope).values_list("pk", flat=True))
        )

    def registered_keys(self) -> set[str]:
        return set(Practitioner.objects.values_list("id_number", flat=True))

    def institution_id(self, credit_code: str) -> int:
        pk = self.institutions.get(credit_code)
        if pk is None:
            raise _Invalid("institution_unknown", _("No institution in the register has this credit code."))
        if self.visible is not None and pk not in self.visible:
            raise _Invalid("institution_out_of_scope", _("This institution is outside your area."))
        return pk

    def write(self, records):
        fields = (
            "id_number",
            "name",
            "category",
            "practice_category",
            "practice_scope",
            "qualification_certificate",
            "practice_certificate",
        )
        practitioners = [
            Practitioner(
                registered_institution_id=r["registered_institution"],
                search_key=textsearch.search_key(r["name"]),
                **{f: r[f] for f in fields},
            )
            for r in records
        ]
        Practitioner.objects.bulk_create(practitioners)
        _link(
            Practitioner.additional_sites,
            [
                (p.pk, site)
                for p, r in zip(practitioners, records, strict=True)
                for site in r["additional_sites"]
                if site != r["registered_institution"]
            ],
        )
        record_bulk_create(practitioners)
        return len(practitioners)


def _link(descriptor, pairs: list[tuple[Any, Any]]) -> None:
    """Insert many-to-many rows (source id, target id) with one executemany.

    bulk_create would build a model instance per row: 5 s of the 100,000-institution benchmark for
    its 230,000 service-line rows, against 0.3 s this way. Like bulk_create, it sends no m2m_changed.
    """
    if not pairs:
        return
    field = descriptor.field
    through = descriptor.through._meta
    quote = connection.ops.quote_name
    source = through.get_field(field.m2m_field_name()).column
    target = through.get_field(field.m2m_reverse_field_name()).column
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {quote(through.db_table)} ({quote(source)}, {quote(target)}) VALUES (%s, %s)", pairs
        )


_IMPORTERS: dict[str, type[_Importer]] = {"institutions": _Institutions, "practitioners": _Practitioners}


def _read_header(columns, header: list[Any], errors: list[RowError]) -> list[tuple[Column, int]]:
    """Where each column is in the file; missing, unknown and repeated headers are row-1 errors."""
    by_header = {c.header: c for c in columns}
    positions: dict[str, tuple[Column, int]] = {}
    for index, cell in enumerate(header):
        name = _as_text(cell).strip().lstrip("\ufeff")
        if not name:
            continue
        column = by_header.get(name)
        if column is None:
            unknown = Column(name, name, _text(0))
            errors.append(
                _error(
                    1,
                    unknown,
                    "unknown_column",
                    name,
                    _("This column is not in the template; rename or remove it."),
                )
            )
        elif name in positions:
            errors.append(
                _error(1, column, "duplicate_column", name, _("This column appears twice in the header row."))
            )
        else:
            positions[name] = (column, index)
    for column in columns:
        if column.header not in positions and column.required:
            errors.append(
                _error(
                    1, column, "missing_column", "", _("This required column is missing from the header row.")
                )
            )
    # Columns left out of the file read as blank cells (position past the end of every row).
    return [positions.get(c.header, (c, 1 << 30)) for c in columns]


# --- reading files ---------------------------------------------------------------------------------


class _Sheet:
    """The rows of a file as (row number, cells); `total` estimates the data rows, if known."""

    total: int | None = None
    epoch: dt.datetime = CALENDAR_WINDOWS_1900

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        raise NotImplementedError


def _open_sheet(file, filename: str) -> _Sheet:
    suffix = Path(filename).suffix.lower()
    if suffix == ".csv":
        return _CsvSheet(_read_bytes(file))
    if suffix in (".xlsx", ".xlsm"):
        return _XlsxSheet(file)
    raise ImportFileError(
        _("Files of type “%(suffix)s” cannot be imported; save the sheet as .xlsx or .csv.")
        % {"suffix": suffix or filename},
        code="unsupported_format",
    )


def _read_bytes(file) -> bytes:
    if isinstance(file, str | Path):
        return Path(file).read_bytes()
    return file.read()


class _CsvSheet(_Sheet):
    """UTF-8 with or without BOM (what Excel writes for "CSV UTF-8"), else GB18030 (older Excel)."""

    def __init__(self, data: bytes):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                self.text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ImportFileError(_("The csv file is neither UTF-8 nor GB18030 text."))
        self.total = max(self.text.count("\n") - 1, 0)

    def rows(self):
        try:
            yield from enumerate(csv.reader(io.StringIO(self.text, newline="")), start=1)
        except csv.Error as error:
            raise ImportFileError(_("The csv file cannot be read: %(error)s") % {"error": error}) from error


_MAIN_NS = (
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",
)  # transitional and strict OOXML
_ROW, _CELL, _VALUE, _TEXT, _PHONETIC, _DIMENSION = range(6)
_TAGS = {
    f"{ns} {local}": tag
    for ns in _MAIN_NS
    for local, tag in (
        ("row", _ROW),
        ("c", _CELL),
        ("v", _VALUE),
        ("t", _TEXT),
        ("rPh", _PHONETIC),
        ("dimension", _DIMENSION),
    )
}


class _XlsxSheet(_Sheet):
    """The first worksheet of an xlsx file, streamed with expat; values as str, int, float or bool."""

    def __init__(self, file):
        try:
            self.archive = zipfile.ZipFile(file)
            workbook = self._main_part()
            starts = _start_tags(self.archive, workbook)
            if any(name == "workbookPr" and attrs.get("date1904") in ("1", "true") for name, attrs in starts):
                self.epoch = CALENDAR_MAC_1904
            first = next(attrs for name, attrs in starts if name == "sheet")
            relation = next(v for k, v in first.items() if k.endswith(" id"))
            targets = _relationships(self.archive, workbook)
            self.path = targets[relation][1]
            strings_path = next(
                (path for kind, path in targets.values() if kind.endswith("/sharedStrings")), None
            )
            self.strings = _shared_strings(self.archive, strings_path) if strings_path else []
        except (zipfile.BadZipFile, KeyError, StopIteration, expat.ExpatError, OSError) as error:
            raise ImportFileError(_("The file is not a readable xlsx workbook.")) from error

    def _main_part(self) -> str:
        for kind, path in _relationships(self.archive, "").values():
            if kind.endswith("/officeDocument"):
                return path
        return "xl/workbook.xml"

    def rows(self):
        reader = _SheetReader(self.strings)
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.buffer_text = True
        parser.StartElementHandler = reader.start
        parser.EndElementHandler = reader.end
        parser.CharacterDataHandler = reader.characters
        try:
            with self.archive.open(self.path) as stream:
                while chunk := stream.read(1 << 20):
                    parser.Parse(chunk, False)
                    if reader.total is not None:
                        self.total = reader.total
                    yield from reader.rows
                    reader.rows.clear()
                parser.Parse(b"", True)
                yield from reader.rows
        except (expat.ExpatError, zipfile.BadZipFile, ValueError, IndexError, OSError) as error:
            raise ImportFileError(_("The file is not a readable xlsx workbook.")) from error
        finally:
            self.archive.close()


class _SheetReader:
    """expat handlers for a worksheet: collect each row's cell values, placed by their column letters."""

    def __init__(self, strings: list[str]):
        self.strings = strings
        self.rows: list[tuple[int, list[Any]]] = []
        self.total: int | None = None
        self.row: list[Any] = []
        self.row_number = 0
        self.column = 0
        self.cell_type = "n"
        self.text: list[str] = []
        self.collect = False
        self.phonetic = 0

    def start(self, name, attrs):
        tag = _TAGS.get(name)
        if tag == _CELL:
            self.cell_type = attrs.get("t", "n")
            ref = attrs.get("r")
            if ref:
                letters = ref.rstrip("0123456789")
                column = _COLUMNS.get(letters)
                self.column = column if column is not None else _column_number(letters)
            else:
                self.column += 1
            self.text = []
        elif tag == _VALUE:
            self.collect = True
        elif tag == _TEXT:
            self.collect = not self.phonetic and self.cell_type == "inlineStr"
        elif tag == _ROW:
            number = attrs.get("r")
            self.row_number = int(number) if number else self.row_number + 1
            self.row = []
            self.column = 0
        elif tag == _PHONETIC:
            self.phonetic += 1
        elif tag == _DIMENSION:
            last = attrs.get("ref", "").rpartition(":")[2].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ$")
            self.total = int(last) - 1 if last.isdigit() else None

    def end(self, name):
        tag = _TAGS.get(name)
        if tag == _CELL:
            value = self._value()
            if value is not None:
                row, index = self.row, self.column - 1
                if index >= len(row):
                    row.extend([None] * (index - len(row)))
                    row.append(value)
                else:
                    row[index] = value
        elif tag in (_VALUE, _TEXT):
            self.collect = False
        elif tag == _ROW:
            self.rows.append((self.row_number, self.row))
        elif tag == _PHONETIC:
            self.phonetic -= 1

    def characters(self, data):
        if self.collect:
            self.text.append(data)

    def _value(self):
        text = "".join(self.text)
        kind = self.cell_type
        if kind == "s":
            return self.strings[int(text)] if text else None
        if kind == "n":
            if not text:
                return None
            try:
                return int(text)
            except ValueError:
                return float(text)
        if kind == "b":
            return text == "1"
        return text  # inlineStr, str (a formula's text), e (#N/A …), d (ISO 8601)


def _column_number(letters: str) -> int:
    number = 0
    for char in letters:
        number = number * 26 + ord(char) - 64
    return number


_COLUMNS = {
    letters: _column_number(letters)
    for letters in [chr(a) for a in range(65, 91)]
    + [chr(a) + chr(b) for a in range(65, 91) for b in range(65, 91)]
}


def _start_tags(archive: zipfile.ZipFile, path: str) -> list[tuple[str, dict[str, str]]]:
    """The start tags of a small xml part, by local name."""
    found: list[tuple[str, dict[str, str]]] = []
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = lambda name, attrs: found.append((name.rpartition(" ")[2], attrs))
    parser.Parse(archive.read(path), True)
    return found


def _relationships(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """A part's relationships: id → (type, path of the target inside the archive)."""
    folder, name = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", f"{name}.rels")
    found = {}
    for tag, attrs in _start_tags(archive, rels):
        if tag == "Relationship" and attrs.get("TargetMode") != "External":
            target = attrs["Target"]
            path = (
                target.lstrip("/")
                if target.startswith("/")
                else posixpath.normpath(posixpath.join(folder, target))
            )
            found[attrs["Id"]] = (attrs.get("Type", ""), path)
    return found


def _shared_strings(archive: zipfile.ZipFile, path: str) -> list[str]:
    """The shared string table; rich-text runs are joined, phonetic guides (rPh) left out."""
    strings: list[str] = []
    parts: list[str] = []
    state = {"collect": False, "phonetic": 0}
    si = {f"{ns} si" for ns in _MAIN_NS}

    def start(name, attrs):
        tag = _TAGS.get(name)
        if tag == _TEXT:
            state["collect"] = not state["phonetic"]
        elif tag == _PHONETIC:
            state["phonetic"] += 1
        elif name in si:
            parts.clear()

    def end(name):
        tag = _TAGS.get(name)
        if tag == _TEXT:
            state["collect"] = False
        elif tag == _PHONETIC:
            state["phonetic"] -= 1
        elif name in si:
            strings.append("".join(parts))

    def characters(data):
        if state["collect"]:
            parts.append(data)

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, characters
    with archive.open(path) as stream:
        parser.ParseFile(stream)
    return strings


# --- templates -------------------------------------------------------------------------------------


def template_workbook(kind: str) -> bytes:
    """An xlsx with the header row and one example row, and a sheet explaining every column."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    importer = _IMPORTERS[kind]
    book = Workbook()
    sheet = book.active
    sheet.title = str(importer.title)
    sheet.append([c.header for c in importer.columns])
    sheet.append([c.example for c in importer.columns])
    sheet.freeze_panes = "A2"
    for index, column in enumerate(importer.columns, start=1):
        letter = get_column_letter(index)
        sheet.cell(1, index).font = Font(bold=True, color="C00000" if column.required else None)
        sheet.column_dimensions[letter].width = max(
            12, 2 * len(column.header) + 4, len(str(column.example)) + 2
        )
        if column.text_format:
            sheet.column_dimensions[letter].number_format = "@"
            sheet.cell(2, index).number_format = "@"
        if column.labels:
            choices = ",".join(words[0] for words in column.labels.values())
            validation = DataValidation(type="list", formula1=f'"{choices}"', allow_blank=True)
            validation.add(f"{letter}2:{letter}1048576")
            sheet.add_data_validation(validation)

    notes = book.create_sheet(_("Instructions"))
    notes.append([_("Column"), _("Required"), _("What to enter"), _("Allowed values"), _("Example")])
    for column in importer.columns:
        notes.append(
            [
                column.header,
                _("Yes") if column.required else _("No"),
                str(column.help),
                _allowed(column),
                _as_text(column.example),
            ]
        )
    notes.append([])
    for line in (
        _(
            "Row 1 is the header: keep the column names as they are (columns may be reordered or left out "
            "unless required). Each later row is one record; replace the example in row 2."
        ),
        _("Required columns have red headers. Enumerations accept the Chinese word or the code value."),
        _(
            "A check run lists every bad row and writes nothing; a real run writes every row or, if any row "
            "is bad, none."
        ),
    ):
        notes.append([line])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDE", (26, 8, 60, 60, 24), strict=True):
        notes.column_dimensions[letter].width = width
    for row in notes.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _allowed(column: Column) -> str:
    if column.labels:
        return "、".join(" / ".join(words) for words in column.labels.values())
    if column.key == "service_lines":
        return "、".join(f"{code} {name}" for code, name in ServiceLine.objects.values_list("code", "name"))
    return ""


def sheet_rows(file, filename: str) -> tuple[Iterator[tuple[int, list[Any]]], dt.datetime]:
    """The rows of the first sheet of an xlsx or csv file as (row number, cells), and the workbook's
    date epoch, for other apps that import lists with the same readers."""
    sheet = _open_sheet(file, filename)
    return sheet.rows(), sheet.epoch


def cell_text(value: Any) -> str:
    """A cell as the text a user typed (whole numbers without .0, dates as YYYY-MM-DD)."""
    return _as_text(value)
