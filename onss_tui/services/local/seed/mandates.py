"""The mandates the seeder draws: per principal, along a timeline from 2015Q1 to next quarter, keeping the
service's rule on who holds a group when."""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from random import Random
from typing import Any

from onss_tui.domain.enums import EnterpriseCategory, ProviderKind
from onss_tui.domain.quarters import Quarter
from onss_tui.services.local.seed.clock import quarter_code, quarter_index
from onss_tui.services.local.seed.names import GROUP_LIKELIHOOD, MANDATE_STATUS_MIX
from onss_tui.services.local.seed.plan import Plan, PlannedEnterprise, cumulative

FIRST_QUARTER = Quarter(2015, 1)


class MandatePlan:
    """Mandates per principal along a timeline from 2015Q1 to next quarter, written principal after
    principal (in the order of their names, which is also the order of their ids).

    A group entrusted to a single mandatary is held by at most one pending or active mandate of a
    principal at any quarter, and a group open to several mandataries by at most one per mandatary: the
    rule the service applies when a mandate is created or accepted.
    """

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.rng = Random(plan.rng.getrandbits(64))
        """A stream of its own: the mandates may be drawn in another process, the showcase goes on."""
        self.current = quarter_index(Quarter.of(plan.clock.midnight.date()))
        self.mandataries = plan.secretariats + plan.providers
        weights = [
            min(self.rng.paretovariate(1.1), 200.0) * (8 if e.kind == ProviderKind.SOCIAL_SECRETARIAT else 1)
            for e in self.mandataries
        ]
        weights[0] = max(weights) * 1.5  # the showcase's secretariat is the largest
        self.weights = weights
        self._choices: dict[str, tuple[list[int], list[float], list[Any]]] = {}

    def _options(self, category: str, kind: str) -> tuple[list[tuple[str, tuple[Any, ...]]], list[float]]:
        """Every non-empty set of the groups a principal of this category may entrust to this kind of
        mandatary, with its likelihood: (comma-joined codes, ((code, single_mandatary), ...))."""
        eligible = sorted(
            (g for g in self.plan.catalogue.groups
             if category in g.principal_categories.split(",") and kind in g.mandatary_kinds.split(",")),
            key=lambda g: g.code,
        )  # fmt: skip
        options: list[tuple[str, tuple[Any, ...]]] = []
        weights: list[float] = []
        for mask in range(1, 2 ** len(eligible)):
            chosen = [g for bit, g in enumerate(eligible) if mask >> bit & 1]
            weight = 1.0
            for bit, g in enumerate(eligible):
                p = GROUP_LIKELIHOOD.get(g.code, 0.3)
                weight *= p if mask >> bit & 1 else 1 - p
            options.append(
                (",".join(g.code for g in chosen), tuple((g.code, g.single_mandatary) for g in chosen))
            )
            weights.append(weight)
        return options, cumulative(weights)

    def choices(self, category: str) -> tuple[list[int], list[float], list[Any]]:
        """The mandataries a principal of this category may choose (with their weights), and for each of
        them the sets of groups it may entrust to it."""
        found = self._choices.get(category)
        if found is None:
            by_kind = {
                kind: self._options(category, kind)
                for kind in sorted({e.kind for e in self.mandataries if e.kind})
            }
            allowed = [m for m, e in enumerate(self.mandataries) if e.kind and by_kind[e.kind][0]]
            found = self._choices[category] = (
                allowed,
                cumulative(self.weights[m] for m in allowed),
                [by_kind[self.mandataries[m].kind or ""] for m in allowed],
            )
        return found

    def allocate(self, count: int) -> list[tuple[PlannedEnterprise, int]]:
        """How many mandates each principal gives; about a quarter of them handle everything themselves,
        unless none of the others is left to give the mandates asked for (a small store)."""
        rng = self.rng
        reserved = {id(e) for e in self.plan.reserved}
        principals = []
        weights = []
        by_themselves = []
        for e in sorted(self.plan.employers, key=lambda e: e.id):
            if id(e) in reserved or not self.choices(e.category)[0]:
                continue
            alone = 0.5 if e.category == EnterpriseCategory.LOCAL_ADMINISTRATION else 0.25
            if rng.random() < alone:
                by_themselves.append(e)
                continue
            principals.append(e)
            weights.append(min(rng.paretovariate(1.6), 30.0))
        if not principals:
            principals, weights = by_themselves, [1.0] * len(by_themselves)
        if not principals or count <= 0:
            return []
        per_principal = [0] * len(principals)
        if count >= len(principals):
            per_principal = [1] * len(principals)
            count -= len(principals)
        for i in rng.choices(range(len(principals)), cum_weights=cumulative(weights), k=count):
            per_principal[i] += 1
        return [(e, k) for e, k in zip(principals, per_principal, strict=True) if k]

    def rows(self, allocation: list[tuple[PlannedEnterprise, int]], first_id: int) -> Iterator[tuple]:
        """Draw and yield every mandate row (its groups are written from its `groups` column).

        A principal's mandates are drawn along its timeline. When a new mandate takes a group that an
        earlier one still holds (pending, active, or closed after having been active), the earlier one
        ends the quarter before: a group passes to a new mandatary at a change of quarter. When the
        earlier one does not start before it, the new one is drawn as withdrawn (closed, no end) instead.
        """
        random = self.rng.random
        clock = self.plan.clock
        current = self.current
        latest = current + 1
        first = quarter_index(FIRST_QUARTER)
        mandataries = self.mandataries
        validators = [(e.managers or e.legal_representatives)[0].id for e in mandataries]
        statuses = [s.value for s, _w in MANDATE_STATUS_MIX]
        status_cumulative = cumulative(w for _s, w in MANDATE_STATUS_MIX)
        status_total = status_cumulative[-1]
        versions = {"to_finalise": 1, "pending": 1, "active": 2, "rejected": 2, "closed": 3}
        quarters = range(first, latest + 13)
        code_of = {q: quarter_code(q) for q in quarters}
        moments_of = {q: clock.before_quarter(q, self.rng) for q in quarters}
        parties = [(e.provider, e.number, e.name, e.key, e.branches) for e in mandataries]
        mandate_id = first_id
        for principal, k in allocation:
            allowed, mandatary_cumulative, options_of = self.choices(principal.category)
            total = mandatary_cumulative[-1]
            home = bisect.bisect(mandatary_cumulative, random() * total)
            cursor = first + int(random() * max(1, current - first))
            spread = max(1, (latest - cursor) * 2 // k - 1)
            holders: dict[Any, list[Any]] = {}
            drafts: list[list[Any]] = []
            drawn = [statuses[bisect.bisect(status_cumulative, random() * status_total)] for _ in range(k)]
            drawn.sort(key=lambda s: s == "pending" or s == "to_finalise")  # the waiting ones are recent
            for status in drawn:
                choice = home if random() < 0.7 else bisect.bisect(mandatary_cumulative, random() * total)
                m = allowed[choice]
                options, option_cumulative = options_of[choice]
                text, codes = options[bisect.bisect(option_cumulative, random() * option_cumulative[-1])]
                start = cursor
                if status == "pending":
                    start = max(cursor, current)
                elif status == "to_finalise":
                    start = current + (random() < 0.5)
                draft = [m, text, codes, start, None, status]
                drafts.append(draft)
                cursor = min(latest, cursor + 1 + int(random() * spread))
                if status == "rejected":
                    draft[4] = start + 2 + int(random() * 10) if random() < 0.2 else None
                # Pending and active mandates hold their groups, and so does a closed one that was active.
                if (
                    status == "rejected"
                    or status == "to_finalise"
                    or (status == "closed" and start > current)
                ):
                    continue
                keys = [code if single else (code, m) for code, single in codes]
                earlier = [
                    e for e in (holders.get(key) for key in keys) if e and (e[4] is None or e[4] >= start)
                ]
                if earlier and max(e[3] for e in earlier) >= start:
                    draft[5] = "closed"  # withdrawn before it was accepted: it holds nothing
                    continue
                for e in earlier:
                    e[4] = start - 1
                if status == "pending":
                    draft[4] = start + 4 + int(random() * 8) if random() < 0.2 else None
                elif status == "active":
                    draft[4] = (
                        start + 1 + int(random() * 11) if start < current - 2 and random() < 0.3 else None
                    )
                else:
                    draft[4] = min(start + int(random() * 12), current)
                for key in keys:
                    holders[key] = draft
            creator = principal.legal_representatives[0].id
            principal_id, number, name, key = principal.id, principal.number, principal.name, principal.key
            for m, text, _codes, start, end, status in drafts:
                provider, mandatary_number, mandatary_name, mandatary_key, branches = parties[m]
                branch = None
                if branches and random() < 0.4:
                    branch = branches[int(random() * len(branches))]
                reference = f"PRO-{start // 4}-{int(random() * 1_000_000):06d}" if random() < 0.3 else None
                moments = moments_of[start]
                moment = int(random() * 16)
                waiting = status == "to_finalise" or status == "pending"
                yield (
                    mandate_id, principal_id, provider, number, name, key,
                    mandatary_number, mandatary_name, mandatary_key,
                    branch, text, code_of[start], None if end is None else code_of[end], status, reference,
                    creator,
                    validators[m] if status == "active" or (status == "closed" and end is not None) else None,
                    moments[moment], moments[moment if waiting else moment + (15 - moment) // 2],
                    versions[status],
                )  # fmt: skip
                mandate_id += 1
