"""Authentication and the one error body: {"error", "message", "fields"} for every failure."""

from __future__ import annotations

from tests.api.conftest import bearer, log_in, speak_english


def assert_problem(resp, status, error):
    assert resp.status_code == status, resp.get_data(as_text=True)
    assert resp.mimetype == "application/json"
    body = resp.get_json()
    assert set(body) == {"error", "message", "fields"}
    assert body["error"] == error
    assert body["message"]
    return body


def test_missing_auth_is_401_json(api, world):
    assert_problem(api.get("/api/v1/me"), 401, "unauthorized")
    assert_problem(api.get("/api/v1/t/kop-a/tokens/"), 401, "unauthorized")


def test_unknown_token_is_401(api, world):
    assert_problem(api.get("/api/v1/me", headers=bearer("cs_not-a-real-token")), 401, "unauthorized")


def test_revoked_token_is_401(api, world):
    resp = api.get("/api/v1/t/kop-a/tokens/", headers=bearer(world.token_a))
    own = next(t for t in resp.get_json()["items"] if t["name"] == "laptop")
    assert api.delete(f"/api/v1/t/kop-a/tokens/{own['id']}", headers=bearer(world.token_a)).status_code == 204
    assert_problem(api.get("/api/v1/t/kop-a/", headers=bearer(world.token_a)), 401, "unauthorized")


def test_token_works_only_in_its_own_cooperative(api, world):
    assert api.get("/api/v1/t/kop-a/", headers=bearer(world.token_a)).status_code == 200
    body = assert_problem(api.get("/api/v1/t/kop-b/", headers=bearer(world.token_a)), 404, "not_found")
    assert "kop-b" not in str(body) and "Barokah" not in str(body)


def test_token_of_a_user_with_roles_in_both_still_sees_only_its_tenant(api, world, db_session):
    from coopsaas.auth import services as auth

    auth.grant_role(user=world.manager_a, tenant=world.b, role="auditor")
    db_session.commit()
    assert api.get("/api/v1/t/kop-b/", headers=bearer(world.token_a)).status_code == 404
    me = api.get("/api/v1/me", headers=bearer(world.token_a)).get_json()
    assert [t["slug"] for t in me["tenants"]] == ["kop-a"]


def test_unknown_slug_is_404(api, world):
    assert_problem(api.get("/api/v1/t/tidak-ada/", headers=bearer(world.token_a)), 404, "not_found")


def test_unknown_api_path_is_404_json(api, world):
    assert_problem(api.get("/api/v1/nothing-here", headers=bearer(world.token_a)), 404, "not_found")


def test_wrong_method_is_405_with_allow_header(api, world):
    resp = api.put("/api/v1/t/kop-a/tokens/", headers=bearer(world.token_a), json={})
    assert_problem(resp, 405, "method_not_allowed")
    assert set(resp.headers["Allow"].split(", ")) >= {"GET", "POST"}


def test_role_without_permission_is_403_json(api, world):
    body = assert_problem(api.get("/api/v1/t/kop-a/users/", headers=bearer(world.teller_token_a)),
                          403, "forbidden")
    assert body["fields"] == {}
    assert_problem(api.post("/api/v1/t/kop-a/tokens/", headers=bearer(world.member_token_a),
                            json={"name": "x"}), 403, "forbidden")


def test_malformed_json_is_400(api, world):
    resp = api.post("/api/v1/t/kop-a/tokens/", headers=bearer(world.token_a), data='{"name": "laptop"',
                    content_type="application/json")
    body = assert_problem(resp, 400, "bad_request")
    assert body["fields"] == {"json": ["Invalid JSON body."]}


def test_wrong_types_and_extra_fields_are_422_per_field(api, world, db_session):
    resp = api.post("/api/v1/t/kop-a/users/", headers=bearer(world.token_a), json={
        "username": 123, "full_name": "Siti", "password": "rahasia123", "role": "boss", "salary": "1",
    })
    body = assert_problem(resp, 422, "validation_error")
    assert body["fields"] == {
        "username": ["Not a valid string."],
        "role": ["Must be one of: manager, teller, shopkeeper, bookkeeper, auditor, member."],
        "salary": ["Unknown field."],
    }
    from sqlalchemy import select

    from coopsaas.auth.models import User

    assert db_session.scalars(select(User.username).where(User.full_name == "Siti")).all() == []


def test_missing_required_field_is_422(api, world):
    body = assert_problem(api.post("/api/v1/t/kop-a/tokens/", headers=bearer(world.token_a), json={}),
                          422, "validation_error")
    assert body["fields"] == {"name": ["Missing data for required field."]}


def test_domain_error_from_a_service_keeps_the_shape(api, world, db_session):
    speak_english(db_session, world.manager_a)
    resp = api.post("/api/v1/t/kop-a/users/", headers=bearer(world.token_a), json={
        "username": "kasir.a", "full_name": "Lagi", "password": "rahasia123", "role": "teller"})
    body = assert_problem(resp, 409, "conflict")
    assert body["fields"] == {"username": ["Already taken."]}


def test_cookie_session_post_without_csrf_token_is_400(api, world, db_session):
    log_in(api, world.manager_a)
    assert api.get("/api/v1/t/kop-a/tokens/").status_code == 200
    assert_problem(api.post("/api/v1/t/kop-a/tokens/", json={"name": "browser"}), 400, "bad_request")
    # A Bearer header next to the cookie does not lift the check: the cookie alone could be forged.
    assert_problem(api.post("/api/v1/t/kop-a/tokens/", json={"name": "browser"},
                            headers=bearer(world.token_a)), 400, "bad_request")


def test_cookie_session_post_with_csrf_header_works(api, world):
    csrf = log_in(api, world.manager_a)
    resp = api.post("/api/v1/t/kop-a/tokens/", json={"name": "browser"}, headers={"X-CSRFToken": csrf})
    assert resp.status_code == 201
    assert resp.get_json()["name"] == "browser"


def test_bearer_calls_set_no_cookie(api, world):
    """A client that keeps cookies would otherwise send one back and need a CSRF token on POST."""
    for resp in (api.get("/api/v1/t/kop-a/", headers=bearer(world.token_a)),
                 api.post("/api/v1/t/kop-a/tokens/", headers=bearer(world.token_a), json={"name": "x"})):
        assert resp.headers.getlist("Set-Cookie") == []
