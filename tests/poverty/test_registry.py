"""The registry of the poor as a township officer keeps it: households in villages, persons identified by
their resident ID number, a status history, and the insurance card that follows the registry."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.poverty.fixtures import ENTERED_ON, EXITED_ON, build_poverty
from weijian.core import synthetic
from weijian.core.errors import InvalidInput, NotVisible
from weijian.core.models import AuditEntry
from weijian.insurance.models import Member
from weijian.poverty import selectors, services
from weijian.poverty.models import (
    PoorHousehold,
    PoorPerson,
    PopulationGroup,
    PovertyStatus,
    Residence,
    StatusChange,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def poverty(world):
    return build_poverty(world)


def _register(world, household, id_number, **extra):
    fields = {
        "household": household,
        "id_number": id_number,
        "name": "新登记",
        "group": PopulationGroup.REGISTERED_POOR,
        "registered_year": 2026,
        "entered_on": dt.date(2026, 3, 1),
    }
    fields.update(extra)
    return services.person_register(world.users["township_staff"], **fields)


def _new_id(world, sequence, born=dt.date(1985, 6, 12)):
    return synthetic.id_number(world.divisions["v11"].code, born, sequence)


def test_a_household_takes_the_clinic_of_its_village(world, poverty):
    assert poverty.households["zhang"].clinic == world.institutions["vc11"]
    assert poverty.households["li"].clinic == world.institutions["vc21"]
    assert poverty.persons["zhang_yi"].clinic == world.institutions["vc11"]
    assert poverty.persons["zhang_yi"].village == world.divisions["v11"]
    assert poverty.persons["li_er"].clinic == world.institutions["vc21"]


def test_a_household_must_be_placed_in_a_village_not_a_township(world):
    with pytest.raises(InvalidInput) as caught:
        services.household_register(
            world.users["township_staff"], number="PH-T1", village=world.divisions["t1"], head_name="某"
        )
    assert caught.value.field == "village"
    assert not PoorHousehold.objects.exists()


def test_sex_and_birth_date_are_read_from_the_id_number(world, poverty):
    woman = _register(world, poverty.households["zhang"], _new_id(world, 802))
    man = _register(world, poverty.households["zhang"], _new_id(world, 803, born=dt.date(1949, 12, 31)))
    assert (woman.sex, woman.birth_date) == ("F", dt.date(1985, 6, 12))
    assert (man.sex, man.birth_date) == ("M", dt.date(1949, 12, 31))


def test_an_id_number_in_lower_case_is_stored_in_upper_case(world, poverty):
    number = next(
        synthetic.id_number(world.divisions["v11"].code, dt.date(1985, 6, 12), n)
        for n in range(1, 1000)
        if synthetic.id_number(world.divisions["v11"].code, dt.date(1985, 6, 12), n).endswith("X")
    )
    person = _register(world, poverty.households["zhang"], f" {number.lower()} ")
    assert person.id_number == number


@pytest.mark.parametrize(
    "mangle",
    [
        lambda n: n[:17] + ("0" if n[17] != "0" else "1"),  # wrong check character
        lambda n: n[:17],  # 17 characters
        lambda n: n[:10] + "1332" + n[14:],  # 13th month
    ],
    ids=["check character", "length", "birth date"],
)
def test_an_invalid_id_number_is_refused_and_nothing_is_written(world, poverty, mangle):
    before = (PoorPerson.objects.count(), StatusChange.objects.count())
    with pytest.raises(InvalidInput) as caught:
        _register(world, poverty.households["zhang"], mangle(_new_id(world, 804)))
    assert caught.value.field == "id_number"
    assert (PoorPerson.objects.count(), StatusChange.objects.count()) == before


def test_the_same_person_cannot_be_registered_twice(world, poverty):
    with pytest.raises(InvalidInput) as caught:
        _register(world, poverty.households["chen"], poverty.persons["zhang_yi"].id_number)
    assert caught.value.field == "id_number"
    assert PoorPerson.objects.filter(id_number=poverty.persons["zhang_yi"].id_number).count() == 1


def test_an_entry_date_in_the_future_is_refused(world, poverty):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(InvalidInput) as caught:
        _register(world, poverty.households["zhang"], _new_id(world, 805), entered_on=tomorrow)
    assert caught.value.field == "entered_on"
    assert not PoorPerson.objects.filter(id_number=_new_id(world, 805)).exists()
    today = _register(
        world, poverty.households["zhang"], _new_id(world, 805), entered_on=timezone.localdate()
    )
    assert today.status_changes.get().effective_on == timezone.localdate()


def test_registering_starts_the_status_history_with_the_entry(world, poverty):
    person = _register(world, poverty.households["zhang"], _new_id(world, 806), reason="因病致贫")
    assert person.status == PovertyStatus.POOR
    assert list(person.status_changes.values_list("action", "status_after", "effective_on", "reason")) == [
        ("enter", "poor", dt.date(2026, 3, 1), "因病致贫")
    ]
    assert person.status_changes.get().recorded_by == world.users["township_staff"]


def test_the_exited_person_has_a_history_of_entry_then_exit(poverty):
    history = selectors.status_history(poverty.persons["chen_yi"])
    assert [(c.action, c.status_after, c.effective_on) for c in history] == [
        ("enter", "poor", ENTERED_ON),
        ("exit", "exited", EXITED_ON),
    ]
    assert history.last().reason == "人均收入达标"


def test_registering_links_the_insurance_member_and_flags_the_card_poor(poverty):
    zhang_yi = poverty.persons["zhang_yi"]
    assert zhang_yi.member is not None
    assert zhang_yi.member.id_number == zhang_yi.id_number
    assert zhang_yi.member.registered_poor is True
    # No scheme member with that number: nothing to link.
    assert poverty.persons["zhang_san"].member is None


def test_exiting_clears_the_poor_flag_on_the_insurance_card(poverty):
    assert Member.objects.get(pk=poverty.persons["chen_yi"].member_id).registered_poor is False


def test_a_member_enrolled_after_registration_is_linked_at_the_next_status_change(world, poverty):
    from tests.insurance.fixtures import household, member

    zhang_san = poverty.persons["zhang_san"]
    data = member(world.divisions["v11"].code, "张三", born=zhang_san.birth_date)
    data["id_number"] = zhang_san.id_number
    household(world, "zhang_san", "v11", [data])
    services.person_status_change(
        world.users["township_staff"],
        zhang_san,
        action="exit",
        effective_on=dt.date(2026, 6, 1),
        reason="务工增收",
    )
    zhang_san.refresh_from_db()
    assert zhang_san.member.id_number == zhang_san.id_number
    assert zhang_san.member.registered_poor is False


def test_unknown_programme_category_or_disease_codes_are_refused(world, poverty):
    staff = world.users["township_staff"]
    person = poverty.persons["zhang_er"]
    for field, value in (
        ("programmes", ["hypertension", "gout"]),
        ("categories", ["dibao", "rich"]),
        ("chronic_diseases", ["not_a_disease"]),
        ("major_disease", "common_cold"),
    ):
        with pytest.raises(InvalidInput) as caught:
            services.person_update(staff, person, **{field: value})
        assert caught.value.field == field
    person.refresh_from_db()
    assert (person.programmes, person.categories, person.chronic_diseases, person.major_disease) == (
        ["diabetes"],
        [],
        [],
        "",
    )


def test_a_profile_update_keeps_codes_in_order_without_repeats(world, poverty):
    person = services.person_update(
        world.users["township_staff"],
        poverty.persons["zhang_er"],
        programmes=["diabetes", "hypertension", "diabetes"],
        categories=["dibao", "disabled"],
        chronic_diseases=["diabetes", "renal_failure_dialysis"],
        major_disease="mdr_tb",
        residence=Residence.LONG_ABSENT,
    )
    person = PoorPerson.objects.get(pk=person.pk)
    assert person.programmes == ["diabetes", "hypertension"]
    assert person.categories == ["dibao", "disabled"]
    assert person.chronic_diseases == ["diabetes", "renal_failure_dialysis"]
    assert person.major_disease == "mdr_tb"
    assert person.residence == Residence.LONG_ABSENT


def test_a_status_change_is_audited_with_its_reason(world, poverty):
    person = services.person_status_change(
        world.users["township_staff"],
        poverty.persons["zhang_yi"],
        action="exit",
        effective_on=dt.date(2026, 6, 1),
        reason="  稳定脱贫  ",
    )
    entry = AuditEntry.objects.filter(
        model="poverty.poorperson", object_id=str(person.pk), action="transition"
    ).get()
    assert entry.changes == {"status": ["poor", "exited"], "note": [None, "稳定脱贫"]}
    assert person.status_changes.order_by("id").last().reason == "稳定脱贫"


def test_the_person_list_filters_by_status_name_id_number_and_household(world, poverty):
    leader = world.users["commission_leader"]

    def names(**filters):
        return [p.name for p in selectors.person_list(leader, **filters)]

    # Ordered by village code, household number, then registration order.
    assert names() == ["张一", "张二", "张三", "陈一", "李一", "李二"]
    assert names(status=PovertyStatus.EXITED) == ["陈一"]
    assert names(status=PovertyStatus.POOR, village_code=world.divisions["v21"].code) == ["李一", "李二"]
    assert names(area=world.divisions["t1"]) == ["张一", "张二", "张三", "陈一"]
    assert names(query="李") == ["李一", "李二"]
    assert names(query=poverty.persons["li_er"].id_number.lower()) == ["李二"]
    assert names(query="PH-V11-002") == ["陈一"]
    assert names(query="王") == []


def test_a_person_out_of_scope_is_reported_as_missing(world, poverty):
    village_doctor = world.users["village_doctor"]  # clinic vc11
    assert selectors.person_detail(village_doctor, poverty.persons["zhang_yi"].pk).name == "张一"
    with pytest.raises(NotVisible):
        selectors.person_detail(village_doctor, poverty.persons["li_yi"].pk)
