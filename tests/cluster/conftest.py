"""A local cluster as production runs it, without Docker: nginx (Debian) in front of three
uvicorn replicas of the service, on one PostgreSQL and one Redis, with the settings a real
deployment uses (ENVIRONMENT=production, a DISCLOSURE_KEY, Redis for rate limits and
figures, the proxy trusted for X-Forwarded-*), the migration run once as its own step, and
nginx configured by deploy/nginx/proxy.conf, the file deployments include."""

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import redis

from tests.conftest import _create_postgres_database, _drop_postgres_database

ROOT = Path(__file__).resolve().parents[2]
COMMAND = str(Path(sys.executable).with_name("wijkteam-kpi"))
REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")
RATE_LIMIT = 40  # requests per client per minute, spread over the replicas


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_up(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{url} did not come up in {seconds} s")


NGINX_CONF = """
user root;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/nginx-error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    upstream wijkteam_kpi {{
{servers}
    }}
    server {{
        listen 127.0.0.1:{port};
        # the tests' own: which replica answered (a deployment does not say)
        add_header X-Replica $upstream_addr always;
        include {root}/deploy/nginx/proxy.conf;
    }}
}}
"""


@dataclass
class Cluster:
    folder: Path
    database_url: str
    env: dict[str, str]
    ports: list[int]
    proxy: str = ""
    token: str = ""
    processes: dict[int, subprocess.Popen[bytes]] = field(default_factory=dict)

    def replica(self, number: int) -> str:
        return f"http://127.0.0.1:{self.ports[number]}"

    def start(self, number: int) -> None:
        command = [COMMAND, "serve", "--port", str(self.ports[number]), "--no-migrate"]
        log = (self.folder / f"replica-{number}.log").open("ab")
        self.processes[number] = subprocess.Popen(
            command, env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
        )
        wait_until_up(f"{self.replica(number)}/api/v1/health/ready")

    def stop(self, number: int, how: signal.Signals = signal.SIGTERM) -> None:
        process = self.processes.pop(number)
        process.send_signal(how)
        process.wait(timeout=60)

    def operator(self, *arguments: str) -> str:
        """A `wijkteam-kpi` command as the operator runs it against the cluster's database."""
        done = subprocess.run(
            [COMMAND, *arguments],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    def new_client(self, name: str, *scopes: str) -> tuple[str, str]:
        """A client made with the command line: its id and token."""
        flags = [part for scope in scopes for part in ("--scope", scope)]
        printed = self.operator(
            "clients", "create", "--name", name, *flags, "--municipality", "0193"
        )
        found = re.search(r"^(\S+)\t.*\ntoken \(shown once\): (\S+)", printed, re.M)
        assert found, printed
        return found.group(1), found.group(2)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    folder = tmp_path_factory.mktemp("cluster")
    database_url = _create_postgres_database()
    # Redis databases of this cluster's own (rate limits, figures): a cluster per xdist
    # worker, and two clusters on one database would read each other's cached figures.
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
    limits_db, figures_db = 2 + 2 * worker, 3 + 2 * worker
    for db in (limits_db, figures_db):
        redis.Redis.from_url(f"{REDIS}/{db}").flushdb()
    env = {
        **os.environ,
        "ENVIRONMENT": "production",
        "DATABASE_URL": database_url,
        "DISCLOSURE_KEY": secrets.token_urlsafe(32),
        "RATE_LIMIT_STORAGE": f"{REDIS}/{limits_db}",
        "FIGURE_CACHE": f"{REDIS}/{figures_db}",
        "RATE_LIMIT_PER_MINUTE": str(RATE_LIMIT),
        "FORWARDED_ALLOW_IPS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
    }
    made = Cluster(folder, database_url, env, [free_port() for _ in range(3)])
    try:
        made.operator("migrate")  # the release step, once, before any replica starts
        made.token = made.new_client("cluster", "events:write", "kpi:read", "audit:read", "admin")[
            1
        ]
        for number in range(3):
            made.start(number)
        proxy_port = free_port()
        servers = "\n".join(
            f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=2s;" for p in made.ports
        )
        conf = folder / "nginx.conf"
        conf.write_text(
            NGINX_CONF.format(folder=folder, servers=servers, port=proxy_port, root=ROOT)
        )
        nginx = subprocess.Popen(["nginx", "-c", str(conf), "-g", "daemon off;"])
        made.proxy = f"http://127.0.0.1:{proxy_port}"
        wait_until_up(f"{made.proxy}/api/v1/health/live")
        yield made
        nginx.terminate()
        nginx.wait(timeout=30)
    finally:
        for number in list(made.processes):
            made.stop(number)
        _drop_postgres_database(database_url)
