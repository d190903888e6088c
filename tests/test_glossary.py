"""The glossary tooltips: matching rules on the extension itself, the key rule, and a scan of the built site."""

from __future__ import annotations

import re
import time

import markdown
import pytest
from bs4 import BeautifulSoup

from macros.glossary import ROMAN, _compiled, find_terms, forms, key_problem, numbered
from macros.render import glossary_terms
from macros.abbreviations import ALLOWED, ALLOWED_PATTERNS, abbreviations, named, unexplained_in  # noqa: F401

# A glossary of the test's own, with the shapes that matter: signs, a lower-case start, a Roman numeral.
GLOSSARY = {
    "ALL": "acute lymphoblastic leukaemia",
    "B-ALL": "B-cell acute lymphoblastic leukaemia",
    "CD19+": "expressing CD19",
    "CD19-": "not expressing CD19",
    "CD22+": "expressing CD22",
    "CSF": "cerebrospinal fluid",
    "G-CSF": "granulocyte colony-stimulating factor",
    "CAR-T": "chimeric antigen receptor T-cell therapy",
    "CR": "complete remission",
    "CRS": "cytokine release syndrome",
    "IV": "intravenous",
    "MRD": "measurable residual disease",
    "PD": "progressive disease",
    "Ph": "Philadelphia chromosome",
    "Ph+": "Philadelphia chromosome-positive",
    "Ph-": "Philadelphia chromosome-negative",
    "TKI": "tyrosine kinase inhibitor",
    "allo-HSCT": "allogeneic haematopoietic stem cell transplantation",
    "cGy": "centigray",
    "mini-hyper-CVD": "lower-intensity hyper-CVD",
    "VOD/SOS": "veno-occlusive disease / sinusoidal obstruction syndrome",
}


def render(text: str, terms: dict[str, str] = GLOSSARY) -> BeautifulSoup:
    out = markdown.markdown(text, extensions=["macros.glossary"],
                            extension_configs={"macros.glossary": {"terms": terms}})
    return BeautifulSoup(out, "html.parser")


def tips(text: str, terms: dict[str, str] = GLOSSARY) -> list[tuple[str, str]]:
    """(text shown, tooltip) of every <abbr>, in order."""
    return [(a.get_text(), a["title"]) for a in render(text, terms).find_all("abbr")]


# --- Suspended hyphens and minus signs ---------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "CD19- and CD22-positive blasts",
    "CD19- or CD22-directed therapy",
    "CD19-, CD20- and CD22-negative",
    "CD19-, CD20-, or CD22-negative",
    "CD19-/CD22-positive",
    "CD19- to CD22-switched",
    "CD19-\nand CD22-positive",
])
def test_a_suspended_hyphen_is_not_a_minus_sign(text):
    assert ("CD19-", "not expressing CD19") not in tips(text)


def test_a_suspended_hyphen_leaves_a_shorter_term_its_tooltip():
    assert tips("CD19- and CD22-positive", {**GLOSSARY, "CD19": "the B-cell antigen CD19"}) == [
        ("CD19", "the B-cell antigen CD19")]


@pytest.mark.parametrize("text, expected", [
    ("CD19-/CD22+ relapse", [("CD19-", "not expressing CD19"), ("CD22+", "expressing CD22")]),
    ("a CD19- relapse", [("CD19-", "not expressing CD19")]),
    ("CD19- and CD22+ blasts", [("CD19-", "not expressing CD19"), ("CD22+", "expressing CD22")]),
    ("Ph- and Ph+ ALL", [("Ph-", "Philadelphia chromosome-negative"), ("Ph+", "Philadelphia chromosome-positive"),
                         ("ALL", "acute lymphoblastic leukaemia")]),
    ("Ph- ALL.", [("Ph-", "Philadelphia chromosome-negative"), ("ALL", "acute lymphoblastic leukaemia")]),
    ("(CD19-)", [("CD19-", "not expressing CD19")]),
])
def test_a_minus_sign_keeps_its_tooltip(text, expected):
    assert tips(text) == expected


def test_a_sign_touching_a_word_is_not_a_sign():
    assert tips("CD19-positive and Ph-negative") == [("Ph", "Philadelphia chromosome")]
    # A plus ends the marker, so flow notation written without spaces still gets its tooltips.
    assert tips("CD19+CD22+ blasts") == [("CD19+", "expressing CD19"), ("CD22+", "expressing CD22")]


# --- Terms inside longer tokens --------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "anti-PD-1", "PD-L1", "PD-1 inhibitor", "PD1", "PDs-", "aPD", "BCR::PD", "PD::ABL1", "X-PD", "9-PD",
])
def test_a_term_inside_a_longer_identifier_is_not_matched(text):
    assert ("PD", "progressive disease") not in [(t, title) for t, title in tips(text) if t == "PD"]


@pytest.mark.parametrize("text, expected", [
    ("G-CSF and CSF", [("G-CSF", "granulocyte colony-stimulating factor"), ("CSF", "cerebrospinal fluid")]),
    ("T-ALL and B-ALL", [("B-ALL", "B-cell acute lymphoblastic leukaemia")]),
    ("an MRD-negative CR", [("MRD", "measurable residual disease"), ("CR", "complete remission")]),
    ("TKI-based, post-allo-HSCT", [("TKI", "tyrosine kinase inhibitor"),
                                   ("allo-HSCT", "allogeneic haematopoietic stem cell transplantation")]),
    ("PD, then CR/PD.", [("PD", "progressive disease"), ("CR", "complete remission"),
                         ("PD", "progressive disease")]),
    ("VOD/SOS", [("VOD/SOS", "veno-occlusive disease / sinusoidal obstruction syndrome")]),
    ("CRS after CR", [("CRS", "cytokine release syndrome"), ("CR", "complete remission")]),
])
def test_whole_tokens_and_lower_case_compounds_match(text, expected):
    assert tips(text) == expected


# --- Capitalised and plural forms ----------------------------------------------------------------

@pytest.mark.parametrize("text, shown, key", [
    ("Mini-hyper-CVD was given", "Mini-hyper-CVD", "mini-hyper-CVD"),
    ("Allo-HSCT followed", "Allo-HSCT", "allo-HSCT"),
    ("two TKIs", "TKIs", "TKI"),
    ("CAR-Ts differ", "CAR-Ts", "CAR-T"),
    ("two CRs", "CRs", "CR"),
    ("two allo-HSCTs", "allo-HSCTs", "allo-HSCT"),
])
def test_capitalised_and_plural_forms_show_the_entry(text, shown, key):
    assert tips(text) == [(shown, GLOSSARY[key])]


@pytest.mark.parametrize("text", ["CGy", "Cgy", "PHs", "Phs", "CD19s", "tki", "Tki", "tKI", "TKIS", "mini-Hyper-CVD"])
def test_forms_outside_the_rule_do_not_match(text):
    assert tips(text) == []


def test_an_entry_written_out_wins_over_a_derived_form():
    terms = {"CR": "complete remission", "CRs": "complete remissions (written out)"}
    assert tips("CRs", terms) == [("CRs", "complete remissions (written out)")]
    assert forms(["TKI", "allo-HSCT", "cGy", "Ph"]) == {
        "TKI": "TKI", "TKIs": "TKI", "allo-HSCT": "allo-HSCT", "Allo-HSCT": "allo-HSCT",
        "allo-HSCTs": "allo-HSCT", "Allo-HSCTs": "allo-HSCT", "cGy": "cGy", "Ph": "Ph"}


def test_one_tab_stop_per_entry_whatever_the_form():
    abbrs = render("TKI, then TKIs, then TKI; CR and CRS").find_all("abbr")
    assert [(a.get_text(), a.get("tabindex")) for a in abbrs] == [
        ("TKI", "0"), ("TKIs", None), ("TKI", None), ("CR", "0"), ("CRS", "0")]


# --- Roman numerals ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Deauville IV", "grade IV", "Grade IV", "stage IV disease", "phase IV", "Protocol IV", "class IV",
    "type IV", "grade III-IV", "grades III–IV", "stages II, III and IV", "grade III or IV", "grade II/IV",
    "CTCAE grade\nIV", "cycles III to IV", "Fig. IV", "factor IV",
])
def test_a_roman_numeral_that_numbers_something_is_not_an_abbreviation(text):
    assert tips(text) == []


@pytest.mark.parametrize("text", [
    "IV methotrexate", "given IV.", "IV and intrathecal", "a grade 3 reaction to IV cytarabine",
    "the upgrade IV", "IV, then oral",
])
def test_iv_elsewhere_is_intravenous(text):
    assert [t for t, _ in tips(text)] == ["IV"]


def test_numbered():
    assert numbered("Deauville ") and numbered("grade III– ") and numbered("stages II, III and ")
    assert not numbered("given ") and not numbered("upgrade ") and not numbered("")


# --- What is left alone ------------------------------------------------------------------------------

def test_code_links_and_existing_abbr_are_left_alone_and_tables_are_not():
    soup = render("`MRD` [MRD](x.md) <abbr title='mine'>MRD</abbr> MRD\n\n| a |\n|---|\n| CR |\n",
                  )
    abbrs = soup.find_all("abbr")
    assert [(a.get_text(), a["title"]) for a in abbrs] == [
        ("MRD", "mine"), ("MRD", "measurable residual disease"), ("CR", "complete remission")]
    assert soup.find("code").get_text() == "MRD" and soup.find("a").get_text() == "MRD"


def test_raw_inline_html_links_and_abbr_are_left_alone_until_their_block_ends():
    soup = render("<a href='x'>MRD <b>MRD</b></a> MRD <kbd>CR</kbd> CR\n\n<a href='y'>unclosed MRD\n\nMRD")
    assert [(a.get_text(), a.get("tabindex")) for a in soup.find_all("abbr")] == [
        ("MRD", "0"), ("CR", "0"), ("MRD", None)]


def test_terms_in_emphasis_and_tails_keep_document_order():
    abbrs = render("**CR** then *CR and MRD*, MRD").find_all("abbr")
    assert [(a.get_text(), a.get("tabindex")) for a in abbrs] == [
        ("CR", "0"), ("CR", None), ("MRD", "0"), ("MRD", None)]


def test_a_term_is_never_treated_as_markup():
    terms = {"XSS<b>": "x", "AB": "<script>alert(1)</script>"}
    soup = render("AB", terms)
    assert soup.find("script") is None and soup.find("abbr")["title"] == "<script>alert(1)</script>"


# --- Keys ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("key", [
    "ALL", "B-ALL", "CD19+", "CD19-", "Ph", "Ph+", "Hb", "cGy", "p190", "allo-HSCT", "mini-hyper-CVD",
    "VOD/SOS", "R/R", "BCR::ABL1", "T315I", "IgH", "InO", "SUVmax", "FLAG-Ida", "t(9;22)", "IV", "KMT2A",
    "IFN-α", "β2M", "BQX1234",
])
def test_abbreviation_keys_are_accepted(key):
    assert key_problem(key) is None


@pytest.mark.parametrize("key, says", [
    ("the", "no capital letter or digit"),
    ("allo", "no capital letter or digit"),
    ("The", "capitalised word"),
    ("Patient", "capitalised word"),
    ("In", "English word"),
    ("", "not empty"),
    ("X", "2 to 20"),
    ("ABCDEFGHIJKLMNOPQRSTU", "2 to 20"),
    ("Ph ALL", "space"),
    ("MRD\n", "line break"),
    ("CD19<", "'<'"),
    ("A\x00B", "'\\x00'"),
    ("A\u202eB", "'\\u202e'"),
    ("-CD19", "starts with '-'"),
    ("+-", "starts with"),
    ("2018", "number"),
    ("1st", "ordinal"),
    ("10mg", "quantity"),
    ("III", "Roman numeral"),
    ("II", "Roman numeral"),
])
def test_keys_that_are_not_abbreviations_are_refused_with_a_reason(key, says):
    problem = key_problem(key)
    assert problem is not None and says in problem, problem


def test_every_key_the_rule_accepts_matches_no_ordinary_word():
    """Keys accepted by key_problem, with all their derived forms, never occur as a word of plain prose."""
    prose = ("The patient was in remission. In 2018 she had a 1st relapse; it was treated. Patients were "
             "given the drug, And so on. Grade III, phase II, Dex.").split()
    candidates = {w.strip(".,;") for w in prose} | {w.strip(".,;").lower() for w in prose}
    accepted = {k for k in candidates if k and key_problem(k) is None}
    assert accepted == set(), accepted


def test_a_hostile_glossary_loses_every_key_that_would_match_prose():
    hostile = {k: "attacker-worded" for k in ["the", "The", "THE", "a", "In", "in", "and", "Patient", "2018", "1st",
                                               "III", "remission", "Remission", "was", "-", "+", ".", "the\n"]}
    kept = {k: v for k, v in hostile.items() if key_problem(k) is None}
    prose = "The patient was in remission in 2018. In the 1st year, grade III; the end - and +."
    assert kept == {"THE": "attacker-worded"} and tips(prose, kept) == []


def test_the_real_glossary_keys_pass_the_rule():
    from conftest import ROOT
    from macros.catalog import load_catalog
    problems = {k: key_problem(k) for k in load_catalog(ROOT).glossary}
    assert {k: p for k, p in problems.items() if p} == {}


# --- Performance -------------------------------------------------------------------------------------

def test_one_pattern_shared_and_cost_independent_of_glossary_size():
    small = tuple(GLOSSARY)
    big = small + tuple(f"BQX{i}" for i in range(5000)) + tuple(f"Zq{i}-ALL" for i in range(5000))
    assert _compiled(small) is _compiled(small)  # compiled once, shared by every page
    text = ("An MRD-negative CR after CD19- and CD22-positive relapse, Deauville IV, then IV cytarabine; "
            "anti-PD-1 was not given. Mini-hyper-CVD with TKIs. ") * 200

    def cost(keys):
        pattern = _compiled(keys)[0]
        best = float("inf")
        for _ in range(5):
            start = time.perf_counter()
            found = sum(1 for _ in find_terms(pattern, text))
            best = min(best, time.perf_counter() - start)
        return best, found

    (t_small, n_small), (t_big, n_big) = cost(small), cost(big)
    assert n_small == n_big > 0
    assert t_big < 3 * t_small + 0.005, (t_small, t_big)


# --- Every built page: abbreviations that nothing explains (rules: macros/abbreviations.py) -------------

# Phrasing elements that join text; any other element (spans too: figures lay them out as lines) separates it.
_INLINE = {"abbr", "em", "strong", "b", "i", "sub", "sup", "small", "mark", "a", "u", "s", "q", "cite", "dfn", "time",
           "var"}
# Bibliographies are not read: they give publishers, journals, trials and titles as published (JAMA, CHMP,
# ZUMA-3), and a reader follows the source rather than a tooltip.
_BIBLIOGRAPHY = re.compile(r"sources|references|bibliography")
def visible_text(soup: BeautifulSoup) -> str | None:
    """The article's text as a reader sees it: blocks apart, inline markup joined, hidden parts dropped."""
    article = soup.find("article")
    if article is None:
        return None
    for el in article.find_all(["script", "style", "code", "pre", "template", "noscript"]):
        el.decompose()
    for el in article.find_all(lambda t: t.has_attr("hidden") or t.get("aria-hidden") == "true"):
        el.decompose()
    for heading in article.find_all("h2", id=_BIBLIOGRAPHY):
        for el in list(heading.find_next_siblings()):
            if el.name == "h2":
                break
            el.decompose()
    for el in article.find_all(True):
        if el.name not in _INLINE or "md-tag" in (el.get("class") or []):  # tags are pills, not prose
            el.insert_before("\n")
            el.append("\n")
    return article.get_text("")


def unexplained(site, catalog) -> dict[str, list[str]]:
    """Token -> where it was seen ("page: ...context..."), for every token nothing explains."""
    pattern = _compiled(tuple(glossary_terms(catalog)))[0]  # the glossary and the drugs' own abbreviations
    known = named(catalog) | {a.match for case in catalog.cases.values() for a in case.acknowledged
                              if a.check == "glossary:abbreviation"}  # reviewed in a case, as validate.py allows
    seen: dict[str, list[str]] = {}
    for path in sorted(site.rglob("*.html")):
        text = visible_text(BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser"))
        if text is None:
            continue
        page = path.relative_to(site).parent.as_posix() or "home"
        for token, at in unexplained_in(text, pattern, known):
            context = " ".join(text[max(0, at - 30):at + 40].split())
            seen.setdefault(token, []).append(f"{page}: …{context}…")
    return seen


def test_the_scan_finds_what_it_should():
    pattern = _compiled(tuple(GLOSSARY))[0]
    text = ("An MRD-negative CR; anti-PD-1 and BCR::ABL1, IgH and T315I; Deauville IV, IV methotrexate; "
            "CD19- and CD22-positive; Pre-B cells, 46,XX; grade III–IV, stage II-III, Protocol II-A; ALLs and T-ALL")
    assert [t for t, _ in abbreviations(text, pattern)] == ["PD-1", "BCR::ABL1", "IgH", "T315I", "CD19", "CD22", "XX",
                                                           "T-ALL"]


def test_every_abbreviation_on_every_page_is_explained(site):
    from conftest import catalog
    pages = list(site.rglob("*.html"))
    assert sum(visible_text(BeautifulSoup(p.read_text(encoding="utf-8"), "html.parser")) is not None
               for p in pages) > len(pages) // 2, "most pages have an <article>: is the scan reading the site?"
    missing = unexplained(site, catalog())  # the data the site was built from
    report = "\n".join(f"  {token} ({len(where)}x): {where[0]}" for token, where in sorted(missing.items(),
                                                                                          key=lambda kv: kv[0].lower()))
    assert not missing, (f"{len(missing)} abbreviation(s) with no glossary entry (add one to reference/glossary.yml, "
                         f"or a reasoned line to ALLOWED in tests/test_glossary.py):\n{report}")
