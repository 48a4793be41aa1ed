"""Two constraints some cities add to every rule: sets of incompatible projects, and a minimum vote share.

- **Incompatible projects** (CONSUL's "incompatible investments": two uses of the same plot, say): in each
  set at most one project is funded. Every rule runs as usual, and when it funds a project it passes over
  the project's partners from then on (reason ``incompatible``). A project may belong to several sets.
- **Minimum vote share** (Świecie 2023 counted Equal Shares only among projects above one): a project that
  fewer than this share of the voters support is not eligible at all (reason ``below_min_share``); the
  other projects are counted as if it were not on the ballot, with every voter's share of the budget
  unchanged. A ballot supports a project when it names it (approves it, ranks it or gives it points).

Both are plain values passed to ``count``; a Pabulib file carries them in two META keys that the Pabulib
format does not define (it has no field for either), read and written by ``from_meta`` / ``to_meta``:

- ``incompatible_projects``: the sets, separated by ``|``, each a comma-separated list of project ids,
  e.g. ``3,7|12,13,14``;
- ``min_vote_share``: the share as a decimal from 0 to 1, e.g. ``0.05`` for 5% of the voters.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

#: The META keys (see the module docstring).
INCOMPATIBLE_KEY = "incompatible_projects"
MIN_SHARE_KEY = "min_vote_share"

#: More decimals than a share needs (pb stores basis points, 4 decimals), few enough to keep arithmetic cheap.
_MAX_SHARE_DECIMALS = 12


class ConstraintError(ValueError):
    """A set of incompatible projects or a minimum vote share that cannot be used; the message says why."""


def _clean_sets(sets: Iterable[Iterable[str]]) -> tuple[frozenset[str], ...]:
    """Each set as a frozenset, in the order given, refusing sets of fewer than two projects."""
    cleaned: list[frozenset[str]] = []
    for members in sets:
        members = frozenset(members)
        if len(members) < 2:
            raise ConstraintError("a set of incompatible projects needs at least two different projects")
        cleaned.append(members)
    return tuple(cleaned)


@dataclass(frozen=True)
class Constraints:
    """Incompatible sets (project ids) and a minimum vote share (a Fraction from 0 to 1, or None)."""

    incompatible: tuple[frozenset[str], ...] = ()
    min_share: Fraction | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "incompatible", _clean_sets(self.incompatible))
        if self.min_share is not None:
            share = Fraction(self.min_share)
            if not 0 <= share <= 1:
                raise ConstraintError(f"the minimum vote share must be from 0 to 1, not {share}")
            object.__setattr__(self, "min_share", share if share else None)

    @property
    def is_empty(self) -> bool:
        """Whether neither constraint is set."""
        return not self.incompatible and self.min_share is None

    def partners(self, ids: Sequence[str]) -> tuple[tuple[int, ...], ...]:
        """For each project (by index in ``ids``), the indices of the projects it cannot be funded with.

        Raises ConstraintError when a set names a project that is not in ``ids``.
        """
        index = {pid: i for i, pid in enumerate(ids)}
        found: list[set[int]] = [set() for _ in ids]
        for members in self.incompatible:
            unknown = sorted(pid for pid in members if pid not in index)
            if unknown:
                raise ConstraintError(
                    f"a set of incompatible projects names project {unknown[0]!r}, which the election does not list"
                )
            positions = [index[pid] for pid in members]
            for i in positions:
                found[i].update(j for j in positions if j != i)
        return tuple(tuple(sorted(p)) for p in found)

    def min_supporters(self, voters: int) -> int:
        """The fewest supporters a project needs: the share of ``voters``, rounded up (0 without a share)."""
        if self.min_share is None:
            return 0
        needed = self.min_share * voters
        return -(-needed.numerator // needed.denominator)

    def to_meta(self) -> dict[str, str]:
        """The META entries that carry these constraints (none for an unset constraint)."""
        meta: dict[str, str] = {}
        if self.incompatible:
            for members in self.incompatible:
                bad = sorted(pid for pid in members if "|" in pid or "," in pid)
                if bad:
                    raise ConstraintError(f"the project id {bad[0]!r} cannot be written in {INCOMPATIBLE_KEY}")
            meta[INCOMPATIBLE_KEY] = "|".join(",".join(sorted(members)) for members in self.incompatible)
        if self.min_share is not None:
            meta[MIN_SHARE_KEY] = _decimal(self.min_share)
        return meta

    @classmethod
    def from_meta(cls, meta: Mapping[str, str]) -> Constraints:
        """The constraints a Pabulib META table states; ConstraintError names the key when one is malformed."""
        sets: list[frozenset[str]] = []
        raw = meta.get(INCOMPATIBLE_KEY, "").strip()
        if raw:
            for part in raw.split("|"):
                ids = [pid.strip() for pid in part.split(",")]
                if any(not pid for pid in ids):
                    raise ConstraintError(f"{INCOMPATIBLE_KEY} '{raw}' has an empty project id")
                if len(set(ids)) < 2:
                    raise ConstraintError(f"{INCOMPATIBLE_KEY} '{raw}' has a set of fewer than two projects")
                sets.append(frozenset(ids))
        share = meta.get(MIN_SHARE_KEY, "").strip()
        return cls(incompatible=tuple(sets), min_share=parse_share(share) if share else None)


def parse_share(raw: str) -> Fraction:
    """A share written as a decimal from 0 to 1 ("0.05", "1", ".5"); ConstraintError otherwise."""
    whole, dot, frac = raw.partition(".")
    digits_ok = all(not part or (part.isascii() and part.isdigit()) for part in (whole, frac))
    if not (whole or frac) or not digits_ok or len(frac) > _MAX_SHARE_DECIMALS or len(whole) > 1:
        raise ConstraintError(f"{MIN_SHARE_KEY} '{raw}' is not a decimal from 0 to 1")
    share = Fraction(int(whole or "0")) + (Fraction(int(frac), 10 ** len(frac)) if frac else 0)
    if share > 1:
        raise ConstraintError(f"{MIN_SHARE_KEY} '{raw}' is not a decimal from 0 to 1")
    return share


def _decimal(share: Fraction) -> str:
    """A share as the shortest exact decimal; ConstraintError when it has no short decimal form."""
    for decimals in range(_MAX_SHARE_DECIMALS + 1):
        scaled = share * 10**decimals
        if scaled.denominator == 1:
            text = str(scaled.numerator).rjust(decimals + 1, "0")
            return text if not decimals else f"{text[:-decimals]}.{text[-decimals:]}"
    raise ConstraintError(f"the minimum vote share {share} has no decimal form of at most {_MAX_SHARE_DECIMALS} digits")
