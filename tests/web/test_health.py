"""/healthz: database and Redis reachability, no login, no tenant data."""

from __future__ import annotations


def test_healthz_reports_database_ok_without_redis(client):
    resp = client.get("/healthz")
    assert resp.status_code == 200
    assert resp.get_json() == {"database": "ok", "redis": "not configured"}


def test_healthz_reports_unreachable_redis_as_503(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")
    resp = client.get("/healthz")
    assert resp.status_code == 503
    assert resp.get_json() == {"database": "ok", "redis": "error"}


def test_healthz_with_real_redis(app, client, monkeypatch, redis_url):
    monkeypatch.setitem(app.config, "REDIS_URL", redis_url)
    resp = client.get("/healthz")
    assert resp.status_code == 200
    assert resp.get_json() == {"database": "ok", "redis": "ok"}


def test_healthz_reports_a_database_failure_as_503(client, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from coopsaas.extensions import db

    def refuse(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", refuse)
    resp = client.get("/healthz")
    assert resp.status_code == 503
    assert resp.get_json() == {"database": "error", "redis": "not configured"}
