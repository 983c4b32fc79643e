"""ISOLATION SWEEP: every route under /t/<slug>/ (pages and API, every method) answers 404 to another
tenant's user.

The routes come from app.url_map, so pages other features add later are swept without touching
this file. Id arguments are filled with ids of tenant B's rows where B has one (matched by name:
`member_id` -> table `member`), else a random UUID.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from sqlalchemy import select
from werkzeug.routing import IntegerConverter, UUIDConverter

from coopsaas.auth.services import create_token
from coopsaas.core.db import TenantScoped, tenant_scope
from coopsaas.extensions import db
from tests.helpers import csrf_token, login

TENANT_PREFIX = re.compile(r"/t/<(?:[a-z]+:)?slug>")


def tenant_rules(app: Any) -> list[Any]:
    return [r for r in app.url_map.iter_rules() if TENANT_PREFIX.search(r.rule)]


def _is_id_arg(name: str, converter: Any) -> bool:
    return isinstance(converter, UUIDConverter) or name == "id" or name.endswith("_id")


def _tenant_model_ids(tenant_id: uuid.UUID) -> dict[str, uuid.UUID]:
    """One id per tenant-owned table that has a row in the tenant, keyed `<table>_id`."""
    found: dict[str, uuid.UUID] = {}
    with tenant_scope(db.session, tenant_id):
        for mapper in db.Model.registry.mappers:
            cls = mapper.class_
            if issubclass(cls, TenantScoped) and hasattr(cls, "__tablename__"):
                row_id = db.session.scalars(select(cls.id).limit(1)).first()
                if row_id is not None:
                    found[f"{cls.__tablename__}_id"] = row_id
    return found


def fill_args(rule: Any, slug: str, known_ids: dict[str, Any]) -> dict[str, Any] | None:
    values: dict[str, Any] = {}
    for name, converter in rule._converters.items():
        if name == "slug":
            values[name] = slug
        elif _is_id_arg(name, converter):
            value = known_ids.get(name, uuid.uuid4())
            values[name] = value if isinstance(converter, UUIDConverter) else str(value)
        elif isinstance(converter, IntegerConverter):
            values[name] = 1
        else:
            values[name] = "x"
    return values


@pytest.fixture
def sweep(app, world, db_session):
    token_b, _raw = create_token(user=world.manager_b, tenant=world.b, name="Token B")
    db_session.commit()
    known = {"user_id": world.manager_b.id, "token_id": token_b.id, **_tenant_model_ids(world.b.id)}
    client = app.test_client()
    assert login(client, "budi").status_code == 302
    return client, known


def _requests(app: Any, slug: str, known: dict[str, Any], *, only_with_ids: bool):
    for rule in tenant_rules(app):
        has_id = any(_is_id_arg(n, c) for n, c in rule._converters.items())
        if only_with_ids and not has_id:
            continue
        _domain, path = rule.build(fill_args(rule, slug, known), append_unknown=False)
        for method in sorted(set(rule.methods) - {"HEAD", "OPTIONS"}):
            yield rule, method, path


def _send(client: Any, method: str, path: str, token: str) -> Any:
    if method == "GET":
        return client.get(path)
    # A valid CSRF token, so the answer comes from the tenant check and not from the CSRF guard.
    return client.open(path, method=method, data={"csrf_token": token}, headers={"X-CSRFToken": token})


def test_sweep_covers_the_known_tenant_pages(app):
    endpoints = {r.endpoint for r in tenant_rules(app)}
    assert {"web_tenant.home", "web_tenant.me", "auth_tenant.users", "auth_tenant.new_user",
            "auth_tenant.user_detail", "auth_tenant.tokens", "auth_tenant.revoke_token"} <= endpoints


def test_every_tenant_route_is_404_for_a_user_of_another_tenant(app, world, sweep):
    client, known = sweep
    token = csrf_token(client)
    leaks = []
    swept = 0
    for rule, method, path in _requests(app, world.b.slug, known, only_with_ids=False):
        resp = _send(client, method, path, token)
        body = resp.get_data(as_text=True)
        swept += 1
        if resp.status_code != 404 or world.b.name in body:
            leaks.append(f"{method} {path} ({rule.endpoint}) -> {resp.status_code}")
    assert swept >= 9
    assert leaks == []


def test_other_tenants_ids_are_not_found_inside_own_tenant(app, world, sweep):
    """Tenant A's own slug with B's ids: the scoped lookup finds nothing, so B's id answers exactly
    like a random one (a GET is 404; a POST with an empty body may be refused earlier, but the same way)."""
    client, known = sweep
    token = csrf_token(client)
    leaks = []
    for rule, method, path in _requests(app, world.a.slug, known, only_with_ids=True):
        resp = _send(client, method, path, token)
        _domain, random_path = rule.build(fill_args(rule, world.a.slug, {}), append_unknown=False)
        baseline = _send(client, method, random_path, token).status_code
        expected = {404} if method == "GET" else {404, baseline} - set(range(200, 400))
        if resp.status_code not in expected or world.b.name in resp.get_data(as_text=True):
            leaks.append(f"{method} {path} ({rule.endpoint}) -> {resp.status_code}, random id -> {baseline}")
    assert leaks == []


def test_anonymous_requests_to_tenant_pages_never_show_tenant_data(app, world):
    client = app.test_client()
    for _rule, method, path in _requests(app, world.a.slug, {}, only_with_ids=False):
        if method != "GET":
            continue
        resp = client.get(path)
        assert resp.status_code in (302, 401, 404), (path, resp.status_code)
        assert world.a.name not in resp.get_data(as_text=True)
