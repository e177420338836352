"""The README's `sh` examples work verbatim: each block runs in bash against a live server
(uvicorn on loopback over a fresh SQLite file) with a real token in $TOKEN."""

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.db import create_db_engine, create_session_factory, upgrade_database
from app.services.clients import SCOPES, create_client

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
    url = f"sqlite:///{tmp_path_factory.mktemp('readme') / 'readme.sqlite3'}"
    upgrade_database(url)
    engine = create_db_engine(url, pool_size=1)
    with create_session_factory(engine).begin() as session:
        token = create_client(session, "readme", SCOPES, None)[1]
    engine.dispose()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": url, "ENVIRONMENT": "test", "LOG_LEVEL": "WARNING"}
    command = [sys.executable, "-m", "uvicorn", "app.main:create_app", "--factory"]
    process = subprocess.Popen([*command, "--port", str(port)], env=env, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{base}/api/v1/health/ready").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.05)
        yield base, token
    finally:
        process.terminate()
        process.wait(timeout=30)


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
