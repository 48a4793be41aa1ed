"""Pages of the mandate area: drafting and signing a process's mandate, the council's decisions after the vote,
and the public page "What happened to your vote"."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from pb.accounts.permissions import public, requires
from pb.core.db import utcnow
from pb.core.money import to_major
from pb.deliberation.markdown import render as render_markdown
from pb.errors import PBError, show_on_form
from pb.extensions import db
from pb.mandate import funding, labels, queries, services
from pb.mandate.forms import DecisionForm, EndForm, MandateForm, StartForm, StepForm
from pb.mandate.models import Mandate
from pb.mandate.permissions import can_draft_mandates, can_put_mandates_in_force, can_record_decisions
from pb.mandate.presets import presets as all_presets
from pb.processes.models import Process
from pb.processes.queries import process_by_slug
from pb.proposals.models import Project

bp = Blueprint("mandate", __name__)


@bp.app_context_processor
def mandate_helpers():
    """The labels of the mandate area, for its templates and the summary on the process page."""
    return {"mandate_labels": labels}

# Each workflow step: the service to call with the actor, the version and the step's form (its text is the opinion
# or the reason; signing also sends the content hash of the version the officer read).
# Ending the mandate in force asks for more (a reason and a confirmation): it has its own form and view, end().
STEPS = {
    "submit": lambda actor, mandate, form: services.submit_for_review(actor, mandate),
    "send-back": lambda actor, mandate, form: services.send_back(actor, mandate, form.text.data or ""),
    "sign": lambda actor, mandate, form: services.sign_mandate(actor, mandate, form.text.data or "",
                                                               reviewed=form.reviewed.data or ""),
    "in-force": lambda actor, mandate, form: services.put_in_force(actor, mandate),
    "amend": lambda actor, mandate, form: services.amend_mandate(actor, mandate, form.text.data or ""),
}


def _done_message(step: str) -> str:
    """What a step did, in the user's language."""
    return {"submit": _("Submitted for legal review."), "send-back": _("Sent back to draft."),
            "sign": _("The mandate is signed. Put it in force when its period starts."),
            "in-force": _("The mandate is in force: voting may open."),
            "amend": _("A new version was created from the signed one: edit it, then submit it.")}[step]



def _version_page(mandate: Mandate, step: str | None = None, form: StepForm | None = None, status: int = 200,
                  end_form: EndForm | None = None):
    process = db.get_or_404(Process, mandate.process_id)
    previous = queries.previous_version(mandate)
    return render_template(
        "mandate/version.html", mandate=mandate, process=process, previous=previous,
        diff=services.diff_versions(previous, mandate) if previous else [],
        findings=services.findings(mandate), preset=all_presets().get(mandate.preset or ""),
        failed_step=step, step_form=form or StepForm(formdata=None), blank_form=StepForm(formdata=None),
        end_form=end_form or EndForm(formdata=None, prefix="end"), reviewed=services.content_hash(mandate),
        drafted_by_me=mandate.four_eyes and current_user.id in queries.drafters(mandate),
    ), status


@bp.get("/staff/mandates/processes/<int:process_id>")
@requires(can_draft_mandates)
def process_mandates(process_id: int):
    """A process's mandate: its versions, or a form to start one from a preset."""
    process = db.get_or_404(Process, process_id)
    form = StartForm(formdata=None)
    form.preset.choices = _preset_choices()
    return render_template("mandate/process.html", process=process, versions=queries.versions(process), form=form)


def _preset_choices() -> list[SelectChoice]:
    return [SelectChoice("", _("No preset: an empty mandate"))] + [
        SelectChoice(p.key, f"{p.name} ({p.version})") for p in all_presets().values()]


@bp.post("/staff/mandates/processes/<int:process_id>/start")
@requires(can_draft_mandates)
def start(process_id: int):
    """Start the first version of the process's mandate."""
    process = db.get_or_404(Process, process_id)
    form = StartForm()
    form.preset.choices = _preset_choices()
    if form.validate_on_submit():
        try:
            mandate = services.start_mandate(current_user, process, form.preset.data or None)
        except PBError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("The mandate was started. Complete it, then submit it for legal review."), "success")
            return redirect(url_for("mandate.edit", mandate_id=mandate.id))
    return redirect(url_for("mandate.process_mandates", process_id=process.id))


@bp.get("/staff/mandates/presets")
@requires(can_draft_mandates)
def presets():
    """The jurisdiction presets with their text, as a legal officer reads them."""
    return render_template("mandate/presets.html", presets=all_presets().values(), markdown=render_markdown)


@bp.get("/staff/mandates/<int:mandate_id>")
@requires(can_draft_mandates)
def version(mandate_id: int):
    """One version: its fields, the checks, the changes against the previous version, and the next steps."""
    return _version_page(db.get_or_404(Mandate, mandate_id))


@bp.route("/staff/mandates/<int:mandate_id>/edit", methods=["GET", "POST"])
@requires(can_draft_mandates)
def edit(mandate_id: int):
    """Edit a draft or a version in legal review."""
    mandate = db.get_or_404(Mandate, mandate_id)
    process = db.get_or_404(Process, mandate.process_id)
    form = MandateForm(data=MandateForm.data_of(mandate, process.currency))
    if form.validate_on_submit():
        try:
            services.update_mandate(current_user, mandate, form.to_input())
        except PBError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            db.session.commit()
            flash(_("The mandate was saved."), "success")
            return redirect(url_for("mandate.version", mandate_id=mandate.id))
    return render_template("mandate/edit.html", mandate=mandate, process=process, form=form,
                           findings=services.findings(mandate))


@bp.post("/staff/mandates/<int:mandate_id>/<any(submit, 'send-back', sign, 'in-force', amend):step>")
@requires(can_draft_mandates)
def step(mandate_id: int, step: str):
    """One step of the workflow; a refusal shows the version again with the reason."""
    mandate = db.get_or_404(Mandate, mandate_id)
    form = StepForm()
    if not form.validate_on_submit():
        return _version_page(mandate, step, form, 400)
    try:
        result = STEPS[step](current_user, mandate, form)
    except PBError as error:
        db.session.rollback()
        show_on_form(form, error)
        return _version_page(db.get_or_404(Mandate, mandate_id), step, form)
    db.session.commit()
    flash(_done_message(step), "success")
    return redirect(url_for("mandate.edit" if step == "amend" else "mandate.version", mandate_id=result.id))


@bp.post("/staff/mandates/<int:mandate_id>/expire")
@requires(can_put_mandates_in_force)
def end(mandate_id: int):
    """End the version in force, with a reason and an explicit confirmation; without them, the version page again
    with the form as typed."""
    mandate = db.get_or_404(Mandate, mandate_id)
    form = EndForm(prefix="end")
    if not form.validate_on_submit():
        return _version_page(mandate, status=422, end_form=form)
    try:
        services.expire_mandate(current_user, mandate, form.reason.data)
    except PBError as error:
        db.session.rollback()
        show_on_form(form, error)
        return _version_page(db.get_or_404(Mandate, mandate_id), end_form=form)
    db.session.commit()
    flash(_("The mandate has ended; the reason is kept in the audit log."), "success")
    return redirect(url_for("mandate.version", mandate_id=mandate.id))


def _decisions_page(process: Process, failed: Project | None = None, failed_form: DecisionForm | None = None,
                    status: int = 200):
    result = queries.outcome(process)
    replacements = queries.replacements(process, result.mandate)
    forms = {}
    for project, decision in [*result.rows, *((r.project, r.decision) for r in replacements)]:
        if failed is not None and project.id == failed.id:
            forms[project.id] = failed_form
        else:
            data = {"outcome": decision.outcome.value, "reason": decision.reason, "legal_ground": decision.legal_ground,
                    "decision_number": decision.decision_number, "decided_on": decision.decided_on,
                    "adopted_cost": to_major(decision.adopted_cost, process.currency)
                    if decision.adopted_cost is not None else None} if decision else {}
            forms[project.id] = DecisionForm(formdata=None, prefix=f"p{project.id}", data=data)
    history = {d.id: services.decision_history(d) for _p, d in result.rows if d is not None}
    history.update({r.decision.id: services.decision_history(r.decision) for r in replacements if r.decision})
    return render_template("mandate/decisions.html", process=process, result=result, forms=forms,
                           replacements=replacements, history=history), status


@bp.get("/staff/decisions/processes/<int:process_id>")
@requires(can_record_decisions)
def decisions(process_id: int):
    """The winning projects of a process, each with a form for the council's decision."""
    return _decisions_page(db.get_or_404(Process, process_id))


@bp.post("/staff/decisions/projects/<int:project_id>")
@requires(can_record_decisions)
def record_decision(project_id: int):
    """Record the council's decision on one winning project."""
    project = db.get_or_404(Project, project_id)
    process = db.get_or_404(Process, project.process_id)
    form = DecisionForm(prefix=f"p{project.id}")
    if form.validate_on_submit():
        try:
            services.record_decision(current_user, project, form.to_input())
        except PBError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            db.session.commit()
            flash(_("The council's decision on “%(title)s” was recorded.", title=project.title), "success")
            return redirect(url_for("mandate.decisions", process_id=process.id))
    return _decisions_page(process, project, form)


@bp.get("/m/<municipality>/<slug>/outcome")
@public
def outcome(municipality: str, slug: str):
    """What happened to your vote: each winning project with the council's decision and its reasons."""
    process = process_by_slug(municipality, slug)
    if process is None:
        abort(404)
    result = queries.outcome(process)
    history = {d.id: services.decision_history(d) for _p, d in result.rows if d is not None}
    return render_template("mandate/outcome.html", process=process, result=result, now=utcnow(),
                           funding={item.project.id: item for item in funding.funding(process)},
                           replacements=queries.replacements(process, result.mandate), history=history)
