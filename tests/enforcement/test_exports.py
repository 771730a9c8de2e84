"""The joint-punishment list (联合惩戒名单) as a workbook."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from tests.enforcement import factories
from weijian.enforcement import selectors, services
from weijian.enforcement.exports import HEADERS, joint_punishment_workbook, mask_id_number

pytestmark = pytest.mark.django_db

PERSON_ID = "369901199003071234"


def _list(world, **fields):
    return services.blacklist_add(
        user=world.users["supervisor"],
        reason=fields.pop("reason", "非法开展医疗美容"),
        listed_on=fields.pop("listed_on", dt.date(2026, 5, 1)),
        punishment_scope="发改、医保、市场监管联合惩戒",
        **fields,
    )


def test_an_id_number_keeps_its_first_six_and_last_four_characters():
    assert mask_id_number(PERSON_ID) == "369901********1234"
    assert mask_id_number(" 36990119900307123X ") == "369901********123X"
    assert mask_id_number("12345") == "*****"
    assert mask_id_number("") == ""


def test_the_workbook_lists_the_entries_in_force_with_persons_ids_masked(world):
    case = factories.to_decided(world, factories.open_case(world))
    clinic = _list(world, institution=world.institutions["beauty_t1"], case=case, until=dt.date(2029, 4, 30))
    _list(world, practitioner=world.practitioners["th1"])
    _list(
        world,
        party_name="张某",
        party_is_person=True,
        party_id_number=PERSON_ID,
        party_address="城关镇解放路12号",
        division=world.divisions["t1"],
    )
    removed = _list(world, institution=world.institutions["th2"])
    services.blacklist_remove(
        user=world.users["supervisor"], entry_id=removed.pk, removed_on=dt.date(2026, 6, 1), reason="撤销"
    )

    entries = selectors.blacklist_list(world.users["supervisor"], active=None).order_by("pk")
    data = joint_punishment_workbook(entries, on=dt.date(2026, 7, 1))
    sheet = load_workbook(io.BytesIO(data)).active
    rows = [tuple(row) for row in sheet.iter_rows(values_only=True)]

    assert rows[0][0] == "联合惩戒名单"
    assert rows[1] == HEADERS
    assert [row[0] for row in rows[2:]] == [1, 2, 3]
    by_name = {row[1]: row for row in rows[2:]}
    assert set(by_name) == {"美丽医疗美容诊所", "城关镇卫生院医生", "张某"}

    clinic_row = by_name["美丽医疗美容诊所"]
    assert clinic_row[2] == "机构"
    assert clinic_row[3] == world.institutions["beauty_t1"].organisation.credit_code
    assert clinic_row[6].date() == dt.date(2026, 5, 1)
    assert clinic_row[8].date() == dt.date(2029, 4, 30)
    assert clinic_row[9] == case.number

    doctor_id = world.practitioners["th1"].id_number
    assert by_name["城关镇卫生院医生"][2] == "人员"
    assert by_name["城关镇卫生院医生"][3] == doctor_id[:6] + "********" + doctor_id[-4:]
    assert by_name["张某"][3:5] == ("369901********1234", "城关镇解放路12号")

    text = "".join(str(value) for row in rows for value in row if value is not None)
    assert PERSON_ID not in text
    assert doctor_id not in text
    assert clinic.reason in text
