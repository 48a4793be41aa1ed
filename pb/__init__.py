"""pb: participatory budgeting for municipalities."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

from pb import config as pb_config

PACKAGE_DIR = Path(__file__).resolve().parent


def _asset_dir(name: str) -> str:
    """A top-level folder (templates, static, legal): inside the package when installed as a wheel,
    beside it in a source checkout."""
    installed = PACKAGE_DIR / name
    return str(installed if installed.is_dir() else PACKAGE_DIR.parent / name)


def create_app(config: dict[str, Any] | None = None) -> "Flask":
    """Build the application: configuration, extensions, blueprints, error pages and commands."""
    # Imported here so that ``import pb.tally`` (a pure library) does not load the web stack.
    from flask import Flask

    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=_asset_dir("templates"),
        static_folder=_asset_dir("static"),
    )
    app.config.from_mapping(pb_config.defaults(app.instance_path))
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(pb_config.from_environment(os.environ))
    if config:
        app.config.update(config)
    try:
        pb_config.finish(app.config)
    except pb_config.ConfigError as error:
        # One line for the operator, not a traceback.
        print(f"pb: {error}", file=sys.stderr)
        raise SystemExit(2) from None
    app.config["PB_LEGAL_DIR"] = _asset_dir("legal")
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.testing:
        logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        logging.getLogger("pb").setLevel(logging.INFO)

    app.jinja_env.add_extension("jinja2.ext.do")
    from pb.core.requests import CleanRequest, DatabaseId

    app.request_class = CleanRequest
    app.url_map.converters["int"] = DatabaseId
    if app.config["PB_PROXY_HOPS"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["PB_PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    _init_extensions(app)
    _register_blueprints(app)

    from pb.errors import register_error_pages
    from pb.web import register_web_hooks

    register_error_pages(app)
    register_web_hooks(app)
    _register_commands(app)
    return app


def _init_extensions(app: "Flask") -> None:
    from pb.core.i18n import select_locale
    from pb.extensions import babel, csrf, db, limiter, login_manager, migrate

    # Import every model so that the metadata (and Alembic) knows the whole schema.
    import pb.models  # noqa: F401

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PACKAGE_DIR / "migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories=str(PACKAGE_DIR / "translations"))
    limiter.init_app(app)
    login_manager.init_app(app)
    from pb.core import page_cache

    page_cache.init_app(app)
    from pb.accounts.views import configure_login

    configure_login(login_manager)


def _register_blueprints(app: "Flask") -> None:
    from pb.accounts.views import bp as accounts_bp
    from pb.api.views import bp as api_bp
    from pb.deliberation.views import bp as deliberation_bp
    from pb.delivery.views import bp as delivery_bp
    from pb.mandate.views import bp as mandate_bp
    from pb.outreach.views import bp as outreach_bp
    from pb.processes.views import bp as processes_bp
    from pb.proposals.views import bp as proposals_bp
    from pb.reports.views import bp as reports_bp
    from pb.review.views import bp as review_bp
    from pb.setup.views import bp as setup_bp
    from pb.staff.views import bp as staff_bp
    from pb.voting.desk import bp as desk_bp
    from pb.voting.views import bp as voting_bp
    from pb.web import bp as web_bp

    for blueprint in (web_bp, processes_bp, accounts_bp, staff_bp, proposals_bp, review_bp, deliberation_bp, api_bp,
                      mandate_bp, voting_bp, desk_bp, reports_bp, setup_bp, delivery_bp, outreach_bp):
        app.register_blueprint(blueprint)


def _register_commands(app: "Flask") -> None:
    from pb.accounts.cli import users_cli
    from pb.audit.cli import audit_cli
    from pb.core.mail_cli import mail_cli
    from pb.demo import demo_command
    from pb.setup.cli import process_cli
    from pb.voting.cli import vote_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(audit_cli)
    app.cli.add_command(demo_command)
    app.cli.add_command(mail_cli)
    app.cli.add_command(vote_cli)
    app.cli.add_command(process_cli)
