"""The set-up pages as staff use them: forms that show each problem on its field, CSV imports with a preview,
projects from staff, and the dashboard."""

from __future__ import annotations

import sqlalchemy as sa

from pb.processes.models import District, Municipality, Pool, Process
from pb.proposals.models import Project, ProjectOrigin, ProjectStatus


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_an_administrator_creates_a_municipality_and_its_districts(client, db, make_user, login):
    login(make_user(role="admin"))
    refused = client.post("/staff/municipalities/new", data={"name": "Kalamata", "slug": "Kalamata!",
                                                              "country": "GR", "timezone": "Europe/Athina",
                                                              "languages": ["el", "en"]})
    assert refused.status_code == 422
    page = _text(refused)
    assert "Please correct the following" in page and "Latin letters" in page and "not a time zone" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Municipality)) == 0
    created = client.post("/staff/municipalities/new", data={
        "name": "Δήμος Καλαμάτας", "slug": "kalamata", "country": "gr", "timezone": "Europe/Athens",
        "population": "54100", "languages": ["el", "en"], "categories": "πράσινο\nκυκλοφορία",
        "beneficiary_groups": "παιδιά"})
    assert created.status_code == 302
    municipality = db.session.scalars(sa.select(Municipality)).one()
    assert (municipality.country_code, municipality.languages, municipality.categories) == (
        "GR", ["el", "en"], ["πράσινο", "κυκλοφορία"])
    added = client.post(f"/staff/municipalities/{municipality.id}/districts",
                        data={"code": "kentro", "name": "Κέντρο", "population": "23400"})
    assert added.status_code == 302
    twice = client.post(f"/staff/municipalities/{municipality.id}/districts", data={"code": "kentro", "name": "X"})
    assert twice.status_code == 422 and "already" in _text(twice)


def test_districts_come_from_a_csv_file_after_a_preview(client, db, make_user, login, make_process):
    process = make_process()
    municipality = process.municipality
    login(make_user(role="admin"))
    url = f"/staff/municipalities/{municipality.id}/districts/import"
    bad = b"code;name;population\r\nkentro;Centre;1000\r\nBad Code;Nowhere;lots\r\nshort\r\n"
    preview = client.post(url, data={"file": (_upload(bad), "districts.csv")}, content_type="multipart/form-data")
    page = _text(preview)
    assert preview.status_code == 422
    assert "line 3" in page and "Latin letters" in page and "whole number" in page and "line 4" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(District)) == 1  # the fixture's "north"
    good = "code,name,population\nkentro,Κέντρο,23400\nnorth,North (renamed),12000\n".encode()
    preview = client.post(url, data={"file": (_upload(good), "districts.csv")}, content_type="multipart/form-data")
    assert preview.status_code == 200 and "Import these districts" in _text(preview)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(District)) == 1  # a preview stores nothing
    confirmed = client.post(url, data={"content": good.decode(), "confirm": "1"})
    assert confirmed.status_code == 302
    db.session.expire_all()
    assert {(d.code, d.name) for d in db.session.scalars(sa.select(District))} == {
        ("kentro", "Κέντρο"), ("north", "North (renamed)")}


def test_a_districts_file_the_csv_module_cannot_read_is_refused_with_its_line(client, db, make_user, login,
                                                                               make_process):
    """Found by the fuzzer: a carriage return inside a line, or a cell past the csv module's size limit, raised
    csv.Error (a 500 on PostgreSQL and SQLite alike)."""
    municipality = make_process().municipality
    login(make_user(role="admin"))
    url = f"/staff/municipalities/{municipality.id}/districts/import"
    for data in (b"code,name\nkent\x00ro\rx,Centre\n", b"code,name\nkentro,Centre\n" + b"x" * 200_000 + b",Far\n"):
        preview = client.post(url, data={"file": (_upload(data), "districts.csv"), "preview": "1"},
                              content_type="multipart/form-data")
        assert preview.status_code in (200, 422), preview.status_code  # read as a spreadsheet would, or refused
    assert preview.status_code == 422 and "Line 3 of the file cannot be read as CSV" in _text(preview)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(District)) == 1


def _upload(data: bytes):
    import io

    return io.BytesIO(data)


def test_a_clerk_sets_up_an_edition_through_the_pages(client, db, make_user, login, make_process):
    municipality = make_process().municipality
    login(make_user(role="clerk"))
    form = {"municipality_id": municipality.id, "name": "PB 2031", "slug": "2031", "fiscal_year": "2031",
            "currency": "EUR", "min_voter_age": "16", "appeal_days": "14", "tally_rule": "equalshares/add1",
            "tie_break": "lexico", "ballot_order": "code", "max_project_cost": "lots"}
    refused = client.post("/staff/processes/new", data=form)
    assert refused.status_code == 422 and "not an amount of money" in _text(refused)
    created = client.post("/staff/processes/new", data={**form, "max_project_cost": "150000"})
    assert created.status_code == 302
    process = db.session.scalars(sa.select(Process).where(Process.slug == "2031")).one()
    assert process.max_project_cost == 15_000_000 and process.categories == municipality.categories
    pools = f"/staff/processes/{process.id}/pools"
    knapsack = {"name": "City", "district": "", "amount": "400000", "ballot": "knapsack", "min_spend_percent": "120"}
    refused = client.post(pools, data=knapsack)
    assert refused.status_code == 422 and "120%" in _text(refused) and 'id="min_spend_percent"' in _text(refused)
    assert client.post(pools, data={**knapsack, "min_spend_percent": "50"}).status_code == 302
    district = client.post(pools, data={"name": "North", "district": "north", "amount": "100000",
                                        "ballot": "approval", "min_choices": "3", "max_choices": "2"})
    assert district.status_code == 422 and "more than the most" in _text(district)
    assert client.post(pools, data={"name": "North", "district": "north", "amount": "100000", "ballot": "approval",
                                    "max_choices": "5"}).status_code == 302
    db.session.expire_all()
    assert [(p.name, p.min_spend_basis_points, p.max_choices) for p in process.pools] == [
        ("City", 5000, None), ("North", None, 5)]
    schedule = f"/staff/processes/{process.id}/schedule"
    overlapping = client.post(schedule, data={"proposals_starts": "2031-01-11T00:00", "proposals_ends": "2031-02-20T00:00",
                                              "review_starts": "2031-02-15T00:00", "review_ends": "2031-03-15T00:00"})
    assert overlapping.status_code == 422 and "overlap" in _text(overlapping)
    done = client.post(schedule, data={"proposals_starts": "2031-01-11T00:00", "proposals_ends": "2031-02-15T00:00",
                                       "voting_starts": "2031-04-05T09:00", "voting_ends": "2031-04-26T20:00"})
    assert done.status_code == 302
    db.session.expire_all()
    assert [p.kind.value for p in process.phases] == ["proposals", "voting"]
    # 09:00 in Athens (UTC+3 in April) is 06:00 UTC.
    assert process.phases[1].starts_at.hour == 6
    # The least share of voters a project needs, in percent on the page, in basis points for the tally.
    edit = f"/staff/processes/{process.id}/edit"
    settings = {**form, "max_project_cost": "150000", "min_vote_share_percent": "150"}
    refused = client.post(edit, data=settings)
    assert refused.status_code == 422 and "150%" in _text(refused) and 'id="min_vote_share_percent"' in _text(refused)
    assert client.post(edit, data={**settings, "min_vote_share_percent": "2,5"}).status_code == 302
    db.session.expire_all()
    assert process.min_vote_share_basis_points == 250
    assert 'value="2.5"' in _text(client.get(edit))
    dashboard = _text(client.get(f"/staff/processes/{process.id}"))
    assert "Import the voter register" in dashboard and "The edition has no mandate" in dashboard
    assert "Ready" in dashboard  # proposals: pools and categories are there


def test_greek_pages_say_the_problem_in_greek(client, db, make_user, login, make_process):
    process = make_process()
    clerk = make_user(role="clerk", locale="el")
    login(clerk)
    refused = client.post(f"/staff/processes/{process.id}/pools", data={
        "name": "Βορράς", "district": "north", "amount": "10,005", "ballot": "approval"})
    page = _text(refused)
    assert refused.status_code == 422
    assert "δεκαδικ" in page and "more decimals" not in page  # "more decimals than EUR has", in Greek


def test_a_clerk_enters_a_project_from_a_paper_form(client, db, make_user, login, make_process):
    process = make_process(vote_in_days=60)
    login(make_user(role="clerk"))
    pool = process.pools[0]
    url = f"/staff/processes/{process.id}/projects/new"
    refused = client.post(url, data={"origin": "paper_form", "title": "Benches", "summary": "Ten benches.",
                                     "cost": "999999999", "pool_id": pool.id})
    assert refused.status_code == 422 and "above the whole budget" in _text(refused)
    done = client.post(url, data={"origin": "paper_form", "author_name": "M. Papadaki", "title": "Benches",
                                  "summary": "Ten benches.", "cost": "12000", "pool_id": pool.id,
                                  "categories": ["culture"]})
    assert done.status_code == 302
    project = db.session.scalars(sa.select(Project)).one()
    assert (project.origin, project.author_name, project.status, project.author_id) == (
        ProjectOrigin.PAPER_FORM, "M. Papadaki", ProjectStatus.PUBLISHED, None)
    page = _text(client.get(f"/projects/{project.id}"))
    assert "on a paper form" in page and "M. Papadaki" in page


def test_projects_come_from_a_csv_file_and_one_bad_row_stores_nothing(client, db, make_user, login, make_process):
    process = make_process(vote_in_days=60)
    pool = process.pools[0]
    db.session.add(Pool(process_id=process.id, name="North", amount=2_000_000,
                        district_id=process.municipality.districts[0].id))
    db.session.commit()
    login(make_user(role="clerk"))
    url = f"/staff/processes/{process.id}/projects/import"
    bad = ("title,summary,cost,district,categories,location,author\n"
           "Benches,Ten benches.,12000,,culture,\"37.04, 22.11\",Parks department\n"
           "Lights,New lights.,99999999,north,,,\n"
           "Trees,Forty trees.,4000,south,,,\n"
           "Garden,A garden.,3000,north,unknown words,,\n").encode()
    preview = client.post(url, data={"file": (_upload(bad), "projects.csv"), "origin": "department"},
                          content_type="multipart/form-data")
    page = _text(preview)
    assert preview.status_code == 422
    assert "Line 3:" in page and "above the whole budget" in page
    assert "Line 4:" in page and "“south” has no pool" in page
    assert "Line 5:" in page and "Choose categories from the list" in page
    assert "Line 2:" not in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Project)) == 0
    good = ("title,summary,cost,district,categories,location,author\n"
            "Benches,Ten benches.,12000,,culture,\"37.04, 22.11\",Parks department\n"
            "Lights,New lights.,9000,north,public space;culture,,\n").encode()
    preview = client.post(url, data={"file": (_upload(good), "projects.csv"), "origin": "department"},
                          content_type="multipart/form-data")
    assert preview.status_code == 200 and "Import these projects" in _text(preview)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Project)) == 0
    confirmed = client.post(url, data={"content": good.decode(), "origin": "department", "confirm": "1"})
    assert confirmed.status_code == 302
    projects = {p.title: p for p in db.session.scalars(sa.select(Project))}
    assert set(projects) == {"Benches", "Lights"}
    assert (projects["Benches"].pool_id, projects["Benches"].latitude, projects["Benches"].author_name) == (
        pool.id, 37.04, "Parks department")
    assert sorted(projects["Lights"].category_names) == ["culture", "public space"]
    assert all(p.origin is ProjectOrigin.DEPARTMENT and p.status is ProjectStatus.PUBLISHED
               for p in projects.values())


def test_a_municipalitys_pages_come_in_the_languages_it_offers(client, db, make_process):
    process = make_process()
    process.municipality.languages = ["el"]
    db.session.commit()
    client.set_cookie("pb_lang", "en", domain="pb.test")
    page = _text(client.get("/m/testville/2026", headers={"Accept-Language": "en"}))
    assert '<html lang="el">' in page and 'value="en"' not in page  # no switch to a language it does not offer
    process.municipality.languages = ["el", "en"]
    db.session.commit()
    page = _text(client.get("/m/testville/2026", headers={"Accept-Language": "en"}))
    assert '<html lang="en">' in page and 'value="el"' in page
    # Pages of no municipality offer every language.
    assert 'value="en"' in _text(client.get("/login"))
