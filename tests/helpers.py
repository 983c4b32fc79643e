"""Builders for tests: tenants, users and roles with the fewest words."""

from __future__ import annotations

import re
from typing import Any

from coopsaas.auth import services as auth
from coopsaas.extensions import db
from coopsaas.tenancy.models import Agency, AgencyLink, Tenant

PASSWORD = "rahasia123"


def make_tenant(slug: str = "kop-a", *, name: str | None = None, legal_form: str = "ksp") -> Tenant:
    t = Tenant(slug=slug, name=name or f"Koperasi {slug}", legal_form=legal_form, chart_template=legal_form,
               settings={})
    db.session.add(t)
    db.session.flush()
    return t


def make_user(username: str, *, tenant: Tenant | None = None, role: str | None = None,
              password: str = PASSWORD) -> Any:
    user = auth.create_user(username=username, full_name=username.title(), password=password)
    if tenant is not None and role is not None:
        auth.grant_role(user=user, tenant=tenant, role=role)
    db.session.flush()
    return user


def make_agency(slug: str = "dinas-kota", *, tenants: list[Tenant] = ()) -> Agency:  # type: ignore[assignment]
    a = Agency(slug=slug, name=f"Dinas {slug}", settings={})
    db.session.add(a)
    db.session.flush()
    for t in tenants:
        db.session.add(AgencyLink(agency_id=a.id, tenant_id=t.id))
    db.session.flush()
    return a


def csrf_token(client: Any, path: str = "/login") -> str:
    html = client.get(path).get_data(as_text=True)
    m = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html)
    assert m, f"no csrf token on {path}"
    return m.group(1)


def login(client: Any, username: str, password: str = PASSWORD) -> Any:
    token = csrf_token(client)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token})


def race(app: Any, tenant_id: Any, threads: int, work: Any, refusal: Any) -> tuple[list[Any], list[Any]]:
    """Run `work(tenant, n)` in `threads` threads released together, each in its own application
    context and `tenant_scope` transaction that commits, as web workers do (PostgreSQL tests).

    Returns (what each successful `work` returned, what `refusal(exc)` made of each refusal);
    `refusal` is a (exception type, function) pair. Any other exception fails the test."""
    import threading

    from coopsaas.core.db import tenant_scope

    kind, describe = refusal
    start = threading.Barrier(threads)
    done: list[Any] = []
    refused: list[Any] = []
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            with app.app_context():
                start.wait()
                try:
                    with tenant_scope(db.session, tenant_id):
                        done.append(work(db.session.get(Tenant, tenant_id), n))
                except kind as exc:
                    refused.append(describe(exc))
                finally:
                    db.session.remove()
        except BaseException as exc:
            errors.append(exc)

    pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    assert errors == []
    return done, refused
