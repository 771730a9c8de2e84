import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from weijian.campaigns.coverage import class_expression, class_of, coverage, institutions_in_scope
from weijian.campaigns.models import CoverageTarget, InstitutionClass
from weijian.inspections.catalogue import current_version
from weijian.inspections.models import Inspection, InspectionKind, InspectionStatus
from weijian.registry.models import Institution


def test_each_institution_falls_in_its_class(world):
    expected = {
        "county_hospital": InstitutionClass.COUNTY_LEVEL,
        "hospital_b": InstitutionClass.COUNTY_LEVEL,
        "th1": InstitutionClass.TOWNSHIP_HOSPITAL,
        "th2": InstitutionClass.TOWNSHIP_HOSPITAL,
        "vc11": InstitutionClass.VILLAGE_CLINIC,
        "vc21": InstitutionClass.VILLAGE_CLINIC,
        "beauty_t1": InstitutionClass.MEDICAL_BEAUTY,
    }
    assert {key: class_of(world.institutions[key]) for key in expected} == expected
    in_db = dict(Institution.objects.annotate(klass=class_expression()).values_list("pk", "klass"))
    assert {key: in_db[world.institutions[key].pk] for key in expected} == expected


def test_the_campaign_scope_is_its_division_and_its_lists(world, campaign):
    keys = {i.pk: k for k, i in world.institutions.items()}

    def names():
        return {keys[pk] for pk in institutions_in_scope(campaign).values_list("pk", flat=True)}

    assert names() == {"county_hospital", "th1", "th2", "vc11", "vc21", "beauty_t1"}
    campaign.scope_institution_types = ["village_clinic", "medical_beauty"]
    campaign.scope_ownerships = ["public"]
    assert names() == {"vc11", "vc21"}


def _inspection(
    world, campaign, key, *, kind=InspectionKind.ON_SITE, status=InspectionStatus.SUBMITTED, version
):
    return Inspection.objects.create(
        campaign=campaign,
        institution=world.institutions[key],
        kind=kind,
        status=status,
        checklist_version=version,
        inspected_on=dt.date(2026, 5, 1),
    )


def test_coverage_equals_a_direct_count_of_the_records(world, campaign, checklists):
    version = current_version(checklists["a5_medical_waste"])
    CoverageTarget.objects.create(
        campaign=campaign, institution_class=InstitutionClass.COUNTY_LEVEL, target_percent=100
    )
    CoverageTarget.objects.create(
        campaign=campaign, institution_class=InstitutionClass.VILLAGE_CLINIC, target_percent=50
    )
    CoverageTarget.objects.create(
        campaign=campaign, institution_class=InstitutionClass.TOWNSHIP_HOSPITAL, target_percent=50
    )
    _inspection(world, campaign, "county_hospital", version=version)
    _inspection(world, campaign, "county_hospital", version=version)  # twice: counted once
    _inspection(world, campaign, "vc11", version=version)
    _inspection(world, campaign, "th1", kind=InspectionKind.SELF, version=version)  # self: not counted
    _inspection(world, campaign, "th2", status=InspectionStatus.DRAFT, version=version)  # draft: not counted
    _inspection(world, campaign, "hospital_b", version=version)  # outside the campaign's division

    rows = coverage(campaign)

    in_scope = list(institutions_in_scope(campaign).select_related("organisation__division"))
    inspected = set(
        Inspection.objects.filter(
            campaign=campaign, kind=InspectionKind.ON_SITE, status=InspectionStatus.SUBMITTED
        ).values_list("institution_id", flat=True)
    )
    targets = {t.institution_class: t.target_percent for t in campaign.coverage_targets.all()}
    by_class = {r.key: r for r in rows if r.dimension == "class"}
    assert set(by_class) == set(InstitutionClass.values)
    for klass in InstitutionClass:
        members = [i for i in in_scope if class_of(i) == klass]
        done = [i for i in members if i.pk in inspected]
        row = by_class[klass.value]
        assert (row.in_scope, row.inspected) == (len(members), len(done))
        percent = (
            (Decimal(len(done)) * 100 / len(members)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
            if members
            else None
        )
        assert row.percent == percent
        assert row.target == targets.get(klass.value)
        if klass.value in targets and members:
            assert row.met == (percent >= targets[klass.value])

    assert by_class["county_level"].met is True
    assert by_class["village_clinic"].percent == Decimal("50.0")
    assert by_class["township_hospital"].met is False

    by_township = {r.key: r for r in rows if r.dimension == "township"}
    for code in ("369901001000", "369901002000", ""):
        members = [
            i
            for i in in_scope
            if (i.division.code[:9].ljust(12, "0") == code) or (not code and i.division.level == "county")
        ]
        row = by_township[code]
        assert row.in_scope == len(members)
        assert row.inspected == len([i for i in members if i.pk in inspected])
    assert by_township["369901001000"].label == "城关镇"
