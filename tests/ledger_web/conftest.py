"""Two cooperatives with a small chart each and staff of every ledger role, for pages and API."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from coopsaas.auth import services as auth
from coopsaas.core.clock import frozen
from coopsaas.core.db import tenant_scope
from coopsaas.extensions import db, limiter
from tests.api.conftest import FreshContextClient
from tests.helpers import login, make_tenant, make_user
from tests.ledger.conftest import make_chart


@pytest.fixture(autouse=True)
def _fresh_rate_limits(app: Any) -> None:
    with app.app_context():
        limiter.reset()


@dataclass
class Books:
    a: Any
    b: Any
    accounts: dict[str, Any]  # code -> id, tenant A
    accounts_b: dict[str, Any]
    manager: Any
    bookkeeper: Any
    auditor: Any
    teller: Any
    token: str  # bookkeeper's Bearer token for A


@pytest.fixture
def books(db_session: Any) -> Books:
    a = make_tenant("kop-a", name="KSP Sejahtera Bersama")
    b = make_tenant("kop-b", name="KSP Makmur Jaya")
    users = {
        role: make_user(f"{role}-a", tenant=a, role=role)
        for role in ("manager", "bookkeeper", "auditor", "teller")
    }
    make_user("manager-b", tenant=b, role="manager")
    for user in users.values():
        user.locale = "en"  # messages asserted as their English msgids
    _, token = auth.create_token(user=users["bookkeeper"], tenant=a, name="laptop")
    db_session.commit()
    with tenant_scope(db.session, a.id):
        accounts = {code: acc.id for code, acc in make_chart().items()}
    with tenant_scope(db.session, b.id):
        accounts_b = {code: acc.id for code, acc in make_chart().items()}
    return Books(
        a,
        b,
        accounts,
        accounts_b,
        users["manager"],
        users["bookkeeper"],
        users["auditor"],
        users["teller"],
        token,
    )


def logged_in(app: Any, username: str) -> Any:
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert m, "no csrf token on the page"
    return m.group(1)


@pytest.fixture
def api(app: Any, db_session: Any) -> FreshContextClient:
    return FreshContextClient(app, app.response_class, use_cookies=True)


TODAY = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)  # 10 March 2026, morning in Jakarta


@pytest.fixture(autouse=True)
def _march_2026() -> Any:
    with frozen(TODAY):
        yield


def post_via_api(
    api: Any,
    books: Books,
    lines: list[tuple[str, str, str]],
    *,
    day: str = "2026-03-02",
    memo: str = "Setoran",
    key: str | None = None,
) -> Any:
    body = {
        "entry_on": day,
        "memo": memo,
        "lines": [{"account_code": c, "debit": d, "credit": k} for c, d, k in lines],
    }
    headers = {"Authorization": f"Bearer {books.token}"}
    if key:
        headers["Idempotency-Key"] = key
    return api.post("/api/v1/t/kop-a/ledger/entries/", json=body, headers=headers)
