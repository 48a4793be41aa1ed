"""Delivered value, computed from plain data (no Flask, no database): what residents' votes produced.

The figures of the public "From vote to delivery" page and of its delivered-value section, the ex-post
assessment's measures with delivered instead of funded projects:

- per district and per category: projects adopted, delivered, in progress, cancelled or merged, money voted
  and spent, and the delivery rate (delivered / adopted, cancelled and merged included, so stopping a project
  lowers the rate);
- delivered money per head by district: money spent on delivered projects / the district's population;
- the share of voters whose supported projects were delivered: counted ballots with at least one delivered
  project among their choices / all counted ballots (a resident who voted in two pools is two ballots);
- the mean rating of delivered projects per district (hidden ratings left out), and co-producers per role.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction

from pb.delivery.models import DeliveryStatus
from pb.delivery.rules import ACTIVE

CITY_WIDE = ""  # the district key of a city-wide project


@dataclass(frozen=True)
class ProjectFacts:
    """One adopted project as the figures need it; money in minor units."""

    project_id: int
    district: str  # a district code, or CITY_WIDE
    categories: tuple[str, ...]
    voted: int
    spent: int
    status: DeliveryStatus | None  # None: the council adopted it but no delivery record exists yet
    ratings: tuple[int, ...] = ()
    co_producer_roles: tuple[str, ...] = ()


@dataclass
class Tally:
    """Counts and money of a group of adopted projects."""

    adopted: int = 0
    delivered: int = 0
    in_progress: int = 0
    stopped: int = 0
    voted: int = 0
    spent: int = 0
    delivered_spent: int = 0
    ratings: list[int] = field(default_factory=list)

    def add(self, facts: ProjectFacts) -> None:
        self.adopted += 1
        self.voted += facts.voted
        self.spent += facts.spent
        if facts.status is DeliveryStatus.DELIVERED:
            self.delivered += 1
            self.delivered_spent += facts.spent
            self.ratings.extend(facts.ratings)
        elif facts.status in (DeliveryStatus.CANCELLED, DeliveryStatus.MERGED):
            self.stopped += 1
        elif facts.status is None or facts.status in ACTIVE:
            self.in_progress += 1

    @property
    def delivery_rate(self) -> Fraction | None:
        """Delivered of adopted; None when nothing was adopted."""
        return Fraction(self.delivered, self.adopted) if self.adopted else None

    @property
    def mean_rating(self) -> Fraction | None:
        return Fraction(sum(self.ratings), len(self.ratings)) if self.ratings else None


@dataclass
class DeliveredValue:
    """The delivered value of one edition."""

    total: Tally
    by_district: dict[str, Tally]
    by_category: dict[str, Tally]
    per_head: dict[str, Fraction | None]
    voters: int
    voters_with_delivered: int
    co_producers: Counter

    @property
    def voter_share(self) -> Fraction | None:
        """The share of voters with at least one delivered project they supported."""
        return Fraction(self.voters_with_delivered, self.voters) if self.voters else None


def delivered_value(projects: Iterable[ProjectFacts], populations: dict[str, int | None],
                    ballots: Iterable[Iterable[int]]) -> DeliveredValue:
    """The figures of an edition from its adopted projects, its districts' populations and its counted ballots
    (each the ids of the projects it chose)."""
    projects = list(projects)
    total = Tally()
    by_district: dict[str, Tally] = defaultdict(Tally)
    by_category: dict[str, Tally] = defaultdict(Tally)
    roles: Counter = Counter()
    for facts in projects:
        total.add(facts)
        by_district[facts.district].add(facts)
        for category in facts.categories:
            by_category[category].add(facts)
        roles.update(facts.co_producer_roles)
    per_head = {}
    for district, tally in by_district.items():
        population = populations.get(district)
        per_head[district] = Fraction(tally.delivered_spent, population) if population else None
    delivered = {facts.project_id for facts in projects if facts.status is DeliveryStatus.DELIVERED}
    voters = with_delivered = 0
    for choices in ballots:
        voters += 1
        if delivered.intersection(choices):
            with_delivered += 1
    return DeliveredValue(total, dict(by_district), dict(by_category), per_head, voters, with_delivered, roles)
