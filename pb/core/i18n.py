"""The user's language: their account's choice, then the switch on every page, then the browser."""

from __future__ import annotations

import functools

from babel import support
from flask import current_app, g, has_request_context, request
from flask_login import current_user
from wtforms.i18n import messages_path

LANGUAGE_COOKIE = "pb_lang"

# Each language named in itself, for the switch.
LANGUAGE_NAMES = {"en": "English", "el": "Ελληνικά"}


def offered_languages() -> list[str]:
    """The languages this page is offered in: on a municipality's pages, those it chose (its main one first,
    as set by the processes area in ``g.municipality_languages``); elsewhere every language pb has."""
    locales = list(current_app.config["PB_LOCALES"])
    chosen = [lang for lang in (g.get("municipality_languages") or []) if lang in locales] \
        if has_request_context() else []
    return chosen or locales


def select_locale() -> str:
    """Flask-Babel's locale selector: the account's choice, the switch, the browser; on a municipality's pages
    only among its languages, its main one when none of those is."""
    if not has_request_context():  # command line: the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    offered = offered_languages()
    if getattr(current_user, "is_authenticated", False) and current_user.locale in offered:
        return current_user.locale
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in offered:
        return chosen
    if g.get("municipality_languages") and offered:
        best = request.accept_languages.best_match(offered)
        return best or offered[0]
    return request.accept_languages.best_match(offered) or current_app.config["BABEL_DEFAULT_LOCALE"]


@functools.cache
def wtforms_catalogue(locale: str) -> support.Translations:
    """WTForms' own messages in ``locale``, read from disk once per process (Flask-WTF reads them per request)."""
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


def paper_languages(languages: list[str] | None) -> list[str]:
    """The languages a municipality's papers (letters, assessments, annex) can be generated in: its own that pb
    has, its main one first; every language pb has when none of them is."""
    locales = list(current_app.config["PB_LOCALES"])
    return [lang for lang in (languages or []) if lang in locales] or locales


def paper_locale(languages: list[str] | None, chosen: str | None = None) -> str:
    """The language of a paper: the one chosen when generating it if the municipality offers it, else the
    municipality's main language, never the clerk's screen language."""
    offered = paper_languages(languages)
    return chosen if chosen in offered else offered[0]
