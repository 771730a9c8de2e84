"""The demo county: deterministic, checksum-valid, of the size PRODUCT.md promises, one login per role.

The county is built once for the module inside a transaction that is rolled back at the end, so the
other test modules never see it.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction

from weijian.core.models import AuditEntry, Division, DivisionLevel, Organisation, ScopeMode, User
from weijian.core.roles import ROLES, role_of
from weijian.core.validators import credit_code_error, division_code_error, division_level_of, id_number_error
from weijian.demo import COUNTY_CODE, DEMO_PASSWORD, build_demo, plan_demo
from weijian.registry.models import Enterprise, Institution, InstitutionType, MedicalGroup, Practitioner

SEED = 7
# These tests look at other parts: a small health-financing part keeps the build quick.
SMALL = 400


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_demo(seed=SEED, households=SMALL)
        transaction.set_rollback(True)


@pytest.fixture
def county(demo, db):
    return demo


def _snapshot_of_database() -> dict[str, list]:
    institutions = Institution.objects.select_related("organisation")
    practitioners = Practitioner.objects.select_related("registered_institution__organisation")
    return {
        "divisions": sorted(Division.objects.values_list("code", "name", "level", "parent_id")),
        "organisations": sorted(
            Organisation.objects.values_list("credit_code", "name", "kind", "division_id")
        ),
        "institutions": sorted(
            (
                i.organisation.credit_code,
                i.licence_number,
                i.institution_type,
                i.beds,
                i.head,
                i.licence_valid_until,
                i.medical_group is not None,
            )
            for i in institutions
        ),
        "service_lines": sorted(
            Institution.service_lines.through.objects.values_list(
                "institution__organisation__credit_code", "serviceline_id"
            )
        ),
        "practitioners": sorted(
            (
                p.id_number,
                p.name,
                p.category,
                p.practice_scope,
                p.qualification_certificate,
                p.practice_certificate,
                p.registered_institution.organisation.credit_code,
            )
            for p in practitioners
        ),
        "additional_sites": sorted(
            Practitioner.additional_sites.through.objects.values_list(
                "practitioner__id_number", "institution__organisation__credit_code"
            )
        ),
        "enterprises": sorted(Enterprise.objects.values_list("credit_code", "name", "kind", "qualification")),
        "users": sorted(User.objects.values_list("username", "full_name", "organisation__credit_code")),
    }


def _snapshot_of_plan(ctx) -> dict[str, list]:
    institution_code = {i.pk: i.organisation.credit_code for i in ctx.institutions}
    id_number = {p.pk: p.id_number for p in ctx.practitioners}
    return {
        "divisions": sorted(
            (d.code, d.name, d.level, d.parent_id)
            for d in [ctx.province, ctx.city, ctx.county, *ctx.townships, *ctx.villages]
        ),
        "organisations": sorted(
            (o.credit_code, o.name, o.kind, o.division_id)
            for o in {
                id(o): o for o in [*ctx.organisations.values(), *(i.organisation for i in ctx.institutions)]
            }.values()
        ),
        "institutions": sorted(
            (
                i.organisation.credit_code,
                i.licence_number,
                i.institution_type,
                i.beds,
                i.head,
                i.licence_valid_until,
                i.medical_group is not None,
            )
            for i in ctx.institutions
        ),
        "service_lines": sorted(
            (institution_code[row["institution_id"]], row["serviceline_id"])
            for row in ctx.linked["registry.Institution_service_lines"]
        ),
        "practitioners": sorted(
            (
                p.id_number,
                p.name,
                p.category,
                p.practice_scope,
                p.qualification_certificate,
                p.practice_certificate,
                p.registered_institution.organisation.credit_code,
            )
            for p in ctx.practitioners
        ),
        "additional_sites": sorted(
            (id_number[row["practitioner_id"]], institution_code[row["institution_id"]])
            for row in ctx.linked["registry.Practitioner_additional_sites"]
        ),
        "enterprises": sorted((e.credit_code, e.name, e.kind, e.qualification) for e in ctx.enterprises),
        "users": sorted((u.username, u.full_name, u.organisation.credit_code) for u in ctx.users),
    }


def test_the_same_seed_gives_the_same_codes_names_and_id_numbers(county):
    built, planned = _snapshot_of_database(), _snapshot_of_plan(plan_demo(seed=SEED, households=SMALL))

    for key, rows in built.items():
        assert rows == planned[key], key


def test_another_seed_gives_other_people_and_codes():
    one, other = plan_demo(seed=SEED, households=SMALL), plan_demo(seed=SEED + 1, households=SMALL)

    assert [p.id_number for p in one.practitioners] != [p.id_number for p in other.practitioners]
    assert [p.name for p in one.practitioners] != [p.name for p in other.practitioners]
    assert [i.organisation.credit_code for i in one.institutions] != [
        i.organisation.credit_code for i in other.institutions
    ]


def test_every_division_code_is_valid_and_nested_in_its_parent(county):
    for division in Division.objects.select_related("parent"):
        assert division_code_error(division.code) is None, division.code
        assert division_level_of(division.code) == division.level, division.code
        if division.parent is not None:
            assert division.parent.contains(division.code), division.code


def test_every_id_number_and_credit_code_passes_its_validator(county):
    for number in Practitioner.objects.values_list("id_number", flat=True):
        assert id_number_error(number) is None, number
        assert number.startswith(COUNTY_CODE[:6])
    codes = [
        *Organisation.objects.values_list("credit_code", flat=True),
        *Enterprise.objects.values_list("credit_code", flat=True),
    ]
    assert all(codes)
    for code in codes:
        assert credit_code_error(code) is None, code
    assert len(set(codes)) == len(codes)


def test_counts_are_those_of_the_demo_county_in_product_md(county):
    levels = Counter(Division.objects.values_list("level", flat=True))
    villages = Division.objects.filter(level=DivisionLevel.VILLAGE, name__endswith="村").count()
    types = Counter(Institution.objects.values_list("institution_type", flat=True))

    assert 10 <= levels[DivisionLevel.TOWNSHIP] <= 14
    assert 180 <= villages <= 220
    assert 220 <= Institution.objects.count() <= 280
    assert set(types) == set(InstitutionType.values)
    assert types[InstitutionType.TOWNSHIP_HOSPITAL] == levels[DivisionLevel.TOWNSHIP]
    assert 170 <= types[InstitutionType.VILLAGE_CLINIC] <= villages
    assert 1800 <= Practitioner.objects.count() <= 2200
    assert 50 <= Enterprise.objects.count() <= 70


def test_village_clinics_have_one_or_two_village_doctors(county):
    clinics = Institution.objects.filter(institution_type=InstitutionType.VILLAGE_CLINIC)
    for clinic in clinics.prefetch_related("practitioners"):
        assert 1 <= len(clinic.practitioners.all()) <= 2, clinic


def test_medical_beauty_institutions_are_approved_for_service_line_14(county):
    beauty = Institution.objects.filter(institution_type=InstitutionType.MEDICAL_BEAUTY)

    assert beauty.count() >= 3
    for institution in beauty:
        assert institution.service_lines.filter(code="14").exists(), institution


def test_the_medical_community_joins_the_county_hospital_and_every_township_hospital(county):
    group = MedicalGroup.objects.get()
    members = set(group.members.values_list("organisation__name", flat=True))
    townships = Institution.objects.filter(institution_type=InstitutionType.TOWNSHIP_HOSPITAL)

    assert "示范县人民医院" in members
    assert set(townships.values_list("organisation__name", flat=True)) <= members
    assert all(t.organisation.scope_mode == ScopeMode.SUBTREE for t in townships)


def test_every_record_written_is_audited_as_the_demo(county):
    from django.apps import apps

    from weijian.core.audit import AuditedModel

    audited = sum(n for label, n in county.counts.items() if issubclass(apps.get_model(label), AuditedModel))
    assert audited > county.counts["registry.Institution"]  # the registry is among them

    assert AuditEntry.objects.filter(actor_label="demo", action="create").count() == audited
    assert not Practitioner.objects.filter(search_key="").exists()
    assert not Institution.objects.filter(organisation__search_key="").exists()


def test_there_is_one_login_per_role_and_all_share_the_demo_password(county):
    users = {u.username: u for u in User.objects.select_related("organisation")}

    for role in ROLES:
        assert role_of(users[role.code]) == role
        assert users[role.code].full_name
    assert users["admin"].is_superuser
    assert len({u.password for u in users.values()}) == 1
    assert users["admin"].check_password(DEMO_PASSWORD)
    assert [login.username for login in county.logins] == [*(r.code for r in ROLES), "admin"]


@pytest.mark.parametrize(
    ("role", "organisation"),
    [
        ("commission_leader", "示范县卫生健康委员会"),
        ("supervisor", "示范县卫生健康综合监督执法局"),
        ("department_officer", "示范县市场监督管理局"),
        ("institution_manager", "示范县人民医院"),
        ("institution_cashier", "示范县人民医院"),
        ("insurance_clerk", "示范县农村合作医疗管理办公室"),
        ("township_staff", "城关镇卫生院"),
        ("auditor", "示范县监察委员会"),
    ],
)
def test_each_login_works_at_its_organisation(county, role, organisation):
    assert User.objects.get(username=role).organisation.name == organisation


def test_township_staff_see_exactly_their_townships_institutions(county):
    user = User.objects.get(username="township_staff")
    township = user.organisation.division
    visible = Institution.objects.visible_to(user)

    assert township.level == DivisionLevel.TOWNSHIP
    assert set(visible) == set(
        Institution.objects.filter(organisation__division__code__startswith=township.prefix)
    )
    assert visible.filter(institution_type=InstitutionType.VILLAGE_CLINIC).count() >= 5
    assert not visible.filter(organisation__name="示范县人民医院").exists()
    assert set(Practitioner.objects.visible_to(user)) == set(
        Practitioner.objects.filter(registered_institution__in=visible)
    )


def test_the_village_doctor_sees_only_a_clinic_of_the_first_township(county):
    user = User.objects.get(username="village_doctor")
    visible = list(Institution.objects.visible_to(user))

    assert [i.organisation for i in visible] == [user.organisation]
    assert visible[0].institution_type == InstitutionType.VILLAGE_CLINIC
    assert visible[0].organisation.division.parent.name == "城关镇"
    assert user.full_name == visible[0].head


@pytest.mark.parametrize("role", ["commission_leader", "supervisor", "department_officer", "auditor"])
def test_county_users_see_every_institution_of_the_county(county, role):
    user = User.objects.get(username=role)

    # The insurance part adds a city hospital outside the county, where referred patients are treated.
    prefix = Division.objects.get(code=COUNTY_CODE).prefix
    in_county = Institution.objects.filter(organisation__division__code__startswith=prefix)
    assert Institution.objects.visible_to(user).count() == in_county.count()


def test_the_institution_manager_sees_only_the_county_hospital(county):
    user = User.objects.get(username="institution_manager")

    assert [i.name for i in Institution.objects.visible_to(user)] == ["示范县人民医院"]


def test_the_demo_command_on_a_built_county_lists_every_login(county, capsys):
    call_command("demo", "--no-serve", "--port", "8123")

    out = capsys.readouterr().out
    assert "already in this database" in out
    assert "http://127.0.0.1:8123/" in out
    for username in [*(r.code for r in ROLES), "admin"]:
        assert username in out
    assert DEMO_PASSWORD in out


def test_serve_execs_gunicorn_of_this_virtualenv_with_threaded_workers(monkeypatch):
    calls = []
    monkeypatch.setattr(os, "execvp", lambda path, argv: calls.append((path, argv)))

    call_command("serve", "--port", "8123", "--workers", "3")

    [(path, argv)] = calls
    assert Path(path) == Path(sys.executable).parent / "gunicorn"
    assert "weijian.wsgi:application" in argv
    assert argv[argv.index("--bind") + 1] == "127.0.0.1:8123"
    assert argv[argv.index("--worker-class") + 1] == "gthread"
    assert argv[argv.index("--workers") + 1] == "3"
    assert argv[argv.index("--access-logfile") + 1] == "-"
