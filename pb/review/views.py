"""Pages of the review area: the clerk's queue, a project's review desk, and the author's appeal."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from pb.accounts.models import User
from pb.accounts.permissions import can_manage_processes, is_signed_in, municipality_scope, requires
from pb.errors import PBError, show_on_form
from pb.extensions import db
from pb.processes.models import Process
from pb.proposals.models import Appeal, AppealOutcome, Project
from pb.review import queries, services
from pb.review.forms import AnswerForm, AppealForm, AssignForm, ReviewForm, UnassignForm
from pb.review.permissions import can_appeal

bp = Blueprint("review", __name__)


def _reviewer_choices(process: Process) -> list[SelectChoice]:
    """The staff accounts a clerk may assign (those of the process's municipality), as choices of the assign form."""
    return [SelectChoice(u.id, u.display_name or u.email) for u in queries.reviewer_candidates(process.municipality_id)]


def _desk(project: Project, *, review_form: ReviewForm | None = None, assign_form: AssignForm | None = None,
          answer_form: AnswerForm | None = None, answering: int | None = None, status: int = 200):
    """Render a project's review desk, with the forms as submitted when one of them failed."""
    process = db.get_or_404(Process, project.process_id)
    if assign_form is None:
        assign_form = AssignForm(formdata=None, prefix="assign")
    assign_form.reviewer.choices = _reviewer_choices(process)
    return render_template(
        "review/project.html", project=project, process=process,
        review_form=review_form or ReviewForm(formdata=None, prefix="review"),
        assign_form=assign_form, unassign_form=UnassignForm(formdata=None, prefix="unassign"),
        answer_form=answer_form or AnswerForm(formdata=None, prefix="answer"), answering=answering,
        assignments=queries.assignments(project), reviews=queries.reviews(project),
        appeals=queries.appeals(project),
    ), status



@bp.get("/staff/review")
@requires(can_manage_processes)
def index():
    """Every process, with how many projects wait for review."""
    return render_template("review/index.html", processes=queries.review_processes(municipality_scope(current_user)))


@bp.get("/staff/review/processes/<int:process_id>")
@requires(can_manage_processes)
def queue(process_id: int):
    """A process's review queue, optionally filtered: waiting, under review, reviewed."""
    process = db.get_or_404(Process, process_id)
    status_filter = request.args.get("status")
    if status_filter not in queries.QUEUE_FILTERS:
        status_filter = None
    return render_template("review/queue.html", process=process, status_filter=status_filter,
                           rows=queries.review_queue(process, status_filter))


@bp.get("/staff/review/projects/<int:project_id>")
@requires(can_manage_processes)
def project(project_id: int):
    """A project's review desk: its reviewers, the review form, earlier reviews and appeals."""
    return _desk(db.get_or_404(Project, project_id))


@bp.post("/staff/review/projects/<int:project_id>/assign")
@requires(can_manage_processes)
def assign(project_id: int):
    """Assign a reviewer to the project."""
    found = db.get_or_404(Project, project_id)
    form = AssignForm(prefix="assign")
    form.reviewer.choices = _reviewer_choices(db.get_or_404(Process, found.process_id))
    if form.validate_on_submit():
        try:
            services.assign_reviewer(current_user, found, db.get_or_404(User, form.reviewer.data))
        except PBError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            db.session.commit()
            flash(_("The reviewer was assigned."), "success")
            return redirect(url_for("review.project", project_id=found.id))
    return _desk(found, assign_form=form)


@bp.post("/staff/review/projects/<int:project_id>/unassign/<int:reviewer_id>")
@requires(can_manage_processes)
def unassign(project_id: int, reviewer_id: int):
    """Take a reviewer off the project."""
    found = db.get_or_404(Project, project_id)
    if UnassignForm(prefix="unassign").validate_on_submit():
        try:
            services.unassign_reviewer(current_user, found, reviewer_id)
        except PBError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("The reviewer was taken off the project."), "success")
    return redirect(url_for("review.project", project_id=found.id))


@bp.post("/staff/review/projects/<int:project_id>/review")
@requires(can_manage_processes)
def record(project_id: int):
    """Record a review of the project."""
    found = db.get_or_404(Project, project_id)
    form = ReviewForm(prefix="review")
    if form.validate_on_submit():
        try:
            services.record_review(current_user, found, form.to_input())
        except PBError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            db.session.commit()
            flash(_("The review was recorded; the author and followers are notified."), "success")
            return redirect(url_for("review.project", project_id=found.id))
    return _desk(found, review_form=form)


@bp.post("/staff/review/appeals/<int:appeal_id>/answer")
@requires(can_manage_processes)
def answer(appeal_id: int):
    """Answer an appeal: uphold it (the project goes on the ballot) or reject it."""
    appeal = db.get_or_404(Appeal, appeal_id)
    found = db.get_or_404(Project, appeal.project_id)
    form = AnswerForm(prefix="answer")
    if form.validate_on_submit():
        try:
            services.answer_appeal(current_user, appeal, AppealOutcome(form.outcome.data), form.answer.data)
        except PBError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            db.session.commit()
            flash(_("The appeal was answered; the author is notified."), "success")
            return redirect(url_for("review.project", project_id=found.id))
    return _desk(found, answer_form=form, answering=appeal.id)


@bp.route("/projects/<int:project_id>/appeal", methods=["GET", "POST"])
@requires(is_signed_in)
def appeal(project_id: int):
    """The author's appeal against the review of their project."""
    found = db.get_or_404(Project, project_id)
    if not can_appeal(current_user, found):
        abort(403)
    form = AppealForm(prefix=queries.APPEAL_PREFIX)
    if form.validate_on_submit():
        try:
            services.submit_appeal(current_user, found, form.text.data)
        except PBError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            db.session.commit()
            flash(_("Your appeal was sent. You will be notified of the answer."), "success")
            return redirect(url_for("review.appeal", project_id=found.id))
    context = queries.project_review(found, current_user)
    if context["review_appeal_form"] is not None:
        context["review_appeal_form"] = form  # with what was typed and its errors
    return render_template("review/appeal.html", project=found, **context)
