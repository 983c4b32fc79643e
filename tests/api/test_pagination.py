"""`?page=&per_page=` bounds and the envelope every list answers with."""

from __future__ import annotations

import pytest

from coopsaas.auth import services as auth
from tests.api.conftest import bearer

TOKENS = "/api/v1/t/kop-a/tokens/"


@pytest.fixture
def seven_tokens(world, db_session):
    for i in range(6):  # plus the world's "laptop"
        auth.create_token(user=world.manager_a, tenant=world.a, name=f"t{i}")
    db_session.commit()
    return world


def test_pages_split_the_list_and_count_it(api, seven_tokens):
    page1 = api.get(f"{TOKENS}?per_page=3", headers=bearer(seven_tokens.token_a)).get_json()
    page3 = api.get(f"{TOKENS}?per_page=3&page=3", headers=bearer(seven_tokens.token_a)).get_json()
    assert {k: page1[k] for k in ("page", "per_page", "total", "pages")} == {
        "page": 1, "per_page": 3, "total": 7, "pages": 3}
    assert len(page1["items"]) == 3
    assert len(page3["items"]) == 1
    all_names = [t["name"] for t in api.get(TOKENS, headers=bearer(seven_tokens.token_a)).get_json()["items"]]
    assert len(set(all_names)) == 7


def test_default_page_size_is_20(api, world):
    body = api.get(TOKENS, headers=bearer(world.token_a)).get_json()
    assert (body["page"], body["per_page"], body["total"], body["pages"]) == (1, 20, 1, 1)


def test_page_past_the_end_is_empty_not_an_error(api, world):
    body = api.get(f"{TOKENS}?page=9", headers=bearer(world.token_a)).get_json()
    assert (body["items"], body["page"], body["total"]) == ([], 9, 1)


def test_per_page_100_is_allowed(api, world):
    assert api.get(f"{TOKENS}?per_page=100", headers=bearer(world.token_a)).status_code == 200


@pytest.mark.parametrize(("query", "field"), [
    ("per_page=101", "per_page"), ("per_page=0", "per_page"), ("per_page=-5", "per_page"),
    ("page=0", "page"), ("page=abc", "page"), ("page=1.5", "page"), ("page=99999999999999999999", "page"),
])
def test_bad_page_values_are_422(api, world, query, field):
    resp = api.get(f"{TOKENS}?{query}", headers=bearer(world.token_a))
    assert resp.status_code == 422
    body = resp.get_json()
    assert body["error"] == "validation_error"
    assert list(body["fields"]) == [field]


def test_unknown_query_parameters_are_ignored(api, world):
    assert api.get(f"{TOKENS}?_=1700000000", headers=bearer(world.token_a)).status_code == 200
