import io

import pytest
from django.core.management import call_command
from hypothesis import given
from hypothesis import strategies as st

from weijian.campaigns.models import CoverageTarget, InstitutionClass
from weijian.core import synthetic
from weijian.core.errors import DomainError
from weijian.core.models import Organisation, OrganisationKind, User
from weijian.inspections import sampling
from weijian.inspections.models import SamplingDraw
from weijian.inspections.services import sampling_draw, sampling_publish, sampling_rerun
from weijian.registry.models import Institution, InstitutionType, Ownership

from .conftest import INSPECTION_PERMISSIONS, grant

pools = st.dictionaries(
    st.sampled_from(["county_level", "clinic", "village_clinic"]),
    st.lists(st.integers(min_value=1, max_value=500), max_size=30),
    max_size=3,
)


@given(
    pools=pools,
    counts=st.dictionaries(
        st.sampled_from(["county_level", "clinic", "village_clinic", "community"]),
        st.integers(min_value=0, max_value=40),
        max_size=4,
    ),
    inspectors=st.lists(st.integers(min_value=1, max_value=50), max_size=10),
    team_size=st.integers(min_value=0, max_value=5),
    seed=st.integers(min_value=0, max_value=2**63 - 1),
)
def test_the_draw_is_deterministic_and_stays_inside_its_inputs(pools, counts, inspectors, team_size, seed):
    result = sampling.draw(pools, counts, inspectors, team_size, seed)

    assert result == sampling.draw(pools, counts, inspectors, team_size, seed)
    shuffled = {k: list(reversed(v)) for k, v in pools.items()}
    assert result == sampling.draw(shuffled, counts, list(reversed(inspectors)), team_size, seed)
    for klass, n in counts.items():
        picked = [r["institution"] for r in result if r["class"] == klass]
        assert len(picked) == min(n, len(set(pools.get(klass, []))))
        assert len(set(picked)) == len(picked)
        assert set(picked) <= set(pools.get(klass, []))
    for row in result:
        assert len(row["inspectors"]) == min(team_size, len(set(inspectors)))
        assert set(row["inspectors"]) <= set(inspectors)


def test_a_different_seed_gives_a_different_selection():
    pool = {"clinic": list(range(1, 41))}
    assert sampling.draw(pool, {"clinic": 5}, [1, 2, 3], 2, 1) != sampling.draw(
        pool, {"clinic": 5}, [1, 2, 3], 2, 2
    )


@pytest.fixture
def clinics(world):
    made = []
    for n in range(12):
        org = Organisation.objects.create(
            name=f"城关诊所{n}",
            kind=OrganisationKind.MEDICAL_INSTITUTION,
            division=world.divisions["t1"],
            credit_code=synthetic.credit_code(world.divisions["t1"].code, 900 + n),
        )
        made.append(
            Institution.objects.create(
                organisation=org, institution_type=InstitutionType.CLINIC, ownership=Ownership.PRIVATE
            )
        )
    return made


@pytest.fixture
def draw_setup(world, campaign, clinics, inspectors):
    CoverageTarget.objects.create(
        campaign=campaign, institution_class=InstitutionClass.CLINIC, target_percent=50
    )
    CoverageTarget.objects.create(
        campaign=campaign, institution_class=InstitutionClass.COUNTY_LEVEL, target_percent=100
    )
    colleague = User.objects.create_user("supervisor2", organisation=world.orgs["supervision_a"])
    grant(colleague, *INSPECTION_PERMISSIONS)
    return campaign


def test_a_recorded_draw_re_runs_to_the_identical_selection(draw_setup, inspectors, clinics):
    draw = sampling_draw(user=inspectors["supervisor"], campaign=draw_setup, seed=20260401)

    stored = SamplingDraw.objects.get(pk=draw.pk)
    assert sampling_rerun(stored) == stored.result
    picked = [r["institution"] for r in stored.result]
    # Defaults from the targets: ceil(50% × 12 clinics) and ceil(100% × 1 county-level institution).
    assert len([r for r in stored.result if r["class"] == "clinic"]) == 6
    assert [r["institution"] for r in stored.result if r["class"] == "county_level"] == [
        inspectors["institution_manager"].organisation_id
    ]
    assert set(picked) - {inspectors["institution_manager"].organisation_id} <= {c.pk for c in clinics}
    assert all(len(r["inspectors"]) == 2 for r in stored.result)
    assert stored.inputs["inspectors"] == sorted(
        User.objects.filter(username__in=["supervisor", "supervisor2"]).values_list("pk", flat=True)
    )


def test_changing_the_seed_changes_the_selection(draw_setup, inspectors):
    first = sampling_draw(user=inspectors["supervisor"], campaign=draw_setup, seed=1)
    second = sampling_draw(user=inspectors["supervisor"], campaign=draw_setup, seed=2)
    assert first.inputs == second.inputs
    assert first.result != second.result


def test_publishing_checks_the_draw_and_happens_once(draw_setup, inspectors):
    draw = sampling_draw(user=inspectors["supervisor"], campaign=draw_setup, seed=7)
    published = sampling_publish(user=inspectors["supervisor"], draw=draw)
    assert published.published_at is not None
    with pytest.raises(DomainError):
        sampling_publish(user=inspectors["supervisor"], draw=draw)

    tampered = sampling_draw(user=inspectors["supervisor"], campaign=draw_setup, seed=8)
    tampered.result = list(reversed(tampered.result))
    tampered.save()
    with pytest.raises(DomainError) as error:
        sampling_publish(user=inspectors["supervisor"], draw=tampered)
    assert error.value.code == "tampered"


def test_the_sample_command_prints_the_selection(draw_setup, clinics):
    out = io.StringIO()
    call_command("sample", "--campaign", str(draw_setup.pk), "--seed", "5", "--as", "supervisor", stdout=out)
    draw = SamplingDraw.objects.get()
    assert draw.seed == 5
    text = out.getvalue()
    assert "示范县人民医院" in text
    assert sum(c.name in text for c in clinics) == 6


def test_a_system_draw_takes_its_inspectors_from_the_campaign_owner(draw_setup, inspectors):
    draw_setup.owner = inspectors["supervisor"].organisation
    draw_setup.save()
    out = io.StringIO()
    call_command("sample", "--campaign", str(draw_setup.pk), "--seed", "9", stdout=out)
    draw = SamplingDraw.objects.get()
    assert draw.drawn_by is None
    assert inspectors["supervisor"].pk in draw.inputs["inspectors"]
    assert sampling_rerun(draw) == draw.result


def test_a_draw_with_nothing_to_draw_says_so_and_records_nothing(world):
    from weijian.campaigns import services as campaigns
    from weijian.core.errors import DomainError
    from weijian.inspections import services
    from weijian.inspections.models import SamplingDraw

    campaign = campaigns.campaign_from_template(
        user=None, template_code="health_sector_safety", division=world.divisions["county_a"], year=2026
    )
    campaign.coverage_targets.all().delete()

    with pytest.raises(DomainError) as raised:
        services.sampling_draw(user=None, campaign=campaign, seed=7)

    assert raised.value.code == "nothing_to_draw"
    assert not SamplingDraw.objects.filter(campaign=campaign).exists()


def test_a_commission_draw_takes_its_inspectors_from_the_areas_supervision_institute(world):
    from weijian.campaigns import services as campaigns
    from weijian.inspections import services

    campaign = campaigns.campaign_from_template(
        user=None, template_code="medical_disorder", division=world.divisions["county_a"], year=2026
    )

    draw = services.sampling_draw(user=world.users["commission_leader"], campaign=campaign, seed=11)

    assert draw.inputs["inspectors"] == [world.users["supervisor"].pk]
    assert all(row["inspectors"] == [world.users["supervisor"].pk] for row in draw.result)
