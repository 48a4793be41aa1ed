"""The census: the pure parser, the import (a bad file changes nothing) and the baseline the assessment uses."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from pb.audit.models import AuditEvent
from pb.errors import NotAllowed, ValidationError
from pb.reports import data, services
from pb.reports.census import CensusRow, parse_census
from pb.reports.metrics import Missing
from pb.reports.models import PopulationFigure

GOOD = """district;age_band;sex;population;eligible
;;;24 000;19,800
NORTH;;;12000;9500
;65+;;;4200
;18-34;;;5000
;;f;;10100
"""


def test_the_parser_reads_one_group_per_line():
    rows, problems = parse_census(GOOD)
    assert problems == []
    assert rows == [CensusRow(2, "total", "", 24000, 19800), CensusRow(3, "district", "NORTH", 12000, 9500),
                    CensusRow(4, "age_band", "65+", None, 4200), CensusRow(5, "age_band", "18-34", None, 5000),
                    CensusRow(6, "sex", "F", None, 10100)]


@pytest.mark.parametrize("text, code, line", [
    ("population,eligible\n1,1\n", "missing_column", 1),
    ("district,name\nnorth,x\n", "missing_column", 1),
    ("district,age_band,population\nnorth,65+,10\n", "two_groups", 2),
    ("age_band,population\n60-70,10\n", "bad_age_band", 2),
    ("sex,eligible\nQ,10\n", "bad_sex", 2),
    ("district,population\nnorth,many\n", "bad_number", 2),
    ("district,population,eligible\nnorth,,\n", "no_figure", 2),
    ("district,population,eligible\nnorth,10,20\n", "more_eligible", 2),
    ("district,population\nnorth,10\nNorth,11\n", "duplicate", 3),
    ("district,population\n", "empty", 1),
])
def test_the_parser_names_each_problem_with_its_line(text, code, line):
    _rows, problems = parse_census(text)
    assert [(p.code, p.line) for p in problems] == [(code, line)]


def test_import_replaces_the_census_and_is_audited(db, ctx, make_process, make_user):
    process = make_process()
    clerk = make_user(role="clerk")
    services.import_census(clerk, process, services.CensusInput(GOOD, "Census 2021", dt.date(2021, 5, 1)))
    services.import_census(clerk, process, services.CensusInput("district,population\nnorth,12500\n",
                                                                "Census 2023", dt.date(2023, 1, 1)))
    db.session.commit()
    baseline = data.baseline_of(process)
    assert (baseline.source, baseline.as_of) == ("Census 2023", dt.date(2023, 1, 1))
    # The district code is stored as the municipality spells it, whatever the file's case.
    assert [(f.attribute, f.group, f.population) for f in baseline.figures] == [("district", "north", 12500)]
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "census.import")).all()
    assert len(events) == 2 and events[0].after["source"] == "Census 2021"


def test_a_bad_file_changes_nothing_and_says_which_lines(db, ctx, make_process, make_user):
    process = make_process()
    clerk = make_user(role="clerk")
    services.import_census(clerk, process, services.CensusInput(GOOD, "Census 2021", dt.date(2021, 5, 1)))
    db.session.commit()
    bad = "district,age_band,population,eligible\nnorth,,100,200\n,40-50,,10\nnorth,,5,\n"
    with pytest.raises(ValidationError) as refused:
        services.import_census(clerk, process, services.CensusInput(bad, "Other", dt.date(2024, 1, 1)))
    db.session.rollback()
    message = refused.value.message
    assert "line 2" in message and "line 3" in message and "line 4" in message
    with pytest.raises(ValidationError, match="line 2 has “south”, which is not a district code"):
        services.import_census(clerk, process, services.CensusInput("district,population\nsouth,10\n", "Other",
                                                                    dt.date(2024, 1, 1)))
    db.session.rollback()
    assert data.baseline_of(process).source == "Census 2021"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PopulationFigure)) == 5


def test_only_clerks_import_the_census(db, ctx, make_process, make_user):
    with pytest.raises(NotAllowed):
        services.import_census(make_user(role="legal_officer"), make_process(),
                               services.CensusInput(GOOD, "Census", dt.date(2021, 1, 1)))


def test_the_baseline_takes_the_census_then_the_register_and_recorded_populations(db, ctx, voting_world):
    process = voting_world.process
    figures = data.population(process)
    # No census: eligible residents come from the register (AB-1003 is too young; AB-1004 has no district),
    # residents of North from the district's recorded population.
    assert figures.eligible == 4
    assert dict(figures.eligible_by["district"]) == {"North": 3}
    assert dict(figures.population_by_district) == {"North": 12000}
    assert figures.population is None
    gaps = data.baseline_gaps(process, figures)
    assert Missing("population") in gaps and Missing("eligible", "sex", "F") in gaps
    services.import_census(voting_world.clerk, process, services.CensusInput(GOOD, "Census 2021",
                                                                            dt.date(2021, 5, 1)))
    figures = data.population(process)
    assert (figures.population, figures.eligible) == (24000, 19800)
    assert dict(figures.eligible_by["age_band"]) == {"65+": 4200, "18-34": 5000}
    assert dict(figures.eligible_by["district"]) == {"North": 9500}
    assert figures.source.startswith("Census 2021") and figures.as_of == "2021-05-01"
    assert Missing("population") not in data.baseline_gaps(process, figures)


def test_every_problem_is_told_at_once_and_a_census_of_the_future_is_refused(db, ctx, make_process, make_user):
    process = make_process()
    clerk = make_user(role="clerk")
    # A bad line, an unknown district and a line cut short of a semicolon file: one message names all three.
    text = "district;population;eligible\nnorth;abc;1\nsouth;10;5\nnorth;12\n"
    with pytest.raises(ValidationError) as refused:
        services.import_census(clerk, process, services.CensusInput(text, "Census", dt.date(2021, 1, 1)))
    message = refused.value.message
    assert "line 2 has “abc”" in message and "line 3 has “south”" in message
    assert "line 4 has 2 values where the first line names 3 columns" in message
    db.session.rollback()
    with pytest.raises(ValidationError, match="cannot be dated in the future") as future:
        services.import_census(clerk, process, services.CensusInput(GOOD, "Census 2031",
                                                                    dt.date.today() + dt.timedelta(days=30)))
    assert future.value.field == "as_of"
