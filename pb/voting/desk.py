"""The clerks' voting desk: register, code letters, assisted verification, paper ballots, reconciliation,
closing the vote, and the turnout statistics (for clerks during the vote, for everyone after it)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import (
    force_locale,
    format_date,
    format_number,
    format_percent,
    format_time,
    get_locale,
    ngettext,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from pb.accounts.models import User
from pb.accounts.permissions import can_manage_processes, municipality_scope, public, requires
from pb.accounts.services import find_user
from pb.core.db import utcnow
from pb.core.i18n import paper_languages, paper_locale
from pb.core.money import format_money
from pb.core.urls import external_url
from pb.errors import InvalidTransition, PBError, ValidationError, attempt, show_on_form
from pb.extensions import db
from pb.processes import queries as process_queries
from pb.processes.models import PhaseKind, Pool, Process
from pb.voting import counting, services, statistics
from pb.voting.ballot_rules import CHOOSE_ONE, KNAPSACK
from pb.voting.forms_desk import (
    AnnulPoolForm,
    AssistedForm,
    CloseForm,
    InvalidateForm,
    LettersForm,
    PaperBallotForm,
    RegisterImportForm,
    SheetsForm,
    UnlinkForm,
    upload_text,
)
from pb.voting.labels import SEX_LABELS, channel_label
from pb.voting.letters import LetterPage, LetterText, build_letters
from pb.voting.models import Channel
from pb.voting.paper import LineProblem, Sheet, SheetProblem, UnreadableLine, parse_choices, parse_sheets

bp = Blueprint("desk", __name__)

PREFIX = "/staff/voting"

METHOD_LABELS = {
    "register_match": _l("Register match at sign-up"),
    "code": _l("Voting code letter"),
    "assisted": _l("In person, by staff"),
}

NOT_UTF8 = _l("The file is not UTF-8 text. Save it from your spreadsheet as “CSV UTF-8” and upload it again.")


@bp.context_processor
def desk_labels():
    """The labels the desk's templates share."""
    return {
        "channel_label": channel_label,
        "method_label": lambda method: str(METHOD_LABELS.get(method, method)),
        "sex_label": lambda sex: str(SEX_LABELS[sex]) if sex in SEX_LABELS else _("Not given"),
        "band_label": lambda band: band or _("Not given"),
        "number": format_number,
        "percent": lambda value: "—" if value is None else format_percent(value, "#,##0.0%"),
    }



def _pool(pool_id: int) -> tuple[Process, Pool]:
    pool = db.get_or_404(Pool, pool_id)
    return pool.process, pool


# --- The desk and closing the vote ------------------------------------------------------------------------

@bp.get(PREFIX)
@requires(can_manage_processes)
def index():
    """Every process, with a link to its voting desk."""
    return render_template("voting/desk/index.html",
                           municipalities=process_queries.municipalities_with_processes(municipality_scope(current_user)),
                           now=utcnow())


def _desk(process: Process, close_form: CloseForm | None = None, status: int = 200):
    voting = next((p for p in process.phases if p.kind is PhaseKind.VOTING), None)
    pools = statistics.pool_counts(process)
    return render_template(
        "voting/desk/desk.html", process=process, voting=voting, register=statistics.register_summary(process),
        pools=pools, channels=statistics.channels_in(pools), pool_names={p.id: p.name for p in process.pools},
        close_form=close_form or CloseForm(formdata=None), results=statistics.official_results(process)), status


@bp.get(f"{PREFIX}/<int:process_id>")
@requires(can_manage_processes)
def desk(process_id: int):
    """A process's voting desk: the register, the ballots per pool and channel, and closing the vote."""
    return _desk(db.get_or_404(Process, process_id))


@bp.post(f"{PREFIX}/<int:process_id>/close")
@requires(can_manage_processes)
def close(process_id: int):
    """Close the vote and count: the first press checks and shows what will happen, the second does it.

    Whatever would refuse the close (no reason for an early close, a vote closed or not started) is said on the
    desk at the first press, with the form as typed; the confirmation appears only for a close that would
    succeed. The second press checks again, under the lock, as it closes.
    """
    process = db.get_or_404(Process, process_id)
    form = CloseForm()
    if not form.validate_on_submit():
        return _desk(process, form, 422)
    reason = form.reason.data or ""
    try:
        if form.confirmed.data != "yes":
            services.require_closable(current_user, process, reason, utcnow())
            return render_template("voting/desk/close.html", process=process, form=form,
                                   pools=statistics.pool_counts(process))
        results = services.close_vote(current_user, process, reason)
    except PBError as error:
        db.session.rollback()
        show_on_form(form, error)
        return _desk(process, form, 422)
    db.session.commit()
    counted = sum(r.ballots_counted for r in results if r.is_official)
    flash(_("The vote is closed and counted. Ballots counted: %(n)d.", n=counted), "success")
    return redirect(url_for("desk.desk", process_id=process.id))


# --- The register and verification ------------------------------------------------------------------------

@bp.route(f"{PREFIX}/<int:process_id>/register", methods=["GET", "POST"])
@requires(can_manage_processes)
def register(process_id: int):
    """Import the council's register from a CSV file; a file with any bad line changes nothing."""
    process = db.get_or_404(Process, process_id)
    form = RegisterImportForm()
    if form.validate_on_submit():
        text = upload_text(form.file)
        if text is None:
            form.file.errors = [str(NOT_UTF8)]
        else:
            try:
                done = services.import_register(current_user, process, text)
            except PBError as error:
                db.session.rollback()
                show_on_form(form, error, {"register": "file"})
            else:
                db.session.commit()
                flash(_("The register was imported: %(added)d added, %(updated)d updated, %(unchanged)d unchanged.",
                        added=done.added, updated=done.updated, unchanged=done.unchanged), "success")
                return redirect(url_for("desk.register", process_id=process.id))
    return render_template("voting/desk/register.html", process=process, form=form,
                           register=statistics.register_summary(process))


def _letter_text(process: Process) -> LetterText:
    """The sentences of the code letters, in the language of the request (the caller forces the paper's),
    with the address and the opening and closing dates."""
    address = external_url("voting.verify", municipality=process.municipality.slug, slug=process.slug)
    voting = next((p for p in process.phases if p.kind is PhaseKind.VOTING), None)
    facts = [(_("Where to vote"), address)]
    if voting is not None:
        for label, moment in ((_("Voting opens"), voting.starts_at), (_("Voting closes"), voting.ends_at)):
            facts.append((label, _("%(date)s at %(time)s", date=format_date(moment, "full"),
                                   time=format_time(moment, "short"))))
    return LetterText(
        title=_("Your voting code"),
        # The municipality's name stands alone ("Δήμος Καλαμάτας"): no word before it repeats "municipality".
        intro=_("You may vote in “%(process)s” (%(municipality)s), the participatory budget in which residents "
                "decide which projects the council funds. To vote online, use this one-time code:",
                process=process.name, municipality=process.municipality.name),
        facts=facts,
        steps=[_("Open the address above. Sign in, or create an account with your e-mail address."),
               _("Enter the code exactly as printed; capital letters and dashes do not matter."),
               _("Choose your projects and submit your ballot. You may change it until voting closes.")],
        notes=[_("The code works only once: after you use it, it belongs to your account. Do not share it."),
               _("If you lose this letter, ask the council for a new code; this one then stops working."),
               _("No computer or e-mail address? Council staff can help you vote in person at the town hall.")],
        reference_label=_("Register reference"), district_label=_("District"),
        document_title=_("Voting codes: %(process)s", process=process.name))


@bp.route(f"{PREFIX}/<int:process_id>/letters", methods=["GET", "POST"])
@requires(can_manage_processes)
def letters(process_id: int):
    """Issue new voting codes for the listed residents and download their letters as one PDF."""
    process = db.get_or_404(Process, process_id)
    form = LettersForm()
    if form.validate_on_submit():
        uploaded = upload_text(form.file)
        if uploaded is None:
            form.file.errors = [str(NOT_UTF8)]
        else:
            try:
                lines = form.letter_lines(uploaded)
                issued = services.issue_codes(current_user, process, [reference for reference, _a in lines])
            except PBError as error:
                db.session.rollback()
                show_on_form(form, error)
            else:
                addresses = dict(lines)
                pages = [LetterPage(process.municipality.name, process.name, letter.district, letter.reference,
                                    letter.code, addresses.get(letter.reference, ())) for letter in issued]
                # In the municipality's language, or the one chosen, not the clerk's screen language.
                with force_locale(paper_locale(process.municipality.languages, request.form.get("language"))):
                    pdf = build_letters(pages, _letter_text(process))
                # Committed only once the PDF exists: a failure leaves the earlier codes valid.
                db.session.commit()
                response = make_response(pdf)
                response.headers["Content-Type"] = "application/pdf"
                response.headers["Content-Disposition"] = f'attachment; filename="voting-codes-{process.slug}.pdf"'
                # The codes exist only in this file: no cache may keep a copy.
                response.headers["Cache-Control"] = "no-store"
                return response
    return render_template("voting/desk/letters.html", process=process, form=form,
                           paper_languages=paper_languages(process.municipality.languages))


@bp.route(f"{PREFIX}/<int:process_id>/assisted", methods=["GET", "POST"])
@requires(can_manage_processes)
def assisted(process_id: int):
    """Verify a resident at the desk: their account, their register reference and the document seen."""
    process = db.get_or_404(Process, process_id)
    form = AssistedForm()
    if form.validate_on_submit():
        resident: User | None = find_user(form.email.data)
        if resident is None:
            form.email.errors = [_("No account has this e-mail address. The resident registers first, then "
                                   "comes back to the desk.")]
        else:
            try:
                services.verify_assisted(current_user, resident, process, form.reference.data, form.note.data or "")
            except PBError as error:
                db.session.rollback()
                show_on_form(form, error)
            else:
                db.session.commit()
                if services.eligible_pools(services.register_entry_for(resident, process), process):
                    flash(_("%(who)s is verified for %(process)s and may vote now.",
                            who=resident.display_name or resident.email, process=process.name), "success")
                else:
                    flash(_("%(who)s is linked to the register of %(process)s but is under the voting age of "
                            "%(age)d: they cannot vote in this process.", who=resident.display_name or resident.email,
                            process=process.name, age=process.min_voter_age), "info")
                return redirect(url_for("desk.assisted", process_id=process.id))
    return render_template("voting/desk/assisted.html", process=process, form=form,
                           unlink_form=UnlinkForm(prefix="unlink", formdata=None),
                           register=statistics.register_summary(process))


@bp.post(f"{PREFIX}/<int:process_id>/unlink")
@requires(can_manage_processes)
def unlink(process_id: int):
    """Undo a wrong link between an account and a register entry, with a reason for the audit log."""
    process = db.get_or_404(Process, process_id)
    form = UnlinkForm(prefix="unlink")
    if form.validate_on_submit() and attempt(
            lambda: services.unlink_register_entry(current_user, process, form.reference.data, form.reason.data),
            form).ok:
        flash(_("The link was undone: the register entry is free and the account can be verified again."),
              "success")
        return redirect(url_for("desk.assisted", process_id=process.id))
    return render_template("voting/desk/assisted.html", process=process, form=AssistedForm(formdata=None),
                           unlink_form=form, register=statistics.register_summary(process)), 422


@bp.route(f"{PREFIX}/<int:process_id>/invalidate", methods=["GET", "POST"])
@requires(can_manage_processes)
def invalidate(process_id: int):
    """Invalidate a fraudulent participation: its ballots are voided unseen and the audit log keeps why."""
    process = db.get_or_404(Process, process_id)
    form = InvalidateForm()
    if form.validate_on_submit():
        try:
            n = services.invalidate_resident(current_user, process, form.reference.data, form.reason.data)
        except PBError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            db.session.commit()
            flash(ngettext("%(num)d participation of %(reference)s invalidated; its ballot no longer counts.",
                           "%(num)d participations of %(reference)s invalidated; their ballots no longer count.",
                           n, reference=form.reference.data), "success")
            return redirect(url_for("desk.invalidate", process_id=process.id))
    return _invalidate_page(process, form, _annul_form(process, formdata=None))


def _annul_form(process: Process, **kwargs) -> AnnulPoolForm:
    form = AnnulPoolForm(prefix="annul", **kwargs)  # its reason field must not share the id of the other form's
    form.pool.choices = [(p.id, p.name) for p in process.pools if p.annulled_at is None]
    return form


def _invalidate_page(process: Process, form: InvalidateForm, annul_form: AnnulPoolForm, status: int = 200):
    return render_template("voting/desk/invalidate.html", process=process, form=form, annul_form=annul_form,
                           annulled=[p for p in process.pools if p.annulled_at is not None]), status


@bp.post(f"{PREFIX}/<int:process_id>/annul")
@requires(can_manage_processes)
def annul(process_id: int):
    """Annul the vote of a whole pool: every ballot in it is voided unseen, and residents see why."""
    process = db.get_or_404(Process, process_id)
    annul_form = _annul_form(process)
    if annul_form.validate_on_submit():
        pool = db.session.get(Pool, annul_form.pool.data)
        try:
            n = services.annul_pool(current_user, pool, annul_form.reason.data)
        except PBError as error:
            db.session.rollback()
            show_on_form(annul_form, error)
        else:
            db.session.commit()
            flash(_("The vote in %(pool)s is annulled; participations invalidated: %(n)d.", pool=pool.name, n=n),
                  "success")
            return redirect(url_for("desk.invalidate", process_id=process.id))
    return _invalidate_page(process, InvalidateForm(formdata=None), annul_form, 422)


# --- Paper ballots ----------------------------------------------------------------------------------------

def line_problem_message(problem: LineProblem) -> str:
    """One part of a typed paper ballot that could not be read."""
    if problem.code == "unknown_code":
        return _("“%(code)s” is not the code of a project on this ballot.", code=problem.token)
    if problem.code == "points_not_used":
        return _("“%(token)s”: this ballot gives no points; type the codes only.", token=problem.token)
    return _("“%(token)s”: type the points as a whole number after a colon, e.g. C1:4.", token=problem.token)


def sheet_problem_message(problem: SheetProblem) -> str:
    """A line of a sheets file that could not be entered."""
    if problem.code == "missing_column":
        return _("The file has no column “%(column)s” in its first line.", column=problem.value)
    if problem.code == "empty_reference":
        return _("The line has no reference.")
    if problem.code == "unreadable":
        return _("The line cannot be read as CSV (a cell too long, or quotes that do not close).")
    if problem.code == "short_row":
        found, expected = (int(part) for part in problem.value.split("/"))
        return _("The line has %(found)d values where the first line names %(expected)d columns.", found=found,
                 expected=expected)
    return _("“%(channel)s” is not a channel; write paper or in_person.", channel=problem.value)


def _choices(pool: Pool, projects: str) -> list:
    return parse_choices(projects, statistics.ballot_codes(pool), uses_points=services.rules_of(pool).uses_points)


def _projects_hint(pool: Pool) -> str:
    """How to type the projects of this pool's ballot, and the rules they must keep."""
    rules = services.rules_of(pool)
    if rules.uses_points:
        how = _("Each code with its points after a colon, separated by spaces, e.g. C1:4 C3:6.")
    elif rules.is_ordered:
        how = _("The codes in order of preference, first choice first, separated by spaces, e.g. C3 C1 C5.")
    else:
        how = _("The codes of the chosen projects, separated by spaces, e.g. C1 C3 C5.")
    least, most = (1, 1) if rules.kind == CHOOSE_ONE else (max(rules.min_choices, 1), rules.max_choices)
    if most is None:
        how += " " + ngettext("At least %(num)d project.", "At least %(num)d projects.", least)
    elif least == most:
        how += " " + ngettext("Exactly %(num)d project.", "Exactly %(num)d projects.", most)
    else:
        how += " " + _("From %(least)d to %(most)d projects.", least=least, most=most)
    if rules.kind == KNAPSACK:
        how += " " + _("Together they may cost at most %(budget)s.",
                       budget=format_money(rules.budget, pool.process.currency, str(get_locale())))
    return how


def _paper_page(process: Process, pool: Pool, form: PaperBallotForm, status: int = 200):
    form.projects.description = _projects_hint(pool)
    # The browser must not remember references or choices typed at a shared desk.
    form.reference.render_kw, form.projects.render_kw = {"autocomplete": "off"}, {"autocomplete": "off"}
    # Focus returns to the reference for the next ballot, or to the projects when they need correcting.
    focused = form.projects if form.projects.errors and not form.reference.errors else form.reference
    focused.render_kw = {**focused.render_kw, "autofocus": True}
    counts = next(c for c in statistics.pool_counts(process) if c.pool.id == pool.id)
    return render_template("voting/desk/paper.html", process=process, pool=pool, form=form, counts=counts,
                           Channel=Channel, projects=counting.ballot_projects(db.session, pool)), status


@bp.route(f"{PREFIX}/pools/<int:pool_id>/paper", methods=["GET", "POST"])
@requires(can_manage_processes)
def paper(pool_id: int):
    """Enter paper and in-person ballots of a pool from the keyboard, one after another."""
    process, pool = _pool(pool_id)
    if request.method == "GET":
        form = PaperBallotForm(formdata=None).fresh()
        channel = request.args.get("channel")
        if channel in (c.value for c in statistics.DESK_CHANNELS):
            form.channel.data = channel  # the desk keeps its channel from one ballot to the next
        return _paper_page(process, pool, form)
    form = PaperBallotForm()
    if not form.validate_on_submit():
        return _paper_page(process, pool, form)
    try:
        choices = _choices(pool, form.projects.data or "")
        receipt = services.enter_paper_ballot(
            current_user, pool, form.reference.data, choices, form.form_token.data, channel=Channel(form.channel.data),
            sex=(form.sex.data or None) if process.collect_demographics else None)
    except UnreadableLine as error:
        form.projects.errors = [line_problem_message(p) for p in error.problems]
        return _paper_page(process, pool, form)
    except (ValidationError, InvalidTransition) as error:
        db.session.rollback()
        show_on_form(form, error, {"choices": "projects"})
        return _paper_page(process, pool, form)
    except PBError as error:  # already voted, not eligible: about the resident the reference names
        db.session.rollback()
        form.reference.errors = [*form.reference.errors, error.message]
        return _paper_page(process, pool, form)
    db.session.commit()
    if receipt.repeated:
        flash(_("This form had already been saved; nothing was added."), "success")
    else:
        # Neither the choices nor the tracking code (whose hash finds the ballot) go into the message:
        # flashes travel in the session cookie, and a cookie must never link a resident to a ballot.
        flash(_("Ballot of %(reference)s entered (%(channel)s).", reference=form.reference.data.strip(),
                channel=channel_label(form.channel.data)), "success")
    return redirect(url_for("desk.paper", pool_id=pool.id, channel=form.channel.data))


@dataclass(frozen=True)
class SheetOutcome:
    """What became of one line of a sheets file."""

    line: int
    reference: str
    entered: bool
    message: str


def enter_sheets(actor: User, pool: Pool, sheets: list[Sheet], problems: list[SheetProblem]) -> list[SheetOutcome]:
    """Enter each sheet in a savepoint of its own: a refused sheet changes nothing, the others stand.

    The caller commits once. Each sheet gets a random form token: the file is a batch of distinct
    ballots, and uploading it twice is refused sheet by sheet as already entered.
    """
    outcomes = [SheetOutcome(p.line, "", False, sheet_problem_message(p)) for p in problems]
    for sheet in sheets:
        try:
            choices = _choices(pool, sheet.projects)
        except UnreadableLine as error:
            outcomes.append(SheetOutcome(sheet.line, sheet.reference, False,
                                         " ".join(line_problem_message(p) for p in error.problems)))
            continue
        savepoint = db.session.begin_nested()
        try:
            services.enter_paper_ballot(actor, pool, sheet.reference, choices, secrets.token_urlsafe(24),
                                        channel=Channel(sheet.channel))
        except PBError as error:
            savepoint.rollback()
            outcomes.append(SheetOutcome(sheet.line, sheet.reference, False, error.message))
        else:
            savepoint.commit()
            outcomes.append(SheetOutcome(sheet.line, sheet.reference, True, channel_label(sheet.channel)))
    return sorted(outcomes, key=lambda outcome: outcome.line)


@bp.route(f"{PREFIX}/pools/<int:pool_id>/sheets", methods=["GET", "POST"])
@requires(can_manage_processes)
def sheets(pool_id: int):
    """Enter a CSV file of paper ballot sheets, and report line by line what was entered and what refused."""
    process, pool = _pool(pool_id)
    form = SheetsForm()
    outcomes = None
    if form.validate_on_submit():
        text = upload_text(form.file)
        found, problems = parse_sheets(text or "")
        if text is None:
            form.file.errors = [str(NOT_UTF8)]
        elif problems and problems[0].code == "missing_column":
            form.file.errors = [sheet_problem_message(problems[0])]
        elif not found and not problems:
            form.file.errors = [_("The file holds no sheets.")]
        else:
            outcomes = enter_sheets(current_user, pool, found, problems)
            db.session.commit()
    return render_template("voting/desk/sheets.html", process=process, pool=pool, form=form, outcomes=outcomes)


# --- Reconciliation and statistics --------------------------------------------------------------------------

@bp.get(f"{PREFIX}/<int:process_id>/reconciliation")
@requires(can_manage_processes)
def reconciliation(process_id: int):
    """Ballots against participations per pool, channel and district, and the register's verifications."""
    process = db.get_or_404(Process, process_id)
    return render_template("voting/desk/reconciliation.html", process=process,
                           register=statistics.register_summary(process),
                           pools=statistics.pool_counts(process, with_districts=True))


@bp.get(f"{PREFIX}/<int:process_id>/statistics")
@requires(can_manage_processes)
def statistics_page(process_id: int):
    """The turnout statistics for clerks, also while the vote runs (not published until the close)."""
    process = db.get_or_404(Process, process_id)
    return render_template("voting/desk/statistics.html", process=process, turnout=statistics.turnout(process),
                           is_public=False)


@bp.get("/m/<municipality>/<slug>/statistics")
@public
def public_statistics(municipality: str, slug: str):
    """The turnout statistics for everyone, once the vote is closed; small groups are suppressed."""
    process = process_queries.process_by_slug(municipality, slug)
    if process is None:
        abort(404)
    # No count before the close: early numbers could sway the residents who have not voted yet.
    found = statistics.public_turnout(process) if process.vote_closed_at is not None else None
    return render_template("voting/desk/statistics.html", process=process, turnout=found, is_public=True,
                           minimum=statistics.PUBLIC_MINIMUM)
