"""Jurisdiction presets: readable TOML files in ``legal/presets/`` that a legal officer starts a mandate from.

A preset gives the default character of the vote, the legal basis as far as it is known, default terms, the
checks that apply (rules of pb.mandate.checks) and a Markdown text explaining it. A mandate records the
preset's name, version and SHA-256, so it can be told later that the preset has changed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from flask import current_app

from pb.mandate.checks import BINDING, ERROR, PRESET_RULES, WARNING
from pb.mandate.models import MandateCharacter
from pb.mandate.terms import clean_terms

# The mandate columns a preset may fill in.
PRESET_FIELDS = ("basis_instrument", "basis_title", "basis_number", "basis_article", "basis_date", "basis_journal",
                 "basis_url", "enabling_decision", "decision_body", "bound_party", "obligation")


# What a preset may require before the vote: pb's readiness checklist tests each (pb.setup.readiness).
BEFORE_VOTING = ("ex_ante_assessment",)


class PresetError(ValueError):
    """A preset file is not in the shape pb reads; the message names the file and the problem."""


@dataclass(frozen=True)
class Preset:
    """One jurisdiction's preset as read from its file."""

    key: str
    name: str
    country: str
    version: str
    sha256: str
    character: MandateCharacter
    text: str
    fields: dict[str, Any] = field(default_factory=dict)
    terms: dict[str, Any] = field(default_factory=dict)
    checks: tuple[dict[str, Any], ...] = ()
    # What must be done before voting may open under this preset (see BEFORE_VOTING).
    before_voting: tuple[str, ...] = ()
    # Four eyes: whoever drafted a version cannot sign it. Unless the file says, on for binding characters.
    four_eyes: bool = False
    # The mandate's texts in a municipality's language, by language code ([mandate_in.el] in the file).
    fields_in: dict[str, dict[str, Any]] = field(default_factory=dict)

    def fields_for(self, language: str | None) -> dict[str, Any]:
        """The mandate fields the preset fills in, with its texts in ``language`` where it has them."""
        return {**self.fields, **self.fields_in.get(language or "", {})}


def _check(path: Path, check: dict[str, Any]) -> dict[str, Any]:
    rule = check.get("rule")
    if rule not in PRESET_RULES:
        raise PresetError(f"{path.name}: unknown check rule {rule!r}")
    if check.get("severity") not in (ERROR, WARNING):
        raise PresetError(f"{path.name}: check {rule!r} needs severity \"error\" or \"warning\"")
    missing = [name for name in PRESET_RULES[rule][1] if name not in check]
    if missing:
        raise PresetError(f"{path.name}: check {rule!r} lacks {', '.join(missing)}")
    for value in [*check.get("characters", []), *check.get("expected", [])]:
        MandateCharacter(value)
    return check


def read_preset(path: Path) -> Preset:
    """Read and check one preset file; raises PresetError when it is malformed."""
    raw = path.read_bytes()
    try:
        data = tomllib.loads(raw.decode("utf-8"))
        fields = dict(data.get("mandate", {}))
        unknown = set(fields) - set(PRESET_FIELDS)
        if unknown:
            raise PresetError(f"{path.name}: unknown mandate fields {sorted(unknown)}")
        if "basis_date" in fields and not isinstance(fields["basis_date"], dt.date):
            raise PresetError(f"{path.name}: basis_date must be a TOML date")
        fields_in = {language: dict(values) for language, values in data.get("mandate_in", {}).items()}
        for language, values in fields_in.items():
            unknown = set(values) - set(PRESET_FIELDS)
            if unknown:
                raise PresetError(f"{path.name}: unknown mandate fields {sorted(unknown)} in mandate_in.{language}")
        before_voting = tuple(data.get("before_voting", ()))
        unknown = set(before_voting) - set(BEFORE_VOTING)
        if unknown:
            raise PresetError(f"{path.name}: before_voting may list {', '.join(BEFORE_VOTING)}, not {sorted(unknown)}")
        character = MandateCharacter(data["character"])
        four_eyes = data.get("four_eyes", character in BINDING)
        if not isinstance(four_eyes, bool):
            raise PresetError(f"{path.name}: four_eyes must be true or false")
        return Preset(
            key=path.stem, name=data["name"], country=data["country"], version=str(data["version"]),
            sha256=hashlib.sha256(raw).hexdigest(), character=character, four_eyes=four_eyes,
            text=data["text"], fields=fields, terms=clean_terms(data.get("terms", {})),
            checks=tuple(_check(path, check) for check in data.get("checks", [])), before_voting=before_voting,
            fields_in=fields_in,
        )
    except PresetError:
        raise
    except Exception as error:  # a TOML syntax error, a missing key, a wrong value: say which file
        raise PresetError(f"{path.name}: {error}") from error


@lru_cache(maxsize=8)
def load_presets(directory: str) -> dict[str, Preset]:
    """Every preset in ``directory``/presets, by key (the file name without .toml), in name order."""
    presets = [read_preset(path) for path in sorted(Path(directory, "presets").glob("*.toml"))]
    return {preset.key: preset for preset in sorted(presets, key=lambda p: p.name)}


def presets() -> dict[str, Preset]:
    """The presets of this installation (from the app's legal folder)."""
    return load_presets(current_app.config["PB_LEGAL_DIR"])


def preset(key: str | None) -> Preset | None:
    """The preset with this key, if there is one."""
    return presets().get(key) if key else None
