"""The demo's live vote: a Greek municipality whose residents are voting now, to try pb's ballot end to end.

Everything here is invented (the municipality, its register and its projects); the ballots already in
the box are cast through the same services as real ones, so turnout pages and the count have data.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets

from flask_babel import force_locale, gettext

from pb.accounts.models import Role, User
from pb.accounts.passwords import hash_password
from pb.core.db import utcnow
from pb.demo_editions import create_demo_edition, days_ago_at_midnight
from pb.extensions import db
from pb.reports import services as reports
from pb.reports.models import AssessmentMode
from pb.mandate.models import Mandate, MandateCharacter, MandateStatus
from pb.mandate.presets import preset
from pb.mandate.terms import empty_terms
from pb.processes.models import BallotKind, Municipality, Pool, Process
from pb.proposals.models import Project, ProjectCategory, ProjectStatus
from pb.voting import services
from pb.voting.ballot_rules import Choice

SLUG, PROCESS_SLUG = "perivoli", "2027"
REGISTER_SIZE = 400
# The demo resident's entry is left unvoted, so that they can try verifying and voting.
TRY_REFERENCE, TRY_BIRTH_YEAR = "PRV-0001", 1985

# code, title, cost in euro, pool ("city" or a district code), category (from pb.proposals.vocabulary)
PROJECTS = (
    ("C1", "Σκιά και βρύσες στην πλατεία / Shade and fountains in the square", 120_000, "city", "public space"),
    ("C2", "Ποδηλατόδρομος παραλίας / Seafront cycle lane", 180_000, "city", "public transit and roads"),
    ("C3", "Δημοτική βιβλιοθήκη ανοιχτή τα βράδια / Library open in the evenings", 60_000, "city", "culture"),
    ("C4", "Ράμπες προσβασιμότητας σε 20 στάσεις / Ramps at 20 bus stops", 90_000, "city", "public transit and roads"),
    ("C5", "Κήπος γειτονιάς για σχολεία / Neighbourhood garden for schools", 45_000, "city", "education"),
    ("K1", "Φωτισμός στο πάρκο Κέντρου / Lighting in the central park", 40_000, "kentro", "public space"),
    ("K2", "Παγκάκια και σκιά στην αγορά / Benches and shade at the market", 25_000, "kentro", "public space"),
    ("K3", "Παιδική χαρά Αγίου Νικολάου / Playground at Agios Nikolaos", 55_000, "kentro", "public space"),
    ("L1", "Ανακαίνιση γηπέδου λιμανιού / Harbour sports ground", 70_000, "limani", "sport"),
    ("L2", "Δεντροφύτευση οδού Ναυάρχου / Trees along Navarchou street", 30_000, "limani", "urban greenery"),
    ("L3", "Στέγαστρο για ψαράδες / Shelter for the fishermen", 35_000, "limani", "public space"),
)


def build_live_vote(legal_officer: User, clerk: User) -> tuple[str, str | None]:
    """Create the live vote if it is missing; a line for the demo's report and a voting code to try."""
    if db.session.query(Municipality).filter_by(slug=SLUG).first() is not None:
        return "", None
    # Voting opened yesterday; the file's other phases keep their places around it.
    start = days_ago_at_midnight(1)
    process = create_demo_edition("perivoli-2027.toml", "voting", start)
    pools = {"city" if pool.district is None else pool.district.code: pool for pool in process.pools}
    for code, title, euros, pool_key, category in PROJECTS:
        pool = pools[pool_key]
        project = Project(process_id=process.id, pool_id=pool.id, district_id=pool.district_id, code=code,
                          title=title, summary=title.split(" / ")[-1] + ".", cost=euros * 100,
                          estimated_cost=euros * 100, status=ProjectStatus.ON_BALLOT, published_at=start)
        project.categories = [ProjectCategory(category=category)]
        db.session.add(project)
    db.session.add(_mandate(process, legal_officer))
    db.session.flush()
    _publish_ex_ante(process, legal_officer, start - dt.timedelta(days=2))
    register = _register()
    services.import_register(clerk, process, register)
    _fill_ballot_box(process, clerk)
    # The root an hourly job would have taken, so that the receipts page shows one.
    services.record_receipt_root(process, "hourly")
    code = services.issue_codes(clerk, process, ["PRV-0002"])[0].code
    return "Perivoli 2027: voting open now (register references PRV-0001 … PRV-0400)", code


def _register() -> str:
    rows = ["reference,birth_year,district"]
    chance = random.Random(2027)
    for number in range(1, REGISTER_SIZE + 1):
        year = TRY_BIRTH_YEAR if number == 1 else chance.randint(1940, 2010)
        rows.append(f"PRV-{number:04d},{year},{'kentro' if number % 7 < 4 else 'limani'}")
    return "\n".join(rows) + "\n"


def _mandate(process: Process, legal_officer: User) -> Mandate:
    """An advisory mandate in force, from the Greek preset, as a legal officer would have signed it."""
    terms = {**empty_terms(), "budget_amount": process.total_amount, "budget_currency": "EUR",
             "budget_fiscal_year": process.fiscal_year, "budget_line": "64-7135", "winner_fails": "next_ranked",
             "feasibility_veto": True, "legal_compliance": True, "justification_days": 60,
             "justification_published": "https://perivoli.example/pb/apofaseis"}
    greek = preset("gr")
    # Signed and in force before the vote opened (yesterday), as voting cannot open without a mandate in force.
    signed = utcnow() - dt.timedelta(days=2)
    # The preset's Greek texts: the municipality's papers are in Greek.
    texts = greek.fields_for("el")
    return Mandate(
        process_id=process.id, version=1, status=MandateStatus.IN_FORCE, character=MandateCharacter.ADVISORY,
        preset=greek.key, preset_version=greek.version, preset_sha256=greek.sha256,
        basis_instrument=texts["basis_instrument"], basis_title=texts["basis_title"], basis_number="3852/2010",
        basis_article="76", basis_date=dt.date(2010, 6, 7), basis_journal="ΦΕΚ Α' 87/07.06.2010",
        basis_url="https://www.kodiko.gr/nomologia/document_navigation/59648/nomos-3852-2010",
        enabling_decision="Απόφαση Δημοτικού Συμβουλίου 112/2026 (demo)",
        decision_body=texts["decision_body"], bound_party=texts["bound_party"],
        obligation="Απάντηση σε κάθε νικητήριο έργο με δημοσιευμένη, αιτιολογημένη απόφαση εντός 60 ημερών.",
        terms=terms, created_by_id=legal_officer.id, signed_by_id=legal_officer.id, signed_at=signed,
        opinion="Συμβουλευτική κατά τον νόμο (ν. 3852/2010 άρθρο 76)· το συμβούλιο δεσμεύθηκε σε αιτιολογημένες "
                "απαντήσεις.",
        effective_from=signed.date())


def _publish_ex_ante(process: Process, legal_officer: User, at: dt.datetime) -> None:
    """The ex-ante impact assessment, published before the vote as the Greek preset asks."""
    assessment = reports.assessment_for(process, AssessmentMode.EX_ANTE)
    with force_locale("el"):
        version = reports.generate_version(legal_officer, assessment, translate=gettext, locale="el", now=at)
    reports.publish_version(legal_officer, version, now=at)


def _fill_ballot_box(process: Process, clerk: User) -> None:
    """A third of the register has voted: most online, older residents more often on paper."""
    chance = random.Random(7)
    unusable = hash_password(secrets.token_urlsafe(32))
    projects: dict[int, list[Project]] = {}
    for project in db.session.query(Project).filter_by(process_id=process.id):
        projects.setdefault(project.pool_id, []).append(project)
    for number in range(3, REGISTER_SIZE + 1, 3):
        reference = f"PRV-{number:04d}"
        entry = services.find_register_entry(process, reference)
        older = entry.birth_year is not None and entry.birth_year < 1960
        on_paper = chance.random() < (0.6 if older else 0.15)
        voter = None
        if not on_paper:
            voter = User(email=f"voter{number:04d}@perivoli.example", password_hash=unusable, role=Role.RESIDENT,
                         display_name=f"Voter {number}", email_confirmed_at=utcnow())
            db.session.add(voter)
            db.session.flush()
            services.verify_by_register(voter, process, reference, entry.birth_year)
        for pool in services.eligible_pools(entry, process):
            choices = _choose(chance, pool, projects[pool.id])
            token = f"demo-{reference}-{pool.id}"
            sex = chance.choice("FM")
            if voter is None:
                services.enter_paper_ballot(clerk, pool, reference, choices, token, sex=sex)
            else:
                services.cast_ballot(voter, pool, choices, token, sex=sex)


def _choose(chance: random.Random, pool: Pool, projects: list[Project]) -> list[Choice]:
    """A plausible ballot: popular projects more often, within the pool's rules."""
    order = sorted(projects, key=lambda p: chance.random() * (2 if p.code.endswith("1") else 1), reverse=True)
    picked, spent = [], 0
    most = pool.max_choices or len(projects)
    for project in order:
        if len(picked) < most and (pool.ballot_kind is not BallotKind.KNAPSACK or spent + project.cost <= pool.amount):
            picked.append(Choice(project.id))
            spent += project.cost
        if len(picked) >= max(1, chance.randint(1, most)):
            break
    return picked
