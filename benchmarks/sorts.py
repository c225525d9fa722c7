"""Every status filter with every sort of the mandate browser, first page and last: prints one JSON object.

    .venv/bin/python benchmarks/sorts.py --database /tmp/onss-scale-1m.db [--database postgresql://...]

On a store seeded by `benchmarks/scale.py` (1,000,000 mandates), as support staff (every mandate): for
each status (and none), each sort, ascending and descending, the first page and the last page of 50,
each the median of three calls to the local service. Reports the spread and the slowest combinations.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from browser import support_staff, sweep_stores, sweep_summary

from onss_tui.services import dto
from onss_tui.services.local.service import LocalService


async def sweep(url: str) -> dict[str, Any]:
    service = LocalService.open(url)
    try:
        actor = await support_staff(service)
        timings: dict[str, float] = {}
        for status in [None, *dto.MandateShownStatus]:
            for sort in dto.MandateSort:
                for descending in (False, True):
                    wanted = dto.MandateFilter(status=status, sort=sort, descending=descending)
                    for from_end in (False, True):
                        runs = []
                        for _ in range(3):
                            started = time.perf_counter()
                            await service.list_mandates(actor, wanted, dto.PageRequest(from_end=from_end))
                            runs.append((time.perf_counter() - started) * 1000)
                        name = "/".join(
                            (
                                status.value if status else "any",
                                sort.value,
                                "desc" if descending else "asc",
                                "last" if from_end else "first",
                            )
                        )
                        timings[name] = round(statistics.median(runs), 1)
    finally:
        await service.aclose()
    return {
        "combinations": len(timings),
        **sweep_summary(timings, slowest=10),
        "over_50_ms": sum(t > 50 for t in timings.values()),
    }


if __name__ == "__main__":
    sweep_stores(__doc__.splitlines()[0], sweep)
