"""Real `mkdocs build --strict` runs, with assertions on the built HTML."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup

from conftest import ROOT, html, run_build
from macros.catalog import load_catalog
from test_validate import CLEAN as MINIMAL  # a valid case with no warnings: strict builds fail on warnings

CATALOG = load_catalog(ROOT)
KINDS = {"drugs": CATALOG.drugs, "regimens": CATALOG.regimens, "antigens": CATALOG.antigens, "sites": CATALOG.sites}


def article(soup: BeautifulSoup):
    return soup.find("article")


def hrefs(soup: BeautifulSoup) -> set[str]:
    return {a["href"] for a in article(soup).find_all("a", href=True)}


def test_one_page_per_case_file(site):
    files = sorted(p.stem for p in (ROOT / "cases").glob("*.yml"))
    pages = sorted(p.name for p in (site / "cases").iterdir() if p.is_dir())
    assert files and pages == files
    for slug in files:
        soup = html(site, f"cases/{slug}")
        assert soup.find("h1").get_text(strip=True).startswith(CATALOG.cases[slug].title[:20])
        assert soup.find(id="at-a-glance"), slug


def test_case_links_every_entry_it_mentions_and_each_links_back(site):
    for slug in CATALOG.cases:
        links = hrefs(html(site, f"cases/{slug}"))
        mentioned = {
            "drugs": CATALOG.case_drugs(slug), "regimens": CATALOG.case_regimens(slug),
            "antigens": CATALOG.case_antigens(slug), "sites": CATALOG.case_sites(slug),
        }
        for kind, ids in mentioned.items():
            for entry_id in ids:
                assert f"../../{kind}/{entry_id}/" in links, (slug, kind, entry_id)
                assert (site / kind / entry_id / "index.html").exists()
                assert f"../../cases/{slug}/" in hrefs(html(site, f"{kind}/{entry_id}")), (kind, entry_id, slug)


def test_every_reference_entry_has_a_page(site):
    for kind, table in KINDS.items():
        for entry_id in table:
            assert (site / kind / entry_id / "index.html").exists(), (kind, entry_id)


def test_antigen_page_lists_targeting_drugs_and_drug_page_links_target(site):
    cd22 = html(site, "antigens/cd22")
    assert "../../drugs/inotuzumab-ozogamicin/" in hrefs(cd22)
    assert "../../antigens/cd22/" in hrefs(html(site, "drugs/inotuzumab-ozogamicin"))
    text = article(cd22).get_text(" ")
    assert "positive" in text


def test_summary_table_has_one_row_per_case(site):
    table = article(html(site, "cases")).find("table")
    rows = table.find("tbody").find_all("tr")
    assert len(rows) == len(CATALOG.cases)
    linked = {a["href"] for row in rows for a in row.find_all("a", href=True) if "/" not in a["href"].strip("/")}
    assert linked == {f"{slug}/" for slug in CATALOG.cases}


def test_tooltips_everywhere_including_tables_and_admonitions(site):
    soup = html(site, "cases/bertamini-2018-case-1-pancreas")
    body = article(soup)
    titles = {a.get_text(): a["title"] for a in body.find_all("abbr")}
    assert titles["MRD"].startswith("measurable")
    assert titles["VOD/SOS"].startswith("veno-occlusive")
    assert titles["CD19+"] == "expressing CD19"
    assert any(a.find_parent("td") for a in body.find_all("abbr")), "no tooltip inside a table"
    assert any(a.find_parent(class_="admonition") for a in body.find_all("abbr")), "no tooltip in a callout"
    # The first use of each term is focusable, repeats are not (one tab stop per term).
    focusable = [a.get_text() for a in body.find_all("abbr", tabindex="0")]
    assert len(focusable) == len(set(focusable)) == len(titles)


def test_abbreviations_with_punctuation_match(site):
    soup = html(site, "glossary")
    found = {a.get_text() for a in article(soup).find_all("abbr")}
    assert {"R/R", "allo-HSCT", "CD19+", "VOD/SOS"} <= found


def test_navigation_does_not_list_cases(site):
    soup = html(site, "index.html")
    nav_links = [a["href"] for a in soup.select("nav.md-nav a[href]")]
    assert not any(re.search(r"cases/[a-z0-9-]+/$", h) for h in nav_links)
    assert not any(re.search(r"drugs/[a-z0-9-]+/$", h) for h in nav_links)


def test_citation_links(site):
    links = hrefs(html(site, "cases/bertamini-2018-case-1-pancreas"))
    assert "https://doi.org/10.1186/s12885-018-5026-x" in links
    assert "https://pubmed.ncbi.nlm.nih.gov/30442119/" in links
    assert "https://www.ncbi.nlm.nih.gov/pmc/articles/PMC6238377/" in links


def test_no_third_party_requests_in_pages(site):
    for page in site.rglob("*.html"):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for tag, attr in (("script", "src"), ("link", "href"), ("img", "src")):
            for el in soup.find_all(tag, **{attr: True}):
                if tag == "link" and set(el.get("rel", [])) & {"canonical", "alternate"}:
                    continue  # names the page's address; nothing is fetched
                assert not re.match(r"^(https?:)?//", el[attr]), (page, el)


INJECTIONS = {
    "summary": "Jinja {{ 7*7 }} and {% raw %} stay literal.",
    "discussion": "A [link](javascript:alert(1)) and {: onclick=\"alert(1)\" } and `code` and *[HTML]: trick.",
}


def test_contributor_text_is_inert(empty_project, tmp_path):
    text = MINIMAL.replace("summary: One paragraph.", f"summary: '{INJECTIONS['summary']}'")
    text = text.replace("discussion: Short.", f"discussion: '{INJECTIONS['discussion']}'")
    text = text.replace("title: A minimal case", "title: '# {{ 7*7 }} <- title'")
    (empty_project / "cases" / "evil.yml").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = run_build(empty_project, out)
    assert result.returncode == 0, result.stderr
    page = (out / "cases" / "evil" / "index.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(page, "html.parser")
    body = article(soup)
    assert "{{ 7*7 }}" in body.get_text() and "49" not in body.get_text()
    assert "{% raw %}" in body.get_text()
    assert "[link](javascript:alert(1))" in body.get_text()
    assert not soup.find_all(href=re.compile("javascript", re.I))
    assert not soup.find_all(attrs={"onclick": True})
    assert not body.find("code")
    assert "*[HTML]: trick" in body.get_text()
    assert soup.find("h1").get_text(strip=True).startswith("# {{ 7*7 }}")


def test_bad_data_fails_the_build_with_file_line_messages(empty_project, tmp_path):
    (empty_project / "cases" / "bad.yml").write_text(
        MINIMAL.replace("drug: inotuzumab-ozogamicin", "drug: blinatumumab").replace("  age: 40", "  age: sixty"),
        encoding="utf-8")
    result = run_build(empty_project, tmp_path / "out")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "cases/bad.yml:8: patient.age: 'sixty' is not a whole number" in result.stderr
    assert "cases/bad.yml:28: treatment[0].drugs[0].drug: unknown drug 'blinatumumab' (did you mean 'blinatumomab'?)" in result.stderr
    assert not (tmp_path / "out" / "cases").exists()


def test_adding_a_case_file_adds_its_page_everywhere(empty_project, tmp_path):
    (empty_project / "cases" / "new-case.yml").write_text(MINIMAL, encoding="utf-8")
    out = tmp_path / "out"
    assert run_build(empty_project, out).returncode == 0
    assert (out / "cases" / "new-case" / "index.html").exists()
    for kind, entry in (("drugs", "inotuzumab-ozogamicin"), ("sites", "skin"), ("antigens", "cd22")):
        page = BeautifulSoup((out / kind / entry / "index.html").read_text(), "html.parser")
        assert "../../cases/new-case/" in hrefs(page), (kind, entry)
    index = BeautifulSoup((out / "cases" / "index.html").read_text(), "html.parser")
    assert len(article(index).find("tbody").find_all("tr")) == 1


def test_case_pages_are_tagged_and_the_tags_page_lists_them(site):
    tags_page = article(html(site, "tags"))
    for slug in CATALOG.cases:
        soup = html(site, f"cases/{slug}")
        tags = {t.get_text(strip=True) for t in soup.select(".md-tags .md-tag")}
        expected = {CATALOG.drugs[d].name for d in CATALOG.case_drugs(slug, notes=False)}
        expected |= {CATALOG.sites[s].name for s in CATALOG.case_sites(slug)}
        assert tags == expected, slug
        assert f"../cases/{slug}/" in {a["href"] for a in tags_page.find_all("a", href=True)}


def test_body_map_marks_every_site_with_counts_and_links(site):
    index = article(html(site, "cases"))
    svg = index.select_one(".bodymap svg")
    assert svg.find("title").get_text() and svg.find("desc").get_text()
    markers = {m["xlink:href"]: m["aria-label"] for m in svg.select("a.bodymap__marker")}
    used = {s: len(c) for s, c in CATALOG.site_cases.items() if c}
    assert set(markers) == {f"../sites/{s}/" for s in used}
    for site_id, count in used.items():
        assert markers[f"../sites/{site_id}/"].endswith(f": {count} case{'s' if count != 1 else ''}")
    case = article(html(site, "cases/bertamini-2018-case-1-pancreas"))
    own = {m["xlink:href"] for m in case.select(".bodymap a.bodymap__marker")}
    assert own == {f"../../sites/{s}/" for s in CATALOG.case_sites("bertamini-2018-case-1-pancreas")}


def test_journey_and_swimmer_plot_follow_the_data(site):
    slug = "io-after-blinatumomab-case-2-post-transplant"
    steps = article(html(site, f"cases/{slug}")).select(".journey__step")
    case = CATALOG.cases[slug]
    assert len(steps) == len(case.treatment) + len(case.transplants) + 1
    assert steps[0].find("strong").get_text().startswith("Line 1:")
    swimmer = article(html(site, "cases")).select_one(".swimmer svg")
    lanes = swimmer.select("a[aria-label]")
    assert len(lanes) == len(CATALOG.cases)
    dated = sum(1 for c in CATALOG.cases.values() for e in c.timeline if e.month is not None)
    dated += sum(1 for c in CATALOG.cases.values() for line in c.treatment if line.month is not None)
    dated += sum(1 for c in CATALOG.cases.values() for t in c.transplants if t.month is not None)
    assert len(swimmer.select("circle")) == dated


def test_swimmer_plot_keeps_the_cases_followed_longest_when_there_are_many():
    from macros import figures
    every, _, none_left = figures.swimmer(CATALOG)
    assert none_left == 0 and len(every) == len(CATALOG.cases)
    shown, longest, left_out = figures.swimmer(CATALOG, limit=2)
    assert left_out == len(CATALOG.cases) - 2
    assert sorted(lane.end for lane in shown) == sorted(lane.end for lane in every)[-2:]
    assert longest == max(lane.end for lane in shown)
    assert [lane.slug for lane in shown] == [lane.slug for lane in every if lane in shown]  # catalogue order


def test_case_index_facets_cover_every_value_without_javascript(site):
    soup = html(site, "cases")
    form = soup.select_one("form[data-case-filters]")
    assert form.has_attr("hidden")  # shown by the script; the table alone works without it
    options = {s["name"]: {o["value"] for o in s.find_all("option") if o["value"]} for s in form.find_all("select")}
    assert options["drug"] == {d for s in CATALOG.cases for d in CATALOG.case_drugs(s, notes=False)}
    assert options["site"] == {x for s in CATALOG.cases for x in CATALOG.case_sites(s)}
    assert set(options) == {"drug", "regimen", "antigen", "site", "ph", "response"}
    rows = soup.select("[data-case-table] tbody tr")
    assert {r["data-case"] for r in rows} == set(CATALOG.cases)
