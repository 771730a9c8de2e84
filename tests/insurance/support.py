"""Helpers shared by the insurance engine tests."""

import datetime
import tomllib
from decimal import Decimal

from weijian.insurance.engine.money import yuan_to_fen
from weijian.insurance.engine.policy import DEMO_POLICY_PATH, POLICY_DIR, Policy, parse_policy
from weijian.insurance.engine.scalar import AMOUNT_FIELDS, Claim

DEFAULT_DATE = datetime.date(2012, 6, 1)


def demo_policy_data() -> dict:
    with open(DEMO_POLICY_PATH, "rb") as handle:
        return tomllib.load(handle)


def policy_with(switches: dict | None = None) -> Policy:
    data = demo_policy_data()
    data["switches"].update(switches or {})
    return parse_policy(data)


def claim_from_row(row: dict) -> Claim:
    """Build a claim from a case row: amounts in yuan, sensible defaults for the rest."""
    values = dict(row)
    for name in AMOUNT_FIELDS:
        if name in values:
            values[name] = yuan_to_fen(values[name])
    values.setdefault("person_id", "p1")
    values.setdefault("discharge_date", values.get("admit_date", DEFAULT_DATE))
    values.setdefault("admit_date", values["discharge_date"])
    return Claim(**values)


def fen(yuan: str | int) -> int:
    return yuan_to_fen(Decimal(str(yuan)))


def poverty_policy_data() -> dict:
    """demo-poverty's own document (it extends demo-ncms)."""
    with open(POLICY_DIR / "demo-poverty.toml", "rb") as handle:
        return tomllib.load(handle)


def _laid_over(base: dict, changes: dict) -> dict:
    merged = dict(base)
    for key, value in changes.items():
        merged[key] = _laid_over(merged[key], value) if isinstance(value, dict) else value
    return merged


def poverty_policy_with(poverty: dict | None = None, switches: dict | None = None) -> Policy:
    """demo-poverty with some [poverty] values (nested tables merge) and demo-ncms switches changed."""
    data = _laid_over(poverty_policy_data(), {"poverty": poverty or {}})
    if switches:
        data["switches"] = dict(switches)  # laid over demo-ncms's switches key by key (extends)
    return parse_policy(data)
