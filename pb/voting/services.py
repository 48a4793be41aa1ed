"""Voting: the register, proving eligibility, casting and changing a ballot, paper ballots, closing the vote.

Exactly one participation per register entry and pool is guaranteed by the database: the participation
is inserted with ON CONFLICT DO NOTHING under its unique key, and the ballot is written in the same
transaction. The ballot row carries no person, no time and a random id; the owner tag that finds it
again is a keyed hash whose key lives in the configuration (see pb.voting.secrecy).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from pb.accounts.models import User
from pb.accounts.permissions import can_manage_processes, check_works_in
from pb.audit.services import record
from pb.core.db import utcnow
from pb.core.races import hold_race_window
from pb.errors import InvalidTransition, NotAllowed, ValidationError
from pb.extensions import db
from pb.mandate.models import Mandate, MandateStatus
from pb.mandate.queries import local_today, mandate_in_force, period_covers
from pb.mandate.services import require_mandate_in_force
from pb.processes.models import District, Phase, PhaseKind, Pool, Process
from pb.processes.services import Action, is_open, lock_process, require_phase
from pb.proposals.models import Project, ProjectStatus
from pb.tally.measures import age_band
from pb.tally.rules import NeedsApprovalBallots, UnknownRule
from pb.voting import ballot_rules, counting, queries, secrecy
from pb.voting.ballot_rules import BallotRules, Choice, Violation
from pb.voting.eligibility import is_old_enough, parse_register, pools_for
from pb.voting.labels import register_problem_message, violation_message
from pb.voting.merkle import merkle_root
from pb.voting.models import (
    Ballot,
    BallotChoice,
    Channel,
    CountedBallot,
    Participation,
    ReceiptRoot,
    TallyResult,
    Verification,
    VoterRegisterEntry,
    VotingCode,
)

SEXES = ("F", "M", "X")


class AlreadyVoted(NotAllowed):
    """The resident has voted in this pool through another channel; that ballot stands."""


class BallotInvalid(ValidationError):
    """The choices break the pool's ballot rules; ``violations`` says which, for the ballot page."""

    def __init__(self, violations: list[Violation], currency: str | None = None) -> None:
        super().__init__("choices", " ".join(violation_message(v, currency) for v in violations))
        self.violations = violations


class StaleBallot(InvalidTransition):
    """The ballot form is older than the resident's counted ballot (another tab, or Back after casting):
    nothing is changed, so that no ballot is replaced without the resident knowing."""


_STALE = _l("This ballot form is older than your current ballot: you cast or changed your ballot after it was "
            "opened (in another tab, or before going back). Nothing was changed: your current ballot still counts, "
            "with its tracking code. To change it, open the ballot again.")


@dataclass(frozen=True)
class Receipt:
    """What a resident keeps after voting: the tracking code. ``repeated`` when the same form came twice."""

    code: str
    changed: bool = False
    repeated: bool = False


@dataclass(frozen=True)
class RegisterImport:
    """What a register import did."""

    added: int
    updated: int
    unchanged: int


@dataclass(frozen=True)
class Letter:
    """One voting-code letter: whom it is for (as the clerk gave it), their district and the code."""

    reference: str
    district: str
    code: str


def _keys() -> tuple[bytes, bytes]:
    config = current_app.config
    return secrecy.register_key(config), secrecy.ballot_key(config)


def rules_of(pool: Pool) -> BallotRules:
    """The pool's ballot rules as plain data for the checker."""
    return BallotRules(
        kind=pool.ballot_kind.value, min_choices=pool.min_choices, max_choices=pool.max_choices, budget=pool.amount,
        min_spend_basis_points=pool.min_spend_basis_points, total_points=pool.total_points,
        max_points_per_project=pool.max_points_per_project)


# Statements of the ballot path are built once, at import: a ballot runs about ten of them, and building a
# statement (and its cache key) costs more Python than sending it. Values travel as bound parameters.
_BALLOT_COSTS = sa.select(Project.id, Project.cost).where(
    Project.pool_id == sa.bindparam("pool_id"), Project.status.in_(counting.BALLOT_STATUSES))
_ENTRY_OF_ACCOUNT = sa.select(VoterRegisterEntry).where(
    VoterRegisterEntry.process_id == sa.bindparam("process_id"),
    VoterRegisterEntry.user_id == sa.bindparam("user_id"))


def ballot_costs(pool: Pool) -> dict[int, int]:
    """Each project on the pool's ballot and its cost."""
    return dict(db.session.execute(_BALLOT_COSTS, {"pool_id": pool.id}).all())


def vote_year(process: Process) -> int:
    """The year of the vote, for the minimum age: the year of the voting phase's published start (the start first
    published, even if a clerk opened the vote early), or the fiscal year."""
    for phase in process.phases:
        if phase.kind is PhaseKind.VOTING:
            return phase.published_starts_at.year
    return process.fiscal_year


# --- The register -------------------------------------------------------------------------------------

#: How many problems of an imported file a message lists; it counts the rest.
MAX_LISTED = 50


def import_register(actor: User, process: Process, text: str) -> RegisterImport:
    """Add or update the register from a CSV file; a file with any bad row changes nothing."""
    if not can_manage_processes(actor):
        raise NotAllowed(_("Only a clerk can import the voter register."))
    check_works_in(actor, process.municipality_id)
    rows, problems = parse_register(text, utcnow().year)
    found = [register_problem_message(p) for p in problems]
    if not rows and not found:
        raise ValidationError("register", _("The file holds no residents."))
    districts = {d.code.upper(): d for d in process.municipality.districts}
    # Every problem of the file at once: its lines, its districts, and the voters it would move.
    found += [_("line %(line)d has the district “%(code)s”, which is not a district of %(municipality)s",
                line=row.line, code=row.district, municipality=process.municipality.name)
              for row in rows if row.district and row.district.upper() not in districts]
    register_key, _ballot = _keys()
    existing = {e.reference_hash: e for e in db.session.scalars(
        sa.select(VoterRegisterEntry).where(VoterRegisterEntry.process_id == process.id))}
    voted = set(db.session.scalars(sa.select(Participation.register_entry_id).join(Pool).where(
        Pool.process_id == process.id, Participation.register_entry_id.is_not(None))))
    changes_to_make = []
    for row in rows:
        digest = secrecy.reference_hash(register_key, process.id, row.reference)
        district = districts.get(row.district.upper()) if row.district else None
        district_id = district.id if district else None
        entry = existing.get(digest)
        if entry is not None and entry.id in voted and entry.district_id != district_id:
            found.append(_("line %(line)d moves a resident who has already voted to another district; correct "
                           "the file or invalidate that participation first", line=row.line))
        changes_to_make.append((row, digest, district_id, entry))
    if found:
        listed = "; ".join(found[:MAX_LISTED])
        more = len(found) - MAX_LISTED
        raise ValidationError("register", _("The file was not imported: %(problems)s", problems=listed)
                              + (" " + ngettext("and %(num)d more problem.", "and %(num)d more problems.", more)
                                 if more > 0 else ""))
    added = updated = unchanged = 0
    for row, digest, district_id, entry in changes_to_make:
        if entry is None:
            db.session.add(VoterRegisterEntry(process_id=process.id, reference_hash=digest,
                                              birth_year=row.birth_year, district_id=district_id))
            added += 1
        elif (entry.birth_year, entry.district_id) == (row.birth_year, district_id):
            unchanged += 1
        else:
            entry.birth_year, entry.district_id = row.birth_year, district_id
            updated += 1
    db.session.flush()
    record(db.session, actor, "register.import", "process", process.id,
           after={"added": added, "updated": updated, "unchanged": unchanged})
    return RegisterImport(added, updated, unchanged)


def register_entry_for(user: User, process: Process) -> VoterRegisterEntry | None:
    """The register entry this account is verified as, in this process."""
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(_ENTRY_OF_ACCOUNT, {"process_id": process.id, "user_id": user.id})


def find_register_entry(process: Process, reference: str) -> VoterRegisterEntry | None:
    """The register entry with this reference (as residents type it), if the register holds one."""
    register_key, _ballot = _keys()
    digest = secrecy.reference_hash(register_key, process.id, reference)
    return db.session.scalar(sa.select(VoterRegisterEntry).where(
        VoterRegisterEntry.process_id == process.id, VoterRegisterEntry.reference_hash == digest))


def _link(user: User, entry: VoterRegisterEntry, how: Verification, actor: User, note: str = "") -> None:
    if register_entry_for(user, entry_process(entry)) is not None:
        raise InvalidTransition(_("Your account is already verified for this process."))
    taken = NotAllowed(_("This register entry is already linked to another account. If that is not you, "
                         "contact the council: it will check and, if needed, correct it."))
    if entry.user_id is not None:
        raise taken
    # The link is taken only if nobody took it since the entry was read: two accounts racing for one
    # entry cannot both be told they are verified.
    try:
        with db.session.begin_nested():
            linked = db.session.execute(
                sa.update(VoterRegisterEntry).where(VoterRegisterEntry.id == entry.id,
                                                    VoterRegisterEntry.user_id.is_(None))
                .values(user_id=user.id, verification=how, verified_at=utcnow())
                .execution_options(synchronize_session=False)).rowcount
    except sa.exc.IntegrityError:  # the same account verified a second entry of this process at the same moment
        raise InvalidTransition(_("Your account is already verified for this process.")) from None
    if linked != 1:
        raise taken
    db.session.refresh(entry)
    record(db.session, actor, f"register.verify.{how.value}", "voter_register_entry", entry.id,
           after={"user_id": user.id, "process_id": entry.process_id, **({"note": note} if note else {})})


def entry_process(entry: VoterRegisterEntry) -> Process:
    """The process a register entry belongs to."""
    return db.session.get(Process, entry.process_id)


def verify_by_register(user: User, process: Process, reference: str, birth_year: int | None) -> VoterRegisterEntry:
    """Link the account to the register entry with this reference and birth year."""
    entry = find_register_entry(process, reference)
    # One message for a wrong reference and a wrong year, so the form cannot be used to probe the register.
    if entry is None or (entry.birth_year is not None and entry.birth_year != birth_year):
        raise ValidationError("reference", _("No resident in the register matches this reference and birth year. "
                                             "Check both, or ask the council for a voting code."))
    _link(user, entry, Verification.REGISTER_MATCH, user)
    return entry


def issue_codes(actor: User, process: Process, references: Sequence[str]) -> list[Letter]:
    """A new one-time code for each listed resident; their earlier unused codes stop working."""
    if not can_manage_processes(actor):
        raise NotAllowed(_("Only a clerk can issue voting codes."))
    check_works_in(actor, process.municipality_id)
    cleaned = [r.strip() for r in references if r.strip()]
    if not cleaned:
        raise ValidationError("references", _("List at least one register reference, one per line."))
    register_key, _ballot = _keys()
    letters, missing = [], []
    now = utcnow()
    for reference in cleaned:
        entry = find_register_entry(process, reference)
        if entry is None:
            missing.append(reference)
            continue
        db.session.execute(sa.update(VotingCode).where(
            VotingCode.register_entry_id == entry.id, VotingCode.used_at.is_(None),
            VotingCode.revoked_at.is_(None)).values(revoked_at=now))
        code = secrets_code()
        db.session.add(VotingCode(process_id=process.id, register_entry_id=entry.id,
                                  code_hash=secrecy.code_hash(register_key, code)))
        district = db.session.get(District, entry.district_id) if entry.district_id else None
        letters.append(Letter(reference, district.name if district else "", code))
    if missing:
        raise ValidationError("references", _("These references are not in the register: %(refs)s.",
                                              refs=", ".join(missing[:10])))
    db.session.flush()
    record(db.session, actor, "register.codes_issued", "process", process.id, after={"count": len(letters)})
    return letters


def secrets_code() -> str:
    """A new voting code (a seam for tests)."""
    return secrecy.new_code()


def redeem_code(user: User, process: Process, code: str) -> VoterRegisterEntry:
    """Link the account to the register entry a one-time voting code was issued for."""
    register_key, _ballot = _keys()
    found = db.session.scalar(sa.select(VotingCode).where(
        VotingCode.process_id == process.id, VotingCode.code_hash == secrecy.code_hash(register_key, code))
        .with_for_update())
    if found is None or found.revoked_at is not None:
        raise ValidationError("code", _("This voting code is not valid. Check it letter by letter; "
                                        "if it still fails, ask the council for a new one."))
    if found.used_at is not None:
        raise ValidationError("code", _("This voting code has already been used."))
    entry = db.session.get(VoterRegisterEntry, found.register_entry_id)
    _link(user, entry, Verification.CODE, user)
    found.used_at = utcnow()
    db.session.flush()
    return entry


def verify_assisted(actor: User, user: User, process: Process, reference: str, note: str) -> VoterRegisterEntry:
    """Staff verify a resident in person (identity document seen); the audit log keeps who and why."""
    if not can_manage_processes(actor):
        raise NotAllowed(_("Only a clerk can verify residents in person."))
    check_works_in(actor, process.municipality_id)
    if len(note.strip()) < 5:
        raise ValidationError("note", _("Say how you checked the resident's identity (e.g. the document seen)."))
    entry = find_register_entry(process, reference)
    if entry is None:
        raise ValidationError("reference", _("No resident in the register has this reference."))
    _link(user, entry, Verification.ASSISTED, actor, note.strip())
    return entry


def unlink_register_entry(actor: User, process: Process, reference: str, reason: str) -> VoterRegisterEntry:
    """Staff undo a wrong link between an account and a register entry (a parent's account linked to a child's
    entry, say): the entry is free again and the account unverified; the audit log keeps who, which and why.
    Refused once the link was used to vote: invalidate that participation first."""
    if not can_manage_processes(actor):
        raise NotAllowed(_("Only a clerk can undo a register link."))
    if len(reason.strip()) < 10:
        raise ValidationError("reason", _("Say in a sentence why the link is wrong: it is kept in the audit log."))
    entry = find_register_entry(process, reference)
    if entry is None:
        raise ValidationError("reference", _("No resident in the register has this reference."))
    if entry.user_id is None:
        raise ValidationError("reference", _("No account is linked to this register entry."))
    voted = db.session.scalar(sa.select(sa.func.count()).select_from(Participation).where(
        Participation.register_entry_id == entry.id, Participation.invalidated_at.is_(None)))
    if voted:
        raise InvalidTransition(_("A ballot was cast with this link: invalidate that participation first, saying "
                                  "why, then undo the link."))
    before = {"user_id": entry.user_id, "verification": entry.verification.value if entry.verification else None,
              "verified_at": entry.verified_at.isoformat() if entry.verified_at else None}
    entry.user_id, entry.verification, entry.verified_at = None, None, None
    db.session.flush()
    record(db.session, actor, "register.unlink", "voter_register_entry", entry.id, before=before,
           after={"user_id": None, "process_id": process.id, "reason": reason.strip()})
    return entry


# --- Eligibility -----------------------------------------------------------------------------------------

def eligible_pools(entry: VoterRegisterEntry | None, process: Process) -> list[Pool]:
    """The pools this register entry may vote in (none if unverified or too young)."""
    if entry is None or not is_old_enough(entry.birth_year, process.min_voter_age, vote_year(process)):
        return []
    return pools_for(process.pools, entry.district_id)


class NotVerified(NotAllowed):
    """The account is not linked to a register entry of the process."""


def _require_eligible(entry: VoterRegisterEntry | None, pool: Pool, year: int | None = None) -> VoterRegisterEntry:
    process = pool.process
    if entry is None:
        raise NotVerified(_("Verify that you are in the register before you vote."))
    if not is_old_enough(entry.birth_year, process.min_voter_age, year or vote_year(process)):
        raise NotAllowed(_("Residents vote from the age of %(age)d in this process.", age=process.min_voter_age))
    if pool.district_id is not None and pool.district_id != entry.district_id:
        raise NotAllowed(_("This pool is for residents of another district."))
    return entry


# --- Casting ---------------------------------------------------------------------------------------------

# In one round trip: whether the vote is closed, the voting dates, whether the pool's vote was annulled and
# the mandate in force.
_CASTING_STATE = (
    sa.select(Process.vote_closed_at, Phase.starts_at, Phase.ends_at,
              sa.func.coalesce(Phase.scheduled_starts_at, Phase.starts_at).label("published_starts_at"),
              sa.select(Pool.annulment_reason)
              .where(Pool.id == sa.bindparam("pool_id"), Pool.annulled_at.is_not(None))
              .scalar_subquery().label("annulled"),
              Mandate.id.label("mandate_id"), Mandate.effective_from, Mandate.effective_until)
    .outerjoin(Phase, sa.and_(Phase.process_id == Process.id, Phase.kind == PhaseKind.VOTING))
    .outerjoin(Mandate, sa.and_(Mandate.process_id == Process.id, Mandate.status == MandateStatus.IN_FORCE))
    .where(Process.id == sa.bindparam("process_id")))


def _lock_for_casting(process: Process, pool: Pool, now: dt.datetime) -> int:
    """Take a shared lock on the process, check from fresh rows that voting is open in the pool; the year of
    the vote.

    Closing the vote takes the same row exclusively, so a ballot either commits before the count
    reads the ballots or sees the vote closed; many ballots share the lock without waiting on each other.
    """
    # The lock in a statement of its own: a change that held the row exclusively (an annulment, an extension)
    # has committed by the time it returns, and on PostgreSQL only a statement begun after that sees it; a
    # statement that waited for the lock itself would still see the other rows as they were when it began.
    lock_process(process, shared=True)
    row = db.session.execute(_CASTING_STATE, {"process_id": process.id, "pool_id": pool.id}).one()
    if row.vote_closed_at is not None:
        raise InvalidTransition(_("Voting has closed; the ballots have been counted."))
    if row.annulled is not None:
        raise InvalidTransition(_("The council annulled the vote in “%(pool)s”: %(reason)s", pool=pool.name,
                                  reason=row.annulled))
    voting = row if row.starts_at is not None else None
    if voting is None or not voting.starts_at <= now < voting.ends_at:
        db.session.expire(process, ["phases"])
        require_phase(process, Action.VOTE, now)  # raises, saying when voting opens or that it ended
    if row.mandate_id is None or not period_covers(row.effective_from, row.effective_until, local_today(process, now)):
        require_mandate_in_force(process, now)  # raises, saying what is missing
    # The published start, as vote_year: opening the vote early changes no one's eligibility.
    return voting.published_starts_at.year


_INSERT_PARTICIPATION = {
    dialect: insert(Participation).on_conflict_do_nothing().returning(Participation.id)
    for dialect, insert in (("postgresql", pg_insert), ("sqlite", sqlite_insert))}
_INSERT_BALLOT = sa.insert(Ballot)
_INSERT_CHOICES = sa.insert(BallotChoice)
_INSERT_COUNTED_BALLOT = sa.insert(CountedBallot)


def _insert_participation(values: dict) -> bool:
    """Insert the participation unless one exists for the pool and resident; whether this call inserted it."""
    connection = db.session.connection()
    statement = _INSERT_PARTICIPATION[connection.dialect.name]
    return connection.execute(statement, values).scalar() is not None


def _check_choices(pool: Pool, choices: Sequence[Choice]) -> None:
    violations = ballot_rules.check(rules_of(pool), choices, ballot_costs(pool))
    if violations:
        raise BallotInvalid(violations, pool.process.currency)


def _write_choices(ballot_id: str, choices: Sequence[Choice]) -> None:
    # Plain Core statements on the session's connection: the ORM's bulk layer adds nothing to a write-once insert.
    db.session.connection().execute(_INSERT_CHOICES, [
        {"ballot_id": ballot_id, "project_id": c.project_id, "position": position, "points": c.points}
        for position, c in enumerate(choices)])


def _cast(pool: Pool, entry: VoterRegisterEntry, channel: Channel, choices: Sequence[Choice], form_token: str,
          user_id: int | None, sex: str | None, now: dt.datetime, based_on: str | None = None) -> Receipt:
    """Cast or change a ballot. ``based_on`` is the version of the counted ballot the form was opened on ("" for
    none); a form opened on another version is refused as stale. None (the clerk's desk) checks nothing."""
    process = pool.process
    year = _lock_for_casting(process, pool, now)
    _require_eligible(entry, pool, year)
    _check_choices(pool, choices)
    _register, ballot_key = _keys()
    tag = secrecy.owner_tag(ballot_key, pool.id, f"entry:{entry.id}")
    code = secrecy.receipt_code(ballot_key, tag, form_token)
    digest = secrecy.receipt_hash(code)
    hold_race_window()
    inserted = _insert_participation({"pool_id": pool.id, "register_entry_id": entry.id, "user_id": user_id,
                                      "channel": channel, "created_at": now})
    if inserted:
        demographics = {}
        if process.collect_demographics:
            district = db.session.get(District, entry.district_id) if entry.district_id else None
            age = str(year - entry.birth_year) if entry.birth_year else None
            demographics = {"age_band": age_band(age), "sex": sex if sex in SEXES else None,
                            "district_code": district.code if district else None}
        ballot_id = _write_ballot(pool, channel, digest, demographics, choices)
        db.session.connection().execute(_INSERT_COUNTED_BALLOT,
                                        {"owner_tag": tag, "pool_id": pool.id, "ballot_id": ballot_id})
        return Receipt(code)
    existing = db.session.scalar(sa.select(Participation).where(
        Participation.pool_id == pool.id, Participation.register_entry_id == entry.id))
    if existing is None or existing.invalidated_at is not None:
        raise NotAllowed(_("Your participation in this pool was invalidated by the council; contact it."))
    # The row lock orders changes of one resident's ballot: a second change waits, then sees the first.
    counted = db.session.scalar(sa.select(CountedBallot).where(CountedBallot.owner_tag == tag).with_for_update())
    current = db.session.get(Ballot, counted.ballot_id) if counted is not None else None
    if current is not None and existing.channel is channel and current.receipt_hash == digest:
        if based_on is None or [(c.project_id, c.points) for c in current.choices] == [
                (c.project_id, c.points) for c in choices]:
            return Receipt(code, repeated=True)  # the same form sent twice: a lost response or a double click
        raise StaleBallot(str(_STALE))  # the form that cast the ballot, changed after going back
    if existing.channel is not Channel.ONLINE or channel is not Channel.ONLINE:
        raise AlreadyVoted(_already_voted_message(existing.channel, channel))
    if current is None:
        raise InvalidTransition(_("Your earlier ballot cannot be found. The ballot key may have changed; "
                                  "contact the council."))
    if db.session.scalar(sa.select(sa.func.count()).select_from(Ballot).where(Ballot.receipt_hash == digest)):
        raise StaleBallot(str(_STALE))  # a form that cast an earlier ballot
    if based_on is not None and based_on != secrecy.ballot_version(ballot_key, tag, current.id):
        raise StaleBallot(str(_STALE))  # opened before the ballot that counts now was cast
    demographics = {"age_band": current.age_band, "district_code": current.district_code,
                    "sex": (sex if sex in SEXES else None) if process.collect_demographics and sex is not None
                    else current.sex}
    counted.ballot_id = _write_ballot(pool, channel, digest, demographics, choices)
    db.session.flush()
    return Receipt(code, changed=True)


def _write_ballot(pool: Pool, channel: Channel, digest: str, demographics: dict, choices: Sequence[Choice]) -> str:
    """Insert a ballot and its choices (written once, never changed); its random id."""
    ballot_id = secrets.token_hex(16)
    db.session.connection().execute(_INSERT_BALLOT, {
        "id": ballot_id, "pool_id": pool.id, "receipt_hash": digest, "channel": channel, **demographics})
    _write_choices(ballot_id, choices)
    return ballot_id


def _already_voted_message(existing: Channel, attempted: Channel) -> str:
    if existing is Channel.ONLINE:
        return _("This resident has already voted online in this pool; a paper ballot cannot be added.")
    if attempted is Channel.ONLINE:
        return _("You have already voted on paper in this pool. Your paper ballot counts; "
                 "you cannot vote online as well.")
    return _("A paper ballot of this resident has already been entered for this pool.")


def cast_ballot(user: User, pool: Pool, choices: Sequence[Choice], form_token: str, *, based_on: str = "",
                sex: str | None = None, now: dt.datetime | None = None) -> Receipt:
    """Cast or change the resident's online ballot in a pool; the last one counts.

    ``form_token`` comes from the ballot form: sending the same form again (a lost response) returns
    the same receipt instead of an error or a second ballot. ``based_on`` is ``ballot_version`` when the
    form was opened: a change must name the ballot it replaces, else it is refused as ``StaleBallot``.
    """
    if not form_token or len(form_token) > 64:
        raise ValidationError("form_token", _("The ballot form has expired; open it again."))
    entry = register_entry_for(user, pool.process)
    if entry is None:
        raise NotVerified(_("Verify that you are in the register before you vote."))
    return _cast(pool, entry, Channel.ONLINE, choices, form_token, user.id, sex, now or utcnow(), based_on or "")


def enter_paper_ballot(actor: User, pool: Pool, reference: str, choices: Sequence[Choice], form_token: str, *,
                       channel: Channel = Channel.PAPER, sex: str | None = None,
                       now: dt.datetime | None = None) -> Receipt:
    """A clerk enters a paper (or in-person) ballot for the resident with this register reference."""
    if not can_manage_processes(actor):
        raise NotAllowed(_("Only a clerk can enter paper ballots."))
    check_works_in(actor, pool.process.municipality_id)
    entry = find_register_entry(pool.process, reference)
    if entry is None:
        raise ValidationError("reference", _("No resident in the register has this reference."))
    receipt = _cast(pool, entry, channel, choices, form_token, None, sex, now or utcnow())
    if not receipt.repeated:
        # Who entered a paper ballot for whom, never what it chose.
        record(db.session, actor, "ballot.paper_entered", "pool", pool.id,
               after={"register_entry_id": entry.id, "channel": channel.value})
    return receipt


def ballot_version(user: User, pool: Pool) -> str:
    """The version of the resident's counted online ballot in the pool ("" for none), for the ballot form."""
    entry = register_entry_for(user, pool.process)
    if entry is None:
        return ""
    _register, ballot_key = _keys()
    tag = secrecy.owner_tag(ballot_key, pool.id, f"entry:{entry.id}")
    ballot_id = db.session.scalar(sa.select(CountedBallot.ballot_id).where(CountedBallot.owner_tag == tag))
    return secrecy.ballot_version(ballot_key, tag, ballot_id)


def has_voted(entry: VoterRegisterEntry | None, pool: Pool) -> Channel | None:
    """The channel through which this resident voted in the pool, if they did."""
    if entry is None:
        return None
    return db.session.scalar(sa.select(Participation.channel).where(
        Participation.pool_id == pool.id, Participation.register_entry_id == entry.id))


# --- Closing ---------------------------------------------------------------------------------------------

def require_closable(actor: User, process: Process, reason: str, now: dt.datetime) -> tuple[Phase, bool]:
    """Raise what would refuse closing the vote now; else the voting phase and whether the close is early.

    Closing before the scheduled end needs a reason for the audit log.
    """
    if not can_manage_processes(actor):
        raise NotAllowed(_("Only a clerk can close the vote."))
    check_works_in(actor, process.municipality_id)
    if process.vote_closed_at is not None:
        raise InvalidTransition(_("The vote was already closed and counted."))
    voting = next((p for p in process.phases if p.kind is PhaseKind.VOTING), None)
    if voting is None:
        raise InvalidTransition(_("This process has no voting phase."))
    if voting.starts_at > now:
        raise InvalidTransition(_("Voting has not started yet."))
    early = voting.ends_at > now
    if early and len(reason.strip()) < 10:
        raise ValidationError("reason", _("Voting is scheduled to run until later: give the reason for closing "
                                          "it early in a sentence; it is kept in the audit log."))
    return voting, early


def close_vote(actor: User, process: Process, reason: str = "", now: dt.datetime | None = None) -> list[TallyResult]:
    """Close voting and count every pool by the process's rule (and the others, for comparison), at once.

    Counting happens in the same transaction, so the vote is never closed without results, nor counted while
    ballots still arrive. What refuses a close is ``require_closable``, checked again under the lock.
    """
    if not can_manage_processes(actor):
        raise NotAllowed(_("Only a clerk can close the vote."))
    check_works_in(actor, process.municipality_id)
    now = now or utcnow()
    lock_process(process)
    db.session.refresh(process)
    voting, early = require_closable(actor, process, reason, now)
    if early:
        voting.ends_at = now
        for phase in process.phases:
            if phase.kind is PhaseKind.RESULTS and phase.starts_at > now:
                phase.starts_at = now
    process.vote_closed_at = now
    db.session.flush()
    rebuild_ballots(process)
    results = count_process(process)
    # The closing root is written last: it seals the vote (the database's triggers refuse any later write to
    # its ballots, participations, results and roots, pb/migrations/versions/0030_sealed_vote.py).
    closing_root = record_receipt_root(process, "close")
    record(db.session, actor, "vote.close", "process", process.id, after={
        "early": early, "reason": reason.strip(), "receipt_root": closing_root.root,
        "receipts": closing_root.ballots,
        "pools": {str(r.pool_id): {"ballots": r.ballots_counted, "input_hash": r.input_hash, "rule": r.rule,
                                   "result": counting.result_digest(r)}
                  for r in results if r.is_official}})
    return results


def rebuild_ballots(process: Process) -> int:
    """Rewrite a closed vote's ballots, choices and counted ballots in new rows, in the order of their random keys;
    how many ballots (PostgreSQL; SQLite has no system column and keeps these tables in key order already).

    Each resident's first ballot was written in the transaction that wrote their participation, so on PostgreSQL
    the rows shared a transaction id (``xmin``) and a place in the table's physical order; a paper ballot shared
    them with its audit event too. After the rewrite every ballot row carries the close's transaction id and
    sits in key order. The rewrite runs as the tables' owner (a SECURITY DEFINER function of the migration), as
    the app's role may not delete ballots.
    """
    if db.session.get_bind().dialect.name != "postgresql":
        return 0
    rewritten = db.session.execute(sa.text("SELECT pb_rebuild_ballots(:process_id)"),
                                   {"process_id": process.id}).scalar_one()
    # The session's copies of the old rows are gone from the table: read the new ones when needed.
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, Ballot | BallotChoice | CountedBallot):
            db.session.expire(obj)
    return rewritten


def count_process(process: Process, *, mark_projects: bool = True) -> list[TallyResult]:
    """Count every pool and store the results; mark the projects funded or not by the official rule.

    An imported election keeps the city's own record of what was funded (``mark_projects=False``).
    """
    db.session.execute(sa.delete(TallyResult).where(TallyResult.pool_id.in_([p.id for p in process.pools])))
    stored: list[TallyResult] = []
    for pool in process.pools:
        if pool.annulled_at is not None:
            continue  # annulled: no result, and none of its projects is marked funded or not
        election = counting.election_for_pool(db.session, pool)
        try:
            counts = counting.count_pool(election, process.tally_rule, process.tie_break)
        except (UnknownRule, NeedsApprovalBallots, ValueError) as error:
            raise InvalidTransition(_("The pool “%(pool)s” cannot be counted by the rule of this process: %(error)s",
                                      pool=pool.name, error=str(error))) from error
        stored += counting.store_results(db.session, process, pool, election, counts)
    official = {r.pool_id: r for r in stored if r.is_official} if mark_projects else {}
    for result in official.values():
        funded = {rp.project_id for rp in result.projects if rp.selected}
        for rp in result.projects:
            project = db.session.get(Project, rp.project_id)
            if project.status in counting.BALLOT_STATUSES:
                project.status = ProjectStatus.SELECTED if rp.project_id in funded else ProjectStatus.NOT_SELECTED
    db.session.flush()
    return stored


# --- Whether residents can vote now ------------------------------------------------------------------
# (The rule that a vote's pools and ballot rules are fixed once it has started is kept by the models:
# pb.processes.models, checked at every flush.)

def voting_is_open(process: Process, now: dt.datetime | None = None) -> bool:
    """Whether residents can vote now: the voting phase runs, the vote is not closed, a mandate is in force."""
    now = now or utcnow()
    return (is_open(process, Action.VOTE, now) and process.vote_closed_at is None
            and mandate_in_force(process, now) is not None)


# --- Fraud ------------------------------------------------------------------------------------------------

def invalidate_participation(actor: User, participation: Participation, reason: str) -> None:
    """Void a participation found fraudulent, and its ballot, without anyone seeing what the ballot chose.

    The ballot is found through its keyed owner tag and only marked void; the audit log keeps the
    participation, who did it and why, never the ballot's id or contents. The resident may not vote again
    in the pool (the participation stays, invalidated), so a fraudster cannot simply re-vote.
    """
    if not can_manage_processes(actor):
        raise NotAllowed(_("Only a clerk can invalidate a participation."))
    check_works_in(actor, db.session.get(Pool, participation.pool_id).process.municipality_id)
    if len(reason.strip()) < 10:
        raise ValidationError("reason", _("Give the reason in a sentence: it is kept in the audit log."))
    if participation.invalidated_at is not None:
        raise InvalidTransition(_("This participation was already invalidated."))
    if participation.register_entry_id is None:
        raise InvalidTransition(_("This participation was imported and has no register entry: it cannot be "
                                  "traced to its ballot."))
    pool = db.session.get(Pool, participation.pool_id)
    if pool.process.vote_closed_at is not None:
        raise InvalidTransition(_("The vote is counted: invalidating a participation now would change the "
                                  "published result. Record it in the council's decision instead."))
    _register, ballot_key = _keys()
    tag = secrecy.owner_tag(ballot_key, pool.id, f"entry:{participation.register_entry_id}")
    voided = db.session.execute(sa.update(CountedBallot).where(
        CountedBallot.owner_tag == tag, CountedBallot.voided.is_(False)).values(voided=True)).rowcount
    participation.invalidated_at = utcnow()
    participation.invalidation_reason = reason.strip()
    db.session.flush()
    record(db.session, actor, "participation.invalidate", "participation", participation.id,
           after={"pool_id": pool.id, "reason": reason.strip(), "ballot_voided": bool(voided)})


def annul_pool(actor: User, pool: Pool, reason: str, now: dt.datetime | None = None) -> int:
    """Annul the vote of a whole pool (a district where fraud was found, say): every participation in it is
    invalidated and every ballot voided unseen, no further ballot is taken, and the close counts nothing for
    it. Residents see the reason beside the pool. How many participations were invalidated.
    """
    if not can_manage_processes(actor):
        raise NotAllowed(_("Only a clerk can annul the vote of a pool."))
    check_works_in(actor, pool.process.municipality_id)
    if len(reason.strip()) < 10:
        raise ValidationError("reason", _("Give the reason in a sentence: residents see it beside the pool."))
    now = now or utcnow()
    process = pool.process
    # Every ballot of the pool either committed before (and is voided here) or sees the annulment and is refused.
    lock_process(process)
    db.session.refresh(process)
    db.session.refresh(pool)
    if process.vote_closed_at is not None:
        raise InvalidTransition(_("The vote is counted: annulling a pool now would change the published result. "
                                  "Record it in the council's decision instead."))
    if not process.voting_has_started(now):
        raise InvalidTransition(_("Voting has not started: change the pools of the process instead."))
    if pool.annulled_at is not None:
        raise InvalidTransition(_("The vote in this pool was already annulled."))
    voided = db.session.execute(sa.update(CountedBallot).where(
        CountedBallot.pool_id == pool.id, CountedBallot.voided.is_(False)).values(voided=True)).rowcount
    invalidated = db.session.execute(sa.update(Participation).where(
        Participation.pool_id == pool.id, Participation.invalidated_at.is_(None)).values(
        invalidated_at=now, invalidation_reason=reason.strip())).rowcount
    pool.annulled_at = now
    pool.annulment_reason = reason.strip()
    db.session.flush()
    record(db.session, actor, "pool.annul", "pool", pool.id, after={
        "reason": reason.strip(), "participations_invalidated": invalidated, "ballots_voided": voided})
    return invalidated


def invalidate_resident(actor: User, process: Process, reference: str, reason: str) -> int:
    """Invalidate every participation of the resident with this register reference; how many there were."""
    if not can_manage_processes(actor):
        raise NotAllowed(_("Only a clerk can invalidate a participation."))
    check_works_in(actor, process.municipality_id)
    entry = find_register_entry(process, reference)
    if entry is None:
        raise ValidationError("reference", _("No resident in the register has this reference."))
    found = db.session.scalars(sa.select(Participation).where(
        Participation.register_entry_id == entry.id, Participation.invalidated_at.is_(None))).all()
    if not found:
        raise ValidationError("reference", _("This resident has no valid participation to invalidate."))
    for participation in found:
        invalidate_participation(actor, participation, reason)
    return len(found)


# --- Tamper evidence -------------------------------------------------------------------------------------

def record_receipt_root(process: Process, occasion: str) -> ReceiptRoot:
    """Append the Merkle root of the process's counted receipts now (at the close, and hourly during the vote)."""
    hashes = queries.receipt_hashes(process)
    root = ReceiptRoot(process_id=process.id, ballots=len(hashes), root=merkle_root(hashes), occasion=occasion)
    db.session.add(root)
    db.session.flush()
    return root


def record_hourly_roots(now: dt.datetime | None = None) -> list[ReceiptRoot]:
    """A root for every process whose vote is running (run it hourly: ``flask --app pb vote roots``)."""
    now = now or utcnow()
    running = db.session.scalars(sa.select(Process).join(Phase).where(
        Phase.kind == PhaseKind.VOTING, Phase.starts_at <= now, Phase.ends_at > now,
        Process.vote_closed_at.is_(None))).all()
    return [record_receipt_root(process, "hourly") for process in running]
