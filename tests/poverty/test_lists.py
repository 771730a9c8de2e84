"""Department lists from files, and a reconciliation from the page to the work items."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from tests.poverty.fixtures import build_poverty
from weijian.core.validators import id_number_check_char
from weijian.poverty import listio
from weijian.poverty.models import DepartmentList, ListRow, Mismatch, MismatchState, Reconciliation, RunState

HEADER = "身份证号,姓名,出生日期,行政区划代码,状态\n"


@pytest.fixture
def poverty(world):
    return build_poverty(world)


def _row(person, status="在档") -> str:
    return f"{person.id_number},{person.name},{person.birth_date:%Y-%m-%d},{person.village.code},{status}\n"


def _wrong_check(id_number: str) -> str:
    """The same number with a wrong check character (a typing slip)."""
    right = id_number_check_char(id_number[:17])
    wrong = next(c for c in "0123456789X" if c != right)
    return id_number[:17] + wrong


def _upload(client, source, area, text, name="list.csv", **headers):
    return client.post(
        reverse("poverty:lists"),
        {
            "upload": "1",
            "source": source,
            "division": area.pk,
            "file": SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv"),
        },
        **headers,
    )


def test_a_list_with_an_unreadable_row_is_refused_whole_naming_row_column_and_rule(world, poverty, login):
    person = poverty.persons["zhang_yi"]
    text = HEADER + _row(person) + f"{person.id_number},,1970-03-01,{person.village.code},在档\n"
    text += f"{person.id_number},张一,1970-13-01,369902001001,待定\n"
    client = login(world.users["commission_leader"])
    response = _upload(client, "poverty", world.divisions["county_a"], text, HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Row 3, column 姓名, rule required: This field is required." in html
    assert "Row 4, column 行政区划代码, rule village_in_area: Not a village code of this area." in html
    assert 'id="list-problems"' in html
    problems = {(p.row, p.column, p.rule) for p in _problems(text, world.divisions["county_a"])}
    assert problems == {
        (3, "姓名", "required"),
        (4, "出生日期", "date"),
        (4, "行政区划代码", "village_in_area"),
        (4, "状态", "status"),
    }
    assert not DepartmentList.objects.exists()
    assert not ListRow.objects.exists()


def _problems(text, area):
    with pytest.raises(listio.ListFileError) as caught:
        listio.read_list(io.BytesIO(text.encode("utf-8")), "list.csv", area=area)
    return caught.value.problems


def test_a_list_without_the_id_column_is_refused_naming_the_header(world):
    text = "姓名,行政区划代码\n张一,369901001001\n"
    assert [(p.row, p.column, p.rule) for p in _problems(text, world.divisions["county_a"])] == [
        (1, "身份证号", "header")
    ]


def test_an_xlsx_list_is_read_like_a_csv_and_an_invalid_id_number_is_kept_for_the_reconciliation(
    world, poverty
):
    person = poverty.persons["li_yi"]
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "公民身份号码", "行政区划代码", "出生日期"])
    sheet.append([person.name, _wrong_check(person.id_number), person.village.code, person.birth_date])
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    rows = listio.read_list(data, "roster.xlsx", area=world.divisions["county_a"])
    assert rows == [
        {
            "row": 2,
            "id_number": _wrong_check(person.id_number),
            "name": person.name,
            "village": person.village.code,
            "birth_date": person.birth_date,
            "status": "",
        }
    ]


def test_reconciling_uploaded_lists_opens_work_items_for_exactly_the_planted_mismatches(
    world, poverty, login
):
    county = world.divisions["county_a"]
    zhang_yi, zhang_er, li_yi = (poverty.persons[key] for key in ("zhang_yi", "zhang_er", "li_yi"))
    client = login(world.users["commission_leader"])
    roster = HEADER + _row(zhang_yi) + _row(zhang_er) + _row(li_yi)
    # 张二 is missing from the enrolment list; 李一's number has a typing slip there (found by name,
    # birth date and village, and reported as invalid).
    enrolment = (
        HEADER + _row(zhang_yi, "") + _row(li_yi, "").replace(li_yi.id_number, _wrong_check(li_yi.id_number))
    )
    for source, text in (("poverty", roster), ("insurance", enrolment)):
        assert _upload(client, source, county, text).status_code == 302
    response = client.post(reverse("poverty:lists"), {"reconcile": "1", "division": county.pk})
    assert response.status_code == 302

    run = Reconciliation.objects.get()
    assert run.state == RunState.DONE, run.error
    # No health-record or civil-affairs list was imported, so those comparisons are not made.
    assert run.counts == {"invalid_id": 1, "not_enrolled": 1}
    items = {
        (m.kind, m.source, m.row, m.id_number)
        for m in Mismatch.objects.filter(kind__in=["invalid_id", "not_enrolled"])
    }
    assert items == {
        ("invalid_id", "insurance", 3, _wrong_check(li_yi.id_number)),
        ("not_enrolled", "poverty", 3, zhang_er.id_number),
    }
    not_enrolled = Mismatch.objects.get(kind="not_enrolled")
    assert not_enrolled.owner == world.orgs["th1"]  # 张二 lives in v11, township t1
    assert not_enrolled.state == MismatchState.OPEN
    page = client.get(reverse("poverty:lists")).content.decode()
    assert "not_enrolled: 1" in page
    # Data quality per township, counted from the lists: 张一 and 张二 in t1 (one enrolled), 李一 in t2.
    t1, t2 = world.divisions["t1"].code, world.divisions["t2"].code
    enrolled_cell = re.compile(
        r'<tr id="quality-(\w+)".*?data-label="[^"]*" data-numerator="(\d+)" data-denominator="(\d+)"', re.S
    )
    assert {area: (int(n), int(d)) for area, n, d in enrolled_cell.findall(page)} == {
        t1: (1, 2),
        t2: (1, 1),
        "total": (2, 3),
    }
    assert re.search(rf'id="quality-{t1}".*?data-kind="not_enrolled">1<', page, re.S)

    # The scheme enrols 张二 and sends a new list: the next run resolves the item by itself.
    fixed = enrolment + _row(zhang_er, "")
    assert _upload(client, "insurance", county, fixed).status_code == 302
    client.post(reverse("poverty:lists"), {"reconcile": "1", "division": county.pk})
    not_enrolled.refresh_from_db()
    assert not_enrolled.state == MismatchState.RESOLVED
    assert Mismatch.objects.filter(kind="not_enrolled").count() == 1


def test_a_village_doctor_may_not_import_or_reconcile(world, poverty, login):
    client = login(world.users["village_doctor"])
    assert client.get(reverse("poverty:lists")).status_code == 403
