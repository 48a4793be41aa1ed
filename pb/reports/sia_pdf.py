"""The social impact assessment as a PDF, ex ante (from the design) or ex post (from the vote and outcome).

Sections follow the UK Equality Impact Assessment, the Fairer Scotland Duty's five stages and the EU Better
Regulation guidelines: cover and sign-off; summary; legal context; scope and evidence base;
universality of the process; equality of the outcome; outcome by group; engagement; impact per group;
mitigation and action plan; decision and reasons (with the comply-or-explain table of an advisory
mandate); monitoring; annex of methods and formulas. Plain data in, bytes out; labels come through the
``translate`` callable (e.g. Flask-Babel's gettext), so this module imports nothing of Flask.
"""

from __future__ import annotations

from collections.abc import Sequence

from babel.numbers import format_decimal, format_percent
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, PageBreak, Spacer, Table, TableStyle

from pb.core.money import minor_units
from pb.maps.choropleth import Area, choropleth
from pb.reports import pdf
from pb.reports.documents import AssessmentDocument
from pb.reports.metrics import (
    ATTRIBUTES,
    NO_BASELINE,
    UNCLASSIFIED,
    GroupParticipation,
    Metrics,
    Missing,
    Participation,
    PoolSatisfaction,
    Spending,
    Status,
)
from pb.reports.pdf import FRAME_WIDTH, STATUS_COLOURS, Numbers, Translate, text, untranslated


class _Labels:
    """The builder's words in the reader's language; every literal passes through ``tr`` here."""

    def __init__(self, tr: Translate) -> None:
        self.tr = tr
        self.attributes = {"district": tr("District"), "age_band": tr("Age band"), "sex": tr("Sex"),
                           "channel": tr("Channel")}
        self.groups = {"F": tr("Women"), "M": tr("Men"), "online": tr("Online"), "internet": tr("Online"),
                       "paper": tr("Paper"), "in_person": tr("In person"), "assisted": tr("Assisted"),
                       "imported": tr("Imported"), UNCLASSIFIED: tr("(none)")}
        self.statuses = {Status.GREEN: tr("green"), Status.AMBER: tr("amber"), Status.RED: tr("red"), None: "–"}
        self.characters = pdf.mandate_characters(tr)
        self.figures = {"population": tr("Residents"), "eligible": tr("Eligible residents")}

    def group(self, name: str) -> str:
        """A group's name as readers know it (age bands and district names stay as they are)."""
        return self.groups.get(name, name)

    def missing(self, item: Missing) -> str:
        """One missing baseline figure in words, e.g. "Eligible residents: Age band 65+"."""
        figure = self.figures.get(item.figure, item.figure)
        if item.attribute is None:
            return figure
        return f"{figure}: {self.attributes.get(item.attribute, item.attribute)} {self.group(item.group or '')}"


class _Builder:
    """Lays out one assessment; each method returns the flowables of one section."""

    def __init__(self, doc: AssessmentDocument, tr: Translate, locale: str) -> None:
        self.doc = doc
        self.m: Metrics = doc.metrics
        self.tr = tr
        self.words = _Labels(tr)
        self.num = Numbers(locale, doc.currency, tr)
        self.s = pdf.styles()
        self.section_number = 0

    # -- helpers ------------------------------------------------------------------------------------------

    def heading(self, title: str) -> list[Flowable]:
        """A numbered section heading, kept with what follows it."""
        self.section_number += 1
        return [CondPageBreak(40 * mm), text(f"{self.section_number}. {title}", self.s["h1"])]

    def para(self, value: str, blank: str | None = None) -> Flowable:
        """A paragraph of given text, or a visible note that it has not been written."""
        if value.strip():
            return text(value, self.s["body"])
        return text(blank or self.tr("Not written yet."), self.s["small"])

    def flag(self, status: Status | None) -> str:
        """A flag's word."""
        return self.words.statuses[status]

    def fills(self, statuses: Sequence[Status | None], column: int) -> list[tuple[int, int, colors.Color]]:
        """Cell colours for a flag column, one row per status after the header."""
        return [(column, row + 1, STATUS_COLOURS[s]) for row, s in enumerate(statuses) if s is not None]

    def suppressed(self) -> str:
        """What a suppressed figure shows."""
        return self.tr("fewer than %(n)s voters") % {"n": self.m.thresholds.min_group}

    def spread(self, part: Participation) -> str:
        """The turnout spread; "–" when there are fewer than two districts to compare."""
        return "–" if part.turnout_spread is None else self.num.decimal(part.turnout_spread, 3)

    def money(self, amount: int, scale: int) -> str:
        """An amount in cost units of the given scale."""
        return self.num.money(amount, scale)

    # -- sections -----------------------------------------------------------------------------------------

    def cover(self) -> list[Flowable]:
        """Title, what is assessed, the mandate's character, the overall flag and the sign-off block."""
        tr, doc = self.tr, self.doc
        kind = tr("Ex ante: before the vote") if self.m.mode == "ex-ante" else tr("Ex post: after the vote")
        story: list[Flowable] = [Spacer(1, 20 * mm), text(tr("Social impact assessment"), self.s["title"]),
                                 text(kind, self.s["subtitle"])]
        if doc.is_draft:
            story.append(text(tr("DRAFT: not published"), self.s["h2"]))
        character = (self.words.characters.get(doc.mandate.character, doc.mandate.character)
                     if doc.mandate else tr("No mandate recorded"))
        status = self.m.status
        rows = [
            [tr("Municipality"), doc.municipality],
            [tr("Process"), doc.process],
            [tr("Budget year"), str(doc.fiscal_year)],
            [tr("Version"), f"{doc.version}" + (f" ({doc.prepared_on})" if doc.prepared_on else "")],
            [tr("Character of the residents' vote"), character],
            [tr("Overall status"), self.flag(status)],
        ]
        fills = [(1, 5, STATUS_COLOURS[status])] if status else []
        story += [pdf.table(rows, [55 * mm, FRAME_WIDTH - 55 * mm], header=False, fills=fills),
                  Spacer(1, 14 * mm), text(tr("Sign-off"), self.s["h2"])]
        story.append(self.signatures())
        return story

    def signatures(self) -> Flowable:
        """The sign-off block: role, name, date and a line to sign on."""
        tr = self.tr
        rows = [[tr("Role"), tr("Name"), tr("Date"), tr("Signature")]]
        for person in self.doc.sign_off or ():
            rows.append([person.role, person.name or "", person.signed_on or "", ""])
        if len(rows) == 1:
            rows += [[tr("Prepared by"), "", "", ""], [tr("Approved by"), "", "", ""]]
        widths = [45 * mm, 50 * mm, 30 * mm, FRAME_WIDTH - 125 * mm]
        block = pdf.table(rows, widths)
        block.setStyle([("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white]),
                        ("TOPPADDING", (0, 1), (-1, -1), 9), ("BOTTOMPADDING", (0, 1), (-1, -1), 9)])
        return block

    def summary(self) -> list[Flowable]:
        """One row per headline figure with its flag, then the meaning of the colours."""
        tr, num, m = self.tr, self.num, self.m
        rows: list[list[str]] = [[tr("Figure"), tr("Value"), tr("Flag")]]
        flags: list[Status | None] = []

        def add(label: str, value: str, status: Status | None = None) -> None:
            rows.append([label, value, self.flag(status)])
            flags.append(status)

        add(tr("Eligibility coverage (eligible / residents)"), num.percent(m.coverage))
        if m.participation is not None:
            part = m.participation
            add(tr("Turnout (voters / eligible)"), num.percent(part.turnout))
            weakest = self.weakest_representation(part)
            if weakest is not None:
                add(tr("Least represented group (representation index)"),
                    f"{self.group_name(weakest)}: {num.decimal(weakest.representation)}", weakest.status)
            add(tr("Turnout spread across districts (coefficient of variation)"), self.spread(part))
        spending_label = (tr("Gini of the pools' money per head across districts") if m.mode == "ex-ante"
                          else tr("Gini of funded money per head across districts"))
        if m.spending.gini is not None or m.spending.missing:
            add(spending_label, num.decimal(m.spending.gini, 3), m.spending.status)
        for pool in m.satisfaction:
            add(tr("%(pool)s: voters with at least one funded project") % {"pool": pool.pool},
                num.percent(pool.overall.share_funded), pool.overall.status)
            lowest = min((g for g in pool.groups if g.figures), key=lambda g: g.figures.share_funded, default=None)
            if lowest is not None:
                add(tr("%(pool)s: group least often on the winning side") % {"pool": pool.pool},
                    f"{self.group_name(lowest)}: {num.percent(lowest.figures.share_funded)}",
                    lowest.figures.status)
        add(tr("Baseline figures missing"), str(len(m.missing)))
        story = self.heading(tr("Summary"))
        story.append(pdf.table(rows, [105 * mm, 45 * mm, FRAME_WIDTH - 150 * mm],
                               fills=self.fills(flags, 2)))
        story.append(Spacer(1, 3 * mm))
        story.append(text(self.thresholds_note(), self.s["small"]))
        return story

    def thresholds_note(self) -> str:
        """The thresholds behind the colours, as this municipality set them (every decimal it set is shown, so
        that 0.875 does not read as 0.88)."""
        t, locale = self.m.thresholds, self.num.locale

        def decimal(value: float) -> str:
            return format_decimal(value, format="#,##0.00##", locale=locale)

        def percent(value: float) -> str:
            return format_percent(value, format="#,##0.0##%", locale=locale)

        return self.tr(
            "Flags: representation index green from %(rg1)s to %(rg2)s, amber from %(ra1)s to %(ra2)s, else red; "
            "spending Gini green below %(sg)s, amber up to %(sa)s, else red; share of voters with a funded "
            "project green from %(fg)s, amber from %(fa)s, else red. Groups of fewer than %(n)s voters are "
            "not shown."
        ) % {"rg1": decimal(t.representation_green[0]), "rg2": decimal(t.representation_green[1]),
             "ra1": decimal(t.representation_amber[0]), "ra2": decimal(t.representation_amber[1]),
             "sg": decimal(t.spending_gini_green), "sa": decimal(t.spending_gini_amber),
             "fg": percent(t.funded_share_green), "fa": percent(t.funded_share_amber), "n": t.min_group}

    def group_name(self, group: GroupParticipation | object) -> str:
        """"Attribute group", e.g. "Age band 65+"."""
        attribute, name = group.attribute, group.group
        return f"{self.words.attributes.get(attribute, attribute)} {self.words.group(name)}"

    @staticmethod
    def weakest_representation(part: Participation) -> GroupParticipation | None:
        """The group with the lowest representation index."""
        scored = [g for g in part.groups if g.representation is not None]
        return min(scored, key=lambda g: g.representation, default=None)

    def legal_context(self) -> list[Flowable]:
        """The mandate in force: its character, basis, who decides and what binds whom."""
        tr, mandate = self.tr, self.doc.mandate
        story = self.heading(tr("Legal context"))
        if mandate is None:
            story.append(self.para("", tr("No mandate is recorded for this process: the residents' vote has no "
                                          "stated legal standing.")))
            return story
        rows = [
            [tr("Character"), self.words.characters.get(mandate.character, mandate.character)],
            [tr("Legal basis"), mandate.basis or "–"],
            [tr("Decision body"), mandate.decision_body or "–"],
            [tr("Bound party"), mandate.bound_party or "–"],
            [tr("Obligation"), mandate.obligation or "–"],
            [tr("Mandate version"), "" if mandate.version is None else str(mandate.version)],
            [tr("In force"), mandate.effective or "–"],
        ]
        story.append(pdf.table(rows, [45 * mm, FRAME_WIDTH - 45 * mm], header=False))
        return story

    def evidence(self) -> list[Flowable]:
        """Scope, the sources of the figures, and every baseline figure that is missing."""
        tr, doc, m = self.tr, self.doc, self.m
        story = self.heading(tr("Scope and evidence base"))
        story.append(self.para(doc.scope))
        sources = []
        if doc.population.source or doc.population.as_of:
            sources.append(tr("Population baseline: %(source)s (as of %(date)s)")
                           % {"source": doc.population.source or "–", "date": doc.population.as_of or "–"})
        else:
            sources.append(tr("Population baseline: none imported."))
        for pool in m.satisfaction:
            sources.append(tr("Ballots counted in %(pool)s: %(n)s")
                           % {"pool": pool.pool, "n": self.num.integer(pool.overall.voters)})
        sources += list(doc.evidence)
        story += [text("• " + line, self.s["body"]) for line in sources]
        story.append(text(tr("Figures without a baseline"), self.s["h2"]))
        if m.missing:
            story.append(text(tr("These figures are shown as missing, never as zero:"), self.s["body"]))
            story.append(text("; ".join(self.words.missing(item) for item in m.missing), self.s["small"]))
        else:
            story.append(text(tr("None: every figure has its baseline."), self.s["body"]))
        return story

    def universality(self, title: str | None = None) -> list[Flowable]:
        """Who could take part and who did: channels, accessibility, turnout and representation by group."""
        tr, num, doc, m = self.tr, self.num, self.doc, self.m
        story = self.heading(title or tr("Universality of the process"))
        channels = ", ".join(self.words.group(c) for c in doc.channels) or "–"
        rows = [[tr("Eligibility coverage"), num.percent(m.coverage)],
                [tr("Channels offered"), channels],
                [tr("Languages"), ", ".join(doc.languages) or "–"]]
        part = m.participation
        if part is not None:
            rows += [[tr("Voters"), num.integer(part.voters)],
                     [tr("Eligible residents"), num.integer(part.eligible)],
                     [tr("Turnout"), num.percent(part.turnout)],
                     [tr("Turnout spread across districts"), self.spread(part)]]
            for attribute in ATTRIBUTES:
                if attribute in part.dissimilarity:
                    rows.append([tr("Dissimilarity index: %(attribute)s")
                                 % {"attribute": self.words.attributes[attribute]},
                                 num.decimal(part.dissimilarity[attribute], 3)])
        story.append(pdf.table(rows, [70 * mm, FRAME_WIDTH - 70 * mm], header=False))
        if doc.voters_note:
            story.append(text(doc.voters_note, self.s["body"]))
        story.append(text(tr("Accessibility"), self.s["h2"]))
        story.append(self.para(doc.accessibility, tr("No accessibility statement given.")))
        if doc.accessibility_statement:
            story.append(text(doc.accessibility_statement, self.s["body"]))
        if part is not None:
            story += self.participation_tables(part)
        else:
            story.append(text(tr("Expected reach"), self.s["h2"]))
            story.append(self.para(doc.narrative.expected_reach))
        return story

    def participation_tables(self, part: Participation) -> list[Flowable]:
        """Per attribute: a table of turnout and representation, and their bar charts."""
        tr, num = self.tr, self.num
        story: list[Flowable] = []
        for attribute in ATTRIBUTES:
            groups = part.of(attribute)
            if not groups:
                continue
            header = [self.words.attributes[attribute], tr("Voters"), tr("Eligible"), tr("Turnout"),
                      tr("Share of voters"), tr("Share of eligible"), tr("Representation index"), tr("Flag")]
            rows = [header]
            # A channel has no census count by nature: its baseline figures are not "missing" but void.
            void = attribute in NO_BASELINE
            for g in groups:
                if g.suppressed:
                    rows.append([self.words.group(g.group), self.suppressed(), "–" if void else
                                 num.integer(g.eligible), "", "", "", "", ""])
                    continue
                rows.append([self.words.group(g.group), num.integer(g.voters),
                             "–" if void else num.integer(g.eligible), num.percent(g.turnout),
                             num.percent(g.voter_share), "–" if void else num.percent(g.eligible_share),
                             "–" if void else num.decimal(g.representation), self.flag(g.status)])
            widths = [28 * mm, 18 * mm, 20 * mm, 18 * mm, 20 * mm, 20 * mm, 28 * mm]
            widths.append(FRAME_WIDTH - sum(widths))
            block: list[Flowable] = [text(self.words.attributes[attribute], self.s["h2"]),
                                     pdf.table(rows, widths, fills=self.fills([g.status for g in groups], 7),
                                               numeric=range(1, 7))]
            shown = [g for g in groups if g.turnout is not None]
            if shown:
                block.append(Spacer(1, 2 * mm))
                block.append(pdf.bar_chart([(self.words.group(g.group), g.turnout) for g in shown],
                                           value_label=num.percent,
                                           title=tr("Turnout by group")))
            indexed = [g for g in groups if g.representation is not None]
            if indexed:
                block.append(Spacer(1, 2 * mm))
                block.append(pdf.bar_chart(
                    [(self.words.group(g.group), g.representation) for g in indexed],
                    value_label=lambda v: num.decimal(v), reference=1.0,
                    bar_colours=[STATUS_COLOURS[g.status] for g in indexed],
                    title=tr("Representation index by group (1 = represented as in the electorate)")))
            story.append(KeepTogether(block))
        return story

    def pools_design(self) -> list[Flowable]:
        """Ex ante, the section "Equality": the pools and the money per head they give each district."""
        tr, num, doc = self.tr, self.num, self.doc
        story = self.heading(tr("Equality"))
        story.append(text(tr("Whether the design treats districts alike: the money each pool gives, and the money "
                             "per head it makes in each district."), self.s["body"]))
        story.append(text(tr("Pools and money per head"), self.s["h2"]))
        if doc.pools:
            rows = [[tr("Pool"), tr("District"), tr("Ballot"), tr("Amount")]]
            rows += [[p.name, p.district or tr("City-wide"), p.ballot_kind, num.money(p.amount)] for p in doc.pools]
            story.append(pdf.table(rows, [50 * mm, 35 * mm, FRAME_WIDTH - 125 * mm, 40 * mm], numeric=(3,)))
        story += self.spending_per_head(self.m.spending)
        return story

    def spending_per_head(self, spending: Spending) -> list[Flowable]:
        """The table and chart of money per head by district, with its Gini and flag."""
        tr, num = self.tr, self.num
        rows = [[tr("District"), tr("Amount"), tr("Residents"), tr("Per head")]]
        for d in spending.districts:
            per_head = num.decimal(d.per_head) if d.per_head is not None else num.missing
            rows.append([d.district, self.money(d.amount, spending.cost_scale), num.integer(d.population), per_head])
        rows.append([tr("City-wide (not tied to a district)"), self.money(spending.city_wide, spending.cost_scale),
                     "", ""])
        rows.append([tr("Total"), self.money(spending.total, spending.cost_scale), "", ""])
        widths = [60 * mm, 45 * mm, 35 * mm, FRAME_WIDTH - 140 * mm]
        story: list[Flowable] = [text(tr("Money per head by district"), self.s["h2"]),
                                 pdf.table(rows, widths, numeric=(1, 2, 3), totals=2)]
        if spending.gini is not None:
            gini = tr("Population-weighted Gini of money per head: %(gini)s (%(flag)s)") % {
                "gini": num.decimal(spending.gini, 3), "flag": self.flag(spending.status)}
        elif spending.missing:
            gini = tr("Population-weighted Gini of money per head: missing (a district lacks its population).")
        else:
            gini = tr("Population-weighted Gini of money per head: not applicable (fewer than two districts).")
        story.append(Spacer(1, 2 * mm))
        story.append(text(gini, self.s["body"]))
        story += self.spending_map(spending)
        shown = [d for d in spending.districts if d.per_head is not None]
        if shown:
            story.append(pdf.bar_chart([(d.district, d.per_head) for d in shown], value_label=num.decimal,
                                       title=tr("Money per head by district (%(currency)s)")
                                       % {"currency": self.doc.currency}))
        return story

    def spending_map(self, spending: Spending) -> list[Flowable]:
        """The choropleth of money per head, drawn from the districts' boundaries, with its numbers beside it."""
        tr, num = self.tr, self.num
        per_head = {d.district: d.per_head for d in spending.districts}
        areas = [Area(name, boundary, per_head.get(name)) for name, boundary in self.doc.boundaries]
        if not areas:
            return []
        map_width = 95 * mm
        drawing = choropleth(areas, width=map_width, height=90 * mm, font=pdf.FONT, value_label=num.decimal,
                             missing_label=tr("missing (no population or no money)"),
                             title=tr("Map: money per head by district (%(currency)s)") % {
                                 "currency": self.doc.currency})
        rows = [[tr("District"), tr("Per head")]]
        rows += [[a.name, num.decimal(a.value) if a.value is not None else num.missing] for a in areas]
        beside = pdf.table(rows, [40 * mm, FRAME_WIDTH - map_width - 45 * mm], numeric=(1,))
        layout = Table([[drawing, beside]], colWidths=[map_width + 5 * mm, FRAME_WIDTH - map_width - 5 * mm])
        layout.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
        return [Spacer(1, 3 * mm), KeepTogether([layout])]

    def equality(self) -> list[Flowable]:
        """Where the funded money goes: per head by district, by category, by beneficiary group."""
        tr = self.tr
        spending = self.m.spending
        story = self.heading(tr("Equality of the outcome"))
        story += self.not_adopted()
        story += self.spending_per_head(spending)
        for title, column, shares in (
            (tr("Funds by category"), tr("Category"), spending.by_category),
            (tr("Funds by beneficiary group"), tr("Beneficiary group"), spending.by_beneficiary),
        ):
            rows = [[column, tr("Projects"), tr("Amount"), tr("Share of funded money")]]
            names = self.doc.group_labels or {}
            rows += [[names.get(f.name) or self.words.group(f.name), str(f.projects),
                      self.money(f.amount, spending.cost_scale),
                      self.num.percent(f.share)] for f in shares]
            story.append(KeepTogether([text(title, self.s["h2"]),
                                       pdf.table(rows, [70 * mm, 20 * mm, 45 * mm, FRAME_WIDTH - 135 * mm],
                                                 numeric=(1, 2, 3))]))
        story.append(text(tr("A project with several categories or groups counts in full in each, so shares may "
                             "add up to more than 100%."), self.s["small"]))
        return story

    def not_adopted(self) -> list[Flowable]:
        """The winners the council did not adopt and why: the figures of this assessment count only what it funded."""
        tr = self.tr
        if not self.doc.not_adopted:
            return [text(tr("The figures count the projects the council adopted; it adopted every winning project "
                            "or has not decided on it yet."), self.s["body"])]
        rows = [[tr("Project"), tr("Cost"), tr("Council decision"), tr("Reason")]]
        rows += [[r.project, self.money(r.cost, minor_units(self.doc.currency)), r.council_decision, r.reason or "–"]
                 for r in self.doc.not_adopted]
        return [KeepTogether([
            text(tr("Projects the council did not adopt"), self.s["h2"]),
            text(tr("These projects won the vote, but the council did not adopt them: the figures below count "
                    "only the projects it funded."), self.s["body"]),
            pdf.table(rows, [55 * mm, 30 * mm, 35 * mm, FRAME_WIDTH - 120 * mm], numeric=(1,))])]

    def outcome_by_group(self) -> list[Flowable]:
        """Per pool: how satisfied voters are with the outcome, overall and per group, and the histogram."""
        tr = self.tr
        story = self.heading(tr("Outcome by group"))
        story.append(text(tr("A voter is on the winning side when at least one project they supported is funded. "
                             "Cost satisfaction is the money of the funded projects a voter supported; the "
                             "fair-share ratio compares it with the voter's fair share (1 = fully served)."),
                          self.s["body"]))
        for pool in self.m.satisfaction:
            story += self.pool_outcome(pool)
        return story

    def pool_outcome(self, pool: PoolSatisfaction) -> list[Flowable]:
        """One pool's satisfaction table and histogram."""
        tr, num = self.tr, self.num
        header = [tr("Group"), tr("Voters"), tr("With a funded project"), tr("Mean cost satisfaction"),
                  tr("Mean funded projects"), tr("Gini (cost)"), tr("Gini (count)"), tr("Fair-share ratio"),
                  tr("Flag")]
        rows = [header]
        statuses: list[Status | None] = []

        def add(name: str, figures) -> None:
            rows.append([name, num.integer(figures.voters), num.percent(figures.share_funded),
                         num.decimal(figures.avg_cost), num.decimal(figures.avg_cardinality),
                         num.decimal(figures.gini_cost, 3), num.decimal(figures.gini_cardinality, 3),
                         num.decimal(figures.fair_share, 3), self.flag(figures.status)])
            statuses.append(figures.status)

        add(tr("All voters"), pool.overall)
        for g in pool.groups:
            if g.figures is not None:
                add(self.group_name(g), g.figures)
            else:
                rows.append([self.group_name(g), self.suppressed(), "", "", "", "", "", "", ""])
                statuses.append(None)
        widths = [26 * mm, 14 * mm, 19 * mm, 22 * mm, 17 * mm, 15 * mm, 15 * mm, 22 * mm]
        widths.append(FRAME_WIDTH - sum(widths))
        story: list[Flowable] = [text(pool.pool, self.s["h2"]),
                                 pdf.table(rows, widths, fills=self.fills(statuses, 8), numeric=range(1, 8))]
        if pool.histogram:
            story.append(Spacer(1, 3 * mm))
            story.append(KeepTogether(pdf.column_chart(
                [(str(k), count) for k, count in enumerate(pool.histogram)],
                title=tr("Voters by the number of funded projects they supported"),
                axis_label=tr("funded projects supported"))))
        return story

    def risk_register(self) -> list[Flowable]:
        """Ex ante: who may be left out, why, how likely, and what is planned against it."""
        tr = self.tr
        story = self.heading(tr("Risk register"))
        if not self.doc.risks:
            story.append(self.para("", tr("No risk recorded.")))
            return story
        rows = [[tr("Group"), tr("Cause"), tr("Likelihood"), tr("Planned mitigation")]]
        rows += [[r.group, r.cause, r.likelihood, r.mitigation] for r in self.doc.risks]
        story.append(pdf.table(rows, [35 * mm, 55 * mm, 22 * mm, FRAME_WIDTH - 112 * mm]))
        return story

    def _action_text(self, a) -> str:
        """An action's kind and description, with "planned before the vote" when it was."""
        planned = f" ({self.tr('planned before the vote')})" if a.is_ex_ante else ""
        return f"{a.kind}{planned}: {a.description}"

    def mitigation_plan(self) -> list[Flowable]:
        """Ex ante: the actions of the mitigation plan, with their group, dates, owner and cost."""
        tr = self.tr
        story = self.heading(tr("Mitigation plan"))
        if not self.doc.actions:
            story.append(self.para("", tr("No action planned.")))
            return story
        rows = [[tr("Action"), tr("Group"), tr("Dates"), tr("Owner"), tr("Cost")]]
        rows += [[self._action_text(a), a.group, a.dates, a.owner,
                  "–" if a.cost is None else self.num.money(a.cost)] for a in self.doc.actions]
        story.append(pdf.table(rows, [60 * mm, 30 * mm, 30 * mm, 30 * mm, FRAME_WIDTH - 150 * mm], numeric=(4,)))
        return story

    def mitigation_results(self) -> list[Flowable]:
        """Ex post: each action with its group's turnout before and after its start, and whether its flag
        cleared."""
        tr = self.tr

        def share(value: float | None) -> str:
            # None here is not a missing baseline but "not applicable" (before the vote opened, not started).
            return "–" if value is None else self.num.percent(value)

        story = self.heading(tr("Mitigation actions and what followed"))
        if not self.doc.actions:
            story.append(self.para("", tr("No mitigation action was recorded.")))
            return story
        story.append(text(tr("Turnout before is the group's turnout at the end of the day before the action started; "
                             "after, at the end of its last day of the vote. The electorate's turnout over the same "
                             "days is shown beside it. This is an association in time, not proof of an effect: "
                             "other things happen on the same days, and some residents would have voted anyway."),
                          self.s["body"]))
        rows = [[tr("Action"), tr("Group"), tr("Dates"), tr("Turnout before"), tr("Turnout after"),
                 tr("Electorate before → after"), tr("Flag answered")]]
        for a in self.doc.actions:
            if not a.answers:
                flag = "–"
            else:
                state = tr("cleared") if a.flag_cleared else tr("not cleared")
                flag = f"{a.answers}: {state}"
            rows.append([self._action_text(a), a.group, a.dates, share(a.before), share(a.after),
                         f"{share(a.electorate_before)} → {share(a.electorate_after)}", flag])
        widths = [45 * mm, 25 * mm, 22 * mm, 18 * mm, 18 * mm, 24 * mm]
        widths.append(FRAME_WIDTH - sum(widths))
        story.append(pdf.table(rows, widths, numeric=(3, 4)))
        return story

    def narrative(self) -> list[Flowable]:
        """The written sections; the decision section carries the comply-or-explain table when advisory."""
        tr, n = self.tr, self.doc.narrative
        story: list[Flowable] = []
        sections = [(tr("Engagement"), n.engagement), (tr("Impact per group"), n.impact),
                    (tr("Mitigation and action plan"), n.mitigation), (tr("Decision and reasons"), n.decision)]
        for title, body in sections:
            story += self.heading(title)
            story.append(self.para(body))
        if self.doc.mandate is not None and self.doc.mandate.character == "advisory":
            story += self.comply_or_explain()
        story += self.heading(tr("Monitoring"))
        story.append(self.para(n.monitoring))
        return story

    def comply_or_explain(self) -> list[Flowable]:
        """The advisory mandate's table: the vote, the council's decision, and the reason for a departure."""
        tr = self.tr
        story: list[Flowable] = [text(tr("Comply or explain"), self.s["h2"])]
        if not self.doc.comply_or_explain:
            story.append(self.para("", tr("No decision recorded yet.")))
            return story
        rows = [[tr("Project"), tr("The vote"), tr("Council decision"), tr("Explanation")]]
        rows += [[r.project, r.vote_result, r.council_decision, r.explanation or "–"]
                 for r in self.doc.comply_or_explain]
        story.append(pdf.table(rows, [50 * mm, 35 * mm, 30 * mm, FRAME_WIDTH - 115 * mm]))
        return story

    def annex(self) -> list[Flowable]:
        """The methods and formulas, so that every figure can be recomputed."""
        tr = self.tr
        story: list[Flowable] = [PageBreak()] + self.heading(tr("Annex: methods and formulas"))
        story.append(text(tr("Pop: residents; E: eligible residents; V: voters; g: a group (district, age band, "
                             "sex or channel); d: a district; n: voters of a pool; B: its budget."), self.s["body"]))
        for title, formula in formulas(tr):
            story.append(KeepTogether([text(title, self.s["h2"]), text(formula, self.s["formula"])]))
        return story

    def story(self) -> list[Flowable]:
        """The whole document in reading order."""
        parts = self.cover() + [PageBreak()] + self.summary() + self.legal_context() + self.evidence()
        if self.m.mode == "ex-ante":
            parts += self.universality(self.tr("Universality")) + self.pools_design()
            parts += self.risk_register() + self.mitigation_plan()
        else:
            parts += self.universality() + self.equality() + self.outcome_by_group() + self.mitigation_results()
        return parts + self.narrative() + self.annex()


def formulas(tr: Translate = untranslated) -> list[tuple[str, str]]:
    """The annex of formulas: (measure, exact definition), as ``pb.reports.metrics`` computes them."""
    return [
        (tr("Eligibility coverage"), tr("E / Pop.")),
        (tr("Turnout"), tr("T = V / E overall; T_g = V_g / E_g per group; for a channel c, V_c / E.")),
        (tr("Representation index"),
         tr("RI_g = (V_g / V_a) / (E_g / E_a), where V_a counts the voters whose group is known and E_a sums the "
            "eligible residents of the groups in the baseline. 1 means the group votes as often as the "
            "electorate as a whole.")),
        (tr("Dissimilarity index"),
         tr("D = 1/2 × Σ_g |V_g / V_a − E_g / E_a|, from 0 (voters mirror the electorate) to 1; computed only "
            "when every group with voters has a baseline.")),
        (tr("Turnout spread"),
         tr("Coefficient of variation of district turnout: σ / μ of T_d over the districts with a baseline, "
            "σ the population standard deviation.")),
        (tr("Money per head"), tr("s_d = A_d / Pop_d, A_d the money of the funded projects (ex ante: of the "
                                  "pools) in district d. Money not tied to a district is shown apart.")),
        (tr("Population-weighted Gini of money per head"),
         tr("G = Σ_i Σ_j p_i p_j |s_i − s_j| / (2 P² s̄), p_i = Pop_i, P = Σ p_i, s̄ = Σ p_i s_i / P; not "
            "computed when a district lacks its population.")),
        (tr("Funds by category and beneficiary group"),
         tr("The cost of the funded projects of each category (group) and its share of all funded money; a "
            "project counts in full in each of its categories.")),
        (tr("Support"), tr("A voter supports a project when the ballot approves it, ranks it or gives it a "
                           "positive number of points.")),
        (tr("Share of voters with a funded project"),
         tr("The share of voters who support at least one funded project.")),
        (tr("Cost and cardinality satisfaction"),
         tr("For voter i with supported projects A_i and funded set W: cost satisfaction Σ_{p ∈ A_i ∩ W} c_p; "
            "cardinality satisfaction |A_i ∩ W|; the tables give their means.")),
        (tr("Gini of satisfaction"),
         tr("With the n values sorted v_(1) ≤ … ≤ v_(n): G = (n + 1 − 2 Σ_k (n + 1 − k) v_(k) / Σ_k v_(k)) / n, "
            "0 when all are 0 (as pabutools computes it).")),
        (tr("Capped fair-share ratio (Maly, Rey, Endriss, Lackner)"),
         tr("share_i = Σ_{p ∈ A_i} c_p / |N_p| with N_p the supporters of p; fair_i = min(share_i, B / n); "
            "ratio_i = min(1, Σ_{p ∈ A_i ∩ W} (c_p / |N_p|) / fair_i); the mean over voters with a non-empty "
            "ballot.")),
        (tr("Suppression"), tr("A group with at least one and fewer than the threshold of voters shows no "
                               "figure; a group with no voter at all is shown.")),
    ]


def build_sia(doc: AssessmentDocument, *, translate: Translate = untranslated, locale: str = "en") -> bytes:
    """The assessment as PDF bytes; the same document, translation and locale always give the same bytes."""
    title = translate("Social impact assessment")
    footer = f"{title}: {doc.process}, v{doc.version}" + (f" ({translate('draft')})" if doc.is_draft else "")
    # A fresh story for each layout pdf.build tries (a near-empty last page is laid out again, tighter).
    return pdf.build(lambda: _Builder(doc, translate, locale).story(), title=f"{title}: {doc.process}",
                     author=doc.municipality,
                     subject=doc.process, footer=footer,
                     page_label=lambda page: translate("Page %(page)s") % {"page": page})
