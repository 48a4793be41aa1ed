"""The audit log: events chain by hash, the database refuses edits, and tampering is caught."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from pb.audit.models import AuditEvent
from pb.audit.services import chain_key, record, verify_chain
from pb.core.db import writing


def _write_events(db, actor, n=3):
    for i in range(n):
        record(db.session, actor, "process.update", "process", i, before={"name": f"old {i}"},
               after={"name": f"new {i}"})
    db.session.commit()


def test_events_chain_and_verify(app, db, make_user):
    admin = make_user(role="admin")
    _write_events(db, admin)
    events = db.session.execute(sa.select(AuditEvent).order_by(AuditEvent.id)).scalars().all()
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    assert events[0].actor_label == admin.email and events[0].before == {"name": "old 0"}
    report = verify_chain(db.session, chain_key(app.config))
    assert report.ok and report.events == 3
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "intact: 3 events" in result.output


def test_the_database_refuses_to_change_or_delete_events(app, db, make_user):
    _write_events(db, make_user(role="clerk"), n=1)
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):
        db.session.execute(sa.update(AuditEvent).values(action="forged"))
    db.session.rollback()
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):
        db.session.execute(sa.delete(AuditEvent))
    db.session.rollback()


def _without_guard(db, statement: str) -> None:
    """What someone with full control of the database could do: lift the guard and edit."""
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(sa.text("ALTER TABLE audit_event DISABLE TRIGGER USER"))
            connection.execute(sa.text(statement))
            connection.execute(sa.text("ALTER TABLE audit_event ENABLE TRIGGER USER"))
        else:
            connection.execute(sa.text("DROP TRIGGER IF EXISTS audit_event_no_update"))
            connection.execute(sa.text("DROP TRIGGER IF EXISTS audit_event_no_delete"))
            connection.execute(sa.text(statement))


@pytest.mark.parametrize("statement, broken_at, reason", [
    ("UPDATE audit_event SET after = '{\"name\": \"forged\"}' WHERE id = 2", 2, "content was changed"),
    ("DELETE FROM audit_event WHERE id = 2", 3, "link to the previous event is broken"),
    ("DELETE FROM audit_event WHERE id = 4", 4, "newest events were removed"),
])
def test_tampering_is_caught(app, db, make_user, statement, broken_at, reason):
    _write_events(db, make_user(role="clerk"), n=4)
    db.session.remove()
    _without_guard(db, statement)
    report = verify_chain(db.session, chain_key(app.config))
    assert not report.ok
    assert report.broken_at == broken_at and reason in report.reason
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"broken at event {broken_at}" in result.output


@pytest.mark.parametrize("head", [
    "UPDATE audit_chain_head SET last_hash = (SELECT hash FROM audit_event WHERE id = 2), last_event_id = 2",
    "UPDATE audit_chain_head SET last_hash = (SELECT hash FROM audit_event WHERE id = 2), last_event_id = 2, "
    "event_count = 2",
    "UPDATE audit_chain_head SET last_hash = (SELECT hash FROM audit_event WHERE id = 2), last_event_id = 2, "
    "event_count = NULL, head_mac = NULL",
])
def test_deleting_the_newest_events_and_rewriting_the_head_is_caught(app, db, make_user, head):
    """Issue 18: the chain's end was checked only against a plain head row, which whoever deletes can rewrite."""
    _write_events(db, make_user(role="clerk"), n=4)
    db.session.remove()
    _without_guard(db, "DELETE FROM audit_event WHERE id > 2")
    with db.engine.begin() as connection:
        connection.execute(sa.text(head))
    report = verify_chain(db.session, chain_key(app.config))
    assert not report.ok and report.events == 2
    assert "head of the chain" in report.reason or "newest events were removed" in report.reason
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 1


def test_the_head_is_authenticated_by_count_and_last_hash(app, db, make_user):
    from pb.audit.models import AuditChainHead
    from pb.audit.services import head_mac

    _write_events(db, make_user(role="clerk"), n=3)
    head = db.session.get(AuditChainHead, 1)
    last = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert head.event_count == db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    assert head.head_mac == head_mac(chain_key(app.config), head.event_count, last.hash)
    assert verify_chain(db.session, chain_key(app.config)).ok
    assert not verify_chain(db.session, b"another key").ok


def test_staff_action_is_audited_with_actor(client, make_user, make_process, login, db):
    municipality_id = make_process().municipality_id
    admin = make_user(role="admin")
    login(admin)
    client.post("/staff/users", data={"display_name": "C", "email": "c@example.org", "role": "clerk",
                                      "password": "a clerk password", "municipalities": [municipality_id]})
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "account.create")).scalar_one()
    assert event.actor_id == admin.id and event.after == {"email": "c@example.org", "role": "clerk",
                                                          "all_municipalities": False, "municipalities": ["testville"]}
    page = client.get("/staff/audit").get_data(as_text=True)
    assert "account.create" in page and admin.email in page


def test_concurrent_writers_keep_one_chain(app, db, make_user):
    """Writers in parallel transactions append one after another: the chain never forks."""
    import threading

    actor_id = make_user(role="clerk").id
    db.session.commit()  # the test's own transaction must not hold SQLite's write lock
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def writer(n: int) -> None:
        try:
            with app.app_context(), writing():
                from pb.accounts.models import User

                barrier.wait()
                session = db.session
                actor = session.get(User, actor_id)
                for i in range(10):
                    record(session, actor, "process.update", "process", f"{n}-{i}", after={"i": i})
                    session.commit()
                session.remove()
        except BaseException as error:  # reported below, with the thread's error
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    report = verify_chain(db.session, chain_key(app.config))
    assert report.ok and report.events == 40


def test_a_rewritten_chain_without_the_key_is_caught(app, db, make_user):
    """Someone who can write to the database but lacks the key cannot forge a consistent chain."""
    import json

    from pb.audit.services import event_hash, head_mac

    _write_events(db, make_user(role="clerk"), n=2)
    db.session.remove()
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.id == 2)).scalar_one()
    forged_after = {"name": "forged"}

    def forge(key: bytes) -> None:
        digest = event_hash(key, prev_hash=event.prev_hash, occurred_at=event.occurred_at, actor_id=event.actor_id,
                            actor_label=event.actor_label, action=event.action, object_type=event.object_type,
                            object_id=event.object_id, before=event.before, after=forged_after)
        _without_guard(db, f"UPDATE audit_event SET after = '{json.dumps(forged_after)}', hash = '{digest}' WHERE id = 2")
        with db.engine.begin() as connection:
            connection.execute(sa.text("UPDATE audit_chain_head SET last_hash = :h, head_mac = :m"),
                               {"h": digest, "m": head_mac(key, 2, digest)})
        db.session.remove()

    forge(b"the attacker's guess")
    report = verify_chain(db.session, chain_key(app.config))
    assert not report.ok and report.broken_at == 2 and "content was changed" in report.reason
    # The same forgery made with the real key would pass: the key is what protects the chain.
    forge(chain_key(app.config))
    assert verify_chain(db.session, chain_key(app.config)).ok
