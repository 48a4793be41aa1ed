"""Absolute links for mails, built from the configured base URL, never from the request's Host header."""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for


def external_url(endpoint: str, **values: Any) -> str:
    """The absolute URL of a page, for links that leave the site (e-mails).

    With PB_BASE_URL set (required in production) the request's Host header plays no part, so a
    forged Host cannot turn a password-reset mail into a link to someone else's site.
    """
    base = current_app.config.get("PB_BASE_URL")
    if base:
        return base.rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)
