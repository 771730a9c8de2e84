"""Random sampling (双随机: random inspected units, random inspectors; seed-004 §7.13). No Django.

The draw is a pure function of its inputs and the seed: inputs are sorted first and one
`random.Random(seed)` is used throughout, so a recorded draw can be re-run by anyone and gives the
same selection.
"""

from __future__ import annotations

import random


def draw(
    institutions_by_class: dict[str, list[int]],
    counts: dict[str, int],
    inspectors: list[int],
    team_size: int,
    seed: int,
) -> list[dict]:
    """Pick `counts[class]` institutions of each class (all of them if the class has fewer) and a
    team of `team_size` inspectors (all if fewer) for each, in draw order:
    `[{"institution": id, "class": class, "inspectors": [ids…]}]`."""
    if team_size < 0:
        raise ValueError("team_size must not be negative")
    if any(n < 0 for n in counts.values()):
        raise ValueError("counts must not be negative")
    rng = random.Random(seed)
    pool_of_inspectors = sorted(set(inspectors))
    size = min(team_size, len(pool_of_inspectors))
    selection = []
    for klass in sorted(counts):
        pool = sorted(set(institutions_by_class.get(klass, ())))
        for institution in rng.sample(pool, min(counts[klass], len(pool))):
            selection.append(
                {
                    "institution": institution,
                    "class": klass,
                    "inspectors": sorted(rng.sample(pool_of_inspectors, size)),
                }
            )
    return selection
