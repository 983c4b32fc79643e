"""The request boundary: one commit after success, nothing at all after a failure; one error shape."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from werkzeug import exceptions as http

from coopsaas.auth.models import User
from coopsaas.errors import Conflict
from tests.api.conftest import bearer


def test_failure_after_a_flush_leaves_nothing_written(api, world, db_session, monkeypatch):
    from coopsaas.api import views

    def refuse(**kwargs):
        raise Conflict("refused on purpose")

    monkeypatch.setattr(views.auth, "grant_role", refuse)
    resp = api.post("/api/v1/t/kop-a/users/", headers=bearer(world.token_a), json={
        "username": "setengah", "full_name": "Setengah Jadi", "password": "rahasia123", "role": "teller"})
    assert resp.status_code == 409
    assert resp.get_json()["message"] == "refused on purpose"
    db_session.expire_all()
    assert db_session.scalars(select(User).where(User.username == "setengah")).all() == []


def test_successful_write_is_committed_for_the_next_request(api, world):
    created = api.post("/api/v1/t/kop-a/tokens/", headers=bearer(world.token_a), json={"name": "baru"})
    assert created.status_code == 201
    assert api.get("/api/v1/me", headers=bearer(created.get_json()["token"])).status_code == 200


@pytest.mark.parametrize(("exc", "status", "code"), [
    (http.BadRequest(), 400, "bad_request"),
    (http.Unauthorized(), 401, "unauthorized"),
    (http.Forbidden(), 403, "forbidden"),
    (http.NotFound(), 404, "not_found"),
    (http.MethodNotAllowed(valid_methods=["GET"]), 405, "method_not_allowed"),
    (http.Conflict(), 409, "conflict"),
    (http.UnprocessableEntity(), 422, "validation_error"),
    (http.TooManyRequests(retry_after=60), 429, "too_many_requests"),
    (http.InternalServerError(), 500, "server_error"),
])
def test_every_http_error_under_the_api_has_the_problem_shape(app, exc, status, code):
    with app.test_request_context("/api/v1/me"):
        resp = app.make_response(app.handle_user_exception(exc))
    assert resp.status_code == status
    body = resp.get_json()
    assert set(body) == {"error", "message", "fields"}
    assert (body["error"], body["fields"]) == (code, {})
    assert body["message"]
    if status == 405:
        assert resp.headers["Allow"] == "GET"
    if status == 429:
        assert resp.headers["Retry-After"] == "60"


def test_pages_keep_their_html_error_pages(api):
    """The API's error mapping must not take over the web pages' errors."""
    resp = api.get("/no-such-page")
    assert resp.status_code == 404
    assert resp.mimetype == "text/html"


def test_body_that_is_not_an_object_is_422(api, world):
    resp = api.post("/api/v1/t/kop-a/tokens/", headers=bearer(world.token_a), json=["laptop"])
    assert resp.status_code == 422
    assert resp.get_json()["fields"] == {"_schema": ["Invalid input type."]}


def test_nested_field_errors_are_flattened_to_dotted_names(app):
    exc = http.UnprocessableEntity()
    exc.data = {"messages": {"json": {"memo": ["Not a valid string."],
                                      "lines": {1: {"amount": ["Not a valid number."]}}}}}
    with app.test_request_context("/api/v1/t/kop-a/journal"):
        resp = app.make_response(app.handle_user_exception(exc))
    assert resp.get_json()["fields"] == {
        "memo": ["Not a valid string."], "lines.1.amount": ["Not a valid number."]}
