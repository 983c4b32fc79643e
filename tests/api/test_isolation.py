"""Isolation sweep over every route under /api/v1/t/<slug>/, future ones included.

A caller of cooperative A who names cooperative B (its slug, or B's ids under A's slug) gets 404,
sees nothing of B, and changes nothing of B, whatever the method.
"""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from coopsaas.api.blueprint import TENANT_PREFIX
from coopsaas.core.audit import AuditEvent
from coopsaas.core.db import tenant_scope
from coopsaas.tenancy.models import Membership
from tests.api.conftest import bearer, log_in

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
# A valid body per endpoint, so a 404 is not hidden behind a 422 on the body.
SAMPLE_BODIES = {
    "api_tokens.Tokens": {"name": "penyusup"},
    "api_users.Users": {"username": "penyusup", "full_name": "Penyusup", "password": "rahasia123",
                        "role": "manager"},
    "api_users.UserRoles": {"role": "manager"},
}


def tenant_rules(app):
    rules = [r for r in app.url_map.iter_rules() if r.rule.startswith(TENANT_PREFIX)]
    assert len(rules) >= 6
    return rules


def b_args(rule, world):
    ids = {"token_id": world.token_b_row.id, "user_id": world.manager_b.id, "role": "manager"}
    return {arg: str(ids.get(arg, uuid.uuid4())) for arg in rule.arguments if arg != "slug"}


def b_secrets(world):
    return ["kop-b", "Barokah", "manajer.b", "kantor-b", str(world.token_b_row.id), str(world.manager_b.id),
            world.token_b]


def snapshot_b(db_session, world):
    db_session.expire_all()
    with tenant_scope(db_session, world.b.id):
        events = db_session.scalar(select(func.count()).select_from(AuditEvent))
    roles = db_session.scalars(select(Membership.role).where(Membership.tenant_id == world.b.id,
                                                             Membership.is_active.is_(True))).all()
    return events, sorted(roles), world.token_b_row.revoked_at


def sweep(api, app, world, *, slug, headers, with_b_ids_only=False):
    results = []
    for rule in tenant_rules(app):
        args = b_args(rule, world)
        if with_b_ids_only and not args:
            continue
        for method in sorted(rule.methods & set(METHODS)):
            url = rule.rule.replace("<slug>", slug)
            for arg, value in args.items():
                url = url.replace(f"<{arg}>", value).replace(f"<uuid:{arg}>", value)
            body = SAMPLE_BODIES.get(rule.endpoint, {}) if method in ("POST", "PUT", "PATCH") else None
            resp = api.open(url, method=method, headers=headers, json=body)
            results.append((method, rule, resp))
    return results


def assert_nothing_of_b(resp, world, what):
    text = resp.get_data(as_text=True)
    for secret in b_secrets(world):
        assert secret not in text, f"{what} leaks {secret!r}"


def test_token_of_a_on_b_slug_is_404_everywhere(api, app, world, db_session):
    before = snapshot_b(db_session, world)
    for method, rule, resp in sweep(api, app, world, slug="kop-b", headers=bearer(world.token_a)):
        what = f"{method} {rule.rule}"
        assert resp.status_code == 404, f"{what} answered {resp.status_code}"
        assert resp.get_json()["error"] == "not_found", what
        assert_nothing_of_b(resp, world, what)
    assert snapshot_b(db_session, world) == before


def test_session_of_a_on_b_slug_is_404_everywhere(api, app, world, db_session):
    csrf = log_in(api, world.manager_a)
    before = snapshot_b(db_session, world)
    for method, rule, resp in sweep(api, app, world, slug="kop-b", headers={"X-CSRFToken": csrf}):
        what = f"{method} {rule.rule}"
        assert resp.status_code == 404, f"{what} answered {resp.status_code}"
        assert_nothing_of_b(resp, world, what)
    assert snapshot_b(db_session, world) == before


def test_b_ids_under_a_slug_are_404(api, app, world, db_session):
    before = snapshot_b(db_session, world)
    results = sweep(api, app, world, slug="kop-a", headers=bearer(world.token_a), with_b_ids_only=True)
    assert results
    for method, rule, resp in results:
        what = f"{method} {rule.rule}"
        allowed = {404} if rule.endpoint in SAMPLE_BODIES or method in ("GET", "DELETE") else {404, 422}
        assert resp.status_code in allowed, f"{what} answered {resp.status_code}: add a SAMPLE_BODIES entry?"
        assert_nothing_of_b(resp, world, what)
    assert snapshot_b(db_session, world) == before


@pytest.mark.postgres
def test_rls_hides_b_rows_even_from_an_unfiltered_query(api, world, db_session):
    """Wall 3: a raw SQL count in A's scope sees only A's audit rows."""
    from sqlalchemy import text

    api.post("/api/v1/t/kop-b/tokens/", headers=bearer(world.token_b), json={"name": "rahasia-b"})
    with tenant_scope(db_session, world.a.id):
        leaked = db_session.execute(text("SELECT count(*) FROM audit_event WHERE tenant_id = :b"),
                                    {"b": world.b.id}).scalar()
    assert leaked == 0
