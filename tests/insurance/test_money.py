from decimal import Decimal
from fractions import Fraction

import pytest

from weijian.insurance.engine.money import apply_share, fen_to_yuan, parse_percent, yuan_to_fen


def test_yuan_convert_to_fen_exactly_and_back():
    assert yuan_to_fen("4680.05") == 468005
    assert yuan_to_fen(Decimal("300")) == 30000
    assert fen_to_yuan(468005) == Decimal("4680.05")


@pytest.mark.parametrize("value", [0.1, "1.005", "abc", "NaN", True])
def test_floats_sub_fen_and_non_numbers_are_refused(value):
    with pytest.raises(ValueError):
        yuan_to_fen(value)


def test_shares_round_half_up_to_the_fen():
    assert apply_share(10, Fraction(65, 100)) == 7  # 6.5 fen
    assert apply_share(10, Fraction(64, 100)) == 6  # 6.4 fen
    assert apply_share(5, Fraction(1, 2)) == 3  # 2.5 fen; banker's rounding would give 2


def test_percentages_parse_exactly():
    assert parse_percent("71.5%") == Fraction(143, 200)
    with pytest.raises(ValueError):
        parse_percent("0.75")
