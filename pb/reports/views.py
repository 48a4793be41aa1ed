"""Pages of the reports area: the legal officer's assessment editor (preview, versions, publishing) and the
municipality's thresholds for the flags, the clerk's budget annex and census import, and the public list of published assessments.

The blueprint also carries the ``flask report`` commands (``pb.reports.cli``), so that registering it
registers them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, format_decimal, format_percent, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from pb.accounts.permissions import is_staff, municipality_scope, public, requires
from pb.core.i18n import paper_languages, paper_locale
from pb.core.money import format_money
from pb.deliberation.markdown import render as render_markdown
from pb.errors import PBError, ValidationError, attempt
from pb.extensions import db
from pb.mandate.services import annex_blockers
from pb.processes.models import Municipality, Process
from pb.processes.queries import process_by_slug
from pb.reports import accessibility, data, labels, metrics, mitigation, monitoring, services
from pb.reports.annex import funded_total, not_adopted_total
from pb.reports.cli import report_commands
from pb.reports.forms import (
    AccessibilityContactForm,
    MITIGATION_KINDS,
    SECTION_FIELDS,
    CensusForm,
    ConfirmForm,
    FinaliseForm,
    MitigationForm,
    RiskForm,
    SectionsForm,
    ThresholdsForm,
)
from pb.reports.models import Assessment, AssessmentMode, AssessmentVersion, FinalAnnex
from pb.reports.permissions import can_prepare_annex, can_set_thresholds, can_watch_vote, can_write_assessments
from pb.voting.forms_desk import upload_text

bp = Blueprint("reports", __name__, cli_group="report")
for _command in report_commands:
    bp.cli.add_command(_command)

MODES = "any('ex-ante', 'ex-post')"


@bp.app_context_processor
def report_helpers():
    """What the reports' partial on the process page needs."""
    return {"published_assessments": services.published_versions, "report_labels": labels,
            "can_write_assessments": can_write_assessments, "can_prepare_annex": can_prepare_annex,
            "can_set_thresholds": can_set_thresholds, "can_watch_vote": can_watch_vote}


def _locale() -> str:
    return str(get_locale() or "en")


def _paper_locale(process: Process) -> str:
    """The language of the paper asked for: ``language`` of the request if the municipality offers it, else its
    main language (not the clerk's screen language)."""
    return paper_locale(process.municipality.languages, request.values.get("language"))


def _file(content: bytes, fmt: str, name: str, inline: bool = False) -> Response:
    """A download (or, for a PDF shown in the browser, an inline document)."""
    disposition = "inline" if inline else "attachment"
    return Response(content, mimetype=services.ANNEX_FORMATS[fmt],
                    headers={"Content-Disposition": f'{disposition}; filename="{name}"'})


def _file_name(process: Process, what: str, fmt: str) -> str:
    return f"{process.municipality.slug}-{process.slug}-{what}.{fmt}"


def _flash_error(form, error: PBError) -> None:
    """Put a domain error on the form field it names, or flash it."""
    field = getattr(form, error.field, None) if isinstance(error, ValidationError) and error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        flash(error.message, "error")


def _confirmed_step(step: Callable[[], Any], done: Callable[[Any], str]) -> None:
    """Run one confirmed service step (a button): commit and say what it did, or roll back and say why not."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        result = step()
    except PBError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(done(result), "success")


def _version_file(version: AssessmentVersion) -> Response:
    """A stored version's PDF, shown in the browser, exactly as generated."""
    process = db.session.get(Process, version.assessment.process_id)
    what = f"assessment-{version.assessment.mode}-v{version.number}"
    return _file(version.pdf, "pdf", _file_name(process, what, "pdf"), inline=True)


# ---------------------------------------------------------------------------------------------- staff index


@bp.get("/staff/reports")
@requires(is_staff)
def index():
    """Every process with links to its assessments (legal officers) and its annex (clerks)."""
    query = sa.select(Process).order_by(Process.fiscal_year.desc(), Process.name)
    within = municipality_scope(current_user)
    if within is not None:
        query = query.where(Process.municipality_id.in_(within))
    processes = db.session.scalars(query).all()
    municipalities = sorted({process.municipality for process in processes}, key=lambda m: m.name)
    return render_template("reports/index.html", processes=processes, modes=list(AssessmentMode),
                           municipalities=municipalities)


# ---------------------------------------------------------------------------------------------- thresholds


@bp.route("/staff/reports/municipalities/<int:municipality_id>/thresholds", methods=["GET", "POST"])
@requires(can_set_thresholds)
def thresholds(municipality_id: int):
    """The municipality's thresholds for the assessment flags; thresholds that make no sense change nothing."""
    municipality = db.get_or_404(Municipality, municipality_id)
    form = ThresholdsForm.of(data.thresholds_for(municipality))
    if form.validate_on_submit():
        try:
            services.set_thresholds(current_user, municipality, form.thresholds())
        except PBError as error:
            db.session.rollback()
            _flash_error(form, error)
        else:
            db.session.commit()
            flash(_("The thresholds were saved. Assessments generated from now on are flagged against them."),
                  "success")
            return redirect(url_for("reports.thresholds", municipality_id=municipality.id))
    stored = data.thresholds_row(municipality)
    return render_template("reports/thresholds.html", municipality=municipality, form=form, stored=stored,
                           defaults=metrics.DEFAULT_THRESHOLDS)


# ---------------------------------------------------------------------------------------------- assessments


def _assessment(process: Process, mode: str) -> Assessment:
    """The stored assessment, or an empty one that is not saved (a page view creates nothing)."""
    found = db.session.scalar(sa.select(Assessment).where(Assessment.process_id == process.id,
                                                          Assessment.mode == AssessmentMode(mode)))
    return found or Assessment(process_id=process.id, mode=AssessmentMode(mode))


def _editor(process: Process, assessment: Assessment, form: SectionsForm):
    census = data.population(process)
    return render_template(
        "reports/assessment.html", process=process, assessment=assessment, form=form, fields=SECTION_FIELDS,
        versions=list(assessment.versions) if assessment.id else [], confirm=ConfirmForm(formdata=None),
        paper_languages=paper_languages(process.municipality.languages),
        gaps=[labels.missing_label(item) for item in data.baseline_gaps(process, census)], census=census,
        mandate=data.governing(process))


@bp.route(f"/staff/assessments/processes/<int:process_id>/<{MODES}:mode>", methods=["GET", "POST"])
@requires(can_write_assessments)
def assessment(process_id: int, mode: str):
    """The assessment editor: the written sections, the baseline's gaps, preview, versions and publishing."""
    process = db.get_or_404(Process, process_id)
    found = _assessment(process, mode)
    form = SectionsForm(obj=found)
    if form.validate_on_submit():
        try:
            services.save_sections(current_user, services.assessment_for(process, found.mode), form.sections())
        except PBError as error:
            db.session.rollback()
            _flash_error(form, error)
        else:
            db.session.commit()
            flash(_("The sections were saved. Preview the assessment, or generate a version."), "success")
            return redirect(url_for("reports.assessment", process_id=process.id, mode=mode))
    return _editor(process, found, form)


@bp.get(f"/staff/assessments/processes/<int:process_id>/<{MODES}:mode>/preview.pdf")
@requires(can_write_assessments)
def preview(process_id: int, mode: str):
    """The assessment as it would be now, as a draft PDF in the browser (``?download=1`` to save it)."""
    process = db.get_or_404(Process, process_id)
    locale = _paper_locale(process)
    try:
        with force_locale(locale):
            content = services.preview(current_user, _assessment(process, mode), translate=_, locale=locale)
    except PBError as error:
        flash(error.message, "error")
        return redirect(url_for("reports.assessment", process_id=process.id, mode=mode))
    return _file(content, "pdf", _file_name(process, f"assessment-{mode}-draft", "pdf"),
                 inline=not request.args.get("download"))


@bp.post(f"/staff/assessments/processes/<int:process_id>/<{MODES}:mode>/versions")
@requires(can_write_assessments)
def generate(process_id: int, mode: str):
    """Generate the next version and keep its PDF and hash."""
    process = db.get_or_404(Process, process_id)
    locale = _paper_locale(process)

    def generate_in_its_language():
        with force_locale(locale):
            return services.generate_version(current_user, services.assessment_for(process, AssessmentMode(mode)),
                                             translate=_, locale=locale)

    _confirmed_step(
        generate_in_its_language,
        lambda version: _("Version %(number)d was generated. Read it, then publish it.", number=version.number))
    return redirect(url_for("reports.assessment", process_id=process.id, mode=mode))


@bp.get("/staff/assessments/versions/<int:version_id>.pdf")
@requires(can_write_assessments)
def version_pdf(version_id: int):
    """A stored version, published or not, exactly as generated."""
    return _version_file(db.get_or_404(AssessmentVersion, version_id))


@bp.post("/staff/assessments/versions/<int:version_id>/publish")
@requires(can_write_assessments)
def publish(version_id: int):
    """Publish a version: from now on the public can read it and check its hash."""
    version = db.get_or_404(AssessmentVersion, version_id)
    _confirmed_step(lambda: services.publish_version(current_user, version),
                    lambda published: _("Version %(number)d is published.", number=published.number))
    return redirect(url_for("reports.assessment", process_id=version.assessment.process_id,
                            mode=version.assessment.mode.value))


# ---------------------------------------------------------------------------------------------- budget annex


def _annex_page(process: Process, census_form: CensusForm):
    baseline = data.baseline_of(process)
    census = data.population(process)
    return render_template(
        "reports/annex.html", process=process, annex=data.budget_annex(process), blockers=annex_blockers(process),
        finals=services.final_annexes(process), confirm=FinaliseForm(formdata=None), census_form=census_form,
        baseline=baseline, census_lines=services.census_lines(baseline), formats=list(services.ANNEX_FORMATS),
        census=census, gaps=[labels.missing_label(item) for item in data.baseline_gaps(process, census)],
        funded_total=funded_total, not_adopted_total=not_adopted_total,
        paper_languages=paper_languages(process.municipality.languages))


@bp.get("/staff/annex/processes/<int:process_id>")
@requires(can_prepare_annex)
def annex(process_id: int):
    """The budget annex of a process: what it holds now, downloads, finalising; and the census import."""
    return _annex_page(db.get_or_404(Process, process_id), CensusForm(formdata=None))


@bp.get("/staff/annex/processes/<int:process_id>/annex.<any(pdf, csv, xlsx):fmt>")
@requires(can_prepare_annex)
def annex_download(process_id: int, fmt: str):
    """The annex from the data as it is now (not finalised: undated and unsigned)."""
    process = db.get_or_404(Process, process_id)
    locale = _paper_locale(process)
    with force_locale(locale):
        files = services.annex_files(process, translate=_, locale=locale, formats=(fmt,))
    return _file(files[fmt], fmt, _file_name(process, "annex-draft", fmt))


@bp.post("/staff/annex/processes/<int:process_id>/finalise")
@requires(can_prepare_annex)
def finalise(process_id: int):
    """Finalise the annex; refused, with the reasons, while the mandate's conditions are not met."""
    process = db.get_or_404(Process, process_id)
    form = FinaliseForm()
    if not form.validate_on_submit():
        abort(400)
    locale = _paper_locale(process)

    def finalise_in_its_language():
        with force_locale(locale):
            return services.finalise_annex(current_user, process, translate=_, locale=locale,
                                           reason=form.reason.data or "")

    done = attempt(finalise_in_its_language)
    if done.ok:
        flash(_("Annex %(number)d is finalised.", number=done.value.number), "success")
    return redirect(url_for("reports.annex", process_id=process.id))


@bp.get("/staff/annex/<int:annex_id>.<any(pdf, csv, xlsx):fmt>")
@requires(can_prepare_annex)
def final_download(annex_id: int, fmt: str):
    """A finalised annex, exactly as kept."""
    final = db.get_or_404(FinalAnnex, annex_id)
    process = db.session.get(Process, final.process_id)
    return _file(getattr(final, fmt), fmt, _file_name(process, f"annex-{final.number}", fmt))


@bp.post("/staff/annex/processes/<int:process_id>/census")
@requires(can_prepare_annex)
def census(process_id: int):
    """Import the census table; a file with any bad line changes nothing and every problem is listed."""
    process = db.get_or_404(Process, process_id)
    form = CensusForm()
    if form.validate_on_submit():
        text = upload_text(form.file)
        if text is None:
            form.file.errors = [_("The file is not UTF-8 text.")]
        else:
            try:
                services.import_census(current_user, process,
                                       services.CensusInput(text, form.source.data, form.as_of.data))
            except PBError as error:
                db.session.rollback()
                _flash_error(form, error)
            else:
                db.session.commit()
                flash(_("The census was imported."), "success")
                return redirect(url_for("reports.annex", process_id=process.id))
    return _annex_page(process, form)


# ---------------------------------------------------------------------------------------------- live


def _live_helpers() -> dict[str, Any]:
    """What the live page formats with."""
    return {"percent": lambda value: "—" if value is None else format_percent(value, "#,##0.0%"),
            "decimal": lambda value: "—" if value is None else format_decimal(value, "0.00"),
            "group_label": monitoring.group_label, "flag_label": labels.flag_label,
            "attribute_label": labels.attribute_label, "group_name": labels.group_name,
            "money": lambda amount, currency: format_money(amount, currency, _locale()),
            "target_label": labels.target_label, "likelihood_label": labels.likelihood_label}


@bp.get("/staff/reports/processes/<int:process_id>/live")
@requires(can_watch_vote)
def live(process_id: int):
    """Turnout and representation by group and by day while the vote runs, with its flags (staff only)."""
    process = db.get_or_404(Process, process_id)
    figures = monitoring.live(process)
    return render_template("reports/live.html", process=process, figures=figures,
                           flags=monitoring.flags_of(process), is_running=monitoring.is_running(process),
                           attributes=metrics.ATTRIBUTES, **_live_helpers())


def _mitigation_form(process: Process, form: MitigationForm) -> MitigationForm:
    """The form with the process's groups and flags to choose from."""
    form.target.choices = [SelectChoice(mitigation.target_key(a, g),
                                        monitoring.group_label(a, g) if a else _("Everyone"))
                           for a, g in mitigation.targets(process)]
    form.flag_id.choices = [SelectChoice("", _("None"))] + [
        SelectChoice(str(flag.id), monitoring.group_label(flag.attribute, flag.group))
        for flag in monitoring.flags_of(process)]
    return form


def _risk_form(process: Process, form: RiskForm) -> RiskForm:
    """The risk form with the process's groups and the actions of its plan to choose from."""
    form.risk_target.choices = [SelectChoice(mitigation.target_key(a, g), labels.target_label(a, g))
                                for a, g in mitigation.targets(process)]
    form.action_id.choices = [SelectChoice("", _("None"))] + [
        SelectChoice(str(action.id), f"{labels.mitigation_kind_label(action.kind)}: {action.description[:60]}")
        for action in mitigation.actions_of(process)]
    return form


def _plan_page(process: Process, form: MitigationForm, risk_form: RiskForm):
    return render_template("reports/mitigation.html", process=process, form=form, risk_form=risk_form,
                           outcomes=mitigation.outcomes(process), risks=mitigation.risks_of(process),
                           kinds=dict(MITIGATION_KINDS), **_live_helpers())


@bp.post("/staff/reports/processes/<int:process_id>/risks")
@requires(can_watch_vote)
def add_risk(process_id: int):
    """Add a line to the risk register of the ex-ante assessment."""
    process = db.get_or_404(Process, process_id)
    risk_form = _risk_form(process, RiskForm())
    if risk_form.validate_on_submit():
        if attempt(lambda: mitigation.add_risk(current_user, process, risk_form.value()), risk_form,
                   {"risk_target": "risk_target"}).ok:
            flash(_("The risk was added to the register."), "success")
            return redirect(url_for("reports.mitigation_plan", process_id=process.id) + "#risks")
    return _plan_page(process, _mitigation_form(process, MitigationForm(formdata=None)), risk_form)


@bp.route("/staff/reports/processes/<int:process_id>/mitigation", methods=["GET", "POST"])
@requires(can_watch_vote)
def mitigation_plan(process_id: int):
    """The mitigation plan: its actions with the turnout of their group before and after, and a new action."""
    process = db.get_or_404(Process, process_id)
    form = _mitigation_form(process, MitigationForm())
    if request.method == "GET":
        form.starts_on.data = form.starts_on.data or mitigation.today(process)
        flag = request.args.get("flag", "")
        if flag.isdecimal():
            form.flag_id.data = flag
    if form.validate_on_submit():
        if attempt(lambda: mitigation.add_action(current_user, process, form.value()), form).ok:
            flash(_("The action was added to the mitigation plan."), "success")
            return redirect(url_for("reports.mitigation_plan", process_id=process.id))
    return _plan_page(process, form, _risk_form(process, RiskForm(formdata=None)))


# ---------------------------------------------------------------------------------------------- accessibility


def _statement_page(municipality: Municipality | None):
    site = (current_app.config.get("PB_BASE_URL") or request.host_url).rstrip("/")
    found = accessibility.statement(current_app.config["PB_LEGAL_DIR"], _locale(), municipality, site)
    return render_template("reports/accessibility.html", statement=found, municipality=municipality,
                           markdown=render_markdown)


@bp.get("/accessibility")
@public
def accessibility_statement():
    """The accessibility statement of the site (for the first municipality set up)."""
    return _statement_page(accessibility.default_municipality())


@bp.get("/accessibility/<municipality>")
@public
def municipality_accessibility(municipality: str):
    """The accessibility statement with one municipality's contact."""
    found = db.session.scalar(sa.select(Municipality).where(Municipality.slug == municipality))
    if found is None:
        abort(404)
    return _statement_page(found)


@bp.route("/staff/reports/municipalities/<int:municipality_id>/accessibility", methods=["GET", "POST"])
@requires(can_set_thresholds)
def accessibility_contact(municipality_id: int):
    """What the municipality fills into its accessibility statement."""
    municipality = db.get_or_404(Municipality, municipality_id)
    stored = accessibility.contact_of(municipality)
    form = AccessibilityContactForm(obj=stored)
    if form.validate_on_submit():
        if attempt(lambda: accessibility.set_contact(current_user, municipality, form.value()), form).ok:
            flash(_("The accessibility statement was updated."), "success")
            return redirect(url_for("reports.accessibility_contact", municipality_id=municipality.id))
    return render_template("reports/accessibility_contact.html", municipality=municipality, form=form)


# ---------------------------------------------------------------------------------------------- public


@bp.get("/m/<municipality>/<slug>/assessments")
@public
def published(municipality: str, slug: str):
    """The published impact assessments of a process, each with its hash."""
    process = process_by_slug(municipality, slug)
    if process is None:
        abort(404)
    return render_template("reports/published.html", process=process,
                           versions=services.published_versions(process))


@bp.get("/assessments/<int:version_id>.pdf")
@public
def published_pdf(version_id: int):
    """A published version, exactly as generated; versions not published do not exist for the public."""
    version = db.get_or_404(AssessmentVersion, version_id)
    if not version.is_published:
        abort(404)
    return _version_file(version)
