"""Phone numbers for the import benchmarks: what a customer export looks like (a few hundred
exchanges of a region, random line numbers), not uniformly random digits."""
from __future__ import annotations

import random

from callfire_soap.domain.phone import normalize


def exchanges(count: int = 300, seed: int = 5) -> list[str]:
    rng = random.Random(seed)
    found: list[str] = []
    while len(found) < count:
        area = rng.choice(["213", "310", "323", "424", "562", "626", "657", "714", "818", "949"])
        prefix = f"1{area}{rng.randint(200, 999)}"
        if prefix not in found and normalize(prefix + "5555"):
            found.append(prefix)
    return found


def unique_numbers(count: int, seed: int = 9) -> list[str]:
    """``count`` distinct valid numbers in the legacy 11-digit form."""
    rng = random.Random(seed)
    prefixes = exchanges()
    seen: dict[str, None] = {}
    while len(seen) < count:
        seen[f"{rng.choice(prefixes)}{rng.randint(0, 9999):04d}"] = None
    return list(seen)
