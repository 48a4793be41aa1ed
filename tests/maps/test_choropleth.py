"""The choropleth of money per head in the assessment PDF, drawn from the districts' boundaries."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from pb.maps.choropleth import MISSING, SHADES, classes, shade_of
from pb.reports import metrics
from pb.reports.documents import AssessmentDocument
from pb.reports.metrics import PoolResult, Population
from pb.reports.sia_pdf import build_sia
from pb.tally import pabulib


def _square(west: float, south: float, side: float = 0.01) -> dict:
    ring = [[west, south], [west + side, south], [west + side, south + side], [west, south + side], [west, south]]
    return {"type": "MultiPolygon", "coordinates": [[ring]]}


BOUNDARIES = (("Βόρεια", _square(22.10, 37.04)), ("Νότια", _square(22.10, 37.03)),
              ("Ανατολικά", _square(22.11, 37.03, 0.02)), ("Λιμάνι", _square(22.09, 37.03)))


def test_equal_width_classes_and_their_shades():
    bins = classes([10.0, 20.0, 60.0])
    assert bins[0] == (10.0, 20.0) and bins[-1] == (50.0, 60.0) and len(bins) == 5
    assert shade_of(10.0, bins) == SHADES[0] and shade_of(60.0, bins) == SHADES[-1]
    assert shade_of(35.0, bins) == SHADES[2] and shade_of(None, bins) == MISSING
    assert classes([7.0, 7.0]) == [(7.0, 7.0)]


def _pool(name: str, district: str, cost: int) -> PoolResult:
    election = pabulib.parse(f"META\nkey;value\nbudget;{cost}\nPROJECTS\nproject_id;cost\na;{cost}\n"
                             "VOTES\nvoter_id;vote\n1;a\n")
    return PoolResult(name, election, ("a",), district=district)


def _ex_post(**changes) -> AssessmentDocument:
    census = Population(population=1500, population_by_district={"Βόρεια": 600, "Νότια": 400, "Ανατολικά": 500})
    figures = metrics.ex_post(census, [_pool("North", "Βόρεια", 30_000), _pool("South", "Νότια", 10_000)])
    return AssessmentDocument(municipality="Καλαμάτα", process="ΣΠ 2027", fiscal_year=2027, currency="EUR",
                              metrics=figures, population=census, **changes)


def _text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_ex_post_pdf_draws_the_choropleth_with_its_legend_and_numbers(tmp_path):
    data = build_sia(_ex_post(boundaries=BOUNDARIES))
    content = _text(data)
    assert "Map: money per head by district (EUR)" in content
    # North: 30,000 / 600 = 50 per head; South: 10,000 / 400 = 25; East: none funded, 0; the harbour has no
    # population, so it is missing. The legend runs in five equal classes from 0 to 50.
    for expected in ("Βόρεια", "Νότια", "Ανατολικά", "Λιμάνι", "50.00", "25.00", "0.00 – 10.00", "40.00 – 50.00",
                     "missing (no population or no money)"):
        assert expected in content, expected
    assert "Map: money per head" not in _text(build_sia(_ex_post()))
    assert build_sia(_ex_post(boundaries=BOUNDARIES)) == data
    if shutil.which("pdftoppm"):
        (tmp_path / "sia.pdf").write_bytes(data)
        subprocess.run(["pdftoppm", "-png", "-r", "50", str(tmp_path / "sia.pdf"), str(tmp_path / "page")],
                       check=True)
        assert list(tmp_path.glob("page*.png"))


@pytest.mark.parametrize("shade", SHADES)
def test_the_shades_run_light_to_dark(shade):
    index = SHADES.index(shade)
    if index:
        assert sum(shade.rgb()) < sum(SHADES[index - 1].rgb())
