"""What seeding a store gives back: the report (counts, times, demo identities) and the refusal."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple


class DemoIdentity(NamedTuple):
    """Someone to sign in as, to try one role."""

    role: str
    name: str
    niss: str


class SeedError(Exception):
    """The store cannot be seeded (it already holds data)."""


@dataclass
class SeedReport:
    """What `seed_store` wrote, how long it took, and whom to sign in as."""

    counts: dict[str, int]
    seconds: float
    identities: list[DemoIdentity]
    cpu_seconds: float
    """Processor time of the seeding processes (not of a database server): on a busy machine, beside
    `seconds`."""
    seed: int
    backend: str
    phases: dict[str, float] = field(default_factory=dict)
    steps: dict[str, float] = field(default_factory=dict)
    """Seconds per table: writing its rows, rebuilding its indexes (for benchmarks)."""
    showcase: dict[str, str] = field(default_factory=dict)
    """Role label -> the enterprise the demo identity acts for."""

    @property
    def mandate_seconds(self) -> float:
        """Time spent writing the bulk mandates and their groups (rows, indexes, moving them in), in
        whichever process wrote them."""
        return sum(seconds for step, seconds in self.steps.items() if step.startswith("mandate"))

    def summary(self) -> str:
        lines = [f"Seeded a {self.backend} store (seed {self.seed}) in {self.seconds:.1f} s:"]
        lines.append("  " + ", ".join(f"{count:,} {what}" for what, count in self.counts.items()))
        if self.phases:
            lines.append(
                "  time: " + ", ".join(f"{what} {seconds:.1f} s" for what, seconds in self.phases.items())
            )
        lines.append("Demo identities (sign in with --as NISS):")
        width = max(len(i.role) for i in self.identities) if self.identities else 0
        name_width = max(len(i.name) for i in self.identities) if self.identities else 0
        for identity in self.identities:
            where = self.showcase.get(identity.role)
            lines.append(
                f"  {identity.role:<{width}}  {identity.name:<{name_width}}  {identity.niss}"
                + (f"  ({where})" if where else "")
            )
        return "\n".join(lines)
