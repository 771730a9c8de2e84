"""What each role of tests.world may see, written out by hand from the world's layout (county A with
townships t1 and t2; county B next door), independently of the scope mechanism under test."""

COUNTY_A_INSTITUTIONS = {"county_hospital", "th1", "th2", "vc11", "vc21", "beauty_t1"}
ALL_INSTITUTIONS = COUNTY_A_INSTITUTIONS | {"hospital_b"}

INSTITUTIONS = {
    "commission_leader": COUNTY_A_INSTITUTIONS,
    "supervisor": COUNTY_A_INSTITUTIONS,
    "department_officer": COUNTY_A_INSTITUTIONS,
    "institution_manager": {"county_hospital"},
    "insurance_clerk": COUNTY_A_INSTITUTIONS,
    "institution_cashier": {"county_hospital"},
    "township_staff": {"th1", "vc11", "beauty_t1"},  # its township: the township hospital runs its villages
    "village_doctor": {"vc11"},
    "auditor": COUNTY_A_INSTITUTIONS,
    "superuser": ALL_INSTITUTIONS,
    "no_organisation": set(),
}

# Each institution of the world has one practitioner registered there, under the same key.
# None means the role may not open the practitioner register at all (403).
PRACTITIONERS = {
    role: (
        keys
        if role
        in {
            "commission_leader",
            "supervisor",
            "institution_manager",
            "township_staff",
            "auditor",
            "superuser",
            "no_organisation",
        }
        else None
    )
    for role, keys in INSTITUTIONS.items()
}
PRACTITIONERS["no_organisation"] = None  # no role, so no permission either

ENTERPRISES = {
    "commission_leader": {"supplier_a"},
    "supervisor": {"supplier_a"},
    "department_officer": {"supplier_a"},
    "auditor": {"supplier_a"},
    "superuser": {"supplier_a", "supplier_b"},
}
for _role in INSTITUTIONS:
    ENTERPRISES.setdefault(_role, None)

# Roles that may change registry records (inside their scope).
EDITORS = {"commission_leader", "superuser"}
ROLES = list(INSTITUTIONS)
