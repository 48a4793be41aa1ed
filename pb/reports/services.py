"""The report operations: importing the census, setting a municipality's thresholds for the flags, writing and
versioning impact assessments, publishing them, and finalising the budget annex. Each takes the acting user, checks its permission, flushes and audits; the
caller commits once."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _

from pb.accounts.models import User
from pb.accounts.permissions import check_works_in
from pb.audit.services import changes, record
from pb.core.db import utcnow
from pb.core.urls import external_url
from pb.errors import InvalidTransition, NotAllowed, ValidationError
from pb.extensions import db
from pb.mandate.queries import local_today
from pb.mandate.services import annex_blockers
from pb.processes.models import Municipality, Process
from pb.reports import accessibility, data, metrics, mitigation
from pb.reports.annex import build_annex_csv, build_annex_pdf, build_annex_xlsx
from pb.reports.census import AGE_BAND_LABELS, TOTAL, parse_census
from pb.reports.data import thresholds_for  # noqa: F401 (kept beside the adapters that use it, offered here)
from pb.reports.documents import AssessmentDocument, Signatory
from pb.reports.labels import census_problem_message
from pb.reports.models import (
    Assessment,
    AssessmentMode,
    AssessmentThresholds,
    AssessmentVersion,
    FinalAnnex,
    PopulationBaseline,
    PopulationFigure,
)
from pb.reports.pdf import Translate
from pb.reports.permissions import can_prepare_annex, can_set_thresholds, can_write_assessments
from pb.reports.sia_pdf import build_sia

#: The formats of the budget annex, with their media types.
ANNEX_FORMATS = {
    "pdf": "application/pdf",
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def sha256(content: bytes) -> str:
    """The SHA-256 of a file as hex: what a published document is cited by."""
    return hashlib.sha256(content).hexdigest()


# ---------------------------------------------------------------------------------------------- census


@dataclass(frozen=True)
class CensusInput:
    """A census file as the clerk uploaded it, with its source and date."""

    text: str
    source: str
    as_of: dt.date


#: How many problems of an imported file a message lists; it counts the rest.
MAX_LISTED = 50


def import_census(actor: User, process: Process, value: CensusInput, now: dt.datetime | None = None
                  ) -> PopulationBaseline:
    """Replace the process's census with the file's figures; a file with any bad line changes nothing, and the
    message lists every problem at once. Figures dated in the future are refused."""
    if not can_prepare_annex(actor):
        raise NotAllowed(_("Only a clerk can import the census."))
    check_works_in(actor, process.municipality_id)
    if not value.source.strip():
        raise ValidationError("source", _("Say where the figures come from."))
    if value.as_of > local_today(process, now):
        raise ValidationError("as_of", _("The figures cannot be dated in the future: give the date they describe."))
    rows, problems = parse_census(value.text)
    codes = {district.code.lower(): district.code for district in process.municipality.districts}
    # Every problem of the file at once: its lines and its district codes.
    found = [census_problem_message(p) for p in problems]
    found += [_("line %(line)d has “%(code)s”, which is not a district code of %(municipality)s", line=row.line,
                code=row.group, municipality=process.municipality.name)
              for row in rows if row.attribute == "district" and row.group.lower() not in codes]
    if found:
        listed = "; ".join(found[:MAX_LISTED])
        more = len(found) - MAX_LISTED
        raise ValidationError("file", _("The file was not imported: %(problems)s.", problems=listed)
                              + (" " + ngettext("and %(num)d more problem.", "and %(num)d more problems.", more)
                                 if more > 0 else ""))
    baseline = data.baseline_of(process)
    if baseline is None:
        baseline = PopulationBaseline(process_id=process.id, source="", as_of=value.as_of)
        db.session.add(baseline)
    baseline.figures.clear()
    # The old lines go first: the new ones reuse their (attribute, group) keys.
    db.session.flush()
    baseline.source, baseline.as_of = value.source.strip(), value.as_of
    baseline.imported_by_id, baseline.imported_at = actor.id, utcnow()
    baseline.figures.extend(PopulationFigure(
        attribute=row.attribute, group=codes[row.group.lower()] if row.attribute == "district" else row.group,
        population=row.population, eligible=row.eligible) for row in rows)
    db.session.flush()
    record(db.session, actor, "census.import", "process", process.id, after={
        "source": baseline.source, "as_of": baseline.as_of,
        "lines": [[row.attribute, row.group, row.population, row.eligible] for row in rows]})
    return baseline


# ---------------------------------------------------------------------------------------------- thresholds

#: The stored fields of a municipality's thresholds, as ``AssessmentThresholds`` columns and form fields.
THRESHOLD_FIELDS = ["representation_green_low", "representation_green_high", "representation_amber_low",
                    "representation_amber_high", "spending_gini_green", "spending_gini_amber", "funded_share_green",
                    "funded_share_amber", "min_group"]

#: The largest representation index a band may reach: a group voting ten times as often as the electorate.
MAX_REPRESENTATION = 10.0

#: The largest group a municipality may suppress: beyond it, suppression would hide whole districts.
MAX_MIN_GROUP = 100


def _columns(value: metrics.Thresholds) -> dict[str, float | int]:
    """The thresholds as ``THRESHOLD_FIELDS`` (a band split into its two ends)."""
    return {
        "representation_green_low": value.representation_green[0],
        "representation_green_high": value.representation_green[1],
        "representation_amber_low": value.representation_amber[0],
        "representation_amber_high": value.representation_amber[1],
        "spending_gini_green": value.spending_gini_green, "spending_gini_amber": value.spending_gini_amber,
        "funded_share_green": value.funded_share_green, "funded_share_amber": value.funded_share_amber,
        "min_group": value.min_group,
    }


def _within(number: object, low: float, high: float) -> bool:
    """Whether number is a real number from low to high (NaN and infinities are not)."""
    return isinstance(number, int | float) and not isinstance(number, bool) and low <= number <= high


def threshold_problem(value: metrics.Thresholds) -> ValidationError | None:
    """The first rule the thresholds break, on the field it belongs to; None when they make sense.

    The representation bands must hold parity (1), the amber band the green one; a Gini and a share are
    fractions from 0 to 1; the flags must get worse in the right order (a higher Gini, a lower share).
    """
    v, n = _columns(value), format_decimal
    if not _within(v["representation_green_low"], 0, 1):
        return ValidationError("representation_green_low", _(
            "The green band of the representation index starts between 0 and 1: a group that votes as often as "
            "the electorate (1) must be green."))
    if not _within(v["representation_green_high"], 1, MAX_REPRESENTATION):
        return ValidationError("representation_green_high", _(
            "The green band of the representation index ends between 1 and %(max)s: a group that votes as often "
            "as the electorate (1) must be green.", max=n(MAX_REPRESENTATION)))
    if not _within(v["representation_amber_low"], 0, v["representation_green_low"]):
        return ValidationError("representation_amber_low", _(
            "The amber band of the representation index starts between 0 and the start of the green band "
            "(%(green)s): the amber band contains the green one.", green=n(v["representation_green_low"])))
    if not _within(v["representation_amber_high"], v["representation_green_high"], MAX_REPRESENTATION):
        return ValidationError("representation_amber_high", _(
            "The amber band of the representation index ends between the end of the green band (%(green)s) and "
            "%(max)s: the amber band contains the green one.",
            green=n(v["representation_green_high"]), max=n(MAX_REPRESENTATION)))
    for name in ("spending_gini_green", "spending_gini_amber"):
        if not _within(v[name], 0, 1):
            return ValidationError(name, _("A Gini coefficient is between 0 and 1."))
    if v["spending_gini_amber"] < v["spending_gini_green"]:
        return ValidationError("spending_gini_amber", _(
            "The amber limit of the spending Gini is at least its green limit (%(green)s): a higher Gini is "
            "worse.", green=n(v["spending_gini_green"])))
    for name in ("funded_share_green", "funded_share_amber"):
        if not _within(v[name], 0, 1):
            return ValidationError(name, _("A share is between 0 and 1 (0.75 means 75 per cent)."))
    if v["funded_share_amber"] > v["funded_share_green"]:
        return ValidationError("funded_share_amber", _(
            "The amber limit of the share of voters with a funded project is at most its green limit "
            "(%(green)s): a lower share is worse.", green=n(v["funded_share_green"])))
    if not isinstance(v["min_group"], int) or isinstance(v["min_group"], bool) or not (
            1 <= v["min_group"] <= MAX_MIN_GROUP):
        return ValidationError("min_group", _("The smallest group shown is a whole number from 1 to %(max)d voters.",
                                              max=MAX_MIN_GROUP))
    return None


def set_thresholds(actor: User, municipality: Municipality, value: metrics.Thresholds) -> AssessmentThresholds:
    """Keep the municipality's own thresholds for the flags of every later assessment; the audit log holds
    what they replaced. Thresholds that break a rule change nothing."""
    if not can_set_thresholds(actor):
        raise NotAllowed(_("Only a legal officer can set the thresholds of the assessment flags."))
    check_works_in(actor, municipality.id)
    problem = threshold_problem(value)
    if problem is not None:
        raise problem
    row = data.thresholds_row(municipality)
    before = changes(row, THRESHOLD_FIELDS) if row is not None else None
    after = _columns(value)
    if before == after:
        return row
    if row is None:
        row = AssessmentThresholds(municipality_id=municipality.id)
        db.session.add(row)
    for name, figure in after.items():
        setattr(row, name, figure)
    row.updated_by_id, row.updated_at = actor.id, utcnow()
    db.session.flush()
    record(db.session, actor, "thresholds.set", "municipality", municipality.id,
           before=before if before is not None else {"defaults": _columns(metrics.DEFAULT_THRESHOLDS)},
           after=changes(row, THRESHOLD_FIELDS))
    return row


# ---------------------------------------------------------------------------------------------- assessments


def assessment_for(process: Process, mode: AssessmentMode) -> Assessment:
    """The process's assessment in this mode, created empty the first time it is asked for."""
    found = db.session.scalar(sa.select(Assessment).where(Assessment.process_id == process.id,
                                                          Assessment.mode == mode))
    if found is None:
        found = Assessment(process_id=process.id, mode=mode)
        db.session.add(found)
        db.session.flush()
    return found


def _require_writer(actor: User, assessment: Assessment) -> None:
    if not can_write_assessments(actor):
        raise NotAllowed(_("Only a legal officer can write and publish impact assessments."))
    check_works_in(actor, db.session.get(Process, assessment.process_id).municipality_id)


def save_sections(actor: User, assessment: Assessment, sections: dict[str, str]) -> Assessment:
    """Keep the written sections; the audit log holds what changed."""
    _require_writer(actor, assessment)
    before = data.sections_of(assessment)
    for name in data.SECTIONS:
        setattr(assessment, name, (sections.get(name) or "").strip())
    assessment.updated_by_id = actor.id
    db.session.flush()
    after = data.sections_of(assessment)
    changed = [name for name in data.SECTIONS if before[name] != after[name]]
    if changed:
        record(db.session, actor, "assessment.edit", "assessment", assessment.id,
               before={name: before[name] for name in changed}, after={name: after[name] for name in changed})
    return assessment


def _require_results(assessment: Assessment, process: Process) -> None:
    """An ex-post assessment reads the stored results, which exist only after the count."""
    if assessment.mode is AssessmentMode.EX_POST and process.vote_closed_at is None:
        raise InvalidTransition(_("The vote has not been counted yet: the ex-post assessment needs its results. "
                                  "Prepare the ex-ante assessment until then."))


def _next_number(assessment: Assessment) -> int:
    """The number the next version gets (1 for an assessment not saved yet)."""
    if assessment.id is None:
        return 1
    return 1 + (db.session.scalar(sa.select(sa.func.max(AssessmentVersion.number))
                                  .where(AssessmentVersion.assessment_id == assessment.id)) or 0)


def with_mitigation(document: AssessmentDocument, assessment: Assessment) -> AssessmentDocument:
    """The document with the process's risk register and mitigation plan (ex post: each action's before/after),
    and the sentence citing the municipality's public accessibility statement."""
    process = db.session.get(Process, assessment.process_id)
    return dataclasses.replace(
        document, risks=mitigation.risk_lines(process),
        actions=mitigation.action_lines(process, with_turnout=assessment.mode is AssessmentMode.EX_POST),
        accessibility_statement=accessibility_citation(process.municipality))


def accessibility_citation(municipality: Municipality) -> str:
    """"Accessibility statement: <address>, prepared on <date>; ...": what the assessment's accessibility line
    cites (the date is missing until a legal officer fills in the municipality's contact)."""
    contact = accessibility.contact_of(municipality)
    return _("Accessibility statement: %(url)s, prepared on %(date)s; the site is partially compliant with "
             "%(standard)s, with the non-accessible content it lists.",
             url=external_url("reports.municipality_accessibility", municipality=municipality.slug),
             date=contact.prepared_on.isoformat() if contact else _("not given yet"),
             standard=accessibility.STANDARD)


def draft_pdf(assessment: Assessment, *, translate: Translate, locale: str, now: dt.datetime | None = None) -> bytes:
    """The assessment as it would be now, marked as a draft and kept nowhere (for previews and the CLI)."""
    process = db.session.get(Process, assessment.process_id)
    _require_results(assessment, process)
    document = data.assessment_document(assessment, number=_next_number(assessment), is_draft=True,
                                        prepared_on=local_today(process, now).isoformat())
    return build_sia(with_mitigation(document, assessment), translate=translate, locale=locale)


def preview(actor: User, assessment: Assessment, *, translate: Translate, locale: str,
            now: dt.datetime | None = None) -> bytes:
    """The legal officer's preview: the draft as it would be now."""
    _require_writer(actor, assessment)
    return draft_pdf(assessment, translate=translate, locale=locale, now=now)


def generate_version(actor: User, assessment: Assessment, *, translate: Translate, locale: str,
                     now: dt.datetime | None = None) -> AssessmentVersion:
    """Build the next version from the data and sections as they are now, and keep its PDF and hash.

    A version is final as built (no draft mark): publishing later shows exactly these bytes.
    """
    _require_writer(actor, assessment)
    process = db.session.get(Process, assessment.process_id)
    _require_results(assessment, process)
    number = _next_number(assessment)
    today = local_today(process, now).isoformat()
    sections = data.sections_of(assessment)
    document = data.assessment_document(assessment, number=number, is_draft=False, prepared_on=today,
                                        prepared_by=actor.display_name or actor.email, sections=sections)
    content = build_sia(with_mitigation(document, assessment), translate=translate, locale=locale)
    version = AssessmentVersion(assessment_id=assessment.id, number=number, pdf=content, sha256=sha256(content),
                                byte_size=len(content), locale=locale, sections=sections,
                                generated_by_id=actor.id, generated_at=now or utcnow())
    db.session.add(version)
    db.session.flush()
    record(db.session, actor, "assessment.generate", "assessment_version", version.id,
           after={"process": process.id, "mode": assessment.mode, "number": number, "sha256": version.sha256})
    return version


def publish_version(actor: User, version: AssessmentVersion, now: dt.datetime | None = None) -> AssessmentVersion:
    """Make a version public; a published version stays published (a correction is a newer version)."""
    _require_writer(actor, version.assessment)
    if version.is_published:
        raise InvalidTransition(_("Version %(number)d is already published.", number=version.number))
    version.published_at, version.published_by_id = now or utcnow(), actor.id
    db.session.flush()
    record(db.session, actor, "assessment.publish", "assessment_version", version.id,
           after={"process": version.assessment.process_id, "mode": version.assessment.mode,
                  "number": version.number, "sha256": version.sha256})
    return version


def published_versions(process: Process) -> list[AssessmentVersion]:
    """Every published version of the process's assessments, newest first."""
    return list(db.session.scalars(
        sa.select(AssessmentVersion).join(Assessment)
        .where(Assessment.process_id == process.id, AssessmentVersion.published_at.is_not(None))
        .order_by(AssessmentVersion.published_at.desc(), AssessmentVersion.id.desc())))


# ---------------------------------------------------------------------------------------------- budget annex


def annex_files(process: Process, *, translate: Translate, locale: str, prepared_on: str = "",
                signatories: tuple[Signatory, ...] = (), formats: tuple[str, ...] = ("pdf", "csv", "xlsx"),
                ) -> dict[str, bytes]:
    """The annex in the formats asked for, from the stored results and decisions as they are now."""
    annex = data.budget_annex(process, prepared_on=prepared_on, signatories=signatories)
    builders = {"pdf": lambda: build_annex_pdf(annex, translate=translate, locale=locale),
                "csv": lambda: build_annex_csv(annex, translate=translate),
                "xlsx": lambda: build_annex_xlsx(annex, translate=translate)}
    return {fmt: builders[fmt]() for fmt in formats}


def finalise_annex(actor: User, process: Process, *, translate: Translate, locale: str, reason: str = "",
                   now: dt.datetime | None = None) -> FinalAnnex:
    """Keep the annex as the council will receive it, dated and signed by the clerk; refused while the
    mandate's conditions are not met (no mandate, no count, winners without a decision or its reason). A new
    version after the first says why it replaces the one before."""
    if not can_prepare_annex(actor):
        raise NotAllowed(_("Only a clerk can finalise the budget annex."))
    check_works_in(actor, process.municipality_id)
    blockers = annex_blockers(process)
    if blockers:
        raise InvalidTransition(_("The annex cannot be finalised yet: %(reasons)s", reasons=" ".join(blockers)))
    number = 1 + (db.session.scalar(sa.select(sa.func.max(FinalAnnex.number))
                                    .where(FinalAnnex.process_id == process.id)) or 0)
    if number > 1 and not reason.strip():
        raise ValidationError("reason", _("Annex %(number)d is already finalised: say why a new version replaces "
                                          "it.", number=number - 1))
    today = local_today(process, now).isoformat()
    files = annex_files(process, translate=translate, locale=locale, prepared_on=today,
                        signatories=(Signatory(_("Clerk"), actor.display_name or actor.email, today),))
    annex = FinalAnnex(process_id=process.id, number=number, locale=locale, finalised_by_id=actor.id,
                       finalised_at=now or utcnow(), reason=reason.strip() or None, **files,
                       **{f"{fmt}_sha256": sha256(content) for fmt, content in files.items()})
    db.session.add(annex)
    db.session.flush()
    record(db.session, actor, "annex.finalise", "final_annex", annex.id,
           after={"process": process.id, "number": number, "reason": annex.reason, "pdf_sha256": annex.pdf_sha256,
                  "csv_sha256": annex.csv_sha256, "xlsx_sha256": annex.xlsx_sha256})
    return annex


def final_annexes(process: Process) -> list[FinalAnnex]:
    """The finalised annexes of the process, newest first."""
    return list(db.session.scalars(sa.select(FinalAnnex).where(FinalAnnex.process_id == process.id)
                                   .order_by(FinalAnnex.number.desc())))


def census_lines(baseline: PopulationBaseline | None) -> list[PopulationFigure]:
    """The census lines in reading order: the total, then districts, age bands and sexes."""
    if baseline is None:
        return []
    order = {TOTAL: 0, "district": 1, "age_band": 2, "sex": 3}
    bands = {label: position for position, label in enumerate(AGE_BAND_LABELS)}
    return sorted(baseline.figures, key=lambda f: (order.get(f.attribute, 9), bands.get(f.group, 0), f.group))
