"""The closed vote, sealed in the database: triggers refuse writes to a vote that has its closing root, and on
PostgreSQL a function (run by the close) rewrites the ballot tables so that no system column links a ballot to a
participation.

A process's vote is sealed once a ``receipt_root`` row with occasion ``close`` exists for it: the close writes
that row last, after the count. From then on the triggers refuse every INSERT, UPDATE and DELETE of the vote's
participations, ballots, choices, counted ballots, tally results and receipt roots, of its pools (their
process, budget, ballot kind or annulment) and of the process's close (its deletion, or a change of
``vote_closed_at``). Triggers, not grants: they hold for every role, the app's own included; only the owner of
the tables (or a superuser) can drop or disable them.

Revision ID: 0030
Revises: 0016
Create Date: 2026-12-07 15:30:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0030'
down_revision = '0016'
branch_labels = None
depends_on = None

# The process a row belongs to, as SQL over the row ``{row}`` (NEW or OLD).
_POOL = "(SELECT process_id FROM pool WHERE id = {row}.pool_id)"
GUARDED = {
    "participation": _POOL,
    "ballot": _POOL,
    "counted_ballot": _POOL,
    "tally_result": _POOL,
    "ballot_choice": "(SELECT p.process_id FROM ballot b JOIN pool p ON p.id = b.pool_id WHERE b.id = {row}.ballot_id)",
    "tally_result_project": ("(SELECT p.process_id FROM tally_result t JOIN pool p ON p.id = t.pool_id "
                             "WHERE t.id = {row}.result_id)"),
    "receipt_root": "{row}.process_id",
    "pool": "{row}.process_id",
    "process": "{row}.id",
}
# Which writes each table refuses once sealed; the other columns of pools and processes stay editable.
EVENTS = {table: ("INSERT", "UPDATE", "DELETE") for table in GUARDED}
EVENTS["pool"] = ("INSERT", "UPDATE OF process_id, amount, ballot_kind, annulled_at", "DELETE")
EVENTS["process"] = ("UPDATE OF id, vote_closed_at", "DELETE")
SEALED = "EXISTS (SELECT 1 FROM receipt_root s WHERE s.process_id = {process} AND s.occasion = 'close')"
MESSAGE = "the vote is closed and sealed: {event} on {table} is refused"

REBUILD = """
CREATE FUNCTION pb_rebuild_ballots(p_process integer) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
-- Rewrite a closed vote's ballots, choices and counted ballots in one new transaction's rows, in the order of
-- their random keys: the rows written by each resident's ballot transaction (which shared their xmin with the
-- participation, and with a paper ballot's audit event) are gone from the live tables.
DECLARE
  ballots ballot[];
  choices ballot_choice[];
  counted counted_ballot[];
BEGIN
  IF NOT EXISTS (SELECT 1 FROM process WHERE id = p_process AND vote_closed_at IS NOT NULL) THEN
    RAISE EXCEPTION 'the vote of process % is not closed: its ballots are not rebuilt', p_process;
  END IF;
  SELECT array_agg(b ORDER BY b.id) INTO ballots
    FROM ballot b JOIN pool p ON p.id = b.pool_id WHERE p.process_id = p_process;
  SELECT array_agg(c ORDER BY c.ballot_id, c.project_id) INTO choices
    FROM ballot_choice c JOIN ballot b ON b.id = c.ballot_id JOIN pool p ON p.id = b.pool_id
   WHERE p.process_id = p_process;
  SELECT array_agg(c ORDER BY c.owner_tag) INTO counted
    FROM counted_ballot c JOIN pool p ON p.id = c.pool_id WHERE p.process_id = p_process;
  DELETE FROM counted_ballot c USING pool p WHERE p.id = c.pool_id AND p.process_id = p_process;
  DELETE FROM ballot_choice c USING ballot b, pool p
   WHERE b.id = c.ballot_id AND p.id = b.pool_id AND p.process_id = p_process;
  DELETE FROM ballot b USING pool p WHERE p.id = b.pool_id AND p.process_id = p_process;
  INSERT INTO ballot SELECT * FROM unnest(ballots);
  INSERT INTO ballot_choice SELECT * FROM unnest(choices);
  INSERT INTO counted_ballot SELECT * FROM unnest(counted);
  RETURN coalesce(cardinality(ballots), 0);
END $$;
REVOKE ALL ON FUNCTION pb_rebuild_ballots(integer) FROM PUBLIC;
"""


def _postgresql() -> None:
    op.execute(REBUILD)
    for table, process in GUARDED.items():
        old, new = process.format(row="OLD"), process.format(row="NEW")
        op.execute(f"""
CREATE FUNCTION pb_seal_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    IF {SEALED.format(process=old)} THEN
      RAISE EXCEPTION '{MESSAGE.format(event="%", table=table)}', TG_OP USING ERRCODE = 'insufficient_privilege';
    END IF;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    IF {SEALED.format(process=new)} THEN
      RAISE EXCEPTION '{MESSAGE.format(event="%", table=table)}', TG_OP USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
  END IF;
  RETURN OLD;
END $$;
CREATE TRIGGER pb_seal_{table} BEFORE {" OR ".join(EVENTS[table])} ON {table}
  FOR EACH ROW EXECUTE FUNCTION pb_seal_{table}();
""")


def _sqlite() -> None:
    for table, process in GUARDED.items():
        for event in EVENTS[table]:
            rows = {"INSERT": ("NEW",), "DELETE": ("OLD",)}.get(event.split()[0], ("OLD", "NEW"))
            when = " OR ".join(SEALED.format(process=process.format(row=row)) for row in rows)
            name = f"pb_seal_{table}_{event.split()[0].lower()}"
            message = MESSAGE.format(event=event.split()[0], table=table)
            op.execute(f"CREATE TRIGGER {name} BEFORE {event} ON {table} WHEN {when} "
                       f"BEGIN SELECT RAISE(ABORT, '{message}'); END")


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        _postgresql()
    else:
        _sqlite()


def downgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table in GUARDED:
        if postgresql:
            op.execute(f"DROP TRIGGER pb_seal_{table} ON {table}")
            op.execute(f"DROP FUNCTION pb_seal_{table}()")
        else:
            for event in EVENTS[table]:
                op.execute(f"DROP TRIGGER pb_seal_{table}_{event.split()[0].lower()}")
    if postgresql:
        op.execute("DROP FUNCTION pb_rebuild_ballots(integer)")
