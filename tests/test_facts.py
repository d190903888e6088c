"""The derived record of each case (macros/facts.py) checked against the YAML itself, read here
with a plain YAML parser, not through the code that built the record; and the rules that keep a
regimen's components apart from the drugs a source names."""

from __future__ import annotations

import yaml

from conftest import DATA, catalog, html, run_build
from macros.catalog import load_catalog

CATALOG = catalog()  # the corpus the suite runs on (EMALL_DATA), the repository's by default


def raw(slug: str) -> dict:
    return yaml.safe_load((DATA / "cases" / f"{slug}.yml").read_text(encoding="utf-8"))


def test_received_drugs_are_exactly_those_the_yaml_gives():
    for slug, facts in CATALOG.facts.items():
        data = raw(slug)
        named = {u["drug"] for line in data["treatment"] for u in line.get("drugs") or []}
        transplant = {u["drug"] for tx in data.get("transplants") or [] for part in ("conditioning", "gvhd_prophylaxis")
                      for u in tx.get(part) or []}
        supportive = {u["drug"] for u in data.get("supportive") or []}
        assert set(facts.received) == named | transplant | supportive, slug
        assert set(facts.drugs("named")) == named, slug


def test_regimen_components_are_kept_apart_from_named_drugs():
    regimens = yaml.safe_load((DATA / "reference" / "regimens.yml").read_text(encoding="utf-8"))
    for slug, facts in CATALOG.facts.items():
        expected = set()
        for line in raw(slug)["treatment"]:  # line by line: a drug named in one line may be implied in another
            named = {u["drug"] for u in line.get("drugs") or []}
            if line.get("regimen"):
                expected |= {c["drug"] for c in regimens[line["regimen"]].get("components") or []} - named
        assert set(facts.drugs("by_regimen")) == expected, slug
        roles = {(r.drug, r.line) for r in facts.drug_roles if r.role == "by_regimen"}
        assert not roles & {(r.drug, r.line) for r in facts.drug_roles if r.role == "named"}, slug


def test_sites_responses_and_story_follow_the_yaml():
    for slug, facts in CATALOG.facts.items():
        data = raw(slug)
        assert list(facts.sites) == list(dict.fromkeys(em["site"] for em in data["em_sites"])), slug
        assert [r.category for r in facts.responses] == [line["response"]["category"] for line in data["treatment"]], slug
        lines = [n for kind, n in facts.story if kind == "line"]
        assert lines == list(range(1, len(data["treatment"]) + 1)), slug
        for i, tx in enumerate(data.get("transplants") or []):
            position = facts.story.index(("transplant", i))
            assert facts.story[position - 1] == ("line", int(tx["after_line"])), slug


def test_the_catalog_is_read_only_after_indexing():
    import pytest

    with pytest.raises(TypeError):
        CATALOG.drug_cases["zz-new"] = ()  # type: ignore[index]
    before = len(CATALOG.drug_cases)
    assert CATALOG.drug_cases.get("no-such-drug", ()) == ()
    assert len(CATALOG.drug_cases) == before


def test_a_named_regimen_does_not_count_as_received_drugs(empty_project, tmp_path):
    """A case naming only a regimen: the drug filter and tags do not list its components; the
    drug page lists the case as 'component of the named regimen'."""
    from test_validate import CLEAN as MINIMAL  # no warnings: the strict build fails on them

    text = MINIMAL.replace("    drugs:\n      - {drug: inotuzumab-ozogamicin, dose: not stated}\n", "    regimen: hyper-cvad\n")
    assert "regimen: hyper-cvad" in text
    (empty_project / "cases" / "regimen-only.yml").write_text(text, encoding="utf-8")
    catalog = load_catalog(empty_project)
    facts = catalog.facts["regimen-only"]
    assert facts.received == [] and facts.drugs("by_regimen") == catalog.regimens["hyper-cvad"].drug_ids
    result = run_build(empty_project, tmp_path / "site")
    assert result.returncode == 0, result.stderr[-2000:]
    page = html(tmp_path / "site", "cases/regimen-only")
    filters = page.find(attrs={"data-pagefind-filter": lambda v: v and v.startswith("drug")})
    assert filters is None or not filters.get_text(strip=True)
    drug = catalog.regimens["hyper-cvad"].drug_ids[0]
    drug_page = html(tmp_path / "site", f"drugs/{drug}").find("article").get_text(" ")
    assert "component" in drug_page.lower()
