"""Member exit: the settlement to the rupiah, maker-checker approval, one refund entry, obligations
offset and settled, refusals that change nothing, and sub-ledgers equal to their control accounts."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select, text

from coopsaas.core.audit import AuditEvent
from coopsaas.errors import Conflict, PermissionDenied, ValidationError
from coopsaas.extensions import db
from coopsaas.ledger import EntrySpec, LineSpec, post_entry, verify_ledger
from coopsaas.ledger.models import Account, JournalEntry, JournalLine
from coopsaas.members import exit as exits
from coopsaas.members.exit_pdf import exit_pdf
from coopsaas.members.models import ACTIVE, EXITED
from coopsaas.members.models_exit import APPROVED, REJECTED
from coopsaas.savings import deposits
from coopsaas.savings import services as savings
from coopsaas.savings.models import CLOSED, OPEN, SavingsAccount, SavingsProduct
from tests.member_exit.conftest import exit_coop
from tests.savings_services.builders import NIK_BUDI, TODAY, rp

JOINED = date(2026, 11, 12)  # within the week: no backdating rule in the way


def siti(coop, sukarela="1000000", wajib="50000"):
    """Siti: pokok Rp 250.000 (on joining), wajib and sukarela deposits."""
    admission = coop.register(joined_on=JOINED)
    for kind, amount in (("wajib", wajib), ("sukarela", sukarela)):
        savings.deposit(
            tenant=coop.tenant,
            actor=coop.teller,
            account=coop.account(admission, kind),
            amount=amount,
            on=JOINED,
        )
    return admission


def entry_lines(entry):
    rows = db.session.execute(
        select(JournalLine.account_id, JournalLine.debit, JournalLine.credit).where(
            JournalLine.entry_id == entry.id
        )
    ).all()
    codes = {a.id: a.code for a in db.session.scalars(select(Account))}
    return sorted((codes[a], d, c) for a, d, c in rows)


def refund_entry(exit_):
    return db.session.scalars(select(JournalEntry).where(JournalEntry.id == exit_.journal_entry_id)).one()


def settle_deferred(is_postgres):
    if is_postgres:
        db.session.execute(text("SET CONSTRAINTS ALL IMMEDIATE"))
        db.session.execute(text("SET CONSTRAINTS ALL DEFERRED"))


def test_exit_without_obligations_refunds_all_savings_in_one_entry(coop, is_postgres):
    admission = siti(coop)
    member = admission.member
    st = exits.compute_settlement(coop.tenant, member, TODAY)
    assert [(ln.kind, ln.amount) for ln in st.lines] == [
        ("pokok", rp(250000)),
        ("wajib", rp(50000)),
        ("sukarela", rp(1000000)),  # lowest balance: nothing for a broken month
    ]
    assert (st.savings_total, st.obligations_total, st.refund) == (rp(1300000), rp(0), rp(1300000))
    assert st.blockers == [] and st.warnings == []

    request = exits.request_exit(
        tenant=coop.tenant, actor=coop.teller, member=member, exit_on=None, reason="Pindah ke luar kota"
    )
    assert (request.exit_no, request.status, request.refund, request.exit_on) == (
        "KA-000001",
        "requested",
        rp(1300000),
        TODAY,
    )
    assert member.status == ACTIVE  # nothing moves before approval

    done = exits.approve_exit(tenant=coop.tenant, actor=coop.manager, exit_=request, note="Disetujui")
    settle_deferred(is_postgres)
    assert (done.status, done.refund, member.status) == (APPROVED, rp(1300000), EXITED)
    entry = refund_entry(done)
    assert entry.entry_on == TODAY and entry.source_type == "member_exit"
    assert entry_lines(entry) == [
        ("1101", rp(0), rp(1300000)),
        ("2101", rp(1000000), rp(0)),
        ("3101", rp(250000), rp(0)),
        ("3102", rp(50000), rp(0)),
    ]
    accounts = savings.accounts_of(member)
    assert {(a.status, a.balance, a.closed_on) for a in accounts} == {(CLOSED, rp(0), TODAY)}
    assert verify_ledger(coop.tenant) == []
    actions = list(
        db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("member.exit.%")))
    )
    assert sorted(actions) == ["member.exit.approve", "member.exit.request"]


def test_obligations_are_offset_credited_to_their_receivable_and_settled(coop, loans, is_postgres):
    admission = siti(coop)
    member = admission.member
    loans.account_id = coop.accounts["1201"].id
    loans.owed[member.id] = rp("300000.50")

    request = exits.request_exit(
        tenant=coop.tenant,
        actor=coop.teller,
        member=member,
        exit_on=TODAY,
        reason="Mengundurkan diri",
        payout="payable",
    )
    assert (request.obligations_total, request.refund) == (rp("300000.50"), rp("999999.50"))
    assert request.settlement["obligations"] == [
        {"kind": "loan", "label": "Pinjaman", "reference": "PJ-A-000001", "amount": "300000.50"}
    ]
    done = exits.approve_exit(tenant=coop.tenant, actor=coop.manager, exit_=request)
    settle_deferred(is_postgres)
    entry = refund_entry(done)
    assert entry_lines(entry) == [
        ("1201", rp(0), rp("300000.50")),
        ("2101", rp(1000000), rp(0)),
        ("2121", rp(0), rp("999999.50")),  # paid later: the payable (no dedicated account in this chart)
        ("3101", rp(250000), rp(0)),
        ("3102", rp(50000), rp(0)),
    ]
    assert len(loans.settled) == 1
    obligation, settled_with = loans.settled[0]
    assert (obligation.amount, settled_with.id) == (rp("300000.50"), entry.id)
    assert verify_ledger(coop.tenant) == []

    pdf = exit_pdf(done, coop_name="KSP Keluar", approver="Ketua", requester="Kasir")
    assert pdf == exit_pdf(done, coop_name="KSP Keluar", approver="Ketua", requester="Kasir")
    page = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Bukti Pengembalian Simpanan Anggota Keluar" in page
    assert "Siti Aminah" in page and "KA-000001" in page and entry.voucher_no in page
    assert "Pinjaman" in page and "300.000,50" in page
    assert "Dikembalikan kepada anggota: Rp 999.999,50" in page
    assert "Utang kepada anggota, dibayar kemudian" in page


def test_a_dedicated_exit_payable_account_is_used_when_the_chart_has_one(coop):
    payable = Account(
        code="2123",
        name="Utang pengembalian simpanan anggota keluar",
        type="liability",
        normal_side="K",
        is_contra=False,
        tags=["KL", "utang_anggota_keluar"],
        weights={},
    )
    db.session.add(payable)
    db.session.flush()
    member = siti(coop).member
    request = exits.request_exit(
        tenant=coop.tenant, actor=coop.teller, member=member, exit_on=TODAY, reason="Keluar", payout="payable"
    )
    entry = refund_entry(exits.approve_exit(tenant=coop.tenant, actor=coop.manager, exit_=request))
    assert ("2123", rp(0), rp(1300000)) in entry_lines(entry)


def test_obligations_above_savings_refuse_the_exit_naming_what_to_pay_first(coop, loans):
    member = siti(coop, sukarela="100000").member
    loans.account_id = coop.accounts["1201"].id
    loans.owed[member.id] = rp(550000)
    with pytest.raises(Conflict, match=r"the member must first pay Rp 150\.000"):
        exits.request_exit(
            tenant=coop.tenant, actor=coop.teller, member=member, exit_on=TODAY, reason="Keluar"
        )

    loans.owed[member.id] = rp(100000)
    request = exits.request_exit(
        tenant=coop.tenant, actor=coop.teller, member=member, exit_on=TODAY, reason="x"
    )
    entries_before = db.session.scalar(select(func.count()).select_from(JournalEntry))
    loans.owed[member.id] = rp(400001)  # the loan grew before approval
    with pytest.raises(Conflict, match=r"must first pay Rp 1"):
        exits.approve_exit(tenant=coop.tenant, actor=coop.manager, exit_=request)
    # Nothing changed: still requested, member active, accounts open, no entry, nothing settled.
    assert (request.status, member.status) == ("requested", ACTIVE)
    assert {a.status for a in savings.accounts_of(member)} == {OPEN}
    assert db.session.scalar(select(func.count()).select_from(JournalEntry)) == entries_before
    assert loans.settled == []


def test_an_obligation_that_cannot_be_settled_from_savings_blocks_the_exit(coop, loans):
    member = siti(coop).member
    loans.account_id = coop.accounts["1201"].id
    loans.owed[member.id] = rp(1000)
    loans.settleable = False
    st = exits.compute_settlement(coop.tenant, member, TODAY)
    assert st.blockers == [
        "Pinjaman PJ-A-000001 (Rp 1.000) cannot be settled from savings; it must be paid first."
    ]
    with pytest.raises(Conflict, match="cannot be settled from savings"):
        exits.request_exit(tenant=coop.tenant, actor=coop.teller, member=member, exit_on=TODAY, reason="x")


def test_maker_checker_and_managers_only(coop):
    member = siti(coop).member
    by_manager = exits.request_exit(
        tenant=coop.tenant, actor=coop.manager, member=member, exit_on=TODAY, reason="Keluar"
    )
    with pytest.raises(PermissionDenied, match="another user than the one who requested"):
        exits.approve_exit(tenant=coop.tenant, actor=coop.manager, exit_=by_manager)
    with pytest.raises(PermissionDenied, match="Only a manager"):
        exits.approve_exit(tenant=coop.tenant, actor=coop.teller, exit_=by_manager)
    assert by_manager.status == "requested" and member.status == ACTIVE


def test_reject_needs_a_reason_and_allows_a_new_request(coop):
    member = siti(coop).member
    request = exits.request_exit(
        tenant=coop.tenant, actor=coop.teller, member=member, exit_on=TODAY, reason="x"
    )
    with pytest.raises(Conflict, match="already waiting for approval"):
        exits.request_exit(tenant=coop.tenant, actor=coop.teller, member=member, exit_on=TODAY, reason="y")
    with pytest.raises(ValidationError, match="Give the reason for rejecting"):
        exits.reject_exit(tenant=coop.tenant, actor=coop.manager, exit_=request, reason=" ")
    rejected = exits.reject_exit(
        tenant=coop.tenant, actor=coop.manager, exit_=request, reason="Masih ada urusan"
    )
    assert (rejected.status, rejected.decision_note, member.status) == (REJECTED, "Masih ada urusan", ACTIVE)
    with pytest.raises(Conflict, match="already been decided"):
        exits.approve_exit(tenant=coop.tenant, actor=coop.manager, exit_=rejected)
    again = exits.request_exit(
        tenant=coop.tenant, actor=coop.teller, member=member, exit_on=TODAY, reason="z"
    )
    assert again.exit_no == "KA-000002"
    assert (
        db.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "member.exit.reject")
        )
        == 1
    )


def test_an_exited_member_cannot_transact_nor_exit_twice(coop):
    admission = siti(coop)
    member = admission.member
    request = exits.request_exit(
        tenant=coop.tenant, actor=coop.teller, member=member, exit_on=TODAY, reason="x"
    )
    exits.approve_exit(tenant=coop.tenant, actor=coop.manager, exit_=request)
    sukarela = coop.account(admission, "sukarela")
    with pytest.raises(Conflict, match="Member A-000001 has left the cooperative and cannot transact"):
        savings.deposit(tenant=coop.tenant, actor=coop.teller, account=sukarela, amount="10000")
    with pytest.raises(Conflict, match="has already left the cooperative"):
        exits.request_exit(tenant=coop.tenant, actor=coop.teller, member=member, exit_on=TODAY, reason="x")


def test_bad_request_input_is_refused(coop):
    member = siti(coop).member
    with pytest.raises(ValidationError, match="Give the reason for leaving"):
        exits.request_exit(tenant=coop.tenant, actor=coop.teller, member=member, exit_on=TODAY, reason="")
    with pytest.raises(ValidationError, match="cannot be in the future"):
        exits.request_exit(
            tenant=coop.tenant, actor=coop.teller, member=member, exit_on=date(2026, 11, 20), reason="x"
        )
    with pytest.raises(ValidationError, match="before the member joined"):
        exits.request_exit(
            tenant=coop.tenant, actor=coop.teller, member=member, exit_on=date(2026, 11, 1), reason="x"
        )
    with pytest.raises(ValidationError, match="Choose cash now or a payable"):
        exits.request_exit(
            tenant=coop.tenant, actor=coop.teller, member=member, exit_on=TODAY, reason="x", payout="cek"
        )


def test_daily_balance_interest_to_the_day_before_the_exit_is_paid(db_session, is_postgres):
    from flask_babel import force_locale

    from coopsaas.core.clock import frozen
    from tests.savings_services.builders import NOW

    with frozen(NOW), force_locale("en"):
        coop = exit_coop("ksp-harian", method="DAILY_BALANCE")
        member = siti(coop, sukarela="2400000").member
        st = exits.compute_settlement(coop.tenant, member, TODAY)
        sukarela = next(ln for ln in st.lines if ln.kind == "sukarela")
        # 12 to 18 November: 7 days x Rp 2.400.000 x 3 % / 365 = 1.380,82 -> Rp 1.381, no tax.
        assert (sukarela.interest_gross, sukarela.interest_tax, sukarela.amount) == (
            rp(1381),
            rp(0),
            rp(2401381),
        )
        assert "Sukarela interest of 11/2026 from the 1st to 18/11/2026" in st.interest_note
        request = exits.request_exit(
            tenant=coop.tenant, actor=coop.teller, member=member, exit_on=TODAY, reason="x"
        )
        done = exits.approve_exit(tenant=coop.tenant, actor=coop.manager, exit_=request)
        settle_deferred(is_postgres)
        assert done.refund == request.refund == rp(250000 + 50000 + 2401381)
        assert ("2101", rp(2401381), rp(0)) in entry_lines(refund_entry(done))
        assert verify_ledger(coop.tenant) == []


def test_a_time_deposit_is_broken_with_its_penalty_and_joins_the_refund(coop, is_postgres):
    admission = siti(coop, sukarela="100000")
    member = admission.member
    product = db.session.scalars(select(SavingsProduct).where(SavingsProduct.code == "SIBERJA")).one()
    deposits.place_deposit(
        tenant=coop.tenant,
        actor=coop.teller,
        member=member,
        product=product,
        amount="5000000",
        term_months=6,
        on=JOINED,
    )  # interest paid in cash
    st = exits.compute_settlement(coop.tenant, member, TODAY)
    berjangka = next(ln for ln in st.lines if ln.kind == "berjangka")
    # 7 days of 6 % on Rp 5.000.000 = 5.753,42 -> Rp 5.753; penalty 1 % of principal = Rp 50.000.
    assert (berjangka.balance, berjangka.interest_gross, berjangka.penalty, berjangka.amount) == (
        rp(5000000),
        rp(5753),
        rp(50000),
        rp(4955753),
    )
    assert st.refund == rp(250000 + 50000 + 100000 + 4955753)

    request = exits.request_exit(
        tenant=coop.tenant, actor=coop.teller, member=member, exit_on=TODAY, reason="x"
    )
    done = exits.approve_exit(tenant=coop.tenant, actor=coop.manager, exit_=request)
    settle_deferred(is_postgres)
    assert done.refund == st.refund
    lines = entry_lines(refund_entry(done))
    assert ("2101", rp(5055753), rp(0)) in lines  # the break paid into sukarela first
    assert ("1101", rp(0), st.refund) in lines
    assert not any(code == "2102" for code, _d, _c in lines)  # the break emptied the deposit
    assert all(
        a.status == CLOSED and a.balance == 0
        for a in db.session.scalars(select(SavingsAccount).where(SavingsAccount.member_id == member.id))
    )
    assert verify_ledger(coop.tenant) == []
    # The penalty went to income by the break's own entry.
    penalty = db.session.scalar(
        select(func.sum(JournalLine.credit)).where(JournalLine.account_id == coop.accounts["4901"].id)
    )
    assert penalty == rp(50000)


def test_modal_sendiri_falling_below_its_year_start_is_a_warning_not_a_refusal(coop):
    post_entry(
        tenant=coop.tenant,
        actor=coop.manager,
        spec=EntrySpec(
            entry_on=date(2025, 12, 31),
            memo="Saldo awal",
            lines=[
                LineSpec(coop.accounts["1101"].id, debit=rp(1000000)),
                LineSpec(coop.accounts["3101"].id, credit=rp(1000000)),
            ],
        ),
    )
    post_entry(
        tenant=coop.tenant,
        actor=coop.manager,
        spec=EntrySpec(
            entry_on=JOINED,
            memo="Pengembalian lama",
            lines=[
                LineSpec(coop.accounts["3101"].id, debit=rp(200000)),
                LineSpec(coop.accounts["1101"].id, credit=rp(200000)),
            ],
        ),
    )
    member = siti(coop).member
    st = exits.compute_settlement(coop.tenant, member, TODAY)
    assert st.warnings == [
        "Modal sendiri would fall to Rp 800.000, below its Rp 1.000.000 at the start of 2026 "
        "(Permenkop 8/2023 Pasal 63(5)). The exit is allowed; the board should take note."
    ]
    request = exits.request_exit(
        tenant=coop.tenant, actor=coop.teller, member=member, exit_on=TODAY, reason="x"
    )
    assert request.settlement["warnings"] == st.warnings
    assert exits.approve_exit(tenant=coop.tenant, actor=coop.manager, exit_=request).status == APPROVED


def test_other_members_are_untouched(coop):
    member = siti(coop).member
    budi = coop.register(nik=NIK_BUDI, name="Budi Santoso", joined_on=JOINED)
    request = exits.request_exit(
        tenant=coop.tenant, actor=coop.teller, member=member, exit_on=TODAY, reason="x"
    )
    exits.approve_exit(tenant=coop.tenant, actor=coop.manager, exit_=request)
    assert budi.member.status == ACTIVE
    assert {a.status for a in savings.accounts_of(budi.member)} == {OPEN}
    assert sum((a.balance for a in savings.accounts_of(budi.member)), Decimal(0)) == rp(250000)
