"""The audit log in plain language: what each action means, what each object is, and what changed.

An action pb does not know (a newer one, or a renamed one) is shown by its code, so nothing is hidden.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

ACTION_LABELS = {
    "account.block": _l("blocked a resident's account"),
    "account.unblock": _l("unblocked a resident's account"),
    "account.create": _l("created an account"),
    "account.grant": _l("changed the municipalities of a staff account"),
    "account.deactivate": _l("deactivated a staff account"),
    "account.reactivate": _l("reactivated a staff account"),
    "account.demo_reset": _l("restored a demo account"),
    "account.second_factor_on": _l("set up the second factor"),
    "account.second_factor_reset": _l("removed the second factor of an account"),
    "account.recovery_code_used": _l("signed in with a recovery code"),
    "annex.finalise": _l("finalised the budget annex"),
    "assessment.edit": _l("edited an impact assessment"),
    "assessment.generate": _l("generated a version of an impact assessment"),
    "assessment.publish": _l("published a version of an impact assessment"),
    "ballot.paper_entered": _l("entered a paper ballot"),
    "census.import": _l("imported the census"),
    "comment.hide": _l("hid a comment"),
    "decision.record": _l("recorded the council's decision on a project"),
    "district.create": _l("added a district"),
    "district.update": _l("changed a district"),
    "district.delete": _l("removed a district"),
    "flags.dismiss": _l("dismissed reports"),
    "mandate.start": _l("started a mandate"),
    "mandate.update": _l("edited a mandate"),
    "mandate.submit": _l("submitted a mandate for legal review"),
    "mandate.send_back": _l("sent a mandate back to draft"),
    "mandate.sign": _l("signed a mandate"),
    "mandate.in_force": _l("put a mandate in force"),
    "mandate.supersede": _l("superseded a mandate by a newer version"),
    "mandate.expire": _l("ended a mandate"),
    "mandate.amend": _l("amended a mandate"),
    "municipality.create": _l("created a municipality"),
    "municipality.update": _l("changed a municipality"),
    "municipality.population": _l("recorded the population"),
    "participation.invalidate": _l("invalidated a participation"),
    "phase.open_early": _l("opened a phase early"),
    "phase.close_early": _l("closed a phase early"),
    "phase.extend": _l("extended a phase"),
    "pool.create": _l("added a pool"),
    "pool.update": _l("changed a pool"),
    "pool.delete": _l("removed a pool"),
    "pool.annul": _l("annulled the vote of a pool"),
    "pool.incompatible_set.add": _l("recorded a set of incompatible projects"),
    "pool.incompatible_set.remove": _l("removed a set of incompatible projects"),
    "process.create": _l("created an edition"),
    "process.import": _l("imported an edition"),
    "process.copy": _l("copied an edition"),
    "process.update": _l("changed an edition's settings"),
    "process.schedule": _l("changed an edition's dates"),
    "process.vocabulary": _l("changed an edition's categories"),
    "process.min_vote_share": _l("set the minimum vote share"),
    "project.enter": _l("entered a project"),
    "project.hide": _l("hid a project"),
    "register.import": _l("imported the voter register"),
    "register.codes_issued": _l("issued voting codes"),
    "register.verify.register_match": _l("a resident was verified against the register"),
    "register.verify.code": _l("a resident was verified with a voting code"),
    "register.verify.assisted": _l("verified a resident in person"),
    "review.assign": _l("assigned a reviewer"),
    "review.unassign": _l("took a reviewer off a project"),
    "review.record": _l("recorded a review"),
    "review.appeal": _l("appealed against a review"),
    "review.appeal_answer": _l("answered an appeal"),
    "thresholds.set": _l("set the thresholds of the assessment flags"),
    "vote.close": _l("closed the vote"),
}

OBJECT_LABELS = {
    "assessment": _l("Assessment"),
    "assessment_version": _l("Assessment version"),
    "comment": _l("Comment"),
    "district": _l("District"),
    "final_annex": _l("Budget annex"),
    "mandate": _l("Mandate"),
    "municipality": _l("Municipality"),
    "participation": _l("Participation"),
    "pool": _l("Pool"),
    "process": _l("Edition"),
    "project": _l("Project"),
    "user": _l("Account"),
    "voter_register_entry": _l("Register entry"),
}


def action_label(action: str) -> str:
    """What the action did, in plain words (its code when pb has no words for it)."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


def object_label(object_type: str, object_id: str | None) -> str:
    """The object in plain words, with its number."""
    name = OBJECT_LABELS.get(object_type)
    name = str(name) if name is not None else object_type
    return f"{name} {object_id}" if object_id else name


def value_text(value: Any) -> str:
    """One recorded value as a person reads it."""
    if value is None or value == "" or value == []:
        return "—"
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if isinstance(value, list) and all(not isinstance(item, dict | list) for item in value):
        return ", ".join(str(item) for item in value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


@dataclass(frozen=True)
class Change:
    """One field of an event: its value before and after, as text."""

    field: str
    before: str
    after: str


def _flatten(value: dict[str, Any] | None, prefix: str = "") -> dict[str, Any]:
    """Nested records (the phases of an edition) as dotted fields, so that only what changed is shown."""
    flat: dict[str, Any] = {}
    for key, item in (value or {}).items():
        name = f"{prefix}{key}"
        if isinstance(item, dict) and item:
            flat.update(_flatten(item, f"{name}."))
        else:
            flat[name] = item
    return flat


def changes(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[Change]:
    """The fields whose value differs between before and after, in the order recorded (fields only recorded
    on one side count as changed)."""
    old, new = _flatten(before), _flatten(after)
    names = list(dict.fromkeys([*old, *new]))
    return [Change(name, value_text(old.get(name)), value_text(new.get(name))) for name in names
            if name not in old or name not in new or old[name] != new[name]]
