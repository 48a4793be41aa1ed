"""The user's language: their account's choice, then the switch on every page, then the browser."""

from __future__ import annotations

from flask import current_app, has_request_context, request
from flask_login import current_user

LANGUAGE_COOKIE = "pb_lang"

# Each language named in itself, for the switch.
LANGUAGE_NAMES = {"en": "English", "el": "Ελληνικά"}


def select_locale() -> str:
    """Flask-Babel's locale selector."""
    locales = current_app.config["PB_LOCALES"]
    if not has_request_context():  # command line: the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if getattr(current_user, "is_authenticated", False) and current_user.locale in locales:
        return current_user.locale
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in locales:
        return chosen
    return request.accept_languages.best_match(locales) or current_app.config["BABEL_DEFAULT_LOCALE"]
