"""Read-only counts for the clerks' voting desk and the turnout statistics.

Turnout is measured against the register: a resident is eligible when the register has them and they
reach the process's minimum age in the year of the vote. Who voted is read from participations, what
groups the ballots came from from the ballots' own coarse demographics (age band, sex, channel), so no
count here ever joins a person to a ballot.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace

import sqlalchemy as sa

from pb.extensions import db
from pb.processes.models import District, Pool, Process
from pb.tally.measures import AGE_BANDS, age_band
from pb.voting import counting
from pb.voting.counting import counted_ballots
from pb.voting.eligibility import is_old_enough
from pb.voting.models import Ballot, Channel, CountedBallot, Participation, TallyResult, VoterRegisterEntry
from pb.voting.paper import normalise_code
from pb.voting.services import vote_year

# Groups with fewer ballots than this are not shown to the public: a small group's count could point
# at the few people in it (the impact assessment uses the same threshold).
PUBLIC_MINIMUM = 10

# The channels a clerk enters ballots through, in the order of the paper form.
DESK_CHANNELS = (Channel.PAPER, Channel.IN_PERSON)


@dataclass(frozen=True)
class Group:
    """One row of a turnout table: a group's ballots (or voters), and what to measure them against."""

    key: str | None
    ballots: int
    eligible: int | None = None
    population: int | None = None
    suppressed: bool = False

    @property
    def turnout(self) -> float | None:
        """Ballots per eligible resident of the group, when the register knows the group."""
        return self.ballots / self.eligible if self.eligible else None

    @property
    def population_share(self) -> float | None:
        """Ballots per inhabitant, when the district's population is known."""
        return self.ballots / self.population if self.population else None


@dataclass(frozen=True)
class RegisterSummary:
    """The register of a process: entries, those of voting age, and those linked to an account, by method."""

    entries: int
    eligible: int
    verified: int
    by_method: dict[str, int]


@dataclass(frozen=True)
class PoolCount:
    """A pool's ballots and participations by channel; the two must be equal, channel by channel."""

    pool: Pool
    ballots: dict[Channel, int]
    participations: dict[Channel, int]
    # (district name or None, participations by channel) from the register entries of the participants.
    by_district: list[tuple[str | None, dict[Channel, int]]] = field(default_factory=list)

    @property
    def total_ballots(self) -> int:
        """Every counted ballot of the pool."""
        return sum(self.ballots.values())

    @property
    def total_participations(self) -> int:
        """Every valid participation in the pool."""
        return sum(self.participations.values())

    @property
    def channels(self) -> list[Channel]:
        """The channels with a ballot or a participation, in the enum's order."""
        return [c for c in Channel if self.ballots.get(c) or self.participations.get(c)]

    @property
    def is_reconciled(self) -> bool:
        """Whether every channel has as many ballots as participations."""
        return all(self.ballots.get(c, 0) == self.participations.get(c, 0) for c in Channel)


@dataclass(frozen=True)
class PoolTurnout:
    """A pool's ballots against the residents who may vote in it, and by channel, age band and sex."""

    pool: Pool
    ballots: int
    eligible: int
    channels: list[Group]
    age_bands: list[Group]
    sexes: list[Group]

    @property
    def turnout(self) -> float | None:
        """Ballots per eligible resident of the pool."""
        return self.ballots / self.eligible if self.eligible else None


@dataclass(frozen=True)
class Turnout:
    """The turnout of a process: overall, per district and per pool."""

    eligible: int
    voters: int
    districts: list[Group]
    pools: list[PoolTurnout]

    @property
    def turnout(self) -> float | None:
        """Residents who voted in at least one pool, per eligible resident."""
        return self.voters / self.eligible if self.eligible else None


# --- The register ----------------------------------------------------------------------------------------

def _register_rows(process: Process) -> list[tuple[int | None, int | None, int]]:
    """(district id, birth year, entries) of the register, grouped."""
    return [tuple(row) for row in db.session.execute(
        sa.select(VoterRegisterEntry.district_id, VoterRegisterEntry.birth_year, sa.func.count())
        .where(VoterRegisterEntry.process_id == process.id)
        .group_by(VoterRegisterEntry.district_id, VoterRegisterEntry.birth_year))]


def _eligible_rows(process: Process) -> list[tuple[int | None, str | None, int]]:
    """(district id, age band in the year of the vote, eligible entries) of the register."""
    year = vote_year(process)
    return [(district_id, age_band(str(year - born)) if born else None, n)
            for district_id, born, n in _register_rows(process)
            if is_old_enough(born, process.min_voter_age, year)]


def register_summary(process: Process) -> RegisterSummary:
    """How many residents the register holds, how many may vote, and how many proved who they are, by method."""
    by_method = {str(method): n for method, n in db.session.execute(
        sa.select(VoterRegisterEntry.verification, sa.func.count())
        .where(VoterRegisterEntry.process_id == process.id, VoterRegisterEntry.verification.is_not(None))
        .group_by(VoterRegisterEntry.verification))}
    entries = sum(n for _district, _born, n in _register_rows(process))
    eligible = sum(n for _district, _band, n in _eligible_rows(process))
    return RegisterSummary(entries, eligible, sum(by_method.values()), by_method)


# --- Ballots and participations --------------------------------------------------------------------------

def _by_pool_and_channel(statement: sa.Select) -> dict[int, dict[Channel, int]]:
    found: dict[int, dict[Channel, int]] = defaultdict(dict)
    for pool_id, channel, n in db.session.execute(statement):
        found[pool_id][Channel(channel)] = n
    return found


def pool_counts(process: Process, *, with_districts: bool = False) -> list[PoolCount]:
    """Each pool's ballots and participations by channel (voided ballots and invalidated participations left out)."""
    pool_ids = [pool.id for pool in process.pools]
    ballots = _by_pool_and_channel(
        sa.select(Ballot.pool_id, Ballot.channel, sa.func.count())
        .join(CountedBallot, CountedBallot.ballot_id == Ballot.id)
        .where(Ballot.pool_id.in_(pool_ids), CountedBallot.voided.is_(False)).group_by(Ballot.pool_id, Ballot.channel))
    participations = _by_pool_and_channel(
        sa.select(Participation.pool_id, Participation.channel, sa.func.count())
        .where(Participation.pool_id.in_(pool_ids), Participation.invalidated_at.is_(None))
        .group_by(Participation.pool_id, Participation.channel))
    districts: dict[int, dict[str | None, dict[Channel, int]]] = defaultdict(lambda: defaultdict(dict))
    if with_districts:
        for pool_id, name, channel, n in db.session.execute(
                sa.select(Participation.pool_id, District.name, Participation.channel, sa.func.count())
                .select_from(Participation)
                .outerjoin(VoterRegisterEntry, VoterRegisterEntry.id == Participation.register_entry_id)
                .outerjoin(District, District.id == VoterRegisterEntry.district_id)
                .where(Participation.pool_id.in_(pool_ids), Participation.invalidated_at.is_(None))
                .group_by(Participation.pool_id, District.name, Participation.channel)):
            districts[pool_id][name][Channel(channel)] = n
    return [PoolCount(pool, ballots.get(pool.id, {}), participations.get(pool.id, {}),
                      sorted(districts[pool.id].items(), key=lambda item: (item[0] is None, item[0] or "")))
            for pool in process.pools]


def channels_in(counts: list[PoolCount]) -> list[Channel]:
    """The columns of a ballots-by-channel table: online and the desk's channels always, others when used."""
    shown = {Channel.ONLINE, *DESK_CHANNELS}
    return [c for c in Channel if c in shown or any(c in count.channels for count in counts)]


def official_results(process: Process) -> list[TallyResult]:
    """The stored results by the process's own rule, one per pool, once the vote is closed."""
    return list(db.session.scalars(
        sa.select(TallyResult).join(Pool).where(Pool.process_id == process.id, TallyResult.is_official)
        .order_by(Pool.id)))


def ballot_codes(pool: Pool) -> dict[str, int]:
    """The codes of the projects on a pool's ballot (upper case, as the paper form reads them) and their ids."""
    return {normalise_code(project.code): project.id for project in counting.ballot_projects(db.session, pool)}


# --- Turnout ---------------------------------------------------------------------------------------------

def _voters(process: Process) -> tuple[Counter, int]:
    """Residents who voted in at least one pool: by district, and in all.

    Imported elections have participations without a register entry: those of a district's pool count
    for that district (only its residents vote there); a resident cannot be followed from one pool to
    another, so for the total the largest pool is the best lower bound of how many of them took part.
    """
    pool_ids = [pool.id for pool in process.pools]
    valid = sa.and_(Participation.pool_id.in_(pool_ids), Participation.invalidated_at.is_(None))
    by_district: Counter = Counter({district_id: n for district_id, n in db.session.execute(
        sa.select(VoterRegisterEntry.district_id, sa.func.count(sa.distinct(Participation.register_entry_id)))
        .join(VoterRegisterEntry, VoterRegisterEntry.id == Participation.register_entry_id)
        .where(valid).group_by(VoterRegisterEntry.district_id))})
    registered = sum(by_district.values())
    unregistered = db.session.execute(
        sa.select(Pool.district_id, sa.func.count()).select_from(Participation).join(Pool)
        .where(valid, Participation.register_entry_id.is_(None)).group_by(Pool.id, Pool.district_id)).all()
    for district_id, n in unregistered:
        if district_id is not None:
            by_district[district_id] += n
    return by_district, registered + max((n for _district, n in unregistered), default=0)


def _groups(counts: Counter, eligible: Counter | None, order: list[str | None]) -> list[Group]:
    keys = [key for key in order if counts.get(key) or (eligible and eligible.get(key))]
    keys += sorted((key for key in counts if key not in keys), key=str)
    return [Group(key, counts.get(key, 0), eligible.get(key, 0) if eligible is not None else None) for key in keys]


def _pool_turnout(pool: Pool, eligible_rows: list[tuple[int | None, str | None, int]]) -> PoolTurnout:
    counted = Ballot.id.in_(counted_ballots(pool.id))

    def count_by(column: sa.ColumnElement) -> Counter:
        return Counter({key: n for key, n in db.session.execute(
            sa.select(column, sa.func.count()).where(counted).group_by(column))})

    channels = count_by(Ballot.channel)
    bands, sexes = count_by(Ballot.age_band), count_by(Ballot.sex)
    eligible_bands: Counter = Counter()
    for district_id, band, n in eligible_rows:
        if pool.district_id is None or pool.district_id == district_id:
            eligible_bands[band] += n
    return PoolTurnout(
        pool=pool, ballots=sum(channels.values()), eligible=sum(eligible_bands.values()),
        channels=[Group(channel.value, channels[channel]) for channel in Channel if channels.get(channel)],
        age_bands=_groups(bands, eligible_bands or None, [label for label, _low, _high in AGE_BANDS] + [None]),
        sexes=_groups(sexes, None, ["F", "M", "X", None]),
    )


def turnout(process: Process) -> Turnout:
    """The turnout of a process overall, per district (against the register and the population) and per pool."""
    eligible_rows = _eligible_rows(process)
    eligible_by_district: Counter = Counter()
    for district_id, _band, n in eligible_rows:
        eligible_by_district[district_id] += n
    voters, total = _voters(process)
    # Districts without a resident in the register or a voter have nothing to show.
    districts = [Group(d.name, voters[d.id], eligible_by_district[d.id], d.population)
                 for d in process.municipality.districts if voters[d.id] or eligible_by_district[d.id]]
    if voters[None] or eligible_by_district[None]:
        districts.append(Group(None, voters[None], eligible_by_district[None]))
    return Turnout(eligible=sum(eligible_by_district.values()), voters=total, districts=districts,
                   pools=[_pool_turnout(pool, eligible_rows) for pool in process.pools])


# --- What the public may see ------------------------------------------------------------------------------

def suppress(groups: list[Group], minimum: int = PUBLIC_MINIMUM) -> list[Group]:
    """The groups with the small ones hidden, for the public page.

    A group under ``minimum`` ballots is marked suppressed. When that hides exactly one group, the
    next smallest is hidden as well: otherwise the total minus the others would give it away.
    """
    hidden = {index for index, group in enumerate(groups) if group.ballots < minimum}
    if len(hidden) == 1 and len(groups) > 1:
        shown = [index for index in range(len(groups)) if index not in hidden]
        hidden.add(min(shown, key=lambda index: groups[index].ballots))
    return [replace(group, suppressed=True) if index in hidden else group for index, group in enumerate(groups)]


def public_turnout(process: Process) -> Turnout:
    """The turnout as the public sees it after the close: every group under the minimum suppressed."""
    found = turnout(process)
    pools = [replace(pool, channels=suppress(pool.channels), age_bands=suppress(pool.age_bands),
                     sexes=suppress(pool.sexes)) for pool in found.pools]
    return replace(found, districts=suppress(found.districts), pools=pools)
