"""The arithmetic of the forms: blank cells in sums, and reporting periods."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from weijian.reports.engine.grid import add_cells, sum_grids, sum_rows
from weijian.reports.engine.periods import Period, friday_on_or_before, reporting_week

cells = st.one_of(st.none(), st.integers(0, 10**6), st.decimals(0, 10**6, places=6))


def test_blank_plus_blank_is_blank_and_blank_plus_a_number_is_the_number():
    assert add_cells(None, None) is None
    assert add_cells(None, 0) == 0
    assert add_cells(Decimal("0.5"), None) == Decimal("0.5")
    assert add_cells(2, 3) == 5


@given(st.lists(st.lists(cells, min_size=3, max_size=3), min_size=1, max_size=6))
def test_a_sum_is_blank_exactly_where_every_part_is_blank(rows):
    total = sum_rows(rows)
    for column, value in enumerate(total):
        parts = [row[column] for row in rows]
        if all(p is None for p in parts):
            assert value is None
        else:
            assert value == sum(p for p in parts if p is not None)


def test_grids_of_different_shapes_do_not_add():
    with pytest.raises(ValueError):
        sum_grids([((1, 2),), ((1, 2), (3, 4))])
    with pytest.raises(ValueError):
        sum_rows([(1, 2), (1, 2, 3)])


@given(st.dates(dt.date(2000, 1, 1), dt.date(2100, 1, 1)))
def test_the_reporting_week_ends_on_the_friday_on_or_before_the_day(day):
    week = reporting_week(day)
    assert week.end.weekday() == 4
    assert 0 <= (day - week.end).days < 7
    assert (week.end - week.start).days == 7
    assert friday_on_or_before(week.end) == week.end


def test_a_period_cannot_end_before_it_starts():
    with pytest.raises(ValueError):
        Period(dt.date(2026, 2, 1), dt.date(2026, 1, 31))
