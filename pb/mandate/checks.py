"""The legal checks of a mandate version: the ones every mandate must pass, and the ones a preset adds.

Each check gives findings a legal officer reads: an error stops the signature, a warning is shown and
recorded with it. A preset names its checks by rule (see PRESET_RULES) with the parameters in its file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask_babel import get_locale
from flask_babel import gettext as _

from pb.core.money import format_money
from pb.mandate.labels import character_label, field_label
from pb.mandate.models import Mandate, MandateCharacter
from pb.processes.models import Process

if TYPE_CHECKING:
    from pb.mandate.presets import Preset

ERROR, WARNING = "error", "warning"
BINDING = (MandateCharacter.BINDING_STATUTE, MandateCharacter.BINDING_SELF_COMMITMENT)


@dataclass(frozen=True)
class Link:
    """A page outside the mandate where a finding is put right: an endpoint, its arguments and the link's text.

    The page builds the address, so the checks need no request (they also run from the command line).
    """

    endpoint: str
    arguments: tuple[tuple[str, Any], ...]
    text: str

    @property
    def values(self) -> dict[str, Any]:
        """The endpoint's arguments, for ``url_for``."""
        return dict(self.arguments)


@dataclass(frozen=True)
class Finding:
    """One result of a check: ``field`` names the mandate field to correct, if there is one, and ``link`` the page
    outside the mandate where the fix is made, if there is one."""

    severity: str
    field: str | None
    message: str
    link: Link | None = None


def _missing(mandate: Mandate, fields: list[str]) -> list[str]:
    """The labels of the fields left empty, for a message."""
    values = {**mandate.terms, **{name: getattr(mandate, name, None) for name in fields if hasattr(mandate, name)}}
    return [field_label(name) for name in fields if values.get(name) in (None, "")]


def _basis(mandate: Mandate) -> list[Finding]:
    missing = _missing(mandate, ["basis_instrument", "basis_date"])
    if not (mandate.basis_number or mandate.basis_title):
        missing.append(_("its number or title"))
    if not (mandate.basis_url or mandate.basis_journal):
        missing.append(_("a link to the text or its official journal reference"))
    if not missing:
        return []
    return [Finding(ERROR, "basis_instrument", _(
        "The legal basis is incomplete: %(missing)s missing. A mandate can be signed only on a legal basis that "
        "residents can look up.", missing=", ".join(missing)))]


def _who_decides(mandate: Mandate) -> list[Finding]:
    findings = []
    if mandate.character in BINDING:
        missing = _missing(mandate, ["decision_body", "bound_party", "obligation"])
        if missing:
            findings.append(Finding(ERROR, "bound_party", _(
                "A binding mandate must say who decides, who is bound and to what: %(missing)s missing.",
                missing=", ".join(missing))))
    elif not mandate.decision_body:
        findings.append(Finding(ERROR, "decision_body", _(
            "An advisory mandate must say which body decides after the vote.")))
    if mandate.character is MandateCharacter.BINDING_SELF_COMMITMENT and not mandate.enabling_decision:
        findings.append(Finding(ERROR, "enabling_decision", _(
            "A vote binding by the council's own commitment needs the council decision that commits it: "
            "fill in the enabling council decision.")))
    return findings


def _justification(mandate: Mandate) -> list[Finding]:
    # Comply or explain: advisory and binding mandates alike owe a published, reasoned response.
    findings = []
    if not mandate.terms.get("justification_days"):
        findings.append(Finding(ERROR, "justification_days", _(
            "Set the deadline, in days after the vote, by which the council publishes its reasoned response.")))
    if not mandate.terms.get("justification_published"):
        findings.append(Finding(ERROR, "justification_published", _(
            "Say where the council's reasoned response is published.")))
    if not mandate.terms.get("winner_fails"):
        findings.append(Finding(ERROR, "winner_fails", _(
            "Say what happens when a winning project fails: the next ranked project is funded, or the money "
            "goes back to the pool.")))
    return findings


def _money(amount: int, process: Process) -> str:
    return format_money(amount, process.currency, str(get_locale() or "en"))


def _budget(mandate: Mandate, process: Process) -> list[Finding]:
    amount = mandate.terms.get("budget_amount")
    if amount is None:
        return [Finding(ERROR, "budget_amount", _("Give the amount the budget authorises for this process."))]
    findings = []
    if amount < process.total_amount:
        findings.append(Finding(ERROR, "budget_amount", _(
            "The pools share out %(pools)s but the budget authorises only %(amount)s.",
            pools=_money(process.total_amount, process), amount=_money(amount, process))))
    year = mandate.terms.get("budget_fiscal_year")
    if year is not None and year != process.fiscal_year:
        findings.append(Finding(WARNING, "budget_fiscal_year", _(
            "The budget authorisation is for %(year)s but the process is for the fiscal year %(process_year)s.",
            year=year, process_year=process.fiscal_year)))
    return findings


def _period(mandate: Mandate) -> list[Finding]:
    if mandate.effective_from and mandate.effective_until and mandate.effective_until < mandate.effective_from:
        return [Finding(ERROR, "effective_until", _("The mandate cannot end before it starts."))]
    return []


def general_findings(mandate: Mandate, process: Process) -> list[Finding]:
    """The checks every mandate passes before it is signed, whatever its jurisdiction."""
    return [*_basis(mandate), *_who_decides(mandate), *_justification(mandate), *_budget(mandate, process),
            *_period(mandate)]


# Preset rules: each takes the mandate, the process, the preset's name and the check's parameters,
# and returns a message when the check fails (with a link when the fix is made outside the mandate).
RuleResult = str | tuple[str, Link] | None


def _appeal_procedure(mandate: Mandate, process: Process, preset: str, params: dict[str, Any]) -> str | None:
    if mandate.terms.get("appeal_procedure"):
        return None
    return _("%(preset)s: a binding vote requires an appeal procedure against the rejection of a proposal. "
             "Describe it under “Appeal procedure”.", preset=preset)


def _support_threshold(mandate: Mandate, process: Process, preset: str, params: dict[str, Any]) -> RuleResult:
    signatures = mandate.terms.get("support_signatures")
    limit = params["max_basis_points"]
    limit_text = f"{limit / 100:g}%"
    if signatures is None:
        # Empty means "not stated": the law wants the number recorded, and 0 records that none are needed.
        return _("%(preset)s: record how many signatures a proposal needs, 0 when it needs none; the law allows at "
                 "most %(limit)s of residents.", preset=preset, limit=limit_text)
    if signatures == 0:
        return None  # below any limit, whatever the population
    municipality = process.municipality
    population = municipality.population
    if not population:
        return (_("%(preset)s: the municipality's population is not recorded, so the limit of %(limit)s of residents "
                  "for the signatures a proposal needs cannot be checked. A clerk or an administrator records it on "
                  "the municipality's page in the staff area.", preset=preset, limit=limit_text),
                Link("staff.municipality", (("municipality_id", municipality.id),),
                     _("Population of %(municipality)s", municipality=municipality.name)))
    if signatures * 10_000 > population * limit:
        return _("%(preset)s: a proposal may need the signatures of at most %(limit)s of residents (%(most)s "
                 "people); this mandate asks for %(signatures)s.", preset=preset, limit=limit_text,
                 most=population * limit // 10_000, signatures=signatures)
    return None


def _cites_referendum(mandate: Mandate, process: Process, preset: str, params: dict[str, Any]) -> str | None:
    parts = (mandate.basis_instrument, mandate.basis_title, mandate.basis_number, mandate.basis_article,
             mandate.enabling_decision)
    cited = " ".join(parts).casefold()
    if not any(pattern.casefold() in cited for pattern in params["patterns"]):
        return None
    return _("%(preset)s: the legal basis cites a local referendum, but a local referendum may not decide the "
             "municipality's fiscal management (%(law)s). A budget vote needs another basis.",
             preset=preset, law=params["law"])


def _expected_character(mandate: Mandate, process: Process, preset: str, params: dict[str, Any]) -> str | None:
    expected = [MandateCharacter(value) for value in params["expected"]]
    if mandate.character in expected:
        return None
    return _("%(preset)s gives the vote the character “%(expected)s”; this mandate says “%(actual)s”. Cite the "
             "legal basis that allows it.", preset=preset,
             expected=" / ".join(character_label(c) for c in expected), actual=character_label(mandate.character))


def _enabling_decision(mandate: Mandate, process: Process, preset: str, params: dict[str, Any]) -> str | None:
    if mandate.enabling_decision:
        return None
    return _("%(preset)s: cite the decision that sets the rules of this process (%(what)s) as the enabling "
             "council decision.", preset=preset, what=params["what"])


# rule name -> (check, the parameters its file must give)
PRESET_RULES: dict[str, tuple[Callable[..., RuleResult], tuple[str, ...]]] = {
    "appeal_procedure": (_appeal_procedure, ()),
    "support_threshold": (_support_threshold, ("max_basis_points",)),
    "cites_referendum": (_cites_referendum, ("patterns", "law")),
    "expected_character": (_expected_character, ("expected",)),
    "enabling_decision": (_enabling_decision, ("what",)),
}


def preset_findings(mandate: Mandate, process: Process, preset: Preset) -> list[Finding]:
    """The checks the mandate's preset adds, each for the characters it names (all when it names none)."""
    findings = []
    for check in preset.checks:
        characters = check.get("characters")
        if characters and mandate.character.value not in characters:
            continue
        rule, _params = PRESET_RULES[check["rule"]]
        result = rule(mandate, process, preset.name, check)
        if result:
            message, link = result if isinstance(result, tuple) else (result, None)
            findings.append(Finding(check["severity"], check.get("field"), message, link))
    if preset.sha256 != mandate.preset_sha256:
        findings.append(Finding(WARNING, None, _(
            "The preset “%(preset)s” changed since this mandate was started from it (version %(then)s, now "
            "%(now)s): compare its text before signing.", preset=preset.name, then=mandate.preset_version or "?",
            now=preset.version)))
    return findings
