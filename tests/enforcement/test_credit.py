"""Bad-conduct points: the rules as data, and their scoring of closed cases."""

import tomllib
from pathlib import Path

import pytest

from tests.enforcement import factories
from weijian.core.errors import NotAllowed
from weijian.enforcement import credit, selectors
from weijian.enforcement.models import CreditPoint, PenaltyKind

POLICY_CASES = tomllib.loads((Path(__file__).parent / "credit_cases.toml").read_text(encoding="utf-8"))[
    "case"
]


@pytest.mark.parametrize("case", POLICY_CASES, ids=lambda c: f"{c['kind']}-{c['category']}-{c['penalised']}")
def test_the_rules_give_the_points_of_the_policy_cases(case):
    score = credit.points_for(
        credit.load_rules(),
        kind=case["kind"],
        category=case["category"],
        group=credit.category_groups()[case["category"]],
        penalised=case["penalised"],
    )
    if case["points"] == 0:
        assert score is None
    else:
        assert (score.rule, score.points) == (case["rule"], case["points"])


def test_every_measure_has_points_for_institutions_and_persons():
    rules = credit.load_rules()
    assert set(rules.measures) == set(PenaltyKind.values)


@pytest.mark.parametrize(
    "data",
    [
        {"measure": {"fine": {"institution": -1}}},
        {"measure": {"fine": {"institution": 2.5}}},
        {
            "measure": {"fine": {}},
            "category_rule": [{"name": "x", "measures": ["flogging"], "institution": 1}],
        },
        {"measure": {"fine": {}}, "category_rule": [{"measures": ["fine"], "institution": 1}]},
    ],
)
def test_a_malformed_rules_file_fails_loudly(data):
    with pytest.raises(ValueError):
        credit.parse_rules(data)


@pytest.mark.django_db
def test_scoring_a_case_twice_adds_nothing(world):
    case = factories.to_closed(world, factories.open_case(world))
    before = list(CreditPoint.objects.values_list("pk", "rule", "points"))
    assert len(before) == 2
    assert credit.score_case(case) == []
    assert list(CreditPoint.objects.values_list("pk", "rule", "points")) == before


@pytest.mark.django_db
def test_points_go_to_the_institution_and_to_each_practitioner_penalised(world):
    doctor = world.practitioners["beauty_t1"]
    case = factories.open_case(world, category=factories.category("over_treatment"))
    factories.to_closed(
        world,
        case,
        penalties=[
            {"kind": "fine", "amount": "5000"},
            {"kind": "warning", "practitioner": doctor},
            {"kind": "warning", "subject_type": "person"},  # nobody registered to score
        ],
    )
    points = {(p.institution_id, p.practitioner_id, p.rule): p.points for p in CreditPoint.objects.all()}
    assert points == {
        (world.institutions["beauty_t1"].pk, None, "irrational_care_fine"): 6,
        (None, doctor.pk, "irrational_care_warning"): 3,
    }


@pytest.mark.django_db
def test_a_case_against_a_practitioner_scores_the_practitioner(world):
    doctor = world.practitioners["th1"]
    case = factories.open_case(
        world, practitioner=doctor, category=factories.category("unregistered_practice")
    )
    factories.to_closed(world, case, penalties=[{"kind": "warning"}, {"kind": "fine", "amount": "2000"}])
    assert sorted(CreditPoint.objects.values_list("practitioner", "rule", "points")) == [
        (doctor.pk, "fine", 3),
        (doctor.pk, "warning", 2),
    ]


@pytest.mark.django_db
def test_a_party_the_registry_does_not_know_gets_no_points(world):
    case = factories.open_case(world, party_name="丽人美容工作室", division=world.divisions["t1"])
    factories.to_closed(world, case)
    assert not CreditPoint.objects.exists()


@pytest.mark.django_db
def test_the_yearly_totals_add_up_each_subjects_points_in_scope(world):
    doctor = world.practitioners["beauty_t1"]
    factories.to_closed(world, factories.open_case(world))  # 2 + 6 for the clinic
    factories.to_closed(
        world,
        factories.open_case(world, category=factories.category("ghost_staff")),
        penalties=[{"kind": "suspension"}, {"kind": "warning", "practitioner": doctor}],
    )  # 6 for the clinic, 2 for its doctor
    totals = selectors.credit_totals(world.users["auditor"], year=2026)
    assert [(t.name, t.points) for t in totals] == [("美丽医疗美容诊所", 14), ("美丽医疗美容诊所医生", 2)]
    assert selectors.credit_totals(world.users["auditor"], year=2025) == []
    outsider = factories.user_at(world.orgs["commission_b"], "supervisor_b")
    assert selectors.credit_totals(outsider, year=2026) == []
    with pytest.raises(NotAllowed):
        selectors.credit_totals(world.users["institution_manager"], year=2026)
