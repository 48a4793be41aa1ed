"""The user's language: their account's choice, then the switch on every page, then the browser."""

from __future__ import annotations

import functools

from babel import support
from flask import current_app, has_request_context, request
from flask_login import current_user
from wtforms.i18n import messages_path

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


@functools.cache
def wtforms_catalogue(locale: str) -> support.Translations:
    """WTForms' own messages in ``locale``, read from disk once per process (Flask-WTF reads them per request)."""
    return support.Translations.load(messages_path(), [locale], domain="wtforms")
