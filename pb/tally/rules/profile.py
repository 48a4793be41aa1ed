"""What every rule needs from an election: scores, supporter groups and the tie-break order.

Identical support sets are grouped into one weighted group, so a city of 100,000 voters costs what its
distinct ballots cost.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from pb.tally.constraints import Constraints
from pb.tally.election import Election, Project

#: How ties between projects are broken: a name ("lexico", "reverse-lexico", "cost-ascending"), an explicit
#: list of project ids (first preferred; ids not listed come after, in lexico order), or a key function on a
#: Project (smallest key preferred; equal keys in lexico order).
TieBreak = str | Sequence[str] | Callable[[Project], object]

TIE_BREAKS = ("lexico", "reverse-lexico", "cost-ascending")


def tie_order(projects: Sequence[Project], tie_break: TieBreak) -> tuple[str, list[int]]:
    """The tie-break's name and the rank of each project (0 is preferred when tied)."""
    lexico = sorted(range(len(projects)), key=lambda i: projects[i].id)
    if isinstance(tie_break, str):
        if tie_break == "lexico":
            order = lexico
        elif tie_break == "reverse-lexico":
            order = lexico[::-1]
        elif tie_break == "cost-ascending":
            order = sorted(lexico, key=lambda i: projects[i].cost)
        else:
            raise ValueError(f"unknown tie-break {tie_break!r}; use one of {', '.join(TIE_BREAKS)}")
        name = tie_break
    elif callable(tie_break):
        key = tie_break
        order = sorted(lexico, key=lambda i: key(projects[i]))  # type: ignore[arg-type]
        name = getattr(tie_break, "__name__", "custom")
    else:
        listed = {pid: pos for pos, pid in enumerate(tie_break)}
        order = sorted(lexico, key=lambda i: listed.get(projects[i].id, len(listed)))
        name = "explicit"
    rank = [0] * len(projects)
    for pos, i in enumerate(order):
        rank[i] = pos
    return name, rank


class UnknownProject(ValueError):
    """A ballot names a project that the election does not list."""


@dataclass(frozen=True, eq=False)
class Profile:
    """An election reduced to arrays: projects by index, ballots grouped by the set of projects they support."""

    ids: tuple[str, ...]
    costs: tuple[int, ...]
    scores: tuple[int, ...]
    withdrawn: tuple[bool, ...]
    rank: tuple[int, ...]
    budget: int
    voters: int
    money_unit: int
    vote_type: str
    threshold: Fraction | None
    #: Number of voters per group of identical support sets.
    weights: np.ndarray
    #: The projects each group supports (project indices, ascending).
    groups: tuple[tuple[int, ...], ...]
    #: For each project, the groups that support it (ascending group indices).
    supporters: tuple[np.ndarray, ...]
    #: For each project, the projects it cannot be funded with (pb.tally.constraints), ascending.
    partners: tuple[tuple[int, ...], ...]
    #: The fewest supporters a project needs to be eligible (the minimum vote share of the voters), or 0.
    min_supporters: int
    #: The minimum vote share itself, for explanations (None when there is none).
    min_share: Fraction | None

    @property
    def support(self) -> tuple[int, ...]:
        """The number of voters supporting each project."""
        return tuple(int(self.weights[s].sum()) for s in self.supporters)

    @property
    def has_partners(self) -> bool:
        """Whether some projects are incompatible with others."""
        return any(self.partners)

    def eligible(self, support: Sequence[int] | None = None) -> tuple[bool, ...]:
        """Whether each project has the minimum share of the voters (every project when there is no minimum)."""
        support = self.support if support is None else support
        return tuple(n >= self.min_supporters for n in support)


def _threshold(election: Election) -> Fraction | None:
    raw = election.meta.get("min_project_score_threshold", "").strip()
    return Fraction(raw.replace(",", ".")) if raw else None


def prepare(election: Election, rank: Sequence[int], constraints: Constraints | None = None) -> Profile:
    """Scores and supporter groups of an election, per the Pabulib README's definitions, with its constraints.

    Raises ConstraintError when a set of incompatible projects names a project the election does not list.
    """
    constraints = constraints or Constraints()
    index = {p.id: i for i, p in enumerate(election.projects)}
    scores = [0] * len(index)
    by_set: dict[tuple[int, ...], int] = {}
    ordinal = election.vote_type == "ordinal"
    for ballot in election.ballots:
        chosen: list[int] = []
        length = len(ballot.choices)
        for pos, pid in enumerate(ballot.choices):
            try:
                j = index[pid]
            except KeyError:
                raise UnknownProject(f"a ballot names project {pid!r}, which the election does not list") from None
            chosen.append(j)
            if ballot.points is not None:
                scores[j] += ballot.points[pos] * ballot.weight
            elif ordinal:
                scores[j] += (length - pos) * ballot.weight
            else:
                scores[j] += ballot.weight
        key = tuple(sorted(set(chosen)))
        by_set[key] = by_set.get(key, 0) + ballot.weight
    groups = tuple(by_set)
    weights = np.fromiter(by_set.values(), dtype=np.int64, count=len(by_set))
    members: list[list[int]] = [[] for _ in index]
    for g, key in enumerate(groups):
        for j in key:
            members[j].append(g)
    return Profile(
        ids=tuple(p.id for p in election.projects),
        costs=tuple(p.cost for p in election.projects),
        scores=tuple(scores),
        withdrawn=tuple(election.is_withdrawn(p) for p in election.projects),
        rank=tuple(rank),
        budget=election.budget,
        voters=election.voter_count,
        money_unit=election.cost_scale,
        vote_type=election.vote_type,
        threshold=_threshold(election),
        weights=weights,
        groups=groups,
        supporters=tuple(np.asarray(m, dtype=np.int64) for m in members),
        partners=constraints.partners([p.id for p in election.projects]),
        min_supporters=constraints.min_supporters(election.voter_count),
        min_share=constraints.min_share,
    )
