"""The results in plain words, read on the Assen demo (Equal Shares with add-one, 23% of the pool unspent)."""

from __future__ import annotations

import re


def test_the_assen_results_state_the_share_explain_the_unspent_money_and_name_the_projects(app, db, client):
    from pb.demo import build_demo

    build_demo()
    db.session.commit()
    page = client.get("/m/assen/2024-top-idee/results").get_data(as_text=True)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert "€100,000.00 divided among 84 voters is €1,190.48 each" in text
    assert "kept the largest whose projects still fit in the budget: €2,033.00 per voter" in text
    assert "€23,300.00 (23% of the budget) was left unspent" in text
    assert "With a share of €2,034.00 per voter, the projects bought would have cost €105,700.00" in text
    # The four projects with more votes than funded ones are named, with why.
    assert re.search(r"Crossbaan in Peelo \(25\), Scooter Night Ride \(23\), Synthetische lichten \(19\)[^.]* had "
                     r"more votes than some funded projects", text)
    # The rule comparison names projects, not codes; the chart has its text alternative.
    comparison = page[page.index("Comparison of counting rules"):]
    assert "PopUp Podium; Jongerenplatform" in comparison
    assert '<svg role="img"' in page and "9 of 14 projects funded: PopUp Podium" in text
