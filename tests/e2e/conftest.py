"""Browser tests: the real app served on a local port, driven by Debian's Chromium through Playwright.

Playwright's own browser download does not work offline, so the tests launch /usr/bin/chromium.
Without that browser the tests skip, unless PB_REQUIRE_E2E=1 (as in CI) makes its absence a failure.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from pb import create_app
from pb.core import mail
from tests.conftest import own_database

CHROMIUM = os.environ.get("PB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def chromium() -> Iterator:
    """One headless Chromium for the session."""
    if not shutil.which(CHROMIUM):
        if os.environ.get("PB_REQUIRE_E2E") == "1":
            pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} is missing: browser tests skipped (apt-get install chromium to run them)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class LiveServer:
    """The app served by werkzeug in a thread, with its database and mail outbox at hand."""

    def __init__(self, app) -> None:
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=10)

    @property
    def outbox(self) -> list[mail.Message]:
        return mail.outbox


@pytest.fixture(scope="session")
def demo_templates(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Where the demo is built once per database kind, for every browser test to start from a copy."""
    return {"dir": tmp_path_factory.mktemp("demo"), "built": set()}


def _build_demo(app) -> None:
    from pb.demo import build_demo
    from pb.extensions import limiter

    with app.app_context():
        limiter.reset()
        build_demo()
        app.extensions["sqlalchemy"].session.commit()
        app.extensions["sqlalchemy"].session.remove()
        app.extensions["sqlalchemy"].engine.dispose()


def _template_app(url: str):
    """An app on the template database; not from make_app, whose clean-up would empty the template."""
    from tests.conftest import TEST_CONFIG

    return create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})


def _fresh_demo_database(database_url: str, templates: dict, tmp_path) -> str:
    """A database holding the demo, copied from one built once (building it takes seconds, copying it none)."""
    if database_url.startswith("sqlite"):
        template = templates["dir"] / "demo.sqlite3"
        if "sqlite" not in templates["built"]:
            shutil.copyfile(database_url.removeprefix("sqlite:///"), template)
            _build_demo(_template_app(f"sqlite:///{template}"))
            templates["built"].add("sqlite")
        copy = tmp_path / "demo.sqlite3"
        shutil.copyfile(template, copy)
        return f"sqlite:///{copy}"
    import sqlalchemy as sa
    from flask_migrate import upgrade

    url = sa.make_url(database_url)
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    template, copy = own_database("pb_e2e_template"), own_database("pb_e2e")
    template_url = url.set(database=template).render_as_string(hide_password=False)
    with admin.connect() as connection:
        if "postgresql" not in templates["built"]:
            connection.execute(sa.text(f"DROP DATABASE IF EXISTS {template} WITH (FORCE)"))
            connection.execute(sa.text(f"CREATE DATABASE {template}"))
            app = _template_app(template_url)
            with app.app_context():
                upgrade(directory=app.extensions["migrate"].directory)
            _build_demo(app)
            templates["built"].add("postgresql")
        connection.execute(sa.text(f"DROP DATABASE IF EXISTS {copy} WITH (FORCE)"))
        connection.execute(sa.text(f"CREATE DATABASE {copy} TEMPLATE {template}"))
    admin.dispose()
    return url.set(database=copy).render_as_string(hide_password=False)


@pytest.fixture
def live_server(make_app, database_url, demo_templates, tmp_path) -> Iterator[LiveServer]:
    """The demo municipality on a fresh database, served over HTTP with CSRF on, as in production."""
    from pb.extensions import limiter

    url = _fresh_demo_database(database_url, demo_templates, tmp_path)
    app = make_app(SERVER_NAME=None, WTF_CSRF_ENABLED=True, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        limiter.reset()
    mail.outbox.clear()
    server = LiveServer(app)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def page(chromium, live_server) -> Iterator:
    """A fresh browser tab (own cookies) pointed at the live server, in English."""
    context = chromium.new_context(base_url=live_server.url, locale="en-GB")
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    yield tab
    context.close()
