"""The caller (/me), the cooperative profile, the audit trail and the agency list."""

from __future__ import annotations

from coopsaas.auth import services as auth
from tests.api.conftest import bearer, log_in
from tests.helpers import make_agency, make_tenant, make_user


def test_me_with_a_session_lists_every_cooperative_and_agency(api, world, db_session):
    agency = make_agency("dinas-kota", tenants=[world.a])
    auth.grant_role(user=world.manager_a, tenant=world.b, role="auditor")
    auth.grant_agency_role(user=world.manager_a, agency_id=agency.id, role="agency_viewer")
    db_session.commit()
    log_in(api, world.manager_a)
    me = api.get("/api/v1/me").get_json()
    assert me["username"] == "manajer.a"
    assert [(t["slug"], t["roles"]) for t in me["tenants"]] == [
        ("kop-a", ["manager"]), ("kop-b", ["auditor"])]
    assert me["agencies"] == [{"slug": "dinas-kota", "name": "Dinas dinas-kota", "role": "agency_viewer"}]


def test_me_with_a_token_shows_only_its_cooperative(api, world):
    me = api.get("/api/v1/me", headers=bearer(world.token_a)).get_json()
    assert me["tenants"] == [
        {"slug": "kop-a", "name": "KSP Amanah", "legal_form": "ksp", "roles": ["manager"]}]
    assert me["agencies"] == []


def test_tenant_profile_shows_my_roles_and_permissions(api, world):
    body = api.get("/api/v1/t/kop-a/", headers=bearer(world.teller_token_a)).get_json()
    assert (body["slug"], body["name"], body["legal_form"], body["roles"]) == (
        "kop-a", "KSP Amanah", "ksp", ["teller"])
    assert "savings.transact" in body["permissions"] and "users.manage" not in body["permissions"]


def test_audit_lists_this_cooperatives_events_newest_first(api, world):
    api.post("/api/v1/t/kop-a/tokens/", headers=bearer(world.token_a), json={"name": "satu"})
    api.post("/api/v1/t/kop-a/users/", headers=bearer(world.token_a), json={
        "username": "budi", "full_name": "Budi", "password": "rahasia123", "role": "auditor"})
    api.post("/api/v1/t/kop-b/tokens/", headers=bearer(world.token_b), json={"name": "milik-b"})
    body = api.get("/api/v1/t/kop-a/audit/", headers=bearer(world.token_a)).get_json()
    assert [(e["action"], e["actor"]) for e in body["items"]] == [
        ("membership.grant", "manajer.a"), ("user.create", "manajer.a"), ("token.create", "manajer.a")]
    assert body["total"] == 3
    assert "milik-b" not in str(body)
    only = api.get("/api/v1/t/kop-a/audit/?action=token.create", headers=bearer(world.token_a)).get_json()
    assert [e["summary"] for e in only["items"]] == [{"name": "satu"}]


def test_audit_needs_audit_view(api, world):
    assert api.get("/api/v1/t/kop-a/audit/", headers=bearer(world.teller_token_a)).status_code == 403


def test_agency_staff_see_their_linked_cooperatives(api, world, db_session):
    make_tenant("kop-c", name="KSP Cahaya")
    agency = make_agency("dinas-kota", tenants=[world.b, world.a])
    staff = make_user("petugas.dinas")
    auth.grant_agency_role(user=staff, agency_id=agency.id, role="agency_viewer")
    db_session.commit()
    log_in(api, staff)
    body = api.get("/api/v1/agency/tenants").get_json()
    assert [(t["slug"], t["agency"]) for t in body["items"]] == [
        ("kop-a", "dinas-kota"), ("kop-b", "dinas-kota")]
    assert body["total"] == 2


def test_agency_list_is_403_for_cooperative_staff_and_tokens(api, world, db_session):
    agency = make_agency("dinas-kota", tenants=[world.a])
    auth.grant_agency_role(user=world.manager_a, agency_id=agency.id, role="agency_admin")
    db_session.commit()
    assert api.get("/api/v1/agency/tenants", headers=bearer(world.token_a)).status_code == 403
    log_in(api, world.teller_a)
    resp = api.get("/api/v1/agency/tenants")
    assert resp.status_code == 403
    assert resp.get_json()["error"] == "forbidden"


def test_agency_list_needs_login(api, world):
    assert api.get("/api/v1/agency/tenants").status_code == 401
