"""The import page, its API and its CLI: same rules, a problem report, nothing written on failure."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from coopsaas.auth import services as auth
from coopsaas.core.clock import frozen
from coopsaas.core.db import clear_tenant
from coopsaas.extensions import db
from coopsaas.ledger.models import JournalEntry
from coopsaas.members import importer
from coopsaas.members.models import Member
from tests.api.conftest import FreshContextClient, bearer
from tests.helpers import csrf_token, login, make_user
from tests.onboarding.conftest import GOOD_CSV, counted
from tests.savings_services.builders import NOW, start_coop

PAGE = "/t/ksp-impor/members/import"
API = "/api/v1/t/ksp-impor/members/import"
BAD_CSV = GOOD_CSV + "3578011703850099,Tono,X,,,,,,anggota,,,\n"


@pytest.fixture
def desk(app, db_session):
    """The cooperative committed with a teller token and a member login; nothing in scope."""
    with frozen(NOW):
        coop = start_coop("ksp-impor")
        _, raw = auth.create_token(user=coop.teller, tenant=coop.tenant, name="loket")
        make_user("anggota-impor", tenant=coop.tenant, role="member")
        db_session.commit()
        clear_tenant(db_session)
        yield coop, bearer(raw)


def page_client(app, username):
    client = app.test_client()
    assert login(client, username).status_code == 302
    client.get("/lang/en")
    return client


def post_page(client, text, name="anggota.csv"):
    token = csrf_token(client, PAGE)
    data = {"csrf_token": token, "file": (io.BytesIO(text.encode()), name), "opened_on": ""}
    return client.post(PAGE, data=data, content_type="multipart/form-data")


def test_page_imports_a_good_file(app, desk):
    coop, _ = desk
    client = page_client(app, "kasir-ksp-impor")
    with frozen(NOW):
        resp = post_page(client, GOOD_CSV)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "3 members imported" in html
    assert "Rp 425.000,50" in html
    assert counted(coop, Member) == 3


def test_page_shows_the_problem_table_and_writes_nothing(app, desk):
    coop, _ = desk
    client = page_client(app, "kasir-ksp-impor")
    with frozen(NOW):
        resp = post_page(client, BAD_CSV)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "The file has problems in 1 row(s); nothing was imported." in html
    assert "<td>5</td><td>sex</td><td>Write L (male) or P (female), not X.</td>" in html
    assert counted(coop, Member) == counted(coop, JournalEntry) == 0


def test_member_role_cannot_open_the_import_page(app, desk):
    client = page_client(app, "anggota-impor")
    assert client.get(PAGE).status_code == 403


def test_template_downloads(app, desk):
    client = page_client(app, "kasir-ksp-impor")
    csv_resp = client.get(PAGE + "/template.csv")
    assert csv_resp.status_code == 200
    assert csv_resp.get_data(as_text=True).strip() == ",".join(importer.COLUMNS)
    xlsx_resp = client.get(PAGE + "/template.xlsx")
    assert xlsx_resp.headers["Content-Disposition"] == 'attachment; filename="impor-anggota.xlsx"'
    sheet = load_workbook(io.BytesIO(xlsx_resp.data)).worksheets[0]
    assert [c.value for c in sheet[1]] == list(importer.COLUMNS)


def api_post(app, headers, text, name="anggota.csv"):
    api = FreshContextClient(app, app.response_class, use_cookies=True)
    with frozen(NOW):
        return api.post(
            API,
            data={"file": (io.BytesIO(text.encode()), name)},
            headers=headers,
            content_type="multipart/form-data",
        )


def test_api_imports_and_answers_money_as_strings(app, desk):
    coop, teller = desk
    resp = api_post(app, teller, GOOD_CSV)
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert (body["pokok"], body["wajib"], body["sukarela"], body["total"]) == (
        "500000.00",
        "1800000.00",
        "425000.50",
        "2725000.50",
    )
    assert [m["member_no"] for m in body["members"]] == ["A-000001", "A-000002", "C-000001"]
    again = api_post(app, teller, GOOD_CSV)
    assert again.status_code == 409
    assert again.get_json()["error"] == "already_imported"
    assert counted(coop, Member) == 3


def test_api_lists_problems_by_row_and_column(app, desk):
    coop, teller = desk
    resp = api_post(app, teller, BAD_CSV)
    assert resp.status_code == 422
    assert resp.get_json()["fields"] == {"rows.5.sex": ["Tulis L (laki-laki) atau P (perempuan), bukan X."]}
    assert counted(coop, Member) == 0


@pytest.fixture
def cli(app, desk, tmp_path):
    runner = app.test_cli_runner()

    def run(text, *extra):
        path = tmp_path / "anggota.csv"
        path.write_text(text, encoding="utf-8")
        with frozen(NOW):
            result = runner.invoke(args=["members", "import", "--tenant", "ksp-impor", *extra, str(path)])
        clear_tenant(db.session)
        return result

    return run


def test_cli_imports_and_exits_zero(cli, desk):
    coop, _ = desk
    result = cli(GOOD_CSV, "--user", "kasir-ksp-impor")
    assert result.exit_code == 0, result.output
    assert "imported 3 members: pokok 500000.00, wajib 1800000.00, sukarela 425000.50" in result.output
    assert counted(coop, Member) == 3


def test_cli_reports_problems_and_exits_non_zero(cli, desk):
    coop, _ = desk
    result = cli(BAD_CSV)
    assert result.exit_code == 1
    assert "row 5, sex: Tulis L (laki-laki) atau P (perempuan), bukan X." in result.output
    assert counted(coop, Member) == 0


def test_cli_unknown_tenant_and_bad_date_exit_non_zero(cli, app, tmp_path):
    path = tmp_path / "a.csv"
    path.write_text(GOOD_CSV, encoding="utf-8")
    runner = app.test_cli_runner()
    unknown = runner.invoke(args=["members", "import", "--tenant", "tidak-ada", str(path)])
    assert unknown.exit_code == 1
    assert "no tenant with slug 'tidak-ada'" in unknown.output
    bad_date = cli(GOOD_CSV, "--on", "19-11-2026")
    assert bad_date.exit_code == 1
    assert "is not a date" in bad_date.output
