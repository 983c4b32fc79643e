"""What the HTTP benchmarks share: a benchmark database with the cooperatives of `tenants/`,
gunicorn serving the app as in production, and a pool of HTTP clients timing every request.

gunicorn runs `wsgi:app` with the Procfile's settings (2 sync workers) and the production
environment: `COOPSAAS_ENV=production`, the app connecting as `coopsaas_app` (row-level security
on), the agency bind as `coopsaas_agency`, Redis for rate limits and jobs. It is started on a free
port of 127.0.0.1 and stopped (SIGTERM to its own process id) when the block ends.
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from ledger_bench import make_app, prepare_database, url_for  # noqa: E402

from coopsaas.core import pgsql  # noqa: E402

REDIS_URL = os.environ.get("COOPSAAS_BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")


def database_name() -> str:
    return os.environ["COOPSAAS_BENCH_PG_DATABASE"]


def fresh_app() -> Any:
    """Drop and create the benchmark database (roles by `db-roles init`), migrate it as the owner
    and return an app connected as the application role."""
    prepare_database()
    return make_app(url_for(pgsql.APP), {"agency": url_for(pgsql.AGENCY)}, url_for(pgsql.OWNER))


def drop_database() -> None:
    from ledger_bench import ADMIN_URL
    from sqlalchemy import create_engine, text

    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{database_name()}" WITH (FORCE)'))
    admin.dispose()


def sync_tenants(app: Any) -> None:
    """The cooperatives of tenants/ with their charts and savings products, as `flask sync` does."""
    from coopsaas.extensions import db
    from coopsaas.tenancy.sync import sync

    with app.app_context():
        sync(db.session, ROOT / "tenants")
        db.session.commit()


def make_tokens(app: Any, slug: str, role: str, n: int) -> list[str]:
    """`n` users of the tenant with `role`, one API token each (the raw values)."""
    from sqlalchemy import select

    from coopsaas.auth.services import create_token, create_user, grant_role
    from coopsaas.extensions import db
    from coopsaas.tenancy.models import Tenant

    raws = []
    with app.app_context():
        tenant = db.session.scalars(select(Tenant).where(Tenant.slug == slug)).one()
        for i in range(n):
            user = create_user(
                username=f"{role}-{slug}-{i}", full_name=f"{role.title()} {i}", password="rahasia-bench-1"
            )
            grant_role(user=user, tenant=tenant, role=role)
            _token, raw = create_token(user=user, tenant=tenant, name=f"Bench {i}")
            raws.append(raw)
        db.session.commit()
    return raws


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(workers: int = 2, threads: int = 1) -> Iterator[int]:
    """gunicorn serving wsgi:app on a free port; yields the port once /healthz answers 200.
    One thread: the Procfile's sync workers (a connection closed after each answer); more:
    `gthread` workers with that many threads each, which keep connections alive."""
    port = free_port()
    env = {
        **os.environ,
        "COOPSAAS_ENV": "production",
        "COOPSAAS_SECRET_KEY": secrets.token_hex(32),
        "COOPSAAS_DATABASE_URL": url_for(pgsql.APP),
        "COOPSAAS_AGENCY_DATABASE_URL": url_for(pgsql.AGENCY),
        "COOPSAAS_REDIS_URL": REDIS_URL,
        "COOPSAAS_LOG_LEVEL": "WARNING",
    }
    exe = Path(sys.executable).parent / "gunicorn"
    cmd = [
        str(exe) if exe.exists() else "gunicorn",
        "--workers", str(workers),
        "--worker-class", "sync" if threads == 1 else "gthread",
        "--threads", str(threads),
        "--bind", f"127.0.0.1:{port}",
        "--log-level", "warning",
        "--timeout", "120",
        "wsgi:app",
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"gunicorn exited with code {proc.returncode}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/healthz")
                resp = conn.getresponse()
                body = resp.read()
                conn.close()
                if resp.status == 200:
                    break
                if time.monotonic() > deadline:
                    raise SystemExit(f"gunicorn /healthz answers {resp.status}: {body[:300]!r}")
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit("gunicorn did not answer within 90 s") from None
            time.sleep(0.3)
        yield port
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


# ---- load ----------------------------------------------------------------------------------------


Request = tuple[str, str, dict[str, Any] | None, dict[str, str]]


@dataclass
class LoadResult:
    clients: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    bodies: list[Any] = field(default_factory=list)

    @property
    def ok(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        return self.ok / self.seconds

    def percentile(self, p: int) -> float:
        if len(self.latencies) < 2:
            return self.latencies[0] if self.latencies else float("nan")
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[p - 1]


def bearer(raw: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw}", "Idempotency-Key": uuid.uuid4().hex}


def run_load(
    port: int,
    clients: int,
    per_client: int,
    make_request: Callable[[int, int], Request],
    expect: int,
    *,
    keep_bodies: bool = False,
) -> LoadResult:
    """`clients` threads, each with one keep-alive connection (reopened when the server closes it),
    sending `per_client` requests back to back. The clock runs from the common start to the last
    answer; each request's latency is measured around send and read."""
    start = threading.Barrier(clients + 1)
    lock = threading.Lock()
    result = LoadResult(clients=clients, seconds=0.0)

    def client(c: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        mine: list[float] = []
        errors: list[str] = []
        bodies: list[Any] = []
        start.wait()
        for i in range(per_client):
            method, path, body, headers = make_request(c, i)
            data = json.dumps(body).encode() if body is not None else None
            hdrs = {"Content-Type": "application/json", "Connection": "keep-alive", **headers}
            t0 = time.perf_counter()
            try:
                conn.request(method, path, body=data, headers=hdrs)
                resp = conn.getresponse()
                payload = resp.read()
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                errors.append(f"{type(exc).__name__}: {exc}")
                continue
            elapsed = time.perf_counter() - t0
            if resp.status == expect:
                mine.append(elapsed)
                if keep_bodies:
                    bodies.append(json.loads(payload))
            else:
                errors.append(f"{resp.status}: {payload[:300]!r}")
        conn.close()
        with lock:
            result.latencies.extend(mine)
            result.errors.extend(errors)
            result.bodies.extend(bodies)

    threads = [threading.Thread(target=client, args=(c,), daemon=True) for c in range(clients)]
    for t in threads:
        t.start()
    start.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    result.seconds = time.perf_counter() - t0
    return result


def load_average() -> str:
    """What else ran on the machine: the 1-minute load average against its cores."""
    return f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms" if seconds >= 0.1 else f"{seconds * 1000:,.1f} ms"


def print_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join(" --- " for _ in header) + "|")
    for r in rows:
        print("| " + " | ".join(r) + " |")
