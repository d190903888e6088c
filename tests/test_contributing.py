"""The contributor's path: scripts/new_case.py, CONTRIBUTING.md, the pull-request checks.

The scaffold is checked against the Case model itself (every field of every nested model,
in order, each commented), so the template in new_case.py cannot drift from the model.
"""

from __future__ import annotations

import enum
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import typing
from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel

from conftest import ROOT, SAMPLE_CASE
from macros.catalog import CatalogError, load_catalog
from macros.kinds import KINDS
from macros.load import LoadError, load_file
from macros.model import Case
from test_repo import readme_commands

NEW_CASE = ROOT / "scripts" / "new_case.py"
SCHEMA_LINE = "# yaml-language-server: $schema=../schema/case.schema.json"
CITATION = ["--slug", "smith-2021-case-1-orbit", "--case-label", "Case 1", "--kind", "journal article",
            "--licence", "CC BY 4.0", "--authors", "Smith AB; Jones C", "--title", "An orbital relapse",
            "--journal", "BMC Cancer", "--year", "2021", "--doi", "10.1186/s12885-018-5026-x",
            "--pmid", "30442119", "--pmcid", "PMC6238377"]
EMPTY_MESSAGES = ("is empty; a value is required", "required field is missing", "needs at least 1 item(s)")


def new_case(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(NEW_CASE), "--root", str(root), *args],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)


@pytest.fixture
def scaffold(empty_project) -> Path:
    result = new_case(empty_project, *CITATION)
    assert result.returncode == 0, result.stderr
    assert "python scripts/validate.py cases/smith-2021-case-1-orbit.yml" in result.stdout
    assert "mkdocs serve" in result.stdout
    return empty_project / "cases" / "smith-2021-case-1-orbit.yml"


# ------------------------------------------------------------ the model, walked


def _inner_model(annotation):
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        if found := _inner_model(arg):
            return found
    return None


def _required(info) -> bool:
    return info.is_required() or any(getattr(m, "min_length", 0) for m in info.metadata)


def _choices(annotation) -> list[str]:
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return [m.value for m in annotation]
    return list(typing.get_args(annotation)) if typing.get_origin(annotation) is typing.Literal else []


def walk(model: type[BaseModel], data: dict, loc: tuple = (), strict: bool = True):
    """(loc, field info, value) for every field of ``model`` and of every model nested in it.

    Fails if a mapping in ``data`` does not hold exactly the model's fields in the model's
    order, or if a list of models has no example item to show the nested fields.
    """
    keys = [info.alias or name for name, info in model.model_fields.items()]
    assert isinstance(data, dict) and list(data) == keys, f"{loc or 'top level'}: fields {list(data or [])} != model {keys}"
    for key, info in zip(keys, model.model_fields.values()):
        value = data[key]
        yield loc + (key,), info, value
        sub = _inner_model(info.annotation)
        if sub is None or (not strict and value is None and not _required(info)):
            continue  # (not strict: an optional part left commented out in the scaffold)
        items = value if isinstance(value, list) else [value]
        assert items, f"{loc + (key,)}: needs an example item so the fields of {sub.__name__} are shown"
        for i, item in enumerate(items):
            yield from walk(sub, item, loc + (key,) + ((i,) if isinstance(value, list) else ()), strict)


def all_models(model: type[BaseModel], seen=None) -> set[type[BaseModel]]:
    seen = set() if seen is None else seen
    seen.add(model)
    for info in model.model_fields.values():
        sub = _inner_model(info.annotation)
        if sub and sub not in seen:
            all_models(sub, seen)
    return seen


# ------------------------------------------------------------------ scaffold


def uncommented(path: Path) -> Path:
    """The scaffold with its commented-out optional parts (``# category:``) switched on."""
    out = path.with_name("uncommented.yml")
    out.write_text(re.sub(r"(?m)^(\s*)# (?=[a-z_]+:)", r"\1", path.read_text(encoding="utf-8")), encoding="utf-8")
    return out


def test_scaffold_has_the_schema_line_then_every_field_of_the_model_in_order(scaffold):
    text = scaffold.read_text(encoding="utf-8")
    assert text.splitlines()[0] == SCHEMA_LINE
    doc = load_file(uncommented(scaffold))
    shown = {Case} | {_inner_model(info.annotation) for _, info, _ in walk(Case, doc.data)} - {None}
    assert shown == all_models(Case)  # every nested model appears, each with all its fields (walk checks)


def test_every_field_is_commented_required_or_optional_with_its_allowed_values(scaffold):
    full = uncommented(scaffold)
    doc = load_file(full)
    lines = full.read_text(encoding="utf-8").splitlines()
    for loc, info, _ in walk(Case, doc.data):
        line = lines[doc.lines[loc] - 1]
        assert " # " in line, f"line {doc.lines[loc]} ({loc}) has no comment"
        comment = line.split(" # ", 1)[1]
        word = "required" if _required(info) else "optional"
        assert comment.startswith(word), f"line {doc.lines[loc]} ({loc}): comment should say {word}: {comment!r}"
        for choice in _choices(info.annotation):
            assert choice in comment, f"line {doc.lines[loc]} ({loc}): comment does not list {choice!r}"


def test_scaffold_records_the_citation(scaffold):
    source = load_file(scaffold).data["source"]
    assert source["authors"] == ["Smith AB", "Jones C"]
    assert (source["doi"], source["pmid"], source["pmcid"], source["year"]) == \
        ("10.1186/s12885-018-5026-x", "30442119", "PMC6238377", "2021")
    assert (source["case_label"], source["kind"], source["licence"]) == ("Case 1", "journal article", "CC BY 4.0")


def test_unfilled_scaffold_fails_with_one_message_per_blank_line(scaffold, empty_project):
    with pytest.raises(CatalogError) as info:
        load_catalog(empty_project)
    errors = [p for p in info.value.problems if not p.warning]
    lines = scaffold.read_text(encoding="utf-8").splitlines()
    by_loc = {p.loc: p for p in errors}
    for p in errors:
        assert p.path == "cases/smith-2021-case-1-orbit.yml"
        assert p.message in EMPTY_MESSAGES, str(p)
        value = re.sub(r"\s+#.*$", "", lines[p.line - 1]).split(":", 1)[-1].strip()
        assert value in ("", "-", "[]"), f"{p}: the line it points at is not blank: {lines[p.line - 1]!r}"
    for loc in [("title",), ("summary",), ("patient", "age"), ("diagnosis", "philadelphia"),
                ("treatment", 0, "response", "category"), ("lessons",), ("discussion",)]:
        assert loc in by_loc, f"no message for {loc}"
    assert by_loc[("title",)].line == lines.index(next(l for l in lines if l.startswith("title:"))) + 1


def _donors() -> list:
    """Loaded real cases, the worked example first: they supply known-good values."""
    donors = []
    for path in [SAMPLE_CASE, *sorted(p for p in (ROOT / "cases").glob("*.yml") if p != SAMPLE_CASE)]:
        try:
            donors.append(load_file(path).data)
        except LoadError:
            pass
    return donors


def _lookup(data, loc):
    for part in loc:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def fill_blanks(path: Path) -> int:
    """Write a known-good value on every blank required line, as a contributor would; returns how many."""
    doc = load_file(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    donors = _donors()
    blanks = []
    for loc, info, value in walk(Case, doc.data, strict=False):
        if _required(info) and value in (None, []):
            blanks.append(loc)
        elif isinstance(value, list):
            blanks += [loc + (i,) for i, item in enumerate(value) if item is None]
    for loc in blanks:
        value = next((v for d in donors if (v := _lookup(d, loc)) not in (None, [])), None)
        if loc[-1] == "after_line":
            value = "1"  # counts the scaffold's own treatment lines (one), not the donor's
        assert value is not None, f"no real case has a value at {loc} to fill the scaffold with"
        number = doc.lines[loc] - 1
        text = json.dumps(value, ensure_ascii=False)
        key = loc[-1]
        if isinstance(key, int):  # a blank list item: "  -", perhaps with a comment
            new = re.sub(r"^(\s*-)(?=\s|$)", lambda m: f"{m.group(1)} {text}", lines[number])
        else:
            new = re.sub(rf"^(\s*(?:- )?{key}:)(?: \[\])?", lambda m: f"{m.group(1)} {text}", lines[number])
        assert new != lines[number], f"could not fill line {number + 1}: {lines[number]!r}"
        lines[number] = new
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(blanks)


def test_scaffold_validates_once_its_required_fields_are_filled(scaffold, empty_project):
    assert fill_blanks(scaffold) > 20
    catalog = load_catalog(empty_project)  # raises CatalogError listing what is still wrong
    case = catalog.cases["smith-2021-case-1-orbit"]
    assert case.source.doi == "10.1186/s12885-018-5026-x"
    least = lambda model, field: next(m.min_length for m in model.model_fields[field].metadata if hasattr(m, "min_length"))
    from macros.model import Objective, Question
    assert [len(q.options) for o in case.objectives for q in o.questions] == \
        [least(Question, "options")] * least(Case, "objectives") * least(Objective, "questions")
    assert scaffold.read_text(encoding="utf-8").splitlines()[0] == SCHEMA_LINE


def test_refuses_to_overwrite_an_existing_case(scaffold, empty_project):
    scaffold.write_text("title: work in progress\n", encoding="utf-8")
    result = new_case(empty_project, *CITATION)
    assert result.returncode == 1
    assert "already exists; not overwriting it" in result.stderr
    assert scaffold.read_text(encoding="utf-8") == "title: work in progress\n"


@pytest.mark.parametrize("flag, bad, message", [
    ("--slug", "Smith_2021", "is not a slug"),
    ("--slug", "smith--2021", "is not a slug"),
    ("--doi", "https://doi.org/10.1186/s12885-018-5026-x", "a DOI looks like"),
    ("--doi", "10.11/x", "a DOI looks like"),
    ("--pmid", "PMID30442119", "digits only"),
    ("--pmcid", "6238377", "PMC followed by digits"),
    ("--kind", "letter", "journal article"),
])
def test_rejects_bad_values_and_writes_nothing(empty_project, flag, bad, message):
    args = list(CITATION)
    args[args.index(flag) + 1] = bad
    result = new_case(empty_project, *args)
    assert result.returncode == 2
    assert f"{flag}: '{bad}'" in result.stderr and message in result.stderr
    assert "Traceback" not in result.stderr
    assert list((empty_project / "cases").iterdir()) == []


def test_missing_required_values_without_a_terminal_is_an_error(empty_project):
    result = new_case(empty_project, "--slug", "smith-2021-case-1-orbit", "--kind", "case series")
    assert result.returncode == 2
    assert "missing required value(s): --case-label, --licence" in result.stderr
    assert list((empty_project / "cases").iterdir()) == []


def test_asks_for_missing_values_in_a_terminal(empty_project, monkeypatch, capsys):
    spec = importlib.util.spec_from_file_location("new_case", NEW_CASE)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    # slug (a bad one first), title, authors, journal, year, doi, pmid, pmcid, case label, kind, licence
    answers = iter(["Bad Slug", "smith-2021-case-1-orbit", "", "Smith AB", "", "", "", "", "",
                    "", "Case 1", "letter", "case series", "CC BY 4.0"])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(answers))
    monkeypatch.setattr(sys, "stdin", type("Terminal", (), {"isatty": lambda self: True})())
    assert script.main(["--root", str(empty_project)]) == 0
    out = capsys.readouterr().out
    assert "'Bad Slug' is not a slug" in out and "this one is required" in out and "'letter' is not valid" in out
    source = load_file(empty_project / "cases" / "smith-2021-case-1-orbit.yml").data["source"]
    assert (source["authors"], source["doi"], source["case_label"], source["kind"], source["licence"]) == \
        (["Smith AB"], None, "Case 1", "case series", "CC BY 4.0")


def test_help():
    result = subprocess.run([sys.executable, str(NEW_CASE), "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    for flag in ("--slug", "--title", "--authors", "--journal", "--year", "--doi", "--pmid", "--pmcid",
                 "--case-label", "--kind", "--licence", "--root"):
        assert flag in result.stdout


# ------------------------------------------------------------ guide and CI


def _workflow(name: str) -> dict:
    data = yaml.safe_load((ROOT / ".github" / "workflows" / name).read_text(encoding="utf-8"))
    data["on"] = data.pop(True)  # YAML 1.1 reads the key `on` as true
    return data


def _runs(workflow: dict) -> list[str]:
    return [step.get("run", "") for job in workflow["jobs"].values() for step in job["steps"]]


def test_pr_workflow_runs_the_readme_commands_without_secrets():
    text = (ROOT / ".github" / "workflows" / "pr.yml").read_text(encoding="utf-8")
    workflow = _workflow("pr.yml")
    assert list(workflow["on"]) == ["pull_request"]
    assert "pull_request_target" not in text
    assert "secrets." not in text
    assert workflow["permissions"] == {"contents": "read"}
    runs = _runs(workflow)
    test_command = readme_commands()[1]
    assert test_command in runs
    assert any("scripts/validate.py" in run for run in runs)
    assert any("mkdocs build --strict" in run for run in runs)
    assert any("apt-get install -y chromium" in run for run in runs)


def test_pages_workflow_builds_with_the_pages_url_and_deploys():
    workflow = _workflow("pages.yml")
    assert workflow["on"]["push"]["branches"] == ["main"]
    assert "secrets." not in (ROOT / ".github" / "workflows" / "pages.yml").read_text(encoding="utf-8")
    assert workflow["permissions"] == {"contents": "read"}
    assert workflow["concurrency"]["group"]
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    uses = [step.get("uses", "").split("@")[0] for job in (build, deploy) for step in job["steps"]]
    for action in ("actions/configure-pages", "actions/upload-pages-artifact", "actions/deploy-pages"):
        assert action in uses
    strict = next(step for step in build["steps"] if "mkdocs build --strict" in step.get("run", ""))
    assert strict["env"]["SITE_URL"] == "${{ steps.pages.outputs.base_url }}/"


def test_contributing_guide_covers_every_case_field_and_the_commands():
    guide = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    assert readme_commands()[0].split(" && .venv/bin/mkdocs")[0] in guide  # the README's set-up
    for command in ("scripts/new_case.py", "scripts/validate.py cases/", "mkdocs serve"):
        assert command in guide
    for name, info in Case.model_fields.items():
        assert f"`{info.alias or name}`" in guide, f"CONTRIBUTING.md does not explain `{name}`"
    for stem, model in ((k.folder, k.model) for k in KINDS):  # the table of reference entries lists every field
        row = next(line for line in guide.splitlines() if line.startswith(f"| `reference/{stem}.yml`"))
        for name, info in model.model_fields.items():
            assert f"`{info.alias or name}`" in row, f"CONTRIBUTING.md: reference/{stem}.yml row lacks `{name}`"
    template = (ROOT / ".github" / "pull_request_template.md").read_text(encoding="utf-8")
    assert template.count("- [ ]") >= 8 and "scripts/validate.py" in template


# ------------------------------------------------- case seven, as CI sees it

NEW_DRUG = """
zz-examplumab:
  name: Examplumab
  abbreviations: [EXM]
  class: synthetic test antibody
  mechanism: A made-up antibody that exists only in this test, to show that a new drug works end to end.
  sources: [test fixture]
  reviewed: 2026-11
"""
NEW_SITE = """
zz-example-gland:
  name: Example gland
  aliases: [example glandular]
  region: head-and-neck
  description: A made-up site that exists only in this test.
  map: [100, 40]
  sources: [test fixture]
  reviewed: 2026-11
"""


def seventh_case() -> str:
    """A valid case with a new drug and a new site, quiz ids of its own (any corpus: nothing clashes)."""
    from test_load import BASE
    from test_validate import ACK
    from conftest import quiz_yaml
    text = BASE.replace("drug: inotuzumab-ozogamicin", "drug: zz-examplumab").replace("site: skin", "site: zz-example-gland")
    return text + quiz_yaml("zz-seventh") + ACK


def run(*args, cwd=ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=300)


def test_a_seventh_case_with_a_new_drug_and_a_new_site_passes_validate_and_the_strict_build(tmp_path):
    from conftest import copy_project, run_build
    project = copy_project(tmp_path / "project")
    shutil.copytree(ROOT / "schema", project / "schema")
    before = len(list((project / "cases").glob("*.yml")))
    for name, entry in (("drugs", NEW_DRUG), ("sites", NEW_SITE)):
        path = project / "reference" / f"{name}.yml"
        path.write_text(path.read_text(encoding="utf-8") + entry, encoding="utf-8")
    case = project / "cases" / "zz-synthetic-seventh-case.yml"
    case.write_text(seventh_case(), encoding="utf-8")

    # Before the schemas are regenerated, validate.py says so (CI compares them too).
    stale = run(ROOT / "scripts" / "validate.py", "--root", project)
    assert stale.returncode == 1 and "run .venv/bin/python scripts/schema.py" in stale.stderr, stale.stderr
    assert run(ROOT / "scripts" / "schema.py", "--root", project).returncode == 0
    case_schema = json.loads((project / "schema" / "case.schema.json").read_text(encoding="utf-8"))
    assert "zz-examplumab" in json.dumps(case_schema) and "zz-example-gland" in json.dumps(case_schema)

    every = run(ROOT / "scripts" / "validate.py", "--root", project)
    assert every.returncode == 0, every.stderr
    assert f"{before + 1} case(s) and the reference data are valid" in every.stdout
    named = run(ROOT / "scripts" / "validate.py", "--root", project, case)
    assert named.returncode == 0, named.stderr
    assert "cases/zz-synthetic-seventh-case.yml: CARE" in named.stdout

    built = run_build(project, tmp_path / "site")
    assert built.returncode == 0, built.stderr[-3000:]
    site = tmp_path / "site"
    page = (site / "cases" / "zz-synthetic-seventh-case" / "index.html").read_text(encoding="utf-8")
    assert "Examplumab" in page and "Example gland" in page
    for folder, entry in (("drugs", "zz-examplumab"), ("sites", "zz-example-gland")):
        listing = (site / folder / entry / "index.html").read_text(encoding="utf-8")
        assert "zz-synthetic-seventh-case" in listing, f"/{folder}/{entry}/ does not list the new case"


def test_one_validate_run_reports_every_problem_in_a_file_at_once(empty_project):
    """Schema errors and the checks that need the rest of the case valid (two correct options,
    an unknown id) come out together, not in waves."""
    text = seventh_case().replace("zz-examplumab", "inotuzamab").replace("zz-example-gland", "skin")
    text = text.replace("  age: 40", "  age: old")
    one_option = "          - {text: Option 1, explanation: Why 1.}"
    assert one_option in text
    text = text.replace(one_option, "          - {text: Option 1, explanation: Why 1., correct: true}", 1)
    path = empty_project / "cases" / "f.yml"
    path.write_text(text, encoding="utf-8")
    result = run(ROOT / "scripts" / "validate.py", "--root", empty_project, path)
    assert result.returncode == 1
    lines = [l for l in result.stderr.splitlines() if l.startswith("cases/f.yml:")]
    assert any("patient.age: 'old' is not a whole number" in l for l in lines), result.stderr
    assert any("unknown drug 'inotuzamab' (did you mean 'inotuzumab-ozogamicin'?)" in l for l in lines), result.stderr
    assert any("objectives[0].questions[0]" in l and "exactly one correct option" in l for l in lines), result.stderr


# ------------------------------------------------ commands, as printed

COMMAND = re.compile(r"(?P<prefix>[\w./\\-]*?)(?P<command>\bpython3? (?:-m \w+ )?scripts/\w+\.py|\bmkdocs (?:serve|build))")


def printed_commands(text: str) -> list[tuple[str, str]]:
    return [(m.group("prefix"), m.group(0)) for m in COMMAND.finditer(text)]


def test_every_printed_command_runs_as_printed_after_the_readme_setup(empty_project):
    """The README installs into .venv without activating it: `python` lacks the packages and
    `mkdocs` is not on the PATH, so every command shown to a contributor starts with .venv/bin/."""
    result = new_case(empty_project, *CITATION)
    texts = {
        "new_case.py output": result.stdout,
        "scaffold": (empty_project / "cases" / "smith-2021-case-1-orbit.yml").read_text(encoding="utf-8"),
        "PR template": (ROOT / ".github" / "pull_request_template.md").read_text(encoding="utf-8"),
        "CONTRIBUTING.md": (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8"),
    }
    for script in ("validate.py", "new_case.py", "schema.py", "ci_report.py"):
        texts[f"scripts/{script}"] = (ROOT / "scripts" / script).read_text(encoding="utf-8")
    texts["validate.py --help"] = run(ROOT / "scripts" / "validate.py", "--help").stdout
    found = 0
    for where, text in texts.items():
        for prefix, command in printed_commands(text):
            found += 1
            assert prefix in (".venv/bin/",), f"{where}: {prefix + command!r} does not start with .venv/bin/"
    assert found >= 10
    assert all(printed_commands(texts[w]) for w in ("new_case.py output", "scaffold", "PR template", "CONTRIBUTING.md"))


def test_the_documented_commands_run(tmp_path):
    for args in (("scripts/validate.py", "--list", "drugs"), ("scripts/validate.py", "--help"),
                 ("scripts/schema.py", "--check"), ("scripts/new_case.py", "--help")):
        result = run(*args)
        assert result.returncode == 0, f"{args}: {result.stderr}"
    assert (ROOT / ".venv" / "bin" / "mkdocs").exists() or "CI" in os.environ


def test_validate_list_prints_every_id_with_its_name():
    catalog = load_catalog(ROOT)
    for kind in KINDS:
        result = run(ROOT / "scripts" / "validate.py", "--list", kind.folder)
        assert result.returncode == 0, result.stderr
        ids = [line.split()[0] for line in result.stdout.splitlines()]
        assert ids == list(getattr(catalog, kind.folder)), kind.folder
        first_id, first = next(iter(getattr(catalog, kind.folder).items()))
        assert (getattr(first, "name", None) or first.expansion) in result.stdout.splitlines()[0]


def test_same_rules_read_the_same_everywhere(scaffold):
    """2-4 learning objectives and the age rule: one wording in docs, scaffold, schema and model."""
    from macros.field_help import age_rule, objectives_rule
    from macros.model import OBJECTIVES
    assert objectives_rule() == f"{OBJECTIVES[0]}–{OBJECTIVES[1]} learning objectives" == "2–4 learning objectives"
    assert age_rule() == "age 0–89 (ages over 89 not shown)"
    schema = (ROOT / "schema" / "case.schema.json").read_text(encoding="utf-8")
    for text in (scaffold.read_text(encoding="utf-8"), (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8"), schema):
        assert objectives_rule() in text and age_rule() in text
    assert objectives_rule() in (ROOT / ".github" / "pull_request_template.md").read_text(encoding="utf-8")
