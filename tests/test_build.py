"""Real `mkdocs build --strict` runs, with assertions on the built HTML.

Expectations come from the parsed case files (tests/oracle.py) and the code's own limits, so these
hold for any corpus (see conftest: EMALL_DATA); a seed case's own content is checked literally.
"""

from __future__ import annotations

import json
import re

from bs4 import BeautifulSoup

import oracle
from conftest import DATA, ROOT, catalog, html, run_build, seed_case
from macros import figures, indexdata
from test_validate import CLEAN as MINIMAL  # a valid case with no warnings: strict builds fail on warnings

CATALOG = catalog()
KINDS = {"drugs": CATALOG.drugs, "regimens": CATALOG.regimens, "antigens": CATALOG.antigens, "sites": CATALOG.sites}
FILTER = {"drugs": "drug", "regimens": "regimen", "antigens": "antigen", "sites": "site"}  # the case index's facets
PANCREAS = "bertamini-2018-case-1-pancreas"


def case_list_limit() -> int:
    """Rows a reference page lists before it hands over to the filtered case index."""
    from macros.render import CASE_LIST_LIMIT
    return CASE_LIST_LIMIT


def case_lists() -> dict[tuple[str, str], list[tuple[set[str], str | None]]]:
    """(reference folder, entry id) -> the case lists its page shows, each as (the cases whose file
    mentions the entry that way, the case-index facet that lists them all, if any), from the YAML.
    A drug page has two: cases that name the drug (given or discussed), and cases that name only
    a regimen containing it."""
    out = {(kind, entry): [(set(), FILTER[kind])] for kind, table in KINDS.items() for entry in table}
    for entry in CATALOG.drugs:
        out["drugs", entry].append((set(), None))  # no facet for "only through a regimen"
    for slug, case in CATALOG.cases.items():
        regimens = CATALOG.regimens
        for kind, ids, which in (
                ("drugs", oracle.received(case) | oracle.discussed_drugs(case, regimens), 0),
                ("drugs", oracle.by_regimen(case, regimens), 1),
                ("regimens", oracle.regimens(case), 0), ("antigens", oracle.antigens_all(case), 0),
                ("sites", oracle.sites(case) | oracle.sites_discussed(case), 0)):
            for entry in ids:
                out[kind, entry][which][0].add(slug)
    return out


def article(soup: BeautifulSoup):
    return soup.find("article")


def hrefs(soup: BeautifulSoup) -> set[str]:
    return {a["href"] for a in article(soup).find_all("a", href=True)}


def test_one_page_per_case_file(site):
    files = sorted(p.stem for p in (DATA / "cases").glob("*.yml"))
    pages = sorted(p.name for p in (site / "cases").iterdir() if p.is_dir())
    assert files and pages == files
    for slug in files:
        soup = html(site, f"cases/{slug}")
        squeeze = lambda text: "".join(text.split())  # noqa: E731 (abbreviations are <abbr> elements)
        assert squeeze(soup.find("h1").get_text()).startswith(squeeze(CATALOG.cases[slug].title)[:20]), slug
        assert soup.find(id="at-a-glance"), slug


def test_case_links_every_entry_it_mentions(site):
    for slug, case in CATALOG.cases.items():
        links = hrefs(html(site, f"cases/{slug}"))
        mentioned = {"drugs": oracle.received(case), "regimens": oracle.regimens(case),
                     "antigens": oracle.antigens_all(case), "sites": oracle.sites(case)}
        for kind, ids in mentioned.items():
            for entry_id in ids:
                assert f"../../{kind}/{entry_id}/" in links, (slug, kind, entry_id)
                assert (site / kind / entry_id / "index.html").exists()


def test_each_entry_links_back_to_its_cases_or_to_the_filtered_index(site):
    """Up to the code's limit an entry lists every case that mentions it; beyond it, the page says
    how many it shows and hands over to the case index filtered on the entry."""
    limit = case_list_limit()
    for (kind, entry_id), lists in case_lists().items():
        page = article(html(site, f"{kind}/{entry_id}"))
        links = {a["href"] for a in page.find_all("a", href=True)}
        linked = {h.split("/")[-2] for h in links if re.fullmatch(r"\.\./\.\./cases/[a-z0-9-]+/", h)}
        assert linked <= set().union(*(cases for cases, _ in lists)), (kind, entry_id)
        shown = {int(m[2]) for m in re.finditer(r"Showing (\d+) of (\d+) cases", page.get_text(" ")) if int(m[1]) == limit}
        for cases, facet in lists:
            if len(cases) <= limit:
                assert cases <= linked, (kind, entry_id, cases - linked)
                continue
            assert len(cases) in shown, (kind, entry_id, len(cases), shown)
            assert len(cases & linked) >= limit, (kind, entry_id)
            if facet:
                assert any(h.startswith("../../cases/") and f"{facet}={entry_id}" in h for h in links), (kind, entry_id)
        assert len(shown) == sum(len(cases) > limit for cases, _ in lists), (kind, entry_id, shown)


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


def index_rows(site) -> list[list]:
    """Every row of the cases index, as the page's script reads them (macros/indexdata.py)."""
    data = json.loads((site / indexdata.PATH).read_text(encoding="utf-8"))
    assert data["v"] == 1 and data["total"] == len(data["rows"])
    return data, data["rows"]


def test_summary_table_lists_the_first_cases_and_the_index_file_every_case(site):
    table = article(html(site, "cases")).find("table")
    assert int(table["data-page-size"]) == indexdata.PAGE_SIZE
    rows = table.find("tbody").find_all("tr")
    first = list(CATALOG.cases)[:indexdata.PAGE_SIZE]  # the page stays one size however many cases there are
    assert [r["data-case"] for r in rows] == first
    linked = {a["href"] for row in rows for a in row.find_all("a", href=True) if a["href"].startswith("../cases/")}
    assert linked == {f"../cases/{slug}/" for slug in first}  # the rows are HTML, links relative to /cases/
    _, every = index_rows(site)
    assert [row[0] for row in every] == list(CATALOG.cases)


def test_tooltips_everywhere_including_tables_and_admonitions(site):
    soup = html(site, f"cases/{seed_case(PANCREAS)}")
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


def test_sitemap_lists_every_page_once_in_its_compact_form(site):
    """overrides/sitemap.xml: every built page's address, one line each, no build-date <lastmod>
    (a search engine's list, read by no page)."""
    import xml.etree.ElementTree as ET
    text = (site / "sitemap.xml").read_text(encoding="utf-8")
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [e.text for e in ET.fromstring(text.encode("utf-8")).findall("s:url/s:loc", ns)]
    pages = {"" if p.parent == site else p.parent.relative_to(site).as_posix() + "/" for p in site.rglob("index.html")
             if "pagefind" not in p.parts}
    base = min(locs, key=len)  # the home page
    assert sorted(locs) == sorted(base + page for page in pages) and len(set(locs)) == len(locs)
    assert "<lastmod>" not in text and len(text.splitlines()) == len(locs) + 3


def test_citation_links(site):
    links = hrefs(html(site, f"cases/{seed_case(PANCREAS)}"))
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


def test_no_tags_page_the_drug_and_site_pages_list_the_cases(site):
    """Tags duplicated the drug and site pages, and their index listed every case under every tag
    (1.7 MB gzip at 5,000 cases): removed. A case page's drugs and sites link to their pages."""
    assert not (site / "tags").exists()
    for slug, case in CATALOG.cases.items():
        soup = html(site, f"cases/{slug}")
        assert not soup.select(".md-tags"), slug
        links = hrefs(soup)
        assert all(f"../../sites/{s}/" in links for s in oracle.sites(case)), slug


def test_body_map_marks_every_site_with_counts_and_links(site):
    index = article(html(site, "cases"))
    svg = index.select_one(".bodymap svg")
    assert svg.find("title").get_text() and svg.find("desc").get_text()
    # On the index a marker filters the table (and without JavaScript opens it filtered); the list names the sites.
    markers = {m["data-filter-site"]: m for m in svg.select(".bodymap__marker[data-filter-site]")}
    used = {s: sum(s in oracle.sites(c) for c in CATALOG.cases.values()) for s in CATALOG.sites}
    used = {s: n for s, n in used.items() if n}  # cases with disease there, not those only discussing it
    assert set(markers) == set(used)
    listed = {a["href"] for a in index.select(".bodymap__list a[href]")}
    for site_id, count in used.items():
        name = CATALOG.sites[site_id].name
        assert f"{name}: {count} case{'s' if count != 1 else ''}" in markers[site_id]["aria-label"]
        assert markers[site_id]["role"] == "button"  # a toggle; the list beside it holds the links
        assert f"../sites/{site_id}/" in listed
    for slug, case in CATALOG.cases.items():
        page = article(html(site, f"cases/{slug}"))
        own = {a["href"] for a in page.select(".bodymap .bodymap__list a[href]")}  # the badges only number them
        assert own == {f"../../sites/{s}/" for s in oracle.sites(case)}, slug


def test_journey_steps_follow_each_case(site):
    for slug, case in CATALOG.cases.items():
        steps = article(html(site, f"cases/{slug}")).select(".journey__step")
        assert len(steps) == len(case.treatment) + len(case.transplants) + 1, slug
        assert steps[0].find("strong").get_text().startswith("Line 1:"), slug


def test_swimmer_plot_shows_the_cases_followed_longest_up_to_its_limit(site):
    swimmer = article(html(site, "cases")).select_one(".swimmer svg")
    lanes = [g["data-case"] for g in swimmer.select("g.swimmer__lane")]
    assert len(lanes) == min(len(CATALOG.cases), figures.SWIMMER_LANES)
    assert lanes == [slug for slug in CATALOG.cases if slug in lanes]  # catalogue order
    left_out = set(CATALOG.cases) - set(lanes)
    if left_out:  # every case shown was followed at least as long as every case left out
        assert min(oracle.last_month(CATALOG.cases[s]) for s in lanes) >= max(oracle.last_month(CATALOG.cases[s]) for s in left_out)
        assert f"{len(left_out)} more are in the table" in article(html(site, "cases")).select_one(".swimmer figcaption").get_text()
    assert len(swimmer.select("circle")) == sum(oracle.dated_events(CATALOG.cases[s]) for s in lanes)


def test_swimmer_plot_keeps_the_cases_followed_longest_when_there_are_many():
    every, _, none_left = figures.swimmer(CATALOG, limit=len(CATALOG.cases))
    assert none_left == 0 and len(every) == len(CATALOG.cases)
    shown, longest, left_out = figures.swimmer(CATALOG, limit=2)
    assert left_out == len(CATALOG.cases) - 2
    assert sorted(lane.end for lane in shown) == sorted(lane.end for lane in every)[-2:]
    assert longest == max(lane.end for lane in shown)
    assert [lane.slug for lane in shown] == [lane.slug for lane in every if lane in shown]  # catalogue order


def test_case_index_facets_cover_every_value_without_javascript(site):
    soup = html(site, "cases")
    form = soup.select_one("form[data-case-filters]")
    assert form.select_one("[data-filter-fields]").has_attr("disabled")  # enabled by the script; the table alone works without it
    options: dict[str, dict[str, int]] = {}
    for box in form.select("input[type=checkbox]"):
        count = box.find_parent("label").select_one("[data-n]").get_text(strip=True)
        options.setdefault(box["name"], {})[box["value"]] = int(count.strip("()"))
    cases = CATALOG.cases.values()
    for facet, of in (("drug", oracle.received), ("site", oracle.sites), ("regimen", oracle.regimens)):
        assert options[facet] == {v: sum(v in of(c) for c in cases) for v in set().union(*map(of, cases))}, facet
    assert set(options) == {"drug", "regimen", "antigen", "site", "ph", "response"}
    rows = soup.select("[data-case-table] tbody tr")
    assert [r["data-case"] for r in rows] == list(CATALOG.cases)[:indexdata.PAGE_SIZE]
    for row in rows:
        case = CATALOG.cases[row["data-case"]]
        assert set(row["data-drug"].split()) == oracle.received(case), row["data-case"]
        assert set(row["data-site"].split()) == oracle.sites(case), row["data-case"]
    data, every = index_rows(site)  # what the filters read: every case, ids by number
    for row in every:
        case = CATALOG.cases[row[0]]
        assert {data["facets"]["site"][i] for i in row[9]} == oracle.sites(case), row[0]
        assert {data["facets"]["regimen"][i] for i in row[10]} == oracle.regimens(case), row[0]
        assert {data["facets"]["drug"][i] for i in row[12]} == oracle.received(case), row[0]
