"""API fixtures: two cooperatives with staff and tokens, and a client that behaves like a server.

Each request of `api` runs in its own application context, as in production: `g`, the logged-in
user and the database session start empty every time, so one request's tenant or login cannot
leak into the next one and hide a bug. All requests still share the test's rolled-back connection.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from flask import session
from flask.testing import FlaskClient
from flask_wtf.csrf import generate_csrf

from coopsaas.auth import services as auth
from tests.helpers import make_tenant, make_user


class FreshContextClient(FlaskClient):
    def open(self, *args: Any, **kwargs: Any) -> Any:
        with self.application.app_context():
            return super().open(*args, **kwargs)


@dataclass
class World:
    a: Any
    b: Any
    manager_a: Any
    teller_a: Any
    member_a: Any
    manager_b: Any
    token_a: str  # raw Bearer tokens
    teller_token_a: str
    member_token_a: str
    token_b: str
    token_b_row: Any


@pytest.fixture
def api(app: Any, db_session: Any) -> FreshContextClient:
    return FreshContextClient(app, app.response_class, use_cookies=True)


@pytest.fixture
def world(db_session: Any) -> World:
    a, b = make_tenant("kop-a", name="KSP Amanah"), make_tenant("kop-b", name="KSP Barokah")
    manager_a = make_user("manajer.a", tenant=a, role="manager")
    teller_a = make_user("kasir.a", tenant=a, role="teller")
    member_a = make_user("anggota.a", tenant=a, role="member")
    manager_b = make_user("manajer.b", tenant=b, role="manager")
    _, token_a = auth.create_token(user=manager_a, tenant=a, name="laptop")
    _, teller_token_a = auth.create_token(user=teller_a, tenant=a, name="kasir")
    _, member_token_a = auth.create_token(user=member_a, tenant=a, name="hp")
    token_b_row, token_b = auth.create_token(user=manager_b, tenant=b, name="kantor-b")
    db_session.commit()
    return World(a, b, manager_a, teller_a, member_a, manager_b, token_a, teller_token_a, member_token_a,
                 token_b, token_b_row)


def bearer(raw: str, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw}", **extra}


def log_in(client: FlaskClient, user: Any) -> str:
    """Give `client` a session cookie for `user`; returns the CSRF token for the X-CSRFToken header."""
    app = client.application
    with app.test_request_context():
        token = generate_csrf()
        raw = session["csrf_token"]
    with client.session_transaction() as sess:
        sess["_user_id"] = user.get_id()
        sess["_fresh"] = True
        sess["csrf_token"] = raw
    return token


def speak_english(db_session: Any, *users: Any) -> None:
    """Messages in English (the msgids), so a test reads the same whatever the catalogue says."""
    for user in users:
        user.locale = "en"
    db_session.commit()
