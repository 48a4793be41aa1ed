"""The plain data of a participatory budgeting election: projects, ballots and the META table.

Everything here is immutable and knows nothing of the web application or the database, so the
same objects come from a Pabulib file, from the ballots stored by the app, or from a test.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

#: Ballot kinds, as Pabulib names them in META ``vote_type``.
VOTE_TYPES = ("approval", "cumulative", "ordinal", "choose-1", "scoring")

#: The cost some cities keep on a withdrawn project; such a project is never fundable.
WITHDRAWN_COST = 999_999_999

_EMPTY: Mapping[str, str] = MappingProxyType({})


def _frozen(mapping: Mapping[str, str] | None) -> Mapping[str, str]:
    """Return a read-only copy, so that a frozen dataclass is really immutable."""
    return MappingProxyType(dict(mapping)) if mapping else _EMPTY


@dataclass(frozen=True)
class Project:
    """A project on the ballot. ``cost`` is in whole units of the election's money (see Election.cost_scale)."""

    id: str
    cost: int
    name: str = ""
    categories: tuple[str, ...] = ()
    beneficiaries: tuple[str, ...] = ()
    extra: Mapping[str, str] = field(default_factory=lambda: _EMPTY)

    def __post_init__(self) -> None:
        object.__setattr__(self, "extra", _frozen(self.extra))

    def __hash__(self) -> int:
        return hash((self.id, self.cost))



@dataclass(frozen=True)
class Ballot:
    """One ballot, or ``weight`` identical ballots.

    ``choices`` are project ids; for ordinal ballots in rank order, first choice first.
    ``points`` is parallel to ``choices`` for cumulative and scoring ballots, else None.
    ``attributes`` are the voter's coarse attributes (age, sex, district, voting_method, ...).
    ``written`` is set only by the Pabulib reader, when the rules read a ballot differently from its text:
    the ``vote`` field and the ``points`` field (None without a points column) exactly as the file has
    them. That is a project named twice (one choice in ``choices``, its points summed), or a points column
    on a ballot kind the rules read without points (Krakow's ordinal files). The writer gives them back
    unchanged, so that other readers (pabutools) see the original ballot; nothing else reads them.
    """

    choices: tuple[str, ...]
    points: tuple[int, ...] | None = None
    weight: int = 1
    voter_id: str | None = None
    attributes: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    written: tuple[str, str | None] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "attributes", _frozen(self.attributes))
        if self.points is not None and len(self.points) != len(self.choices):
            raise ValueError("a ballot needs one number of points per chosen project")
        if self.weight < 1:
            raise ValueError("a ballot's weight must be at least 1")

    def __hash__(self) -> int:
        return hash((self.choices, self.points, self.weight, self.voter_id))


@dataclass(frozen=True)
class Election:
    """One Pabulib instance: META, projects and ballots.

    ``cost_scale`` is how many cost units make one unit of the currency: 1 when every cost in the
    source is whole, 100 when costs came with cents. Budget and costs are integers in that unit, so
    no rule ever compares floats.
    """

    meta: Mapping[str, str]
    projects: tuple[Project, ...]
    ballots: tuple[Ballot, ...]
    cost_scale: int = 1

    def __post_init__(self) -> None:
        object.__setattr__(self, "meta", _frozen(self.meta))

    def __hash__(self) -> int:
        return hash((tuple(self.meta.items()), self.projects, len(self.ballots)))

    @property
    def vote_type(self) -> str:
        """The ballot kind; Pabulib's default is approval."""
        return self.meta.get("vote_type", "approval")

    @property
    def budget(self) -> int:
        """The budget limit in cost units."""
        raw = self.meta.get("budget", "0").strip().replace(",", ".")
        whole, _, frac = raw.partition(".")
        frac = (frac + "0" * 12)[: len(str(self.cost_scale)) - 1]
        return int(whole or 0) * self.cost_scale + int(frac or 0)

    @property
    def rule(self) -> str | None:
        """The rule the city used (META ``rule``), or None when the file does not know it."""
        rule = self.meta.get("rule", "").strip()
        return rule if rule and rule != "unknown" else None

    @property
    def voter_count(self) -> int:
        """The number of voters, counting a grouped ballot once per voter."""
        return sum(b.weight for b in self.ballots)

    def is_withdrawn(self, project: Project) -> bool:
        """Whether a project keeps the Pabulib sentinel cost of a withdrawn project (never fundable).

        The sentinel is 999,999,999 units of the currency, so it scales with ``cost_scale``: in a file
        with cents, a real project of 10,000,000.00 is not withdrawn.
        """
        return project.cost >= WITHDRAWN_COST * self.cost_scale

    def project(self, project_id: str) -> Project:
        """The project with this id; KeyError names it when there is none."""
        for project in self.projects:
            if project.id == project_id:
                return project
        raise KeyError(project_id)
