"""Run the demo parts in order, in one transaction, and summarise what was built."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TextIO

from django.db import transaction

from weijian.core.audit import acting_as
from weijian.core.models import Division

from . import core_part, enforcement_part, insurance_part, poverty_part, registry_part, supervision_part
from .context import DemoContext, DemoLogin

Part = Callable[[DemoContext], None]

# In order: a part may use whatever the parts before it built. Adding a domain is one line here.
PARTS: tuple[Part, ...] = (
    core_part.generate,
    registry_part.generate,
    core_part.generate_users,
    supervision_part.generate,
    enforcement_part.generate,
    insurance_part.generate,
    poverty_part.generate,
)


@dataclass
class DemoSummary:
    seed: int
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)
    logins: list[DemoLogin] = field(default_factory=list)


def run_parts(ctx: DemoContext, parts: tuple[Part, ...] = PARTS) -> DemoContext:
    """Run the parts on `ctx`; each draws from its own random stream, named after it."""
    for part in parts:
        name = f"{part.__module__}.{part.__qualname__}"
        ctx.random = random.Random(f"{ctx.seed}:{name}")
        started = time.perf_counter()
        part(ctx)
        ctx.log(f"  {name.removeprefix('weijian.demo.')}: {time.perf_counter() - started:.1f} s")
    return ctx


def plan_demo(*, seed: int = 2026, households: int | None = None) -> DemoContext:
    """Everything build_demo would write, computed in memory without touching the database."""
    return run_parts(DemoContext(seed=seed, write=False, log=lambda message: None, **_size(households)))


def _size(households: int | None) -> dict:
    return {} if households is None else {"insurance_households": households}


def build_demo(
    *, seed: int = 2026, stdout: TextIO | None = None, households: int | None = None
) -> DemoSummary:
    """Generate the demo county into the database. Deterministic for a given seed.

    `households` lowers the health-financing part's size (30,000 households) for tests that look at
    other parts."""

    def log(message: str) -> None:
        if stdout is not None:
            stdout.write(message + "\n")

    started = time.perf_counter()
    with transaction.atomic(), acting_as(label="demo"):
        ctx = run_parts(DemoContext(seed=seed, log=log, **_size(households)))
    return DemoSummary(
        seed=seed, seconds=time.perf_counter() - started, counts=dict(ctx.counts), logins=list(ctx.logins)
    )


def demo_exists() -> bool:
    return Division.objects.filter(code=core_part.COUNTY_CODE).exists()
