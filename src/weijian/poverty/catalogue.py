"""The module's reference lists (poverty/data/catalogue.toml), read once."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

CATALOGUE_PATH = Path(__file__).resolve().parent / "data" / "catalogue.toml"


@dataclass(frozen=True)
class Programme:
    code: str
    name: str
    interval_days: int


@dataclass(frozen=True)
class Catalogue:
    programmes: dict[str, Programme]
    chronic_class_1: tuple[str, ...]
    chronic_class_2: tuple[str, ...]
    names: dict[str, str]

    def name_of(self, code: str) -> str:
        return self.names.get(code, code)


@cache
def catalogue() -> Catalogue:
    with open(CATALOGUE_PATH, "rb") as handle:
        data = tomllib.load(handle)
    programmes = {
        code: Programme(code=code, name=entry["name"], interval_days=entry["interval_days"])
        for code, entry in data["programmes"].items()
    }
    chronic = data["chronic_diseases"]
    return Catalogue(
        programmes=programmes,
        chronic_class_1=tuple(chronic["class_1"]),
        chronic_class_2=tuple(chronic["class_2"]),
        names=dict(data["names"]),
    )
