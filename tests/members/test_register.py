"""Admission: member numbers, simpanan pokok posted, accounts opened, duplicates and bad input refused."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from coopsaas.errors import ClosedPeriodError, Conflict, ValidationError
from coopsaas.extensions import db
from coopsaas.ledger import close_period, trial_balance
from coopsaas.ledger.models import JournalEntry, JournalLine
from coopsaas.members import services as members
from coopsaas.members.models import Member
from coopsaas.savings.models import SavingsAccount, SavingsTransaction
from tests.savings_services.builders import NIK_BUDI, NIK_SITI, TODAY, rp


def written() -> tuple[int, ...]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(m))
        for m in (Member, SavingsAccount, SavingsTransaction, JournalEntry)
    )


def test_registration_collects_pokok_and_the_trial_balance_shows_it(coop):
    admission = coop.register(sex="P", birth_date=date(1990, 8, 5), phone="081234567890")
    member = admission.member
    assert member.member_no == "A-000001"
    assert (member.type, member.status, member.joined_on) == ("anggota", "active", TODAY)
    assert [(a.account_no, a.product.kind, a.balance) for a in admission.accounts] == [
        ("POKOK-000001", "pokok", rp(250000)),
        ("WAJIB-000001", "wajib", rp(0)),
        ("SIRELA-000001", "sukarela", rp(0)),
    ]
    assert admission.pokok.kind == "admission"
    assert admission.pokok.amount == rp(250000)
    lines = db.session.scalars(
        select(JournalLine)
        .where(JournalLine.entry_id == admission.pokok.journal_entry_id)
        .order_by(JournalLine.line_no)
    ).all()
    assert [(ln.account.code, ln.debit, ln.credit, ln.member_id) for ln in lines] == [
        ("1101", rp(250000), rp(0), member.id),
        ("3101", rp(0), rp(250000), member.id),
    ]
    tb = trial_balance(coop.tenant)
    assert tb.row("3101").balance == rp(250000)
    assert tb.row("1101").balance == rp(250000)
    assert tb.is_balanced


def test_member_numbers_run_without_gaps_per_series(coop):
    first = coop.register().member
    second = coop.register(nik=NIK_BUDI, name="Budi Santoso").member
    calon = coop.register(nik="3578016204000003", name="Rina Wati", type="calon_anggota").member
    assert (first.member_no, second.member_no, calon.member_no) == ("A-000001", "A-000002", "C-000001")


def test_a_calon_anggota_gets_only_sukarela_and_pays_no_pokok(coop):
    admission = coop.register(type="calon_anggota")
    assert [a.product.kind for a in admission.accounts] == ["sukarela"]
    assert admission.pokok is None
    assert db.session.scalar(select(func.count()).select_from(JournalEntry)) == 0


def test_a_duplicate_nik_is_refused_and_nothing_is_written(coop):
    coop.register()
    before = written()
    with pytest.raises(Conflict) as exc:
        coop.register(nik="3578 0145 0890 0001", name="Siti Lain")
    assert str(exc.value.message) == "A member with this NIK is already registered."
    assert exc.value.fields == {"nik": ["A member with this NIK is already registered."]}
    assert written() == before


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"nik": "123"}, "nik"),
        ({"name": "   "}, "name"),
        ({"sex": "X"}, "sex"),
        ({"type": "pengurus"}, "type"),
        ({"joined_on": date(2026, 11, 20)}, "joined_on"),
        ({"sex": "L"}, "nik"),
        ({"birth_date": date(1990, 8, 6)}, "nik"),
    ],
)
def test_bad_input_is_refused_on_its_field_and_nothing_is_written(coop, kwargs, field):
    before = written()
    with pytest.raises(ValidationError) as exc:
        coop.register(**kwargs)
    assert field in exc.value.fields
    assert written() == before


def test_joining_in_a_closed_month_is_refused(coop):
    close_period(tenant=coop.tenant, actor=coop.manager, year=2026, month=10)
    with pytest.raises(ClosedPeriodError):
        coop.register(joined_on=date(2026, 10, 30))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("siti", ["Siti Aminah"]),
        ("AMIN", ["Siti Aminah"]),
        ("santo", ["Budi Santoso"]),
        ("a-000002", ["Budi Santoso"]),
        ("A2", ["Budi Santoso"]),
        ("A-00000", ["Budi Santoso", "Siti Aminah"]),
        (NIK_SITI, ["Siti Aminah"]),
        ("35780117", ["Budi Santoso"]),
        ("%", []),
        ("", ["Budi Santoso", "Siti Aminah"]),
    ],
)
def test_search_by_number_name_or_nik(coop, query, expected):
    coop.register()
    coop.register(nik=NIK_BUDI, name="Budi Santoso")
    assert [m.name for m in db.session.scalars(members.search_members(query))] == expected


def test_member_page_data_lists_every_account_with_balance(coop):
    from coopsaas.savings import services as savings

    admission = coop.register()
    savings.deposit(
        tenant=coop.tenant, actor=coop.teller, account=coop.account(admission, "sukarela"), amount="1250000"
    )
    lines = members.member_accounts(admission.member)
    assert [(ln.account.account_no, ln.account.balance, ln.available) for ln in lines] == [
        ("POKOK-000001", rp(250000), rp(0)),
        ("WAJIB-000001", rp(0), rp(0)),
        ("SIRELA-000001", rp(1250000), rp(1225000)),
    ]
    assert members.total_savings(lines) == rp(1500000)


def test_wajib_arrears_count_the_months_due_since_joining(coop):
    from coopsaas.savings import services as savings

    admission = coop.register(joined_on=date(2026, 9, 10))
    wajib = coop.account(admission, "wajib")
    savings.deposit(
        tenant=coop.tenant, actor=coop.teller, account=wajib, amount="50000", on=date(2026, 9, 12)
    )
    status = savings.wajib_arrears(coop.tenant, wajib)
    # September and October fell due (month end); November falls due on the 30th.
    assert (status.months_due, status.amount_due, status.paid) == (2, rp(100000), rp(50000))
    assert (status.arrears_months, status.arrears_amount) == (1, rp(50000))
    assert status.months_in_arrears == (date(2026, 10, 1),)


def test_a_login_belongs_to_one_member(coop):
    from tests.helpers import make_user

    siti = coop.register().member
    budi = coop.register(nik=NIK_BUDI, name="Budi Santoso").member
    user = make_user("anggota-siti", tenant=coop.tenant, role="member")
    members.link_user(tenant=coop.tenant, actor=coop.manager, member=siti, user=user)
    assert members.member_of_user(user) is siti
    with pytest.raises(Conflict, match="already belongs to member A-000001"):
        members.link_user(tenant=coop.tenant, actor=coop.manager, member=budi, user=user)
