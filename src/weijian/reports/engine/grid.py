"""Cells and grids of the official forms.

A cell is a number or `None`. `None` is a blank cell: nothing was reported for it, which the
medical-beauty table distinguishes from 0 (附件1 备注: 机构和人员处罚数据部分可合理缺项). Adding keeps
that meaning: blank + blank is blank, blank + n is n.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

Cell = int | Decimal | None
Row = tuple[Cell, ...]
Grid = tuple[Row, ...]


def add_cells(a: Cell, b: Cell) -> Cell:
    if a is None:
        return b
    if b is None:
        return a
    return a + b


def add_rows(a: Sequence[Cell], b: Sequence[Cell]) -> Row:
    if len(a) != len(b):
        raise ValueError(f"rows of different widths: {len(a)} and {len(b)}")
    return tuple(add_cells(x, y) for x, y in zip(a, b, strict=True))


def sum_rows(rows: Iterable[Sequence[Cell]]) -> Row:
    rows = list(rows)
    if not rows:
        raise ValueError("nothing to add")
    total: Row = tuple(rows[0])
    for row in rows[1:]:
        total = add_rows(total, row)
    return total


def sum_grids(grids: Iterable[Sequence[Sequence[Cell]]]) -> Grid:
    """Cell-wise sum of grids of the same shape."""
    grids = list(grids)
    if not grids:
        raise ValueError("nothing to add")
    heights = {len(g) for g in grids}
    if len(heights) != 1:
        raise ValueError(f"grids of different heights: {sorted(heights)}")
    return tuple(sum_rows(rows) for rows in zip(*grids, strict=True))
