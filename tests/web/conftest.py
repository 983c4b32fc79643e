"""Two cooperatives with staff, so every page test can also try the other one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from coopsaas.auth import services as auth
from coopsaas.extensions import limiter
from tests.helpers import login, make_tenant, make_user


@pytest.fixture(autouse=True)
def _fresh_rate_limits(app: Any) -> None:
    # Limits live in the limiter's storage for the whole session; each test starts with none spent.
    with app.app_context():
        limiter.reset()


@dataclass
class World:
    a: Any
    b: Any
    manager: Any  # manager of A
    teller: Any  # teller of A
    member: Any  # member (anggota) of A only
    manager_b: Any  # manager of B


@pytest.fixture
def world(db_session: Any) -> World:
    a = make_tenant("kop-a", name="Koperasi Sejahtera Bersama")
    b = make_tenant("kop-b", name="Koperasi Makmur Jaya")
    w = World(
        a=a,
        b=b,
        manager=make_user("budi", tenant=a, role="manager"),
        teller=make_user("tini", tenant=a, role="teller"),
        member=make_user("ahmad", tenant=a, role="member"),
        manager_b=make_user("bayu", tenant=b, role="manager"),
    )
    db_session.commit()
    return w


@pytest.fixture
def manager_client(app: Any, world: World) -> Any:
    client = app.test_client()
    assert login(client, "budi").status_code == 302
    return client


def grant(user: Any, tenant: Any, role: str, db_session: Any) -> None:
    auth.grant_role(user=user, tenant=tenant, role=role)
    db_session.commit()
