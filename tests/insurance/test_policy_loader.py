from fractions import Fraction

import pytest

from weijian.insurance.engine.policy import PolicyError, demo_policy, load_policy, parse_policy

from .support import demo_policy_data


def test_demo_policy_encodes_the_grade_table_in_fen_and_exact_ratios():
    policy = demo_policy()
    assert [policy.levels[level].deductible for level in (1, 2, 3)] == [5000, 10000, 50000]
    assert [policy.levels[level].ratio for level in (1, 2, 3)] == [
        Fraction(75, 100),
        Fraction(65, 100),
        Fraction(40, 100),
    ]
    assert policy.inpatient_cap == 4_500_000
    assert policy.switches.fee_class_reading == "formula"


def _error_for(mutate) -> PolicyError:
    data = demo_policy_data()
    mutate(data)
    with pytest.raises(PolicyError) as raised:
        parse_policy(data)
    return raised.value


def test_a_float_amount_is_refused_naming_the_key():
    error = _error_for(lambda d: d["inpatient"]["levels"]["2"].__setitem__("deductible", 100.5))
    assert error.key == "inpatient.levels.2.deductible"
    assert "float" in error.rule


def test_a_ratio_must_be_a_percentage_string():
    error = _error_for(lambda d: d["outpatient"].__setitem__("ratio", "0.3"))
    assert error.key == "outpatient.ratio"


def test_a_ratio_above_100_percent_is_refused():
    error = _error_for(lambda d: d["inpatient"]["levels"]["1"].__setitem__("ratio", "175%"))
    assert error.key == "inpatient.levels.1.ratio"


def test_an_unknown_switch_value_lists_the_choices():
    error = _error_for(lambda d: d["switches"].__setitem__("tcm_uplift", "double"))
    assert error.key == "switches.tcm_uplift"
    assert "points" in error.rule and "relative" in error.rule


def test_a_missing_level_is_named():
    error = _error_for(lambda d: d["inpatient"]["levels"].pop("3"))
    assert error.key == "inpatient.levels.3"
    assert error.rule == "is required"


def test_a_misspelt_key_is_refused_rather_than_ignored():
    error = _error_for(lambda d: d["flat_rates"].__setitem__("cataract_per_eyes", 600))
    assert error.key == "flat_rates.cataract_per_eyes"


def test_an_unknown_special_group_is_refused():
    error = _error_for(lambda d: d["special_groups"].__setitem__("no_deductible", ["wubao", "veteran"]))
    assert error.key == "special_groups.no_deductible"
    assert "veteran" in error.rule


def test_sub_fen_money_is_refused():
    error = _error_for(lambda d: d["flat_rates"].__setitem__("delivery_normal", "300.005"))
    assert error.key == "flat_rates.delivery_normal"


def test_validity_dates_must_be_in_order():
    def swap(d):
        d["policy"]["valid_from"], d["policy"]["valid_to"] = (
            d["policy"]["valid_to"],
            d["policy"]["valid_from"],
        )

    assert _error_for(swap).key == "policy.valid_to"


def test_a_file_that_is_not_toml_is_reported(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("[policy\n", encoding="utf-8")
    with pytest.raises(PolicyError, match="not valid TOML"):
        load_policy(path)
