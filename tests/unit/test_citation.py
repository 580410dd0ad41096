"""CITATION.cff is valid Citation File Format 1.2.0 and names this version of sim111.

The schema in tests/data/cff-1.2.0.schema.json is the Citation File Format's own
(https://citation-file-format.github.io/1.2.0/schema.json, CC-BY-4.0), kept here so
the test needs no network.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import jsonschema
import yaml
from click.testing import CliRunner

import sim111
from sim111.cli import cli
from sim111.version import __version__

ROOT = Path(__file__).resolve().parents[2]
CFF_SCHEMA = Path(__file__).resolve().parents[1] / "data" / "cff-1.2.0.schema.json"


def _citation() -> dict:
    return yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))


def test_citation_is_valid_cff_1_2_0() -> None:
    data = _citation()
    schema = json.loads(CFF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.validate(data, schema, cls=jsonschema.Draft7Validator)
    assert data["cff-version"] == "1.2.0"
    for key in ("cff-version", "message", "title", "authors"):
        assert data[key], key


def test_schema_refuses_a_citation_without_authors() -> None:
    """The check can fail: the same file without authors is refused."""
    data = _citation()
    del data["authors"]
    schema = json.loads(CFF_SCHEMA.read_text(encoding="utf-8"))
    errors = list(jsonschema.Draft7Validator(schema).iter_errors(data))
    assert any("authors" in e.message for e in errors)


def test_citation_version_licence_and_date_match_the_package() -> None:
    data = _citation()
    assert data["version"] == __version__ == sim111.__version__
    assert data["license"] == "MIT"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", data["date-released"])
    assert data["authors"] == [{"name": "The sim111 developers"}]
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## [{__version__}] - {data['date-released']}" in changelog


def test_version_is_single_sourced() -> None:
    """pyproject reads the version from sim111/version.py; it never states its own."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"]
    assert "version" in project["project"]["dynamic"]
    dynamic = project["tool"]["setuptools"]["dynamic"]["version"]
    assert dynamic == {"attr": "sim111.version.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+", __version__)


def test_readme_and_docs_cite_this_version() -> None:
    for page in ("README.md", "docs/index.md"):
        text = (ROOT / page).read_text(encoding="utf-8")
        assert f"version {__version__}. MIT licence." in text, page
        assert "CITATION.cff" in text, page


def test_cli_version_is_the_package_version() -> None:
    out = CliRunner().invoke(cli, ["--version"])
    assert out.exit_code == 0
    assert __version__ in out.output


def test_licence_is_mit_for_the_sim111_developers() -> None:
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License")
    assert "Copyright (c) 2026 The sim111 developers" in text
