"""The demo county (示范县): a deterministic, synthetic county to try every module on.

`build_demo(seed=...)` runs the parts listed in `build.PARTS`, in order, in one transaction. A part is
a function `generate(ctx)` in a `<domain>_part.py` module: it draws only from `ctx.random` (its own
seeded stream), reads what earlier parts put on the `DemoContext`, and writes through `ctx.save` and
`ctx.link` (bulk inserts, audited as actor "demo"). To add a domain, write its part and add one line
to `build.PARTS`.

Codes and ID numbers are synthetic but pass their checksums. Every role has a demo login, named after
the role, with the password `DEMO_PASSWORD`.
"""

from .build import PARTS, DemoSummary, build_demo, demo_exists, plan_demo
from .context import DemoContext, DemoLogin
from .core_part import COUNTY_CODE, DEMO_PASSWORD, demo_logins

__all__ = [
    "COUNTY_CODE",
    "DEMO_PASSWORD",
    "PARTS",
    "DemoContext",
    "DemoLogin",
    "DemoSummary",
    "build_demo",
    "demo_exists",
    "demo_logins",
    "plan_demo",
]
