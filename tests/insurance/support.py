"""Helpers shared by the insurance engine tests."""

import datetime
import tomllib
from decimal import Decimal

from weijian.insurance.engine.money import yuan_to_fen
from weijian.insurance.engine.policy import DEMO_POLICY_PATH, Policy, parse_policy
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
