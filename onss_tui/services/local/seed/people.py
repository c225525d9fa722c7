"""The people the seeder draws: names of a region, a national register number of their own, a phone number
and an e-mail address or not (which their accounts carry: a person's row holds none), and the `name_key`
their rows carry."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from random import Random

from onss_tui.domain import identifiers as ids
from onss_tui.services.local.seed.clock import Clock
from onss_tui.services.local.seed.names import MOBILE_PREFIXES, Region
from onss_tui.services.local.tables import name_key

_MONTH_DAYS = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
"""Days per month, February always 28 (so that any year will do)."""


@dataclass(slots=True, eq=False)
class PlannedPerson:
    """Someone in the plan: their row's values, and when they first signed in."""

    id: int
    """Given by `People.number` once everyone is drawn; rows refer to the person until then."""
    niss: str
    first_name: str
    last_name: str
    phone: str | None
    email: str | None
    eid_card: str | None
    signed_in: int | None
    """Pool index of the first sign-in, or None: never signed in (their designations are pending)."""


class People:
    """Everyone the plan draws for the bulk rows, and the people the showcase brings in through the
    service (drawn from the same generator, not recorded here)."""

    def __init__(self, rng: Random, clock: Clock) -> None:
        self._random = rng.random
        self._clock = clock
        self.drawn: list[PlannedPerson] = []
        self._used_niss: set[str] = set()
        self._name_keys: dict[tuple[str, str], str] = {}
        self._ascii_names: dict[str, str] = {}

    def niss(self, male: bool) -> str:
        random = self._random
        while True:
            year = 1955 + int(random() * 51)
            month = 1 + int(random() * 12)
            day = 1 + int(random() * _MONTH_DAYS[month])
            number = ids.niss_for(date(year, month, day), int(random() * 499) * 2 + (1 if male else 2))
            if number not in self._used_niss:
                self._used_niss.add(number)
                return number

    def phone(self, region: Region, mobile: bool = True) -> str:
        random = self._random
        if mobile:
            return (
                f"+32{MOBILE_PREFIXES[int(random() * len(MOBILE_PREFIXES))]}{int(random() * 1_000_000):06d}"
            )
        area = region.areas[int(random() * len(region.areas))]
        digits = 8 - len(area)
        return f"+32{area}{int(random() * 10**digits):0{digits}d}"

    def person(self, region: Region, *, eid: bool = False, record: bool = True) -> PlannedPerson:
        """Someone from this region; `record=False` for someone the showcase will bring in through the
        service (they get no row here)."""
        random = self._random
        male = random() < 0.5
        firsts = region.men if male else region.women
        first = firsts[int(random() * len(firsts))]
        last = region.surnames[int(random() * len(region.surnames))]
        phone = self.phone(region, mobile=random() < 0.85) if random() < 0.9 else None
        email = f"{self._ascii(first)}.{self._ascii(last)}@example.com" if random() < 0.5 else None
        person = PlannedPerson(
            id=0,
            niss=self.niss(male),
            first_name=first,
            last_name=last,
            phone=phone,
            email=email,
            eid_card=ids.eid_card_for(5_900_000_000 + int(random() * 100_000_000)) if eid else None,
            signed_in=int(random() * len(self._clock.pool)) if random() < 0.9 else None,
        )
        if record:
            self.drawn.append(person)
        return person

    def _ascii(self, name: str) -> str:
        """A name as it may appear in an e-mail address ("Françoise" -> "francoise")."""
        text = self._ascii_names.get(name)
        if text is None:
            text = self._ascii_names[name] = "".join(c for c in name_key(name) if c.isalnum())
        return text

    def number(self, first: int) -> None:
        """Give everyone an id from `first` on, in the order of their national register numbers: the
        unique index on them then grows at its end, which is much faster to load than in random order."""
        self.drawn.sort(key=lambda p: p.niss)
        for position, person in enumerate(self.drawn):
            person.id = first + position

    def key_of(self, person: PlannedPerson) -> str:
        """A person's `name_key`, which their users carry too."""
        pair = (person.last_name, person.first_name)
        key = self._name_keys.get(pair)
        if key is None:
            key = self._name_keys[pair] = fast_name_key(f"{pair[0]} {pair[1]}")
        return key

    def rows(self) -> Iterator[tuple]:
        """Their rows (booleans as 0 and 1, as the plan's other rows)."""
        pool = self._clock.pool
        for p in self.drawn:
            yield (
                p.id, p.niss, p.first_name, p.last_name, self.key_of(p), p.eid_card, 0,
                None if p.signed_in is None else pool[p.signed_in], 1,
            )  # fmt: skip


def fast_name_key(text: str) -> str:
    """`name_key` of the service, with a short way for plain ASCII (the same result)."""
    return text.casefold().strip() if text.isascii() else name_key(text)
