"""The strict loader and the models: one test per class of bad input, exact messages."""

from __future__ import annotations

import textwrap

import pytest

from macros.catalog import CatalogError, load_catalog
from macros.load import MAX_BYTES, LoadError, load_text
from conftest import quiz_yaml

BASE = textwrap.dedent("""\
    title: A minimal case
    summary: One paragraph.
    source:
      case_label: Case 1
      kind: journal article
      licence: CC BY 4.0
    patient:
      age: 40
      sex: female
    presentation:
      text: Tiredness.
    diagnosis:
      disease: B-ALL
      philadelphia: negative
      immunophenotype:
        - sample: bone marrow at diagnosis
          positive: [cd19, cd22]
    em_sites:
      - site: skin
        shown_by: [biopsy]
        when: first relapse
    timeline:
      - {month: 0, when: diagnosis, event: B-ALL diagnosed.}
    treatment:
      - setting: first relapse
        when: month 12
        drugs:
          - {drug: inotuzumab-ozogamicin, dose: not stated}
        response:
          category: CR
          text: Remission.
    outcome:
      status: alive in remission
      text: Well.
    discussion: Short.
    lessons: [One lesson.]
    credits: {written_by: [Test fixture]}
""")  # everything but the quiz
MINIMAL = BASE + quiz_yaml()


def write_case(project, name, text):
    path = project / "cases" / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(project) -> list[str]:
    with pytest.raises(CatalogError) as info:
        load_catalog(project)
    return [str(p) for p in info.value.problems if not p.warning]


def test_minimal_case_is_valid(empty_project):
    write_case(empty_project, "minimal.yml", MINIMAL)
    catalog = load_catalog(empty_project)
    assert list(catalog.cases) == ["minimal"]
    assert catalog.cases["minimal"].patient.age == 40


def test_scalars_stay_strings_no_yaml_guessing():
    doc = load_text("a: NO\nb: 1:20\nc: 2018\nd: ~\ne: ''\n", "x.yml")
    assert doc.data == {"a": "NO", "b": "1:20", "c": "2018", "d": None, "e": ""}
    assert doc.lines[("b",)] == 2


def test_duplicate_key(empty_project):
    write_case(empty_project, "dup.yml", MINIMAL.replace("  age: 40\n", "  age: 40\n  age: 41\n"))
    assert problems(empty_project) == ["cases/dup.yml:9: patient.age: duplicate key 'age' (first defined on line 8)"]


def test_anchor_and_alias(empty_project):
    text = MINIMAL.replace("summary: One paragraph.", "summary: &s One paragraph.\nsummary2: *s")
    write_case(empty_project, "alias.yml", text)
    assert problems(empty_project) == [
        "cases/alias.yml:2: (file): YAML anchors (&name) are not allowed; write the value out",
        "cases/alias.yml:3: (file): YAML aliases (*name) are not allowed; write the value out",
    ]


def test_tag(empty_project):
    write_case(empty_project, "tag.yml", MINIMAL.replace("  age: 40", "  age: !!int 40"))
    assert problems(empty_project) == ["cases/tag.yml:8: (file): YAML tags (!tag) are not allowed"]


def test_non_utf8(empty_project):
    (empty_project / "cases" / "latin1.yml").write_bytes(MINIMAL.replace("Tiredness", "Fatigu\xe9").encode("latin-1"))
    assert problems(empty_project) == ["cases/latin1.yml:11: (file): not valid UTF-8 (byte 0xe9); save the file as UTF-8"]


def test_tab(empty_project):
    write_case(empty_project, "tab.yml", MINIMAL.replace("summary: One paragraph.", "summary: One\tparagraph."))
    assert problems(empty_project) == ["cases/tab.yml:2: (file): tab character; indent with spaces"]


def test_size_cap(empty_project):
    write_case(empty_project, "big.yml", MINIMAL + "#" * MAX_BYTES + "\n")
    assert problems(empty_project) == [f"cases/big.yml:1: (file): file is {len(MINIMAL) + MAX_BYTES + 1:,} bytes; the limit is {MAX_BYTES:,}"]


def test_yaml_syntax_error(empty_project):
    write_case(empty_project, "syntax.yml", MINIMAL.replace("  age: 40", "  age: [40"))
    (line,) = problems(empty_project)
    assert line.startswith("cases/syntax.yml:8: (file): YAML syntax: ")


def test_raw_html_in_text(empty_project):
    write_case(empty_project, "html.yml", MINIMAL.replace("summary: One paragraph.", "summary: One <script>alert(1)</script>"))
    assert problems(empty_project) == [
        "cases/html.yml:2: summary: raw HTML is not allowed in text; write plain text "
        "(a lone '<' followed by a space or number is fine)"
    ]


def test_lone_less_than_is_fine(empty_project):
    write_case(empty_project, "lt.yml", MINIMAL.replace("summary: One paragraph.", "summary: MRD < 0.01% and <0.1%"))
    assert load_catalog(empty_project).cases["lt"].summary == "MRD < 0.01% and <0.1%"


def test_day_level_date(empty_project):
    write_case(empty_project, "date.yml", MINIMAL.replace("text: Tiredness.", "text: Seen on 09.08.2018 with tiredness."))
    assert problems(empty_project) == [
        "cases/date.yml:11: presentation.text: day-level date; state timing relative to diagnosis (months) or a calendar year at most"
    ]


def test_unknown_field_did_you_mean(empty_project):
    write_case(empty_project, "field.yml", MINIMAL.replace("  sex: female", "  sex: female\n  histroy: [asthma]"))
    assert problems(empty_project) == ["cases/field.yml:10: patient.histroy: unknown field 'histroy' (did you mean 'history'?)"]


def test_not_a_whole_number(empty_project):
    write_case(empty_project, "age.yml", MINIMAL.replace("  age: 40", "  age: sixty-six"))
    assert problems(empty_project) == ["cases/age.yml:8: patient.age: 'sixty-six' is not a whole number"]


def test_enum_did_you_mean(empty_project):
    write_case(empty_project, "enum.yml", MINIMAL.replace("philadelphia: negative", "philadelphia: negativ"))
    assert problems(empty_project) == [
        "cases/enum.yml:14: diagnosis.philadelphia: 'negativ' is not one of: positive, negative, not-reported (did you mean 'negative'?)"
    ]


def test_missing_required_field(empty_project):
    write_case(empty_project, "missing.yml", MINIMAL.replace("discussion: Short.\n", ""))
    assert problems(empty_project) == ["cases/missing.yml:1: discussion: required field is missing"]


def test_unknown_drug_did_you_mean(empty_project):
    write_case(empty_project, "drug.yml", MINIMAL.replace("drug: inotuzumab-ozogamicin", "drug: blinatumumab"))
    assert problems(empty_project) == [
        "cases/drug.yml:28: treatment[0].drugs[0].drug: unknown drug 'blinatumumab' (did you mean 'blinatumomab'?)"
    ]


def test_unknown_site_antigen_regimen(empty_project):
    text = (MINIMAL.replace("site: skin", "site: skn").replace("positive: [cd19, cd22]", "positive: [cd19, calla]")
            .replace("    drugs:\n", "    regimen: hyper-cvd\n    drugs:\n"))
    write_case(empty_project, "refs.yml", text)
    assert problems(empty_project) == [
        "cases/refs.yml:17: diagnosis.immunophenotype[0].positive[1]: unknown antigen 'calla' (did you mean 'cd10'?)",
        "cases/refs.yml:19: em_sites[0].site: unknown site 'skn' (did you mean 'skin'?)",
        "cases/refs.yml:27: treatment[0].regimen: unknown regimen 'hyper-cvd' (did you mean 'hyper-cvad'?)",
    ]


def test_unknown_id_without_close_match_says_where_to_add_it(empty_project):
    write_case(empty_project, "new.yml", MINIMAL.replace("drug: inotuzumab-ozogamicin", "drug: zzz"))
    assert problems(empty_project) == [
        "cases/new.yml:28: treatment[0].drugs[0].drug: unknown drug 'zzz' — add it to reference/drugs.yml if it is new"
    ]


def test_bad_file_name(empty_project):
    write_case(empty_project, "Bad_Name.yml", MINIMAL)
    assert problems(empty_project) == [
        "cases/Bad_Name.yml:1: (file): file name: 'Bad_Name' is not a slug: use lower-case letters, digits and single hyphens (at most 80 characters)"
    ]


def test_every_problem_in_every_file_at_once(empty_project):
    write_case(empty_project, "a.yml", MINIMAL.replace("  age: 40", "  age: old").replace("  sex: female", "  sex: woman"))
    write_case(empty_project, "b.yml", MINIMAL.replace("  sex: female", "  sex: female\n  sex: male"))
    (empty_project / "reference" / "sites.yml").write_text(
        (empty_project / "reference" / "sites.yml").read_text() + "\nnew-site:\n  name: New\n  region: moon\n  sources: [test]\n  reviewed: 2026-11\n")
    found = problems(empty_project)
    assert found[:3] == [
        "cases/a.yml:8: patient.age: 'old' is not a whole number",
        "cases/a.yml:9: patient.sex: 'woman' is not one of: female, male",
        "cases/b.yml:10: patient.sex: duplicate key 'sex' (first defined on line 9)",
    ]
    assert len(found) == 4 and found[3].startswith("reference/sites.yml:")
    assert "new-site.region: 'moon' is not one of:" in found[3]


def test_load_text_rejects_several_documents():
    with pytest.raises(LoadError) as info:
        load_text("a: 1\n---\nb: 2\n", "two.yml")
    assert str(info.value) == "two.yml:1: (file): expected exactly one YAML document, found 2"


# ------------------------------------------------ YAML syntax, in plain words
# (name, replace this in MINIMAL, with this, expected problem). Each is a mistake seen in practice.
SYNTAX = [
    ("colon-in-value", "summary: One paragraph.", "summary: Relapse: skin and gut",
     'cases/f.yml:2: (file): YAML syntax: the value of \'summary\' contains a colon followed by a space or the end of the line, '
     'which YAML reads as another key; put the whole value in quotes: summary: "Relapse: skin and gut"'),
    ("indented-too-far", "  sex: female", "    sex: female",
     "cases/f.yml:9: (file): YAML syntax: this line is indented more than line 8, so it reads as more of that line's value; "
     "indent it like the keys it belongs with (2 spaces to line up with line 8)"),
    ("indented-too-little", "  sex: female", " sex: female",
     "cases/f.yml:9: (file): YAML syntax: bad indentation: this line starts after 1 space, which lines up with no block above it "
     "(line 8 after 2 spaces, line 7 after 0 spaces); keys of one block, and the '- ' of one list, must start in the same column; "
     "indent with spaces, two per level"),
    ("key-of-item-at-dash-column", "    shown_by: [biopsy]", "  shown_by: [biopsy]",
     "cases/f.yml:20: (file): YAML syntax: this line is lined up with the '- ' of the list that starts on line 19, so YAML "
     "expects another '- ' item here; to add it to the item above, indent it 4 spaces, like that item's other keys"),
    ("no-space-after-colon", "discussion: Short.", "discussion:Short.",
     "cases/f.yml:35: (file): YAML syntax: a key needs a space after its colon: write 'discussion: Short.'"),
    ("comma-in-braces", "{month: 0, when: diagnosis, event: B-ALL diagnosed.}", "{month: 0, when: diagnosis, event: PLT 168,000/uL}",
     'cases/f.yml:23: timeline[0].event: a comma inside {...} splits the value of \'event\' in two (\'PLT 168\' and \'000/uL\'); '
     'put the value in quotes: event: "PLT 168,000/uL"'),
    ("colon-in-brackets", "shown_by: [biopsy]", "shown_by: [PET-CT, biopsy: skin]",
     "cases/f.yml:20: em_sites[0].shown_by: a colon and a space inside [...] make 'biopsy: skin' a key and value; "
     'put that item in quotes: "biopsy: skin"'),
    ("colon-inside-braces", "event: B-ALL diagnosed.}", "event: ratio: 1}",
     "cases/f.yml:23: (file): YAML syntax: inside {...}, YAML stopped at ': 1}': quote an item that contains a comma, "
     'a colon and a space, [ ] or { }, e.g. {name: PLT, value: "168,000/μL"}'),
    ("unclosed-bracket", "  age: 40", "  age: [40",
     "cases/f.yml:8: (file): YAML syntax: the [...] list opened on this line is not closed: end it with ']' on this line, "
     "or quote an item that contains [, ] or ' #'"),
    ("unclosed-double-quote", "summary: One paragraph.", 'summary: "One paragraph.',
     'cases/f.yml:2: (file): YAML syntax: the quote " that opens this value is never closed; end the value with "'),
    ("apostrophe-in-single-quotes", "summary: One paragraph.", "summary: 'The patient's relapse'",
     "cases/f.yml:2: (file): YAML syntax: inside '...', an apostrophe ends the value; use double quotes around text with an "
     'apostrophe: summary: "The patient\'s relapse"'),
    ("text-after-closing-quote", "summary: One paragraph.", 'summary: "Late" relapse',
     'cases/f.yml:2: (file): YAML syntax: text after the closing quote: quote the whole value, or none of it: '
     'summary: "\\"Late\\" relapse"'),
    ("value-starts-with-at", "summary: One paragraph.", "summary: @home",
     "cases/f.yml:2: (file): YAML syntax: a value cannot start with '@'; put the whole value in quotes: summary: \"@home\""),
    ("list-item-indented-too-far", "lessons: [One lesson.]", "lessons:\n  - One lesson.\n   - Another.",
     "cases/f.yml:38: lessons[0]: this '- ' line is indented further than the list items above it, so it reads as more text "
     "of the item above; line its '- ' up with the other items"),
    ("list-item-among-keys", "  sex: female", "  sex: female\n  - asthma",
     "cases/f.yml:10: (file): YAML syntax: a list item ('- ') among the keys of the block that starts on line 8; "
     "a list goes under its own key, indented below it"),
]


@pytest.mark.parametrize("name, old, new, expected", SYNTAX, ids=[s[0] for s in SYNTAX])
def test_yaml_mistakes_in_plain_words_with_the_line(name, old, new, expected):
    assert old in MINIMAL
    with pytest.raises(LoadError) as info:
        load_text(MINIMAL.replace(old, new, 1), "cases/f.yml")
    assert [str(p) for p in info.value.problems] == [expected]


def test_a_yaml_mistake_reaches_validate_output_with_file_and_line(empty_project):
    name, old, new, expected = SYNTAX[0]
    write_case(empty_project, "f.yml", MINIMAL.replace(old, new, 1))
    assert expected in problems(empty_project)


def test_values_that_only_look_odd_still_load():
    doc = load_text("a: {b: , c: d}\nt: one - two\n  three - four\nl: [x, {e: f}]\nr: ratio 1:2\n", "x.yml")
    assert doc.data == {"a": {"b": None, "c": "d"}, "t": "one - two three - four", "l": ["x", {"e": "f"}], "r": "ratio 1:2"}
