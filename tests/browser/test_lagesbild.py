"""The lägesbild in a real browser: a moderator reports, quotes, exports and freezes it, an
administrator starts the next pledge from it, the public reads what came of it.

Accepted input of June 2023 is put in the database (8 at Ranten about lighting, 2 at Dotorp
and 3 at Mösseberg; one raw text carries a marker and a contact address that must never be
public). The moderator opens the report from the menu, checks the totals and a chart with its
table, asks for a period that cannot be read, quotes a public summary, downloads the report as
CSV and XLSX and the EST file and reads them back. The moderator freezes the period (v1) on
the page that asks to confirm, one Ranten submission is rejected, the period is frozen again
(v2) and the two are compared. An
administrator creates the next pledge from v2. A member of the public reads the 2023 pledge:
the progress update, "Ni sa - vi gör" with Ranten's 7, the "based on" link to the public
snapshot with its "färre än 5" and its CSV, in Swedish and once in English. Finally an analyst
of the police area reads the area's report. Controls are found by role and by the names the
app's catalogues give them, and axe-core runs on every page, error states included.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.helpers import MUNICIPALITY, LiveServer, assert_accessible
from tests.browser.lagesbild_fixtures import (
    BOM,
    DOTORP,
    MOSSEBERG,
    RANTEN,
    Seeded,
    make_analyst,
    read_csv,
    read_xlsx,
    reject,
    seed_input,
    set_basis,
    snapshot_ids,
)
from tests.browser.workspace_fixtures import (
    Staff,
    Translate,
    make_staff,
    new_page,
    sign_in,
    status_message,
)

pytestmark = pytest.mark.browser

TOWN = "Falköpings kommun"
PLEDGE_TITLE = "Medborgarlöftet för 2023"
PERIOD = "2023-04-19 – 2023-12-31"  # how a snapshot's label names the pledge's period
RANTEN_INITIATIVE = "Platssamverkan Ranten"
REPORT_URL = f"/staff/{MUNICIPALITY}/lagesbild"
SNAPSHOT_URL = re.compile(rf"/staff/{MUNICIPALITY}/lagesbild/snapshots/(\d+)$")
DRAFT_URL = re.compile(rf"/staff/{MUNICIPALITY}/admin/pledges/(\d+)$")


def main(page: Page) -> Locator:
    return page.get_by_role("main")


def heading(page: Page) -> Locator:
    return page.get_by_role("heading", level=1)


def value_of(scope: Locator, term: str) -> Locator:
    """The ``dd`` beside the ``dt`` saying ``term`` in a summary list."""
    return (
        scope.locator("dl > div").filter(has=scope.page.get_by_text(term, exact=True)).locator("dd")
    )


def row(table: Locator, name: str) -> Locator:
    """The row of ``table`` whose header cell says ``name``."""
    return table.get_by_role("row").filter(
        has=table.page.get_by_role("rowheader", name=name, exact=True)
    )


def cells(table: Locator, name: str) -> Locator:
    return row(table, name).get_by_role("cell")


def snapshot_label(t: Translate, version: int) -> str:
    return t("Lägesbild %(period)s v%(version)d") % {"period": PERIOD, "version": version}


def expect_nothing_private(page: Page, seeded: Seeded) -> None:
    html = page.content()
    assert seeded.raw_marker not in html, f"the raw text is on {page.url}"
    assert seeded.contact_email not in html, f"the contact address is on {page.url}"


# --------------------------------------------------------------------------- the moderator


def read_the_report(page: Page, live_server: LiveServer, t: Translate, seeded: Seeded) -> None:
    """From the menu to the report of the pledge's period: totals, a chart and its table."""
    page.goto(live_server(f"/staff/{MUNICIPALITY}/"))
    page.get_by_role("navigation", name=t("Workspace")).get_by_role(
        "link", name=t("Situational picture"), exact=True
    ).click()
    expect(page).to_have_url(live_server(REPORT_URL))
    expect(heading(page)).to_have_text(t("Situational picture: %(name)s") % {"name": TOWN})
    # The default period is the validity of the pledge (the latest published one).
    expect(page.get_by_label(t("First day"), exact=True)).to_have_value("2023-04-19")
    expect(page.get_by_label(t("Last day, included"), exact=True)).to_have_value("2023-12-31")

    summary = main(page).get_by_role("region", name=t("Summary"), exact=True)
    expect(value_of(summary, t("Accepted input in the period"))).to_have_text(str(seeded.total))
    expect(value_of(summary, t("In the previous period"))).to_have_text("0")
    # Nothing was received before the period: no change to show, and the page says so.
    expect(value_of(summary, t("Change"))).to_have_text(t("No earlier data to compare with"))

    by_place = main(page).get_by_role("region", name=t("Place"), exact=True)
    caption = t("Accepted input by place")
    # The chart is an image named by its title, with the same numbers in the table beside it.
    expect(by_place.get_by_role("img", name=re.compile("^" + re.escape(caption)))).to_be_visible()
    table = by_place.get_by_role("table", name=caption, exact=True)
    for group in (RANTEN, DOTORP, MOSSEBERG):
        name = seeded.place_names[group.place_slug]
        expect(cells(table, name).nth(0)).to_have_text(str(group.count))
    expect(table.get_by_role("columnheader", name=t("Previous period"))).to_have_count(0)
    by_category = main(page).get_by_role("region", name=t("Category"), exact=True)
    light = seeded.category_labels[RANTEN.category_code]["sv"]
    expect(
        cells(by_category.get_by_role("table", name=t("Accepted input by category")), light).nth(0)
    ).to_have_text(str(RANTEN.count))
    assert_accessible(page)


def ask_for_a_bad_period(page: Page, t: Translate, seeded: Seeded) -> None:
    """Dates that cannot be read: the page says what is wrong and keeps the default period."""
    first = page.get_by_label(t("First day"), exact=True)
    last = page.get_by_label(t("Last day, included"), exact=True)
    first.fill("2024-01-01")
    last.fill("2023-01-01")
    page.get_by_role("button", name=t("Show the report for these dates"), exact=True).click()
    expect_report_error(page, t, t("The last date must be the same as or after the first."))
    expect(last).to_have_value("2023-01-01")

    # Now a text box (a date field cannot hold what was typed): type words instead of a date.
    last.fill("17 maj")
    page.get_by_role("button", name=t("Show the report for these dates"), exact=True).click()
    expect_report_error(page, t, t("Enter the date as year-month-day, like 2024-05-17."))
    expect(last).to_have_value("17 maj")
    expect(last).to_have_attribute("aria-invalid", "true")
    # Until the dates are corrected, the report is that of the default period.
    summary = main(page).get_by_role("region", name=t("Summary"), exact=True)
    expect(value_of(summary, t("Accepted input in the period"))).to_have_text(str(seeded.total))


def expect_report_error(page: Page, t: Translate, message: str) -> None:
    summary = page.get_by_role("alert")
    expect(summary.get_by_role("heading", name=t("There is a problem"))).to_be_visible()
    expect(summary.get_by_role("link", name=message, exact=True)).to_have_attribute(
        "href", "#period-to"
    )
    expect(page).to_have_title(re.compile("^" + re.escape(t("Error")) + ": "))
    assert_accessible(page)


def choose_a_quote(page: Page, live_server: LiveServer, t: Translate, seeded: Seeded) -> None:
    page.goto(live_server(REPORT_URL))
    main(page).get_by_role("link", name=t("Choose quotes for the report"), exact=True).click()
    expect(heading(page)).to_have_text(t("Quotes for the lägesbild"))
    assert_accessible(page)
    table = main(page).get_by_role(
        "table", name=t("Accepted input with a public summary, chosen quotes first")
    )
    reference = seeded.references[seeded.quote_id]
    expect(row(table, reference)).to_contain_text(seeded.quote_text)
    row(table, reference).get_by_role(
        "button", name=f"{t('Quote it')} ({reference})", exact=True
    ).click()
    expect(status_message(page)).to_have_text(t("The quote is added to the lägesbild."))
    expect(
        row(table, reference).get_by_role("button", name=f"{t('Remove the quote')} ({reference})")
    ).to_be_visible()
    assert_accessible(page)

    # The live report quotes it, with its reference (staff only).
    page.goto(live_server(REPORT_URL))
    quotes = main(page).get_by_role("region", name=t("Quotes"), exact=True)
    expect(quotes.get_by_role("blockquote")).to_have_text(seeded.quote_text)


def download(page: Page, t: Translate, link_name: str) -> tuple[str, Path]:
    """Click a download link of the report: the file's suggested name and where it is."""
    downloads = main(page).get_by_role("region", name=t("Download"), exact=True)
    with page.expect_download() as info:
        downloads.get_by_role("link", name=link_name, exact=True).click()
    return info.value.suggested_filename, Path(info.value.path())


def download_the_exports(page: Page, live_server: LiveServer, t: Translate, seeded: Seeded) -> None:
    page.goto(live_server(REPORT_URL))
    light = seeded.category_labels[RANTEN.category_code]["sv"]
    private = (seeded.raw_marker.encode(), seeded.contact_email.encode())

    # The report as CSV: a byte order mark, semicolons, the Swedish labels intact.
    name, path = download(page, t, t("The report as CSV (Excel, semicolon-separated)"))
    assert name == "lagesbild-falkoping-2023-04-19-2023-12-31.csv"
    body = path.read_bytes()
    assert body.startswith(BOM.encode("utf-8"))
    assert b";" in body.splitlines()[0]
    assert not any(secret in body for secret in private)
    rows = read_csv(path)
    assert rows[0] == [t("Dimension"), t("Key"), t("Label"), t("Count"), t("Previous period")]
    assert rows[1] == [t("All accepted input"), "total", t("Total"), str(seeded.total), "0"]
    by_label = {(r[0], r[2]): r[3] for r in rows[2:]}
    assert by_label[(t("Category"), light)] == str(RANTEN.count)
    for group in (RANTEN, DOTORP, MOSSEBERG):
        assert by_label[(t("Place"), seeded.place_names[group.place_slug])] == str(group.count)

    # The same numbers in the workbook.
    name, path = download(page, t, t("The report as an Excel workbook (XLSX)"))
    assert name == "lagesbild-falkoping-2023-04-19-2023-12-31.xlsx"
    sheets = read_xlsx(path)
    summary = dict(r[:2] for r in sheets[t("Summary")][1:])
    assert summary[t("Accepted input in the period")] == seeded.total
    places = {r[1]: r[2] for r in sheets[t("Place")][1:]}
    for group in (RANTEN, DOTORP, MOSSEBERG):
        assert places[seeded.place_names[group.place_slug]] == group.count
    categories = {r[1]: r[2] for r in sheets[t("Category")][1:]}
    assert categories[light] == RANTEN.count
    everything = " ".join(str(v) for rows in sheets.values() for r in rows for v in r)
    assert seeded.raw_marker not in everything
    assert seeded.contact_email not in everything

    # Accepted input for EST: one line each, with SWEREF 99 TM coordinates, summaries only.
    name, path = download(page, t, t("Accepted input for EST as CSV (Excel, semicolon-separated)"))
    assert name == "lagesbild-falkoping-est-2023-04-19-2023-12-31.csv"
    assert not any(secret in path.read_bytes() for secret in private)
    est = read_csv(path)
    header = est[0]
    north, east = header.index(t("North (SWEREF 99 TM)")), header.index(t("East (SWEREF 99 TM)"))
    where = header.index(t("Where"))
    lines = est[1:]
    assert len(lines) == seeded.total
    at_ranten = [line for line in lines if line[where] == seeded.place_names["ranten"]]
    assert len(at_ranten) == RANTEN.count
    for line in at_ranten:
        # Whole metres: about 6 450 000 north and 400 000 east in Falköping.
        assert 6_400_000 < int(line[north]) < 6_500_000, line
        assert 350_000 < int(line[east]) < 450_000, line
    what = header.index(t("What"))
    assert seeded.quote_text in {line[what] for line in lines}

    # The same list as a workbook (streamed too).
    name, path = download(page, t, t("Accepted input for EST as an Excel workbook (XLSX)"))
    assert name == "lagesbild-falkoping-est-2023-04-19-2023-12-31.xlsx"
    (est_sheet,) = read_xlsx(path).values()
    assert list(est_sheet[0]) == header
    assert len(est_sheet) - 1 == seeded.total
    assert seeded.raw_marker not in " ".join(str(v) for r in est_sheet for v in r)


def freeze(page: Page, live_server: LiveServer, t: Translate, version: int) -> int:
    """Freeze the pledge's period from the snapshots page; the new snapshot's id."""
    page.goto(live_server(REPORT_URL))
    main(page).get_by_role("link", name=t("Lägesbild snapshots"), exact=True).click()
    expect(heading(page)).to_have_text(t("Lägesbild snapshots"))
    panel = main(page).get_by_role("region", name=t("Freeze the lägesbild of a period"))
    period = panel.get_by_role("group", name=t("Period"), exact=True)
    expect(period.get_by_label(t("From"), exact=True)).to_have_value("2023-04-19")
    expect(period.get_by_label(t("To"), exact=True)).to_have_value("2023-12-31")
    panel.get_by_role("button", name=t("Continue"), exact=True).click()

    # Freezing cannot be undone: a page says what will be frozen and asks first.
    label = snapshot_label(t, version)
    expect(heading(page)).to_have_text(t("Freeze %(label)s?") % {"label": label})
    expect(main(page)).to_contain_text(t("Freezing cannot be undone."))
    assert_accessible(page)
    main(page).get_by_role("button", name=t("Freeze the snapshot"), exact=True).click()

    expect(page).to_have_url(SNAPSHOT_URL)
    expect(status_message(page)).to_have_text(
        t("%(label)s is frozen. It cannot be changed.") % {"label": label}
    )
    expect(heading(page)).to_have_text(label)
    expect(main(page)).to_contain_text(t("The content matches its hash."))
    assert_accessible(page)
    match = SNAPSHOT_URL.search(page.url)
    assert match is not None
    return int(match.group(1))


def expect_listed(page: Page, t: Translate, versions: list[int]) -> None:
    main(page).get_by_role("link", name=t("All snapshots"), exact=True).click()
    expect(heading(page)).to_have_text(t("Lägesbild snapshots"))
    table = main(page).get_by_role("table", name=t("Frozen snapshots, latest first"))
    for version in versions:
        expect(
            table.get_by_role("link", name=snapshot_label(t, version), exact=True)
        ).to_be_visible()
        expect(row(table, snapshot_label(t, version))).to_contain_text(t("Unchanged"))
    assert_accessible(page)


def compare(page: Page, t: Translate, seeded: Seeded) -> None:
    """v1 beside v2: one Ranten submission fewer."""
    v1, v2 = snapshot_label(t, 1), snapshot_label(t, 2)
    table = main(page).get_by_role("table", name=t("Frozen snapshots, latest first"))
    table.get_by_role("link", name=v1, exact=True).click()
    expect(heading(page)).to_have_text(v1)
    frozen = main(page).get_by_role(
        "table", name=t("Accepted input by %(dimension)s") % {"dimension": t("Place").lower()}
    )
    expect(cells(frozen, seeded.place_names["ranten"]).nth(0)).to_have_text(str(RANTEN.count))
    main(page).get_by_label(t("Compare with"), exact=True).select_option(label=v2)
    main(page).get_by_role("button", name=t("Compare side by side"), exact=True).click()

    expect(heading(page)).to_have_text(t("%(a)s compared with %(b)s") % {"a": v1, "b": v2})
    expect(value_of(main(page), v1)).to_have_text(
        t("%(count)d accepted inputs") % {"count": seeded.total}
    )
    expect(value_of(main(page), v2)).to_have_text(
        t("%(count)d accepted inputs") % {"count": seeded.total - 1}
    )
    expect(value_of(main(page), t("Difference"))).to_have_text("-1")
    places = main(page).get_by_role(
        "table", name=t("%(dimension)s side by side") % {"dimension": t("Place")}
    )
    expect(cells(places, seeded.place_names["ranten"])).to_have_text(
        [str(RANTEN.count), str(RANTEN.count - 1), "-1"]
    )
    expect(cells(places, seeded.place_names["dotorp"])).to_have_text(
        [str(DOTORP.count), str(DOTORP.count), "+0"]
    )
    assert_accessible(page)


# --------------------------------------------------------------------------- the administrator


def create_the_next_pledge(page: Page, live_server: LiveServer, t: Translate) -> int:
    """From snapshot v2 to a draft of the next pledge; the draft's id."""
    page.goto(live_server(f"/staff/{MUNICIPALITY}/"))
    page.get_by_role("navigation", name=t("Workspace")).get_by_role(
        "link", name=t("Situational picture"), exact=True
    ).click()
    main(page).get_by_role("link", name=t("Lägesbild snapshots"), exact=True).click()
    v2 = snapshot_label(t, 2)
    main(page).get_by_role("link", name=v2, exact=True).click()
    expect(heading(page)).to_have_text(v2)
    assert_accessible(page)
    next_pledge = main(page).get_by_role("region", name=t("The next pledge"), exact=True)
    next_pledge.get_by_role(
        "button", name=t("Create the next pledge from this snapshot"), exact=True
    ).click()

    expect(page).to_have_url(DRAFT_URL)
    expect(status_message(page)).to_have_text(
        t("A draft pledge based on %(label)s is created. Write it and publish it here.")
        % {"label": v2}
    )
    # The texts are the 2023 pledge's, to be rewritten; it runs from the day after the period.
    expect(heading(page)).to_have_text(PLEDGE_TITLE)
    expect(value_of(main(page), t("Status"))).to_contain_text(t("Draft"))
    assert_accessible(page)
    match = DRAFT_URL.search(page.url)
    assert match is not None
    return int(match.group(1))


# --------------------------------------------------------------------------- the public


def read_the_pledge(page: Page, live_server: LiveServer, t: Translate, seeded: Seeded) -> None:
    page.goto(live_server(f"/{MUNICIPALITY}/"))
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    assert_accessible(page)
    expect_nothing_private(page, seeded)
    main(page).get_by_role("link", name=PLEDGE_TITLE, exact=True).click()
    expect(heading(page)).to_have_text(PLEDGE_TITLE)

    # The commitment's progress update, under the commitment and as its latest news.
    promises = main(page).get_by_role("region", name=t("What we promise"), exact=True)
    first = promises.get_by_role("listitem").first
    expect(first.get_by_role("heading", name=t("What we have done"))).to_be_visible()
    expect(first).to_contain_text(seeded.progress_text)

    you_said = main(page).get_by_role("region", name=t("You said – we do"), exact=True)
    ranten, light = seeded.place_names["ranten"], seeded.category_labels[RANTEN.category_code]
    kept = RANTEN.count - 1  # one was rejected
    concerns = you_said.get_by_role("table", name=t("The most common concerns, by category"))
    expect(cells(concerns, light["sv"])).to_have_text([str(kept)])
    places = you_said.get_by_role(
        "table", name=t("The places raised most, and what is being done there")
    )
    expect(cells(places, ranten)).to_have_text([str(kept), RANTEN_INITIATIVE])
    # The small groups are not among what was raised most, and their counts are not shown.
    for group in (DOTORP, MOSSEBERG):
        expect(row(places, seeded.place_names[group.place_slug])).to_have_count(0)
    note = t(
        "To protect the people who wrote to us, numbers below %(threshold)d are shown as "
        "“fewer than %(threshold)d”, and a few larger ones are hidden so that small numbers "
        "cannot be worked out from the totals."
    ) % {"threshold": 5}
    expect(you_said.get_by_text(note, exact=True)).to_be_visible()
    assert t("fewer than %(threshold)d") % {"threshold": 5} == "färre än 5"
    expect(you_said).to_contain_text("färre än 5")
    news = you_said.get_by_role("listitem").filter(
        has=page.get_by_role("link", name=t("Commitment %(number)d") % {"number": 1})
    )
    expect(news).to_contain_text(seeded.progress_text)
    assert_accessible(page)
    expect_nothing_private(page, seeded)


def read_the_public_snapshot(page: Page, t: Translate, seeded: Seeded, *, small: str) -> None:
    """Follow "based on" from the pledge to the frozen picture it was written from."""
    v2 = snapshot_label(t, 2)
    sources = main(page).get_by_role(
        "region", name=t("What the picture of the local situation is based on")
    )
    sources.get_by_role("link", name=t("Based on %(snapshot)s") % {"snapshot": v2}).click()
    expect(heading(page)).to_have_text(v2)
    kept = RANTEN.count - 1
    expect(value_of(main(page), t("Accepted input in the period"))).to_have_text(
        str(seeded.total - 1)
    )
    places = main(page).get_by_role(
        "table", name=t("Accepted input by %(dimension)s") % {"dimension": t("Place").lower()}
    )
    expect(cells(places, seeded.place_names["ranten"]).nth(0)).to_have_text(str(kept))
    for group in (DOTORP, MOSSEBERG):
        expect(cells(places, seeded.place_names[group.place_slug]).nth(0)).to_have_text(small)
    # The quote is the moderator's summary, never the submitted text, and has no reference.
    quotes = main(page).get_by_role("region", name=t("In their words (summarised)"))
    expect(quotes.get_by_role("blockquote")).to_have_text(seeded.quote_text)
    expect(main(page)).not_to_contain_text(seeded.references[seeded.quote_id])
    assert_accessible(page)
    expect_nothing_private(page, seeded)


def download_the_public_csv(page: Page, t: Translate, seeded: Seeded) -> None:
    with page.expect_download() as info:
        main(page).get_by_role("link", name=t("Download the figures (CSV)"), exact=True).click()
    path = Path(info.value.path())
    body = path.read_bytes()
    assert seeded.raw_marker.encode() not in body
    assert seeded.contact_email.encode() not in body
    rows = read_csv(path)
    assert rows[0] == [t("Dimension"), t("Label"), t("Count"), t("Previous period")]
    assert rows[1] == [t("All accepted input"), "", str(seeded.total - 1), "färre än 5"]
    counts = {(r[0], r[1]): r[2] for r in rows[2:]}
    assert counts[(t("Place"), seeded.place_names["ranten"])] == str(RANTEN.count - 1)
    assert counts[(t("Place"), seeded.place_names["dotorp"])] == "färre än 5"
    light = seeded.category_labels[RANTEN.category_code]["sv"]
    assert counts[(t("Category"), light)] == str(RANTEN.count - 1)


# --------------------------------------------------------------------------- the journey


def test_moderator_freezes_and_exports_the_lagesbild_and_the_public_reads_the_pledge(
    browser: Browser, page: Page, live_server: LiveServer, sv: Translate, en: Translate
) -> None:
    t = sv
    seeded = seed_input(live_server)
    moderator: Staff = make_staff(live_server, "moderator")
    admin: Staff = make_staff(live_server, "admin")
    analyst, area_slug, area_name = make_analyst(live_server)

    # The moderator: the report, a bad period, a quote, the downloads.
    sign_in(page, live_server, t, moderator)
    read_the_report(page, live_server, t, seeded)
    ask_for_a_bad_period(page, t, seeded)
    choose_a_quote(page, live_server, t, seeded)
    download_the_exports(page, live_server, t, seeded)

    # Frozen twice, a submission rejected in between: v1 keeps what it counted.
    v1 = freeze(page, live_server, t, 1)
    expect(value_of(main(page), t("Accepted input in the period"))).to_have_text(str(seeded.total))
    expect_listed(page, t, [1])
    reject(live_server, seeded.rejected_id, moderator)
    v2 = freeze(page, live_server, t, 2)
    expect(value_of(main(page), t("Accepted input in the period"))).to_have_text(
        str(seeded.total - 1)
    )
    assert snapshot_ids(live_server) == {1: v1, 2: v2}
    expect_listed(page, t, [1, 2])
    compare(page, t, seeded)

    # The administrator starts the next pledge from v2.
    with new_page(browser) as admin_page:
        sign_in(admin_page, live_server, t, admin)
        create_the_next_pledge(admin_page, live_server, t)

    # The draft stays a draft: publishing it needs signatories and English texts, and would
    # make it the municipality's current pledge for every later browser test, without any
    # input counted in its period. The simpler honest path: say that the published 2023
    # pledge is based on v2 (as if it had been drafted from it), which is exactly what the
    # public pages read (Pledge.based_on_id), and put the old value back afterwards.
    before = set_basis(live_server, v2)
    try:
        # A member of the public, in Swedish, then once in English.
        with new_page(browser) as public:
            read_the_pledge(public, live_server, t, seeded)
            read_the_public_snapshot(public, t, seeded, small="färre än 5")
            download_the_public_csv(public, t, seeded)

            public.go_back()
            expect(heading(public)).to_have_text(PLEDGE_TITLE)
            public.get_by_role("navigation", name=t("Language")).get_by_role(
                "link", name="English"
            ).click()
            expect(public.locator("html")).to_have_attribute("lang", "en")
            expect(heading(public)).to_have_text("The citizen pledge for 2023")
            you_said = main(public).get_by_role("region", name=en("You said – we do"))
            expect(you_said).to_contain_text("fewer than 5")
            light = seeded.category_labels[RANTEN.category_code]["en"]
            concerns = you_said.get_by_role(
                "table", name=en("The most common concerns, by category")
            )
            expect(cells(concerns, light)).to_have_text([str(RANTEN.count - 1)])
            assert_accessible(public)
            expect_nothing_private(public, seeded)
            read_the_public_snapshot(public, en, seeded, small="fewer than 5")
    finally:
        set_basis(live_server, before)

    # An analyst of the police area reads the area's report.
    with new_page(browser) as area_page:
        sign_in(area_page, live_server, t, analyst)
        area_title = t("Situational picture: %(name)s") % {"name": area_name}
        main(area_page).get_by_role("link", name=area_title, exact=True).click()
        expect(area_page).to_have_url(live_server(f"/staff/area/{area_slug}/lagesbild"))
        expect(heading(area_page)).to_have_text(area_title)
        summary = main(area_page).get_by_role("region", name=t("Summary"), exact=True)
        expect(value_of(summary, t("Accepted input in the period"))).to_have_text(
            str(seeded.total - 1)
        )
        municipalities = main(area_page).get_by_role("region", name=t("Municipalities"), exact=True)
        expect(municipalities.get_by_role("link", name=TOWN, exact=True)).to_be_visible()
        # Snapshots and quotes belong to a municipality: not offered on the area's report.
        expect(main(area_page).get_by_role("link", name=t("Lägesbild snapshots"))).to_have_count(0)
        assert_accessible(area_page)
