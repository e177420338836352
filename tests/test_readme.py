"""The README's `sh` examples work verbatim: each block runs in bash against a live server
(uvicorn on loopback over a fresh SQLite file) with a real token in $TOKEN."""

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import live_server

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTED = "http://127.0.0.1:8000"


def blocks() -> list[str]:
    text = (ROOT / "README.md").read_text()
    found = re.findall(r"```sh\n(.*?)```", text, flags=re.DOTALL)
    assert found, "the README has no sh examples"
    return found


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    with live_server(tmp_path_factory.mktemp("readme")) as server:
        yield server


def test_the_readme_examples_run_verbatim_in_order(live: tuple[str, str]) -> None:
    base, token = live
    for block in blocks():  # in order: a later block reads what an earlier one wrote
        script = block.replace(DOCUMENTED, base)
        # The README says `.venv/bin/python`; the suite runs in whatever venv it was given.
        script = script.replace(".venv/bin/python", sys.executable)
        result = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", script],
            env={**os.environ, "TOKEN": token},
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        output = f"{script}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
        assert result.returncode == 0, output
        assert result.stdout.strip(), output
