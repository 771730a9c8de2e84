"""A small world with two counties, for scope and workflow tests.

County A (369901) has two townships; county B (369902) is a neighbour whose records no user of
county A may see. Every role has one user; `World.users[role]` gives it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth.models import Group

from weijian.core import synthetic
from weijian.core.models import (
    Department,
    Division,
    DivisionLevel,
    Organisation,
    OrganisationKind,
    ScopeMode,
    User,
)
from weijian.registry.models import (
    Enterprise,
    EnterpriseKind,
    Institution,
    InstitutionType,
    Ownership,
    Practitioner,
    PractitionerCategory,
)

PASSWORD = "test-pass-123"


@dataclass
class World:
    divisions: dict[str, Division] = field(default_factory=dict)
    orgs: dict[str, Organisation] = field(default_factory=dict)
    institutions: dict[str, Institution] = field(default_factory=dict)
    practitioners: dict[str, Practitioner] = field(default_factory=dict)
    enterprises: dict[str, Enterprise] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)


_serial = iter(range(1, 10**6))


def _division(world, key, code, name, level, parent=None):
    world.divisions[key] = Division.objects.create(
        code=code, name=name, level=level, parent=world.divisions.get(parent)
    )
    return world.divisions[key]


def _org(world, key, name, kind, division, department="", scope_mode=""):
    world.orgs[key] = Organisation.objects.create(
        name=name,
        kind=kind,
        department=department,
        division=world.divisions[division],
        credit_code=synthetic.credit_code(world.divisions[division].code, next(_serial)),
        scope_mode=scope_mode,
    )
    return world.orgs[key]


def _institution(world, key, name, division, institution_type, scope_mode="", **fields):
    org = _org(world, key, name, OrganisationKind.MEDICAL_INSTITUTION, division, scope_mode=scope_mode)
    world.institutions[key] = Institution.objects.create(
        organisation=org,
        institution_type=institution_type,
        ownership=fields.pop("ownership", Ownership.PUBLIC),
        licence_number=f"PDY{next(_serial):08d}",
        **fields,
    )
    world.practitioners[key] = Practitioner.objects.create(
        id_number=synthetic.id_number(world.divisions[division].code, dt.date(1980, 1, 1), next(_serial)),
        name=f"{name}医生",
        category=PractitionerCategory.PHYSICIAN,
        registered_institution=world.institutions[key],
    )
    return world.institutions[key]


def _user(world, role, org_key):
    user = User.objects.create_user(
        username=role,
        password=PASSWORD,
        full_name=role,
        organisation=world.orgs[org_key] if org_key else None,
    )
    user.groups.add(Group.objects.get(name=role))
    world.users[role] = user
    return user


def build_world() -> World:
    w = World()
    _division(w, "province", "360000000000", "江西省", DivisionLevel.PROVINCE)
    _division(w, "city", "369900000000", "示范市", DivisionLevel.CITY, "province")
    _division(w, "county_a", "369901000000", "示范县", DivisionLevel.COUNTY, "city")
    _division(w, "t1", "369901001000", "城关镇", DivisionLevel.TOWNSHIP, "county_a")
    _division(w, "t2", "369901002000", "东山乡", DivisionLevel.TOWNSHIP, "county_a")
    _division(w, "v11", "369901001001", "城东村", DivisionLevel.VILLAGE, "t1")
    _division(w, "v21", "369901002001", "山口村", DivisionLevel.VILLAGE, "t2")
    _division(w, "county_b", "369902000000", "邻县", DivisionLevel.COUNTY, "city")
    _division(w, "tb1", "369902001000", "河西镇", DivisionLevel.TOWNSHIP, "county_b")

    _org(w, "commission_a", "示范县卫生健康委员会", OrganisationKind.COMMISSION, "county_a")
    _org(
        w, "supervision_a", "示范县卫生健康综合监督执法局", OrganisationKind.SUPERVISION_INSTITUTE, "county_a"
    )
    _org(
        w,
        "market_a",
        "示范县市场监督管理局",
        OrganisationKind.DEPARTMENT,
        "county_a",
        department=Department.MARKET_REGULATION,
    )
    _org(w, "scheme_a", "示范县农村合作医疗管理办公室", OrganisationKind.SCHEME_OFFICE, "county_a")
    _org(
        w, "audit_a", "示范县监察委员会", OrganisationKind.DEPARTMENT, "county_a", department=Department.OTHER
    )
    _org(w, "commission_b", "邻县卫生健康委员会", OrganisationKind.COMMISSION, "county_b")

    _institution(
        w,
        "county_hospital",
        "示范县人民医院",
        "county_a",
        InstitutionType.GENERAL_HOSPITAL,
        grade_level="2",
        grade_class="A",
        beds=500,
        insurance_designated=True,
    )
    _institution(
        w,
        "th1",
        "城关镇卫生院",
        "t1",
        InstitutionType.TOWNSHIP_HOSPITAL,
        scope_mode=ScopeMode.SUBTREE,
        grade_level="1",
        beds=60,
        insurance_designated=True,
    )
    _institution(
        w,
        "th2",
        "东山乡卫生院",
        "t2",
        InstitutionType.TOWNSHIP_HOSPITAL,
        scope_mode=ScopeMode.SUBTREE,
        grade_level="1",
        beds=40,
        insurance_designated=True,
    )
    _institution(w, "vc11", "城东村卫生室", "v11", InstitutionType.VILLAGE_CLINIC)
    _institution(w, "vc21", "山口村卫生室", "v21", InstitutionType.VILLAGE_CLINIC)
    _institution(
        w,
        "beauty_t1",
        "美丽医疗美容诊所",
        "t1",
        InstitutionType.MEDICAL_BEAUTY,
        ownership=Ownership.PRIVATE,
        for_profit=True,
    )
    _institution(
        w,
        "hospital_b",
        "邻县人民医院",
        "county_b",
        InstitutionType.GENERAL_HOSPITAL,
        grade_level="2",
        grade_class="A",
        beds=400,
    )

    for key, division in [("supplier_a", "t1"), ("supplier_b", "tb1")]:
        w.enterprises[key] = Enterprise.objects.create(
            credit_code=synthetic.credit_code(
                w.divisions[division].code, next(_serial), authority="9", kind="1"
            ),
            name=f"{w.divisions[division].name}医药有限公司",
            kind=EnterpriseKind.DRUG_DISTRIBUTOR,
            division=w.divisions[division],
        )

    _user(w, "commission_leader", "commission_a")
    _user(w, "supervisor", "supervision_a")
    _user(w, "department_officer", "market_a")
    _user(w, "institution_manager", "county_hospital")
    _user(w, "insurance_clerk", "scheme_a")
    _user(w, "institution_cashier", "county_hospital")
    _user(w, "township_staff", "th1")
    _user(w, "village_doctor", "vc11")
    _user(w, "auditor", "audit_a")
    return w
