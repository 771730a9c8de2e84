"""Bad-conduct points (不良执业行为记分) for closed cases, by the rules in data/credit_rules.toml.

The rules are data: `load_rules` reads them and `points_for` looks one measure up, both without Django
models. `score_case` applies them to a closed case's penalties and writes the CreditPoint rows, once:
running it again adds nothing.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from weijian.campaigns.catalogue import CATEGORIES_FILE
from weijian.core.errors import full_clean_or_raise

RULES_FILE = Path(__file__).parent / "data" / "credit_rules.toml"

INSTITUTION = "institution"
PERSON = "person"
PENALISED = (INSTITUTION, PERSON)
RULE_NAME_LENGTH = 40  # CreditPoint.rule


@dataclass(frozen=True)
class CategoryRule:
    name: str
    measures: frozenset[str]
    categories: frozenset[str]
    groups: frozenset[str]
    points: Mapping[str, int]

    def matches(self, kind: str, category: str, group: str) -> bool:
        return kind in self.measures and (category in self.categories or group in self.groups)


@dataclass(frozen=True)
class Rules:
    # measure → {"institution": points, "person": points}
    measures: Mapping[str, Mapping[str, int]]
    category_rules: tuple[CategoryRule, ...] = ()


@dataclass(frozen=True)
class Score:
    rule: str
    points: int


def _points(table: Mapping, where: str) -> dict[str, int]:
    points = {}
    for penalised in PENALISED:
        value = table.get(penalised, 0)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValueError(f"{where}: {penalised} must be a whole number of points, not {value!r}")
        points[penalised] = value
    return points


def parse_rules(data: Mapping) -> Rules:
    """Rules from the parsed TOML; a malformed file fails loudly rather than scoring wrongly."""
    measures = {kind: _points(table, f"measure.{kind}") for kind, table in data.get("measure", {}).items()}
    category_rules = []
    for index, table in enumerate(data.get("category_rule", []), start=1):
        name = table.get("name", "")
        if not name or len(name) > RULE_NAME_LENGTH:
            raise ValueError(f"category_rule {index}: a name of 1 to {RULE_NAME_LENGTH} characters is needed")
        unknown = set(table.get("measures", ())) - set(measures)
        if unknown or not table.get("measures"):
            raise ValueError(f"category_rule {name}: unknown or missing measures {sorted(unknown)}")
        category_rules.append(
            CategoryRule(
                name=name,
                measures=frozenset(table["measures"]),
                categories=frozenset(table.get("categories", ())),
                groups=frozenset(table.get("groups", ())),
                points=_points(table, f"category_rule {name}"),
            )
        )
    return Rules(measures=measures, category_rules=tuple(category_rules))


@functools.cache
def load_rules(path: Path = RULES_FILE) -> Rules:
    return parse_rules(tomllib.loads(path.read_text(encoding="utf-8")))


@functools.cache
def category_groups() -> dict[str, str]:
    """Violation category code → its group's code, from the categories data file."""
    data = tomllib.loads(CATEGORIES_FILE.read_text(encoding="utf-8"))
    groups = {}
    for group in data["group"]:
        groups[group["code"]] = group["code"]
        for category in group["category"]:
            groups[category["code"]] = group["code"]
    return groups


def points_for(rules: Rules, *, kind: str, category: str, penalised: str, group: str = "") -> Score | None:
    """The points one measure of `kind`, for a violation of `category` (in `group`), gives the
    institution or the person penalised; None when it gives none."""
    for rule in rules.category_rules:
        if rule.matches(kind, category, group):
            score = Score(rule.name, rule.points[penalised])
            break
    else:
        if kind not in rules.measures:
            return None
        score = Score(kind, rules.measures[kind][penalised])
    return score if score.points > 0 else None


# --- applying the rules to a case -----------------------------------------------------------------


def _penalised(case, penalty) -> tuple[str, object, object] | None:
    """Who a penalty scores: (column, institution, practitioner), or None for a party the registry
    does not know (nobody to score)."""
    from .models import SubjectType

    if penalty.practitioner_id:
        return PERSON, None, penalty.practitioner
    if penalty.subject_type == SubjectType.PERSON:
        return (PERSON, None, case.practitioner) if case.practitioner_id else None
    return (INSTITUTION, case.institution, None) if case.institution_id else None


def score_case(case, rules: Rules | None = None) -> list:
    """Write the points the case's penalties give, dated the day the case closed; return the rows
    written now. Idempotent: a point already recorded (same case, penalty, rule and subject) is not
    written again. The database constraint cannot see that alone, since NULLs never collide."""
    from .models import CreditPoint

    rules = rules or load_rules()
    group = category_groups().get(case.category_id, "")
    awarded_on = case.closed_on or case.decided_on
    written = []
    for penalty in case.penalties.select_related("practitioner").order_by("pk"):
        who = _penalised(case, penalty)
        if who is None:
            continue
        penalised, institution, practitioner = who
        score = points_for(
            rules, kind=penalty.kind, category=case.category_id, group=group, penalised=penalised
        )
        if score is None:
            continue
        point = CreditPoint(
            case=case,
            penalty=penalty,
            rule=score.rule,
            institution=institution,
            practitioner=practitioner,
            points=score.points,
            awarded_on=awarded_on,
            division=case.division,
        )
        if CreditPoint.objects.filter(
            case=case, penalty=penalty, rule=score.rule, institution=institution, practitioner=practitioner
        ).exists():
            continue
        full_clean_or_raise(point)
        point.save()
        written.append(point)
    return written
