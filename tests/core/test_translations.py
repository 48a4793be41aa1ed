"""Every string the app shows has a Greek translation, with the same placeholders, compiled."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

REPO = Path(__file__).resolve().parents[2]
CATALOG = REPO / "pb" / "translations" / "el" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def _extracted() -> set[str]:
    with open(REPO / "pb" / "translations" / "babel.cfg") as config:
        method_map, options_map = parse_mapping_cfg(config)
    keywords = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None, "ngettext": (1, 2), "tr": None,
                "translate": None}
    return {message[2] if isinstance(message[2], str) else message[2][0]
            for message in extract_from_dir(str(REPO), method_map, options_map, keywords=keywords,
                                            directory_filter=_not_hidden)
            if "/tests/" not in message[0]}


def _not_hidden(dirpath: str) -> bool:
    """Every folder but hidden ones (.venv, .git): babel's default also skips "_" folders, which would leave out
    templates/_macros (the form error summary) and let its strings go untranslated unseen."""
    return not Path(dirpath).name.startswith(".")


def test_the_extraction_sees_the_shared_form_macros():
    assert "Please correct the following" in _extracted()


def test_every_message_is_translated_into_greek():
    with open(CATALOG / "messages.po", "rb") as po:
        catalog = read_po(po)
    missing = sorted(m for m in _extracted() if not (catalog.get(m) and catalog.get(m).string))
    assert not missing, f"untranslated (run pybabel extract/update, then translate): {missing[:10]}"


def _forms(value) -> tuple[str, ...]:
    """A message's id or string as a tuple of its forms (plural entries have several)."""
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)


def test_placeholders_survive_translation():
    with open(CATALOG / "messages.po", "rb") as po:
        catalog = read_po(po)
    for message in catalog:
        if not (message.id and message.string):
            continue
        wanted = set(PLACEHOLDER.findall(" ".join(_forms(message.id))))
        found = [set(PLACEHOLDER.findall(form)) for form in _forms(message.string)]
        # Every form uses only the original's placeholders, and together they use all of them
        # (a singular form may write "1" instead of the number).
        assert all(f <= wanted for f in found) and set().union(*found) == wanted, message.id


def test_compiled_catalog_is_up_to_date():
    with open(CATALOG / "messages.po", "rb") as po:
        source = {_forms(m.id): _forms(m.string) for m in read_po(po) if m.id}
    with open(CATALOG / "messages.mo", "rb") as mo:
        compiled = {_forms(m.id): _forms(m.string) for m in read_mo(mo) if m.id}
    assert compiled == source, "run: pybabel compile -d pb/translations"
