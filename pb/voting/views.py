"""Residents' voting pages: proving eligibility, the ballot, the receipt, and after the close the results and exports."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import secrets

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, user_logged_out
from sqlalchemy.orm import joinedload

from pb.accounts.permissions import is_signed_in, public, requires
from pb.core.page_cache import cached_for_visitors
from pb.core.tables import inert_cell
from pb.errors import PBError, show_on_form
from pb.extensions import db, limiter
from pb.mandate import funding
from pb.processes import constraints
from pb.processes import queries as process_queries
from pb.processes.models import Pool, Process
from pb.tally import pabulib
from pb.voting import ballot_rules, counting, kept, queries, services, story
from pb.voting.ballot_rules import CHOOSE_ONE, CUMULATIVE, KNAPSACK, RANKING, running_total
from pb.voting.forms import BallotForm, CodeForm, ReceiptForm, RegisterMatchForm, read_choices
from pb.voting.labels import channel_label, reason_detail, reason_label, violation_message

bp = Blueprint("voting", __name__)

# The session cookie holds only this random key; the tracking code is kept sealed with it (pb.voting.kept).
RECEIPT_KEY = "pb_receipt_key"
BALLOT_SEED_KEY = "pb_ballot_seed"


def _forget_kept_receipts(sender, user, **extra) -> None:
    """Signing out forgets every tracking code kept for the account; the sign-out view commits."""
    if getattr(user, "is_authenticated", False):
        kept.forget(user.id)


bp.record_once(lambda state: user_logged_out.connect(_forget_kept_receipts, state.app))


@bp.app_context_processor
def voting_helpers():
    """What other templates need from this area: whether a process takes ballots now, and its results."""
    return {"can_vote_now": services.voting_is_open,
            "reason_label": reason_label, "reason_detail": reason_detail, "channel_label": channel_label}


def _process_or_404(municipality: str, slug: str) -> Process:
    process = process_queries.process_by_slug(municipality, slug)
    if process is None:
        abort(404)
    return process


def _account_key() -> str:
    return f"user:{current_user.get_id()}"


def _verify_limit() -> str:
    return current_app.config["PB_VERIFY_LIMIT"]


def _ballot_limit() -> str:
    return current_app.config["PB_BALLOT_LIMIT"]



@bp.get("/m/<municipality>/<slug>/vote")
@public
def vote(municipality: str, slug: str):
    """Where a resident stands: verified or not, and each pool they may vote in, voted or not."""
    process = _process_or_404(municipality, slug)
    entry = services.register_entry_for(current_user, process)
    pools = services.eligible_pools(entry, process)
    voted = {pool.id: services.has_voted(entry, pool) for pool in pools}
    too_young = entry is not None and not pools
    return render_template("voting/vote.html", process=process, entry=entry, pools=pools, voted=voted,
                           too_young=too_young)


@bp.route("/m/<municipality>/<slug>/verify", methods=["GET", "POST"])
@requires(is_signed_in)
@limiter.limit(_verify_limit, methods=["POST"], deduct_when=lambda response: response.status_code != 302)
@limiter.limit(_verify_limit, key_func=_account_key, methods=["POST"],
               deduct_when=lambda response: response.status_code != 302)
def verify(municipality: str, slug: str):
    """Prove that one is in the register: by reference and birth year, or by a voting code.

    Only failed attempts count against the limits (per address and per account): residents verifying one after
    another at a library computer do not lock each other out; someone guessing codes is stopped."""
    process = _process_or_404(municipality, slug)
    if services.register_entry_for(current_user, process) is not None:
        return redirect(url_for("voting.vote", municipality=municipality, slug=slug))
    posted = request.form if request.method == "POST" else None
    match_form = RegisterMatchForm(prefix="match", formdata=posted if posted and "match-reference" in posted else None)
    code_form = CodeForm(prefix="code", formdata=posted if posted and "code-code" in posted else None)
    status = 200
    if posted is not None:
        if "match-reference" in posted:
            form, check = match_form, lambda: services.verify_by_register(
                current_user, process, match_form.reference.data, match_form.birth_year.data)
        else:
            form, check = code_form, lambda: services.redeem_code(current_user, process, code_form.code.data)
        status = 422
        if form.validate():
            try:
                check()
            except PBError as error:
                db.session.rollback()
                show_on_form(form, error)
            else:
                db.session.commit()
                entry = services.register_entry_for(current_user, process)
                if services.eligible_pools(entry, process):
                    flash(_("You are verified: you may vote in this process."), "success")
                else:
                    flash(_("You are in the register, but residents vote from the age of %(age)d in this process: "
                            "you cannot vote this time.", age=process.min_voter_age), "info")
                return redirect(url_for("voting.vote", municipality=municipality, slug=slug))
    return render_template("voting/verify.html", process=process, match_form=match_form, code_form=code_form), status


def _pool_or_404(pool_id: int) -> Pool:
    return db.get_or_404(Pool, pool_id)


def _ballot_seed() -> int:
    """This voter's own shuffle of a randomly ordered ballot, the same on every reload of the session."""
    if BALLOT_SEED_KEY not in session:
        session[BALLOT_SEED_KEY] = secrets.randbelow(2_000_000_000)
    return session[BALLOT_SEED_KEY]


def _bar(rules, chosen, costs) -> dict:
    """What the budget bar shows: spent (or points given), what is left, and how many of at most how many."""
    total = running_total(rules, chosen, costs)
    limit = rules.total_points if rules.kind == CUMULATIVE else (rules.budget if rules.kind == KNAPSACK else None)
    most = 1 if rules.kind == CHOOSE_ONE else rules.max_choices
    return {"total": total, "limit": limit, "left": None if limit is None else limit - total,
            "count": len({c.project_id for c in chosen}), "most": most}


def _render_ballot(pool: Pool, form: BallotForm, chosen, violations=(), status: int = 200, template="voting/ballot.html"):
    process = pool.process
    projects = counting.ballot_projects(db.session, pool)
    rules = services.rules_of(pool)
    costs = {p.id: p.cost for p in projects}
    entries = queries.ballot_entries(pool, projects, _ballot_seed())
    return render_template(
        template, process=process, pool=pool, projects=projects, entries=entries, rules=rules, form=form,
        incompatible=constraints.ballot_groups(pool, projects),
        chosen={c.project_id: c for c in chosen}, ranks={c.project_id: n for n, c in enumerate(chosen, 1)},
        picked=[(next(p for p in projects if p.id == c.project_id), c, n) for n, c in enumerate(chosen, 1)
                if c.project_id in costs],
        bar=_bar(rules, chosen, costs), total=running_total(rules, chosen, costs),
        categories=sorted({c for e in entries for c in e.categories}),
        districts=sorted({e.district for e in entries if e.district}),
        violations=[violation_message(v, process.currency) for v in violations],
    ), status


# Built once: the ballot is the hottest page that writes.
_POOL_WITH_PROCESS = (sa.select(Pool).where(Pool.id == sa.bindparam("pool_id"))
                      .options(joinedload(Pool.process).joinedload(Process.municipality)))


@bp.route("/pools/<int:pool_id>/ballot", methods=["GET", "POST"])
@requires(is_signed_in)
@limiter.limit(_ballot_limit, key_func=_account_key, methods=["POST"])
def ballot(pool_id: int):
    """The ballot of one pool: fill it in, review it (every broken rule in words, or the choices and their
    total), then cast it; changing it later is a step of its own and starts empty."""
    pool = db.session.scalar(_POOL_WITH_PROCESS, {"pool_id": pool_id})
    if pool is None:
        abort(404)
    process = pool.process
    municipality, slug = process.municipality.slug, process.slug

    def back():
        return redirect(url_for("voting.vote", municipality=municipality, slug=slug))

    def to_verify():
        return redirect(url_for("voting.verify", municipality=municipality, slug=slug))

    if request.method == "GET":
        entry = services.register_entry_for(current_user, process)
        if entry is None:
            flash(_("Verify that you are in the register before you vote."), "info")
            return to_verify()
        if pool not in services.eligible_pools(entry, process):
            abort(403)
        if not services.voting_is_open(process):
            flash(_("Voting is not open."), "info")
            return back()
        if pool.annulled_at is not None:
            flash(_("The council annulled the vote in this pool: %(reason)s", reason=pool.annulment_reason), "info")
            return back()
        version = services.ballot_version(current_user, pool)
        if version and request.args.get("change") != "1":
            # Changing a ballot is a step of its own, which says what it does to the earlier one.
            return render_template("voting/change.html", process=process, pool=pool,
                                   has_receipt=_kept_receipt(pool) is not None)
        # A new ballot starts empty: the earlier choices are never shown, not even to the resident's own session.
        return _render_ballot(pool, BallotForm(formdata=None).fresh(version), [])
    form = BallotForm()
    kind = pool.ballot_kind.value
    # Approval-like ballots name their projects; points and ranks are read per project on the ballot.
    project_ids = list(services.ballot_costs(pool)) if kind in (CUMULATIVE, RANKING) else []
    chosen = read_choices(kind, request.form, project_ids)
    if not form.validate():
        return _render_ballot(pool, form.fresh() if not form.form_token.data else form, chosen, status=422)
    action = request.form.get("action")
    if action in ("review", "check"):
        # The review step: every broken rule in words, or the chosen projects and their total, before casting.
        violations = ballot_rules.check(services.rules_of(pool), chosen, services.ballot_costs(pool))
        if violations:
            return _render_ballot(pool, form, chosen, violations, 422)
        return _render_ballot(pool, form, chosen, template="voting/review.html")
    if action == "edit":
        return _render_ballot(pool, form, chosen)
    try:
        receipt = services.cast_ballot(current_user, pool, chosen, form.form_token.data,
                                       based_on=form.based_on.data or "", sex=form.sex.data or None)
    except services.BallotInvalid as error:
        db.session.rollback()
        return _render_ballot(pool, form, chosen, error.violations, 422)
    except services.StaleBallot as error:
        db.session.rollback()
        return render_template("voting/stale.html", process=process, pool=pool, message=error.message), 409
    except services.NotVerified as error:
        db.session.rollback()
        flash(error.message, "info")
        return to_verify()
    except PBError as error:
        db.session.rollback()
        flash(error.message, "error")
        return back()
    # The code is kept sealed with a key that only this session's cookie holds: not in the address (server
    # logs), not readable in the cookie, and not lost by a reload or a language switch.
    key = session.get(RECEIPT_KEY) or kept.new_key()
    kept.keep(key, current_user.id, pool_id, receipt.code, receipt.changed)
    db.session.commit()
    session[RECEIPT_KEY] = key
    return redirect(url_for("voting.receipt", pool_id=pool_id))


def _kept_receipt(pool: Pool) -> kept.Kept | None:
    """The tracking code this session kept for the pool, while it is the one that counts."""
    found = kept.kept(session.get(RECEIPT_KEY), current_user.id, pool.id)
    if found is None or not queries.receipt_counts(pool, found.code):
        return None
    return found


@bp.get("/pools/<int:pool_id>/receipt")
@requires(is_signed_in)
def receipt(pool_id: int):
    """The tracking code of the ballot this session cast, for as long as it stays signed in and the code counts."""
    pool = _pool_or_404(pool_id)
    shown = _kept_receipt(pool)
    if shown is None:
        return redirect(url_for("voting.vote", municipality=pool.process.municipality.slug, slug=pool.process.slug))
    return render_template("voting/receipt.html", process=pool.process, pool=pool, code=shown.code,
                           changed=shown.changed)


@bp.get("/pools/<int:pool_id>/receipt.txt")
@requires(is_signed_in)
def receipt_text(pool_id: int):
    """The tracking code as a small text file to keep."""
    pool = _pool_or_404(pool_id)
    shown = _kept_receipt(pool)
    if shown is None:
        abort(404)
    process = pool.process
    body = "\n".join([
        process.name, f"{_('Pool')}: {pool.name}", f"{_('Your tracking code:')} {shown.code}",
        _("Check it on the receipts page: %(url)s",
          url=url_for("voting.receipts", municipality=process.municipality.slug, slug=process.slug, _external=True)),
        ""])
    return Response(body, mimetype="text/plain", headers={
        "Content-Disposition": f'attachment; filename="tracking-code-{process.municipality.slug}-{process.slug}'
                               f'-pool{pool.id}.txt"', "Cache-Control": "no-store"})


@bp.route("/m/<municipality>/<slug>/receipts", methods=["GET", "POST"])
@public
@limiter.limit(_verify_limit, methods=["POST"])
def receipts(municipality: str, slug: str):
    """Check a tracking code; after the close, the published list of receipt hashes."""
    process = _process_or_404(municipality, slug)
    form = ReceiptForm()
    found = None
    checked = False
    if form.validate_on_submit():
        checked = True
        found = queries.receipt_found(process, form.receipt_hash.data)
    return render_template("voting/receipts.html", process=process, form=form, checked=checked, found=found,
                           closed=process.vote_closed_at is not None, roots=queries.receipt_roots(process))


def _closed_or_404(process: Process) -> None:
    """Results and exports exist only after the close: no count leaks while the vote runs."""
    if process.vote_closed_at is None:
        abort(404)


@bp.get("/m/<municipality>/<slug>/receipts.txt")
@public
def receipts_text(municipality: str, slug: str):
    """Every counted ballot's receipt hash, sorted, one per line."""
    process = _process_or_404(municipality, slug)
    _closed_or_404(process)
    body = "".join(h + "\n" for h in queries.receipt_hashes(process))
    return Response(body, mimetype="text/plain", headers={
        "Content-Disposition": f'attachment; filename="{process.municipality.slug}-{process.slug}-receipts.txt"'})


@bp.get("/m/<municipality>/<slug>/results")
@public
@cached_for_visitors()
def results(municipality: str, slug: str):
    """Per pool: each project's votes, cost, funded or not and why; and what the other rules would fund."""
    process = _process_or_404(municipality, slug)
    closed = process.vote_closed_at is not None
    return render_template("voting/results.html", process=process, pools=queries.pool_results(process),
                           ranked=queries.ranked, closed=closed, closing_root=queries.closing_root(process),
                           funding={item.project.id: item for item in funding.funding(process)} if closed else {},
                           story=story.story)


@bp.get("/pools/<int:pool_id>/ballots.pb")
@public
def pabulib_export(pool_id: int):
    """The pool's anonymised ballots and projects as a Pabulib file, with coarse demographics if collected
    (left empty for ballots in groups under ten, which could point at a resident)."""
    pool = _pool_or_404(pool_id)
    _closed_or_404(pool.process)
    official = next((r for r in queries.pool_results(pool.process) if r.pool.id == pool.id), None)
    election = counting.suppress_small_groups(counting.election_for_pool(db.session, pool))
    text = pabulib.write(_with_selected(election, official))
    name = f"{pool.process.municipality.slug}-{pool.process.slug}-pool{pool.id}.pb"
    return Response(text, mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _with_selected(election, official):
    """The election with Pabulib's ``votes`` and ``selected`` project columns from the official result."""
    if official is None:
        return election
    by_code = {official.projects[rp.project_id].code: rp for rp in official.official.projects}
    projects = tuple(
        dataclasses.replace(p, extra={**p.extra, "votes": str(by_code[p.id].score) if p.id in by_code else "0",
                                      "selected": "1" if p.id in by_code and by_code[p.id].selected else "0"})
        for p in election.projects)
    return dataclasses.replace(election, projects=projects)


def _result_rows(process: Process):
    for item in queries.pool_results(process):
        for rp in queries.ranked(item.official):
            project = item.projects[rp.project_id]
            yield item, rp, project


@bp.get("/m/<municipality>/<slug>/results.csv")
@public
def results_csv(municipality: str, slug: str):
    """The official results as CSV: one row per project and pool."""
    process = _process_or_404(municipality, slug)
    _closed_or_404(process)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["pool", "project_code", "title", "votes", "cost_minor_units", "currency", "funded",
                     "selection_order", "reason", "rule"])
    for item, rp, project in _result_rows(process):
        writer.writerow([inert_cell(cell) for cell in (
            item.pool.name, project.code, project.title, rp.score, rp.cost, process.currency,
            int(rp.selected), rp.selection_order or "", rp.reason, item.official.rule)])
    return Response(out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{process.municipality.slug}-{process.slug}-results.csv"'})


@bp.get("/m/<municipality>/<slug>/results.json")
@public
def results_json(municipality: str, slug: str):
    """Every stored result (official and compared rules) with what is needed to recompute it."""
    process = _process_or_404(municipality, slug)
    _closed_or_404(process)
    pools = []
    for item in queries.pool_results(process):
        pools.append({
            "pool": {"id": item.pool.id, "name": item.pool.name, "amount": item.pool.amount,
                     "district": item.pool.district.code if item.pool.district else None},
            "results": [{
                "rule": r.rule, "official": r.is_official, "tie_break": r.tie_break, "parameters": r.parameters,
                "input_sha256": r.input_hash, "library_version": r.library_version,
                "ballots_counted": r.ballots_counted, "budget": r.budget, "total_cost": r.total_cost,
                "projects": [{"code": item.projects[rp.project_id].code, "votes": rp.score, "cost": rp.cost,
                              "selected": rp.selected, "selection_order": rp.selection_order,
                              "reason": rp.reason, "numbers": rp.numbers} for rp in queries.ranked(r)],
            } for r in [item.official, *item.others]],
        })
    body = {"process": {"municipality": process.municipality.slug, "slug": process.slug, "name": process.name,
                        "currency": process.currency, "closed_at": process.vote_closed_at.isoformat()},
            "pools": pools}
    return Response(json.dumps(body, ensure_ascii=False, indent=1), mimetype="application/json")
