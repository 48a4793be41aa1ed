"""While the database cannot be reached pb answers 503 with Retry-After and its own page, then recovers alone.

PostgreSQL is reached through a TCP relay that the test cuts (every open connection dropped, new ones
refused) and restores, as a database restart or a network cut would look to the app. SQLite keeps open
files readable, so there the database's folder disappears and the app's pooled connections are dropped
(as a worker restart would), then the folder comes back.
"""

from __future__ import annotations

import contextlib
import socket
import sqlite3
import threading
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa

from tests.hardening import harness

# One worker runs every test that shares the session's gunicorn servers (pytest-xdist), so they start once.
pytestmark = pytest.mark.xdist_group("gunicorn")


class Relay:
    """A TCP relay to a database server that can be cut and restored on the same port."""

    def __init__(self, host: str, port: int) -> None:
        self.upstream = (host, port)
        self.port = harness.free_port()
        self.sockets: set[socket.socket] = set()
        self.lock = threading.Lock()
        self.listener: socket.socket | None = None

    def start(self) -> None:
        """Accept connections and relay them."""
        self.listener = socket.create_server(("127.0.0.1", self.port), reuse_port=False)
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def cut(self) -> None:
        """Refuse new connections and drop the open ones."""
        with self.lock:
            doomed = [self.listener, *self.sockets]
            self.sockets.clear()
        for sock in doomed:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _address = listener.accept()
            except OSError:
                return  # cut
            server = socket.create_connection(self.upstream)
            with self.lock:
                self.sockets.update((client, server))
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, target: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                target.sendall(data)
        with contextlib.suppress(OSError):
            target.shutdown(socket.SHUT_WR)


@contextlib.contextmanager
def cuttable_database(served, tmp_path) -> Iterator[tuple[str, Callable[[object], None], Callable[[], None]]]:
    """A URL of a migrated database the app can use, and cut(app) and restore() for its connection."""
    if served.backend == "postgresql":
        url = sa.engine.make_url(served.world.app.config["SQLALCHEMY_DATABASE_URI"])
        relay = Relay(url.host or "127.0.0.1", url.port or 5432)
        relay.start()
        try:
            yield (url.set(host="127.0.0.1", port=relay.port).render_as_string(hide_password=False),
                   lambda app: relay.cut(), relay.start)
        finally:
            relay.cut()
        return
    folder, away = tmp_path / "volume", tmp_path / "unmounted"
    folder.mkdir()
    # A consistent copy of the served database (its WAL included), so that the residents are there.
    source = sqlite3.connect(sa.engine.make_url(served.world.app.config["SQLALCHEMY_DATABASE_URI"]).database)
    copy = sqlite3.connect(folder / "pb.sqlite3")
    with contextlib.closing(source), contextlib.closing(copy):
        source.backup(copy)

    def cut(app) -> None:
        folder.rename(away)
        with app.app_context():
            app.extensions["sqlalchemy"].engine.dispose()

    yield f"sqlite:///{folder / 'pb.sqlite3'}", cut, lambda: away.rename(folder)


def _sign_in(client, resident: harness.Resident) -> None:
    name, value = resident.cookie.split("=", 1)
    client.set_cookie(name, value)


def test_database_down_gives_503_with_retry_after_and_recovers(served, tmp_path):
    """Pages, the API, the health check and a ballot answer 503 while the database is away; then 200 again."""
    resident = served.world.new_residents(1)[0]
    ballot = harness.ballot_form(resident, served.world.project_ids[:1], "unavailable-form")
    with cuttable_database(served, tmp_path) as (url, cut, restore):
        app = harness.make_app(url)
        client = app.test_client()
        _sign_in(client, resident)
        assert client.get("/healthz").status_code == 200
        cut(app)
        answers = {
            "health": client.get("/healthz"),
            "home": client.get("/"),
            "api": client.get("/api/v1/processes"),
            "ballot": client.post(f"/pools/{served.world.pool_id}/ballot", data=ballot,
                                  content_type="application/x-www-form-urlencoded"),
        }
        for name, response in answers.items():
            assert response.status_code == 503, (name, response.status_code, response.get_data(as_text=True)[:500])
            assert response.headers["Retry-After"] == "60", name
            assert "Traceback" not in response.get_data(as_text=True)
        assert "Temporarily unavailable" in answers["home"].get_data(as_text=True)
        assert "<html" in answers["home"].get_data(as_text=True).lower()  # the site's page, not a bare fallback
        assert answers["api"].get_json()["error"] == "Temporarily unavailable"
        restore()
        # No restart: the next requests find the database again (pool_pre_ping replaces dead connections).
        assert client.get("/healthz").status_code == 200
        assert client.get("/").status_code == 200
        response = client.post(f"/pools/{served.world.pool_id}/ballot", data=ballot,
                               content_type="application/x-www-form-urlencoded")
        assert response.status_code == 302 and response.location.endswith("/receipt"), response.status_code
        with app.app_context():
            app.extensions["sqlalchemy"].engine.dispose()


def test_connection_lost_inside_a_ballot_transaction_gives_503_and_stores_nothing(served, tmp_path):
    """PostgreSQL goes away while a ballot's transaction is open: 503 (not 500), nothing half-stored, vote again."""
    if served.backend != "postgresql":
        pytest.skip("SQLite has no server connection to lose")
    resident = served.world.new_residents(1)[0]
    ballot = harness.ballot_form(resident, served.world.project_ids[:1], "cut-form")
    path = f"/pools/{served.world.pool_id}/ballot"
    with cuttable_database(served, tmp_path) as (url, cut, restore):
        # The ballot waits 0.5 s between its checks and its insert; the connection is cut meanwhile.
        app = harness.make_app(url, PB_TEST_RACE_DELAY=0.5)
        client = app.test_client()
        _sign_in(client, resident)
        cutter = threading.Timer(0.25, cut, args=(app,))
        cutter.start()
        response = client.post(path, data=ballot, content_type="application/x-www-form-urlencoded")
        cutter.join()
        assert response.status_code == 503 and response.headers["Retry-After"] == "60", response.status_code
        assert harness.stored_vote(served.app, served.world.pool_id, resident.entry_id).participations == 0
        restore()
        response = client.post(path, data=ballot, content_type="application/x-www-form-urlencoded")
        assert response.status_code == 302 and response.location.endswith("/receipt")
        with app.app_context():
            app.extensions["sqlalchemy"].engine.dispose()
    assert harness.stored_vote(served.app, served.world.pool_id, resident.entry_id).participations == 1
