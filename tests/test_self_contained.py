"""The repository holds everything its two commands need: a public clone has no working
folder beside it (the Logius ruleset, the domain description were once read from there)."""

import hashlib
import json
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def tracked_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    return [ROOT / name for name in listed if (ROOT / name).is_file()]


def test_no_file_reaches_outside_the_repository() -> None:
    outside = re.compile(r"\.\./shared|shared/(SPEC|STYLE)\.md|shared/adr")
    here = Path(__file__).resolve()
    found = [
        str(path.relative_to(ROOT))
        for path in tracked_files()
        if path != here and outside.search(path.read_text(errors="ignore"))
    ]
    assert found == []


def test_the_kept_ruleset_is_the_one_its_source_note_records() -> None:
    ruleset = ROOT / "tools/adr/ruleset.yaml"
    note = (ROOT / "tools/adr/SOURCE.md").read_text()
    recorded = re.search(r"SHA-256 \| `([0-9a-f]{64})`", note)
    assert recorded is not None
    assert hashlib.sha256(ruleset.read_bytes()).hexdigest() == recorded.group(1)
    assert "CC-BY-4.0" in note
    assert (
        "ruleset=${ADR_RULESET:-tools/adr/ruleset.yaml}" in (ROOT / "scripts/test.sh").read_text()
    )


def test_the_design_system_stylesheet_is_the_pinned_package_version_unchanged() -> None:
    """The workbench serves a copy of @utrecht/component-library-css (the service installs
    from PyPI alone): the copy, its note and the version npm pins must agree."""
    copy = ROOT / "app/static/workbench/nlds/utrecht-html.css"
    note = (ROOT / "tools/nlds/SOURCE.md").read_text()
    recorded = re.search(r"SHA-256 \| `([0-9a-f]{64})`", note)
    version = re.search(r"version `([0-9.]+)` \(npm", note)
    assert recorded is not None and version is not None
    assert hashlib.sha256(copy.read_bytes()).hexdigest() == recorded.group(1)
    lock = json.loads((ROOT / "package-lock.json").read_text())
    pinned = lock["packages"]["node_modules/@utrecht/component-library-css"]["version"]
    assert pinned == version.group(1)
    assert copy.read_text().lstrip().startswith("/**\n * @license EUPL-1.2")
    base = (ROOT / "app/templates/workbench/base.html").read_text()
    assert 'class="utrecht-html werkbank-theme"' in base and "nlds/utrecht-html.css" in base


def test_the_licence_the_package_declares_is_the_one_in_the_repository() -> None:
    declared = re.search(r'^license = "([^"]+)"', (ROOT / "pyproject.toml").read_text(), re.M)
    assert declared is not None and declared.group(1) == "EUPL-1.2"
    assert (ROOT / "LICENSE").read_text().startswith("# EUROPEAN UNION PUBLIC LICENCE v. 1.2")
    for name in ("CHANGELOG.md", "SECURITY.md"):
        assert name in (ROOT / "README.md").read_text(), name
