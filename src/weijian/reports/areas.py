"""The part of the division tree a form covers, and how a division splits for the roll-up."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from weijian.core.models import Division


@dataclass(frozen=True)
class Area:
    """A division's subtree, or with `own_level_only` only the records placed at the division itself
    (a county's own hospital, a party found at county level): the part no child division holds."""

    division: Division
    own_level_only: bool = False

    @property
    def name(self) -> str:
        return f"{self.division.name}本级" if self.own_level_only else self.division.name

    def q(self, path: str) -> Q:
        """Records whose division, reached by the lookup `path`, lies in the area."""
        if self.own_level_only:
            return Q(**{path: self.division.code})
        return Q(**{f"{path}__code__startswith": self.division.prefix})


def parts_of(division: Division) -> list[Area]:
    """The child divisions, then the division's own level: together they hold every record of the
    subtree exactly once, so the forms of the parts add up to the form of the whole."""
    children = [Area(child) for child in division.children.order_by("code")]
    return [*children, Area(division, own_level_only=True)]
