"""Configuration: defaults in code, then ``instance/config.py``, then ``PB_*`` environment variables."""

from __future__ import annotations

import os
from pathlib import Path

ENVIRONMENTS = ("production", "development", "testing")


class ConfigError(RuntimeError):
    """The configuration cannot run the app; the message is one line for the operator."""


def defaults(instance_path: str) -> dict[str, object]:
    """The built-in settings; every one may be overridden."""
    return {
        "PB_ENV": "production",
        "SECRET_KEY": None,
        "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(Path(instance_path) / "pb.sqlite3"),
        # hide_parameters: a database error in the log never shows the values (who, which ballot).
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": True,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": True,
        "PERMANENT_SESSION_LIFETIME": 8 * 3600,
        "WTF_CSRF_TIME_LIMIT": 8 * 3600,
        # Five images of up to 5 MB each, and the rest of the form.
        "MAX_CONTENT_LENGTH": 32 * 1024 * 1024,
        "RATELIMIT_STORAGE_URI": "memory://",
        # No X-RateLimit-* headers: each would cost every limited request another round trip to Redis. A 429
        # still says when to come back (Retry-After, pb.errors).
        "RATELIMIT_HEADERS_ENABLED": False,
        "RATELIMIT_STRATEGY": "moving-window",
        # If Redis is lost, limits fall back to each process's memory instead of failing requests: the vote
        # keeps going (one ballot per resident is the database's guarantee, not the limiter's), at the cost
        # of limits counted per process until Redis is back.
        "RATELIMIT_SWALLOW_ERRORS": True,
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "PB_LOGIN_LIMIT_PER_ADDRESS": "20 per minute",
        "PB_LOGIN_LIMIT_PER_ACCOUNT": "5 per 5 minutes",
        "PB_RESET_TOKEN_MAX_AGE": 3600,
        # Mails a person can cause to be sent to one address (registration, reset), against inbox flooding.
        "PB_MAIL_LIMIT_PER_TARGET": "3 per 15 minutes",
        "PB_BASE_URL": None,
        # The audit chain's HMAC key; derived from the secret key unless set (set it before rotating that).
        "PB_AUDIT_KEY": None,
        # The keys of the vote's keyed hashes (register references, voting codes, ballot owner tags and
        # receipts). They live here, not in the database, so that a copy of the database cannot link a
        # resident to a ballot; required in production, derived from the secret key elsewhere.
        "PB_BALLOT_KEY": None,
        "PB_REGISTER_KEY": None,
        # Attempts to prove eligibility (register match, voting code) per account and per address.
        "PB_VERIFY_LIMIT": "10 per hour",
        "PB_BALLOT_LIMIT": "30 per minute",
        # Proposals submitted and edited per account (both count together): each may carry five images to decode.
        "PB_PROPOSAL_LIMIT": "20 per hour",
        # How many proxies (load balancer, TLS terminator) stand in front of the app and set X-Forwarded-*.
        "PB_PROXY_HOPS": 0,
        # How long each app process keeps the public pages it rendered for visitors who are not signed in
        # (0 turns the cache off), and how many it keeps (pb/core/page_cache.py).
        "PB_PAGE_CACHE_SECONDS": 30,
        "PB_PAGE_CACHE_ENTRIES": 2000,
        "PB_MAIL_DELIVERY": None,
        # smtp in production, the log in development, memory in tests, unless set.
        "PB_MAIL_BACKEND": None,
        "PB_MAIL_SERVER": "localhost",
        "PB_MAIL_PORT": 25,
        "PB_MAIL_USERNAME": None,
        "PB_MAIL_PASSWORD": None,
        "PB_MAIL_USE_TLS": False,
        "PB_MAIL_SENDER": "pb@localhost",
        # Outreach to residents who opted in (pb.outreach): e-mails per resident in any 7 days, when "last days"
        # begins, and the SMS provider (log: the text goes to the log).
        "PB_OUTREACH_WEEKLY_CAP": 3,
        "PB_OUTREACH_LAST_DAYS": 3,
        "PB_SMS_BACKEND": "log",
        "PB_TIMEZONE": "Europe/Athens",
        "BABEL_DEFAULT_LOCALE": "en",
        "PB_LOCALES": ("en", "el"),
        "PB_PASSWORD_MIN_LENGTH": 10,
    }


# Environment variable -> config key, and how to read its text.
_ENVIRONMENT = {
    "PB_ENV": ("PB_ENV", str),
    "PB_SECRET_KEY": ("SECRET_KEY", str),
    "PB_AUDIT_KEY": ("PB_AUDIT_KEY", str),
    "PB_BALLOT_KEY": ("PB_BALLOT_KEY", str),
    "PB_REGISTER_KEY": ("PB_REGISTER_KEY", str),
    "PB_TOTP_KEY": ("PB_TOTP_KEY", str),
    "PB_DATABASE_URL": ("SQLALCHEMY_DATABASE_URI", str),
    "PB_RATELIMIT_STORAGE_URL": ("RATELIMIT_STORAGE_URI", str),
    "PB_MAIL_BACKEND": ("PB_MAIL_BACKEND", str),
    "PB_MAIL_SERVER": ("PB_MAIL_SERVER", str),
    "PB_MAIL_PORT": ("PB_MAIL_PORT", int),
    "PB_MAIL_USERNAME": ("PB_MAIL_USERNAME", str),
    "PB_MAIL_PASSWORD": ("PB_MAIL_PASSWORD", str),
    "PB_MAIL_USE_TLS": ("PB_MAIL_USE_TLS", lambda v: v.lower() in ("1", "true", "yes")),
    "PB_OUTREACH_WEEKLY_CAP": ("PB_OUTREACH_WEEKLY_CAP", int),
    "PB_OUTREACH_LAST_DAYS": ("PB_OUTREACH_LAST_DAYS", int),
    "PB_SMS_BACKEND": ("PB_SMS_BACKEND", str),
    "PB_MAIL_SENDER": ("PB_MAIL_SENDER", str),
    "PB_TIMEZONE": ("PB_TIMEZONE", str),
    "PB_BASE_URL": ("PB_BASE_URL", str),
    "PB_PROXY_HOPS": ("PB_PROXY_HOPS", int),
    "PB_PROPOSAL_LIMIT": ("PB_PROPOSAL_LIMIT", str),
    "PB_PAGE_CACHE_SECONDS": ("PB_PAGE_CACHE_SECONDS", int),
    "PB_MAIL_DELIVERY": ("PB_MAIL_DELIVERY", str),
}


def from_environment(environ: dict[str, str] | os._Environ[str]) -> dict[str, object]:
    """The settings given as PB_* environment variables."""
    settings: dict[str, object] = {}
    for variable, (key, read) in _ENVIRONMENT.items():
        if environ.get(variable):
            settings[key] = read(environ[variable])
    return settings


def normalise_database_url(url: str) -> str:
    """Let operators write the usual ``postgresql://`` URL; pb talks to PostgreSQL through psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def finish(config: dict[str, object]) -> None:
    """Check the settings and derive what follows from the environment; raise ConfigError when unusable."""
    env = config["PB_ENV"]
    if env not in ENVIRONMENTS:
        raise ConfigError(f"PB_ENV must be one of {', '.join(ENVIRONMENTS)}, not {env!r}.")
    config["BABEL_DEFAULT_TIMEZONE"] = config["PB_TIMEZONE"]
    config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(str(config["SQLALCHEMY_DATABASE_URI"]))
    if config["PB_MAIL_DELIVERY"] is None:
        config["PB_MAIL_DELIVERY"] = "worker" if env == "production" else "inline"
    if config["PB_MAIL_DELIVERY"] not in ("worker", "inline"):
        raise ConfigError(f"PB_MAIL_DELIVERY must be worker or inline, not {config['PB_MAIL_DELIVERY']!r}.")
    if env == "production":
        if not config.get("SECRET_KEY"):
            raise ConfigError(
                "PB_SECRET_KEY is not set: production needs a long random secret "
                "(python -c 'import secrets; print(secrets.token_hex(32))'), "
                "or set PB_ENV=development for a local trial."
            )
        if not config.get("PB_BASE_URL"):
            raise ConfigError("PB_BASE_URL is not set: production needs the public address of the site "
                              "(e.g. https://pb.city.example) for the links in its e-mails.")
        if str(config["RATELIMIT_STORAGE_URI"]).startswith("memory://"):
            raise ConfigError("PB_RATELIMIT_STORAGE_URL is not set: production needs a store shared by every "
                              "app process (e.g. redis://127.0.0.1:6379/0), or sign-in limits would not hold.")
        for key in ("PB_BALLOT_KEY", "PB_REGISTER_KEY"):
            if not config.get(key):
                raise ConfigError(f"{key} is not set: production needs its own long random key, kept outside the "
                                  "database and its backups (python -c 'import secrets; print(secrets.token_hex(32))'); "
                                  "changing it during a vote stops residents from changing their ballots.")
    else:
        # Plain http on localhost: a Secure cookie would never come back.
        config["SESSION_COOKIE_SECURE"] = False
        config["REMEMBER_COOKIE_SECURE"] = False
        if not config.get("SECRET_KEY"):
            config["SECRET_KEY"] = "development-only-secret-key-not-for-production"
    if env == "testing":
        config["TESTING"] = True
    if config["PB_MAIL_BACKEND"] is None:
        config["PB_MAIL_BACKEND"] = {"production": "smtp", "development": "log", "testing": "memory"}[env]
