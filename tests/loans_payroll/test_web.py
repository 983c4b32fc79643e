"""The payroll deduction page, API and CLI: the manager downloads the list, the employer's confirmed
file is uploaded and posted once; a bad file is refused with its rows and posts nothing."""

from __future__ import annotations

import io

import pytest
from flask_babel import force_locale
from openpyxl import load_workbook
from sqlalchemy import func, select

from coopsaas.auth import services as auth
from coopsaas.core.clock import frozen
from coopsaas.core.db import clear_tenant, set_tenant
from coopsaas.extensions import db
from coopsaas.loans.models import LoanTransaction
from coopsaas.loans.payroll_models import PayrollBatch
from tests.api.conftest import FreshContextClient, bearer
from tests.helpers import login
from tests.loans_payroll.conftest import EMPLOYER, PAYDAY, charge_shop_credit
from tests.loans_repay.builders import NOW, TODAY, at, make_loan, start_repay_coop

SLUG = "ksp-gaji-web"
MONTH = "2026-12"


@pytest.fixture
def office(app, db_session):
    with frozen(NOW):
        coop = start_repay_coop(SLUG)
        from coopsaas.ledger.models import Account

        coop.accounts["1301"] = Account(
            code="1301",
            name="Piutang usaha",
            type="asset",
            normal_side="D",
            is_contra=False,
            tags=["piutang_usaha"],
            weights={},
        )
        db.session.add(coop.accounts["1301"])
        db.session.flush()
        budi = coop.register("3201010101010002", "Budi Santoso", employer=EMPLOYER).member
        make_loan(coop, budi)
        charge_shop_credit(coop, budi, "150000", TODAY)
        token = bearer(auth.create_token(user=coop.teller, tenant=coop.tenant, name="api")[1])
        numbers = {"budi": budi.member_no}
        db_session.commit()
        clear_tenant(db_session)
        yield coop, numbers, token


def filled(content, amount):
    book = load_workbook(io.BytesIO(content))
    book.active.cell(row=8, column=8, value=amount)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def counts(coop):
    set_tenant(db.session, coop.tenant.id)
    try:
        return (
            db.session.scalar(select(func.count()).select_from(PayrollBatch)),
            db.session.scalar(
                select(func.count()).select_from(LoanTransaction).where(LoanTransaction.kind == "repayment")
            ),
        )
    finally:
        db.session.rollback()
        clear_tenant(db.session)


def test_page_download_and_upload_posts_once(app, office):
    coop, numbers, _token = office
    client = app.test_client()
    assert login(client, coop.teller.username).status_code == 302
    client.get("/lang/en")
    with frozen(at(PAYDAY)):
        page = client.get(f"/t/{SLUG}/loans/payroll/")
        assert page.status_code == 200 and EMPLOYER in page.get_data(as_text=True)
        xlsx = client.get(
            f"/t/{SLUG}/loans/payroll/export.xlsx",
            query_string={"employer": EMPLOYER, "month": MONTH, "payroll_on": "2026-12-25"},
        )
        assert xlsx.status_code == 200
        sheet = load_workbook(io.BytesIO(xlsx.data)).active
        assert sheet["A8"].value == numbers["budi"] and sheet["G8"].value == 1334912
        html = page.get_data(as_text=True)
        token = html.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        content = filled(xlsx.data, 1000000)
        sent = client.post(
            f"/t/{SLUG}/loans/payroll/import",
            data={"csrf_token": token, "file": (io.BytesIO(content), "gaji.xlsx")},
            content_type="multipart/form-data",
        )
        text = sent.get_data(as_text=True)
        assert sent.status_code == 200, text[text.find("alert") :][:600]
        assert "Rp 1.000.000" in text and "Rp 334.912" in text
        again = client.post(
            f"/t/{SLUG}/loans/payroll/import",
            data={"csrf_token": token, "file": (io.BytesIO(content), "gaji.xlsx")},
            content_type="multipart/form-data",
        )
        assert "already posted" in again.get_data(as_text=True)
    assert counts(coop) == (1, 1)


def test_page_refuses_bad_month_and_bad_file(app, office):
    coop, _numbers, _token = office
    client = app.test_client()
    assert login(client, coop.teller.username).status_code == 302
    client.get("/lang/en")
    bad = client.get(
        f"/t/{SLUG}/loans/payroll/export.xlsx", query_string={"employer": EMPLOYER, "month": "12-2026"}
    )
    assert bad.status_code == 422 and "YYYY-MM" in bad.get_data(as_text=True)
    html = client.get(f"/t/{SLUG}/loans/payroll/").get_data(as_text=True)
    token = html.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    sent = client.post(
        f"/t/{SLUG}/loans/payroll/import",
        data={"csrf_token": token, "file": (io.BytesIO(b"a;b"), "gaji.csv")},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 422 and "not an XLSX" in sent.get_data(as_text=True)
    assert counts(coop) == (0, 0)


def test_api_export_and_import_with_problem_report(app, office):
    coop, numbers, token = office
    client = FreshContextClient(app, app.response_class, use_cookies=True)
    base = f"/api/v1/t/{SLUG}/loans/payroll"
    with frozen(at(PAYDAY)):
        xlsx = client.get(
            f"{base}/export.xlsx",
            query_string={"employer": EMPLOYER, "month": MONTH, "payroll_on": "2026-12-25"},
            headers=token,
        )
        assert xlsx.status_code == 200
        too_much = filled(xlsx.data, 2000000)
        refused = client.post(
            f"{base}/imports",
            data={"file": (io.BytesIO(too_much), "gaji.xlsx")},
            headers={**token, "Idempotency-Key": "gaji-1"},
            content_type="multipart/form-data",
        )
        assert refused.status_code == 422 and refused.json["error"] == "payroll_file_rejected"
        assert "baris 8, kolom H" in refused.json["fields"]["file"][0]
        assert counts(coop) == (0, 0)
        done = client.post(
            f"{base}/imports",
            data={"file": (io.BytesIO(filled(xlsx.data, 1334912)), "gaji.xlsx")},
            headers={**token, "Idempotency-Key": "gaji-2"},
            content_type="multipart/form-data",
        )
        assert done.status_code == 200, done.json
        body = done.json
        assert body["confirmed_total"] == "1334912.00" and body["partial"] == []
        assert body["rows"][0]["member_no"] == numbers["budi"] and body["rows"][0]["shop"] == "150000.00"
    assert counts(coop) == (1, 1)


def test_cli_export_then_import_and_errors_exit_non_zero(app, office, tmp_path):
    coop, _numbers, _token = office
    runner = app.test_cli_runner()
    out = tmp_path / "gaji.xlsx"
    with frozen(at(PAYDAY)), force_locale("en"):
        r = runner.invoke(
            args=[
                "loans",
                "payroll",
                "export",
                "--tenant",
                SLUG,
                "--employer",
                EMPLOYER,
                "--month",
                MONTH,
                "--payroll-date",
                "2026-12-25",
                str(out),
            ]
        )
        assert r.exit_code == 0, r.output
        assert "1 members, total Rp 1.334.912" in r.output
        empty = runner.invoke(args=["loans", "payroll", "import", "--tenant", SLUG, str(out)])
        assert empty.exit_code != 0 and "confirmed amount is empty" in empty.output
        out.write_bytes(filled(out.read_bytes(), 1200000))
        ok = runner.invoke(args=["loans", "payroll", "import", "--tenant", SLUG, str(out)])
        assert ok.exit_code == 0, ok.output
        assert "Posted 1 rows" in ok.output and "partial" in ok.output
        again = runner.invoke(args=["loans", "payroll", "import", "--tenant", SLUG, str(out)])
        assert again.exit_code == 0 and "nothing posted" in again.output
        month = runner.invoke(
            args=[
                "loans",
                "payroll",
                "export",
                "--tenant",
                SLUG,
                "--employer",
                EMPLOYER,
                "--month",
                "2026/12",
                str(out),
            ]
        )
        assert month.exit_code != 0 and "YYYY-MM" in month.output
    assert counts(coop) == (1, 1)
