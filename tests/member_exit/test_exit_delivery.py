"""Exit pages and API: a teller requests, another manager approves, the statement PDF; the
requester cannot approve, bad input is a 4xx that changes nothing, other tenants see nothing."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from coopsaas.auth import services as auth
from coopsaas.core.clock import frozen
from coopsaas.core.db import clear_tenant, set_tenant
from coopsaas.extensions import db
from coopsaas.members.models import Member
from coopsaas.members.models_exit import MemberExit
from coopsaas.savings import services as savings
from tests.helpers import csrf_token, login, make_user
from tests.member_exit.conftest import exit_coop
from tests.savings_services.builders import NIK_BUDI, NOW

JOINED = date(2026, 11, 12)


@pytest.fixture
def shop(app, db_session):
    """Siti (sukarela Rp 1.000.000) and Budi, a second manager, tokens; committed, nothing in scope."""
    with frozen(NOW):
        coop = exit_coop("ksp-pamit")
        siti = coop.register(joined_on=JOINED)
        savings.deposit(
            tenant=coop.tenant,
            actor=coop.teller,
            account=coop.account(siti, "sukarela"),
            amount="1000000",
            on=JOINED,
        )
        budi = coop.register(nik=NIK_BUDI, name="Budi Santoso", joined_on=JOINED)
        second = make_user("wakil-ksp-pamit", tenant=coop.tenant, role="manager")
        tokens = {
            "teller": auth.create_token(user=coop.teller, tenant=coop.tenant, name="loket")[1],
            "manager": auth.create_token(user=coop.manager, tenant=coop.tenant, name="kantor")[1],
            "second": auth.create_token(user=second, tenant=coop.tenant, name="wakil")[1],
        }
        db_session.commit()
        ids = {"siti": siti.member.id, "budi": budi.member.id}
        clear_tenant(db_session)
        yield coop, ids, tokens


def client_for(app, username):
    client = app.test_client()
    assert login(client, username).status_code == 302
    client.get("/lang/en")
    return client


def in_scope(coop, fn):
    set_tenant(db.session, coop.tenant.id)
    try:
        return fn()
    finally:
        db.session.rollback()
        clear_tenant(db.session)


def member_status(coop, member_id):
    return in_scope(
        coop, lambda: db.session.scalars(select(Member.status).where(Member.id == member_id)).one()
    )


def test_teller_requests_manager_approves_and_prints_the_statement(app, shop):
    coop, ids, _tokens = shop
    teller = client_for(app, "kasir-ksp-pamit")
    manager = client_for(app, "ketua-ksp-pamit")
    new_url = f"/t/ksp-pamit/members/{ids['siti']}/exit"
    with frozen(NOW):
        assert new_url in teller.get(f"/t/ksp-pamit/members/{ids['siti']}").get_data(as_text=True)
        page = teller.get(new_url).get_data(as_text=True)
        assert "Rp 1.250.000,00" in page and "Total savings" in page
        resp = teller.post(
            new_url,
            data={"csrf_token": csrf_token(teller, new_url), "reason": "Pindah kota", "payout": "cash"},
        )
        assert resp.status_code == 302
        detail_url = resp.headers["Location"]
        page = teller.get(detail_url).get_data(as_text=True)
        assert "KA-000001" in page and "Waiting for approval" in page
        assert "Approve and settle" not in page  # the requester cannot decide
        assert "Approve and settle" in manager.get(detail_url).get_data(as_text=True)
        token = csrf_token(manager, detail_url)
        done = manager.post(detail_url + "/approve", data={"csrf_token": token, "note": "OK"})
        assert done.status_code == 302
        page = manager.get(detail_url).get_data(as_text=True)
        pdf = manager.get(detail_url + "/bukti.pdf")
    assert "Exit KA-000001 approved" in page and "Approved" in page
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    assert "Dikembalikan kepada anggota: Rp 1.250.000" in text and "Siti Aminah" in text
    assert "Kasir-Ksp-Pamit" in text and "Ketua-Ksp-Pamit" in text
    assert member_status(coop, ids["siti"]) == "exited"
    assert "Member exits" in manager.get("/t/ksp-pamit/members/exits").get_data(as_text=True)


def test_bad_form_input_and_the_requester_approving_change_nothing(app, shop):
    coop, ids, _tokens = shop
    manager = client_for(app, "ketua-ksp-pamit")
    new_url = f"/t/ksp-pamit/members/{ids['siti']}/exit"
    with frozen(NOW):
        token = csrf_token(manager, new_url)
        bad = manager.post(new_url, data={"csrf_token": token, "reason": "", "payout": "cash"})
        assert bad.status_code == 422 and "This field is required." in bad.get_data(as_text=True)
        future = manager.post(
            new_url, data={"csrf_token": token, "reason": "x", "payout": "cash", "exit_on": "2026-12-01"}
        )
        assert future.status_code == 422 and "The exit date cannot be in the future." in future.get_data(
            as_text=True
        )
        ok = manager.post(new_url, data={"csrf_token": token, "reason": "x", "payout": "cash"})
        detail_url = ok.headers["Location"]
        own = manager.post(detail_url + "/approve", data={"csrf_token": token, "note": ""})
        assert own.status_code == 403
        assert "another user than the one who requested" in own.get_data(as_text=True)
        pdf = manager.get(detail_url + "/bukti.pdf")
        assert pdf.status_code == 409
    assert member_status(coop, ids["siti"]) == "active"


def test_member_role_and_other_tenants_get_nothing(app, shop):
    coop, ids, _tokens = shop
    with frozen(NOW):
        make_user("anggota-pamit", tenant=coop.tenant, role="member")
        exit_coop("ksp-lain")
        db.session.commit()
        clear_tenant(db.session)
    member = client_for(app, "anggota-pamit")
    assert member.get(f"/t/ksp-pamit/members/{ids['siti']}/exit").status_code == 403
    outsider = client_for(app, "kasir-ksp-lain")
    assert outsider.get(f"/t/ksp-pamit/members/{ids['siti']}/exit").status_code == 404
    assert outsider.get(f"/t/ksp-lain/members/{ids['siti']}/exit").status_code == 404


def test_api_preview_request_approve_with_maker_checker(app, shop):
    coop, ids, tokens = shop
    client = app.test_client()
    base = "/api/v1/t/ksp-pamit/members"

    def auth_(who):
        return {"Authorization": f"Bearer {tokens[who]}"}

    with frozen(NOW):
        preview = client.get(f"{base}/{ids['siti']}/exit-settlement", headers=auth_("teller")).get_json()
        assert (preview["savings_total"], preview["refund"], preview["blockers"]) == (
            "1250000.00",
            "1250000.00",
            [],
        )
        assert [(ln["kind"], ln["amount"]) for ln in preview["lines"]] == [
            ("pokok", "250000.00"),
            ("wajib", "0.00"),
            ("sukarela", "1000000.00"),
        ]
        bad = client.post(
            f"{base}/{ids['siti']}/exits", headers=auth_("teller"), json={"reason": "x", "payout": "cek"}
        )
        assert bad.status_code == 422
        created = client.post(
            f"{base}/{ids['siti']}/exits",
            headers={**auth_("manager"), "Idempotency-Key": "keluar-1"},
            json={"reason": "Pindah", "payout": "payable"},
        )
        assert created.status_code == 201
        body = created.get_json()
        assert (body["exit_no"], body["status"], body["refund"]) == ("KA-000001", "requested", "1250000.00")
        replay = client.post(
            f"{base}/{ids['siti']}/exits",
            headers={**auth_("manager"), "Idempotency-Key": "keluar-1"},
            json={"reason": "Pindah", "payout": "payable"},
        )
        assert replay.status_code == 201 and replay.get_json()["id"] == body["id"]
        item = f"{base}/exits/{body['id']}"
        assert client.post(item + "/approve", headers=auth_("teller"), json={}).status_code == 403
        own = client.post(item + "/approve", headers=auth_("manager"), json={})
        assert own.status_code == 403 and own.get_json()["error"] == "same_user"
        approved = client.post(item + "/approve", headers=auth_("second"), json={"note": "Setuju"})
        assert approved.status_code == 200
        assert (approved.get_json()["status"], approved.get_json()["journal_entry_id"] is not None) == (
            "approved",
            True,
        )
        again = client.post(f"{base}/{ids['siti']}/exits", headers=auth_("manager"), json={"reason": "lagi"})
        assert again.status_code == 409
        listed = client.get(f"{base}/exits?status=approved", headers=auth_("teller")).get_json()
        assert [e["exit_no"] for e in listed["items"]] == ["KA-000001"]
        rejected = client.post(
            f"{base}/{ids['budi']}/exits", headers=auth_("teller"), json={"reason": "Pensiun"}
        ).get_json()
        no_reason = client.post(f"{base}/exits/{rejected['id']}/reject", headers=auth_("manager"), json={})
        assert no_reason.status_code == 422
        done = client.post(
            f"{base}/exits/{rejected['id']}/reject", headers=auth_("manager"), json={"reason": "Tunggakan"}
        )
        assert done.status_code == 200 and done.get_json()["status"] == "rejected"
    assert member_status(coop, ids["siti"]) == "exited"
    assert member_status(coop, ids["budi"]) == "active"
    statuses = in_scope(coop, lambda: sorted(db.session.scalars(select(MemberExit.status))))
    assert statuses == ["approved", "rejected"]


def test_api_other_tenant_ids_are_not_found(app, shop):
    _coop, ids, _tokens = shop
    with frozen(NOW):
        other = exit_coop("ksp-jauh")
        token = auth.create_token(user=other.manager, tenant=other.tenant, name="x")[1]
        db.session.commit()
        clear_tenant(db.session)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    assert (
        client.get(f"/api/v1/t/ksp-jauh/members/{ids['siti']}/exit-settlement", headers=headers).status_code
        == 404
    )
    assert (
        client.post(
            f"/api/v1/t/ksp-jauh/members/{ids['siti']}/exits", headers=headers, json={"reason": "x"}
        ).status_code
        == 404
    )
    assert client.get("/api/v1/t/ksp-pamit/members/exits", headers=headers).status_code == 404
