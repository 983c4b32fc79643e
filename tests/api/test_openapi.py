"""The OpenAPI document: valid JSON, every API route in it, errors and auth documented."""

from __future__ import annotations

import json
import re

import pytest

HTTP_METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}
UNDOCUMENTED = {"/api/v1/openapi.json"}


@pytest.fixture
def spec(api):
    resp = api.get("/api/v1/openapi.json")
    assert resp.status_code == 200
    assert resp.mimetype == "application/json"
    return resp.get_json()


def api_rules(app):
    return [r for r in app.url_map.iter_rules() if r.rule.startswith("/api/") and r.rule not in UNDOCUMENTED]


def openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def test_document_is_openapi_3_with_both_auth_schemes(spec):
    assert spec["openapi"].startswith("3.")
    assert spec["info"]["title"] == "CoopSaaS API"
    assert spec["components"]["securitySchemes"] == {
        "bearerAuth": {"type": "http", "scheme": "bearer"},
        "cookieAuth": {"type": "apiKey", "in": "cookie", "name": "session"},
    }
    assert spec["security"] == [{"bearerAuth": []}, {"cookieAuth": []}]


def test_every_api_route_and_method_is_documented(app, spec):
    rules = api_rules(app)
    assert len(rules) >= 7
    for rule in rules:
        path = openapi_path(rule.rule)
        assert path in spec["paths"], f"{rule.rule} is not in the OpenAPI document"
        for method in rule.methods & HTTP_METHODS:
            assert method.lower() in spec["paths"][path], f"{method} {rule.rule} is not documented"


def test_every_operation_documents_the_common_errors(spec):
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method == "parameters":
                continue
            for status in ("401", "403", "404", "422"):
                assert status in {str(k) for k in op["responses"]}, f"{method.upper()} {path} lacks {status}"
            if method in ("post", "delete"):
                assert "400" in {str(k) for k in op["responses"]}


def test_error_responses_use_the_problem_schema(spec):
    for name in ("BAD_REQUEST", "UNAUTHORIZED", "FORBIDDEN", "NOT_FOUND", "UNPROCESSABLE_ENTITY"):
        schema = spec["components"]["responses"][name]["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/Problem"}
    problem = spec["components"]["schemas"]["Problem"]
    assert set(problem["properties"]) == {"error", "message", "fields"}


def test_idempotency_key_is_documented_on_creating_posts(spec):
    for path in ("/api/v1/t/{slug}/tokens/", "/api/v1/t/{slug}/users/"):
        params = {p["name"]: p for p in spec["paths"][path]["post"].get("parameters", [])}
        assert params["Idempotency-Key"]["in"] == "header"
        assert params["Idempotency-Key"]["schema"]["maxLength"] == 128


def test_pagination_parameters_are_documented_with_bounds(spec):
    params = {p["name"]: p for p in spec["paths"]["/api/v1/t/{slug}/users/"]["get"]["parameters"]}
    assert params["per_page"]["schema"]["maximum"] == 100
    assert params["page"]["schema"]["minimum"] == 1
    page = spec["components"]["schemas"]["UserPage"]
    assert set(page["properties"]) == {"items", "page", "per_page", "total", "pages"}


def test_every_reference_resolves(spec):
    refs = set(re.findall(r'"\$ref": "#/([^"]+)"', json.dumps(spec)))
    assert refs
    for ref in refs:
        node = spec
        for part in ref.split("/"):
            assert part in node, f"dangling $ref #/{ref}"
            node = node[part]
