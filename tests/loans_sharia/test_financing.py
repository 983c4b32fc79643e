"""Murabahah and qardh booked end to end (domain/sharia.md sections 1, 2 and 4).

The murabahah is the worked example: harga pokok Rp 7.400.000, margin 15 % x 12 months =
Rp 1.110.000, harga jual Rp 8.510.000, instalments Rp 709.167 (last 709.163), margin part 92.500
each, cost part 616.667 (last 616.663). Akad on 19 November 2026, instalments on the 19th."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from coopsaas.core.clock import frozen
from coopsaas.errors import ValidationError
from coopsaas.extensions import db
from coopsaas.ledger import balance_of, verify_ledger
from coopsaas.ledger.models import JournalLine
from coopsaas.loans import applications as apps
from coopsaas.loans import disbursement, products, repayments, writeoff
from coopsaas.loans.disbursement import instalments_of
from coopsaas.loans.models import CLOSED, WRITTEN_OFF
from tests.loans_sharia.builders import at, entry_of, finance, lines_of, pay, rp


def balance(coop, code):
    return balance_of(coop.accounts[code], date(2030, 1, 1))


def touched(coop, *codes):
    """The lines ever posted to the given accounts."""
    ids = [coop.accounts[c].id for c in codes]
    return list(db.session.scalars(select(JournalLine).where(JournalLine.account_id.in_(ids))))


def no_mismatch(coop):
    return [f.message for f in verify_ledger(coop.tenant) if f.code == "loans_subledger_mismatch"]


def test_the_worked_example_schedule_to_the_rupiah(coop):
    loan = finance(coop, coop.register().member)
    rows = instalments_of(loan)
    assert len(rows) == 12
    assert [r.total for r in rows] == [rp(709167)] * 11 + [rp(709163)]
    assert [r.interest for r in rows] == [rp(92500)] * 12
    assert [r.principal for r in rows] == [rp(616667)] * 11 + [rp(616663)]
    assert (rows[0].due_on, rows[-1].due_on) == (date(2026, 12, 19), date(2027, 11, 19))
    assert sum((r.total for r in rows), rp(0)) == rp(8510000)
    assert (loan.method, loan.principal, loan.total_interest, loan.regular_instalment) == (
        "MURABAHAH",
        rp(7400000),
        rp(1110000),
        rp(709167),
    )
    # The outstanding financing is the remaining cost: ageing and PPAP read it unchanged.
    assert loan.outstanding_principal == rp(7400000)
    assert loan.terms["margin"] == "1110000.00" and loan.terms["selling_price"] == "8510000.00"


def test_the_akad_books_the_selling_price_the_cost_paid_out_and_the_deferred_margin(coop, check_deferred):
    loan = finance(coop, coop.register().member)
    check_deferred()
    entry = entry_of(loan.journal_entry_id)
    assert entry.voucher_no.startswith("KK")
    assert lines_of(entry) == [
        ("1101", rp(0), rp(7390000)),  # the cost less the ujrah (administration fee) deducted
        ("1211", rp(8510000), rp(0)),
        ("1212", rp(0), rp(1110000)),
        ("4103", rp(0), rp(10000)),
    ]
    assert (balance(coop, "1211") - balance(coop, "1212")) == rp(7400000)
    assert no_mismatch(coop) == []


def test_each_instalment_credits_the_receivable_and_recognises_its_margin(coop, check_deferred):
    loan = finance(coop, coop.register().member)
    rows = instalments_of(loan)
    for no, row in enumerate(rows, start=1):
        with frozen(at(row.due_on)):
            txn = pay(coop, loan, row.total)
        check_deferred()
        part = rp(616663) if no == 12 else rp(616667)
        assert (txn.principal, txn.interest, txn.penalty) == (part, rp(92500), rp(0))
        assert lines_of(entry_of(txn.journal_entry_id)) == [
            ("1101", row.total, rp(0)),
            ("1211", rp(0), row.total),
            ("1212", rp(92500), rp(0)),
            ("4111", rp(0), rp(92500)),
        ]
        if no == 1:
            assert txn.outstanding_after == rp(6783333)
            assert balance(coop, "1211") == rp(7800833)  # the remaining selling price
        assert no_mismatch(coop) == []
    assert txn.amount == rp(709163)
    assert (loan.status, loan.outstanding_principal) == (CLOSED, rp(0))
    assert (balance(coop, "1211"), balance(coop, "1212"), balance(coop, "4111")) == (
        rp(0),
        rp(0),
        rp(1110000),
    )
    assert touched(coop, "4101", "4102", "4104") == []


def test_a_qardh_is_principal_only_with_its_ujrah(coop, check_deferred):
    loan = finance(coop, coop.register().member, amount="1200000", term=6, code="QRD")
    check_deferred()
    assert lines_of(entry_of(loan.journal_entry_id)) == [
        ("1101", rp(0), rp(1195000)),
        ("1214", rp(1200000), rp(0)),
        ("4103", rp(0), rp(5000)),
    ]
    rows = instalments_of(loan)
    assert [(r.principal, r.interest) for r in rows] == [(rp(200000), rp(0))] * 6
    with frozen(at(rows[0].due_on)):
        txn = pay(coop, loan, "200000")
    assert lines_of(entry_of(txn.journal_entry_id)) == [
        ("1101", rp(200000), rp(0)),
        ("1214", rp(0), rp(200000)),
    ]
    assert (loan.outstanding_principal, balance(coop, "1214")) == (rp(1000000), rp(1000000))
    assert no_mismatch(coop) == []
    assert touched(coop, "4101", "4102", "4104", "4111") == []


def test_tawidh_of_a_late_murabahah_goes_to_the_social_fund_never_to_income(coop, check_deferred):
    loan = finance(coop, coop.register().member)
    day = date(2027, 1, 2)  # instalment 1 due 19 December, 0,1 % a day from 22 December: 11 days
    with frozen(at(day)):
        assert repayments.owed_on(loan, day).overdue == rp(709167 + 7801)
        txn = pay(coop, loan, "716968")
    check_deferred()
    assert (txn.penalty, txn.interest, txn.principal) == (rp(7801), rp(92500), rp(616667))
    assert lines_of(entry_of(txn.journal_entry_id)) == [
        ("1101", rp(716968), rp(0)),
        ("1211", rp(0), rp(709167)),
        ("1212", rp(92500), rp(0)),
        ("2151", rp(0), rp(7801)),
        ("4111", rp(0), rp(92500)),
    ]
    assert touched(coop, "4101", "4102", "4104", "4901") == []
    assert no_mismatch(coop) == []


def test_early_settlement_keeps_the_margin_and_books_the_discount_without_income(coop, check_deferred):
    loan = finance(coop, coop.register().member)
    rows = instalments_of(loan)
    for row in rows[:2]:
        with frozen(at(row.due_on)):
            pay(coop, loan, row.total)
    day = date(2027, 1, 25)
    with frozen(at(day)):
        quote = repayments.quote_settlement(loan, day)
        # remaining cost 7.400.000 - 2 x 616.667 plus the margin of the current period (#3)
        assert quote.total == rp(6166666 + 92500)
        txn = pay(coop, loan, quote.total, settle=True)
    check_deferred()
    assert lines_of(entry_of(txn.journal_entry_id)) == [
        ("1101", rp(6259166), rp(0)),
        ("1211", rp(0), rp(6259166 + 832500)),  # what was paid, and the 9 later margins waived
        ("1212", rp(92500 + 832500), rp(0)),
        ("4111", rp(0), rp(92500)),
    ]
    assert (loan.status, loan.outstanding_principal) == (CLOSED, rp(0))
    assert (balance(coop, "1211"), balance(coop, "1212"), balance(coop, "4111")) == (
        rp(0),
        rp(0),
        rp(3 * 92500),
    )
    assert sum((r.interest_waived for r in instalments_of(loan)), rp(0)) == rp(832500)
    assert no_mismatch(coop) == []


def test_ageing_and_ppap_read_a_murabahah_at_its_remaining_cost(coop, check_deferred):
    from coopsaas.loans.ageing import age_loans

    on_time = finance(coop, coop.register().member)
    late = finance(coop, coop.register(nik="3578011703850002", name="Budi Santoso").member, amount="5000000")
    day = date(2027, 6, 25)
    with frozen(at(day)):
        paid = sum((r.unpaid for r in instalments_of(on_time) if r.due_on <= day), rp(0))
        pay(coop, on_time, paid)
        run = age_loans(tenant=coop.tenant, as_of=day)
    check_deferred()
    # Budi's oldest unpaid instalment fell due on 19 December 2026: 188 days, diragukan.
    assert (late.days_past_due, late.kolektibilitas, on_time.kolektibilitas) == (188, "D", "L")
    # Siti: 7.400.000 - 7 x 616.667 = 3.083.331 of cost left; Budi: the whole cost of 5.000.000.
    assert run.by_class["L"]["base"] == "3083331.00" and run.by_class["D"]["base"] == "5000000.00"
    assert run.ppap_required == rp(15417 + 2500000)  # 0,5 % and 50 %
    assert balance(coop, "1211") - balance(coop, "1212") == rp(3083331 + 5000000)
    assert no_mismatch(coop) == []


def test_writing_off_a_murabahah_takes_the_deferred_margin_off_with_the_receivable(coop, check_deferred):
    loan = finance(coop, coop.register().member)
    first = instalments_of(loan)[0]
    with frozen(at(first.due_on)):
        pay(coop, loan, first.total)
    day = date(2027, 6, 1)
    with frozen(at(day)):
        proposal = writeoff.propose_write_off(
            tenant=coop.tenant, actor=coop.teller, loan=loan, reason="Usaha bangkrut, anggota pindah"
        )
        done = writeoff.approve_write_off(tenant=coop.tenant, actor=coop.manager, proposal=proposal)
    check_deferred()
    assert lines_of(entry_of(done.journal_entry_id)) == [
        ("1211", rp(0), rp(7800833)),  # the remaining selling price
        ("1212", rp(11 * 92500), rp(0)),  # the margin never earned
        ("6104", rp(6783333), rp(0)),  # the remaining cost: no reserve booked, all of it expensed
    ]
    assert (done.principal, done.shortfall, loan.status) == (rp(6783333), rp(6783333), WRITTEN_OFF)
    assert (balance(coop, "1211"), balance(coop, "1212")) == (rp(0), rp(0))
    assert no_mismatch(coop) == []


def test_writing_off_a_qardh_credits_1214(coop, check_deferred):
    loan = finance(coop, coop.register().member, amount="600000", term=3, code="QRD")
    with frozen(at(date(2027, 5, 1))):
        proposal = writeoff.propose_write_off(
            tenant=coop.tenant, actor=coop.teller, loan=loan, reason="Anggota wafat, ahli waris tidak ada"
        )
        done = writeoff.approve_write_off(tenant=coop.tenant, actor=coop.manager, proposal=proposal)
    check_deferred()
    assert lines_of(entry_of(done.journal_entry_id)) == [
        ("1214", rp(0), rp(600000)),
        ("6104", rp(600000), rp(0)),
    ]
    assert no_mismatch(coop) == []


def test_a_mixed_book_verifies_clean_and_a_broken_one_is_reported(coop):
    siti = coop.register().member
    finance(coop, siti)
    finance(coop, siti, amount="1000000", term=5, code="QRD")
    loan = finance(coop, siti, amount="2000000", term=12, code="PINJ-UMUM")
    assert loan.receivable_account_id == coop.accounts["1201"].id
    assert verify_ledger(coop.tenant) == []
    murabahah = finance(coop, siti, amount="1000000", term=3)
    murabahah.outstanding_principal = rp(900000)
    db.session.flush()
    found = no_mismatch(coop)
    assert len(found) == 1 and "1211 - 1212" in found[0]


def test_payment_from_savings_and_exit_settle_a_murabahah(coop, check_deferred):
    from coopsaas.members import exit as exits
    from coopsaas.savings import services as savings
    from tests.loans_sharia.builders import sukarela_of

    member = coop.register().member
    savings.deposit(tenant=coop.tenant, actor=coop.teller, account=sukarela_of(member), amount="9000000")
    loan = finance(coop, member)
    first = instalments_of(loan)[0]
    with frozen(at(first.due_on)):
        txn = pay(coop, loan, first.total, channel="savings")
        assert lines_of(entry_of(txn.journal_entry_id)) == [
            ("1211", rp(0), rp(709167)),
            ("1212", rp(92500), rp(0)),
            ("2101", rp(709167), rp(0)),
            ("4111", rp(0), rp(92500)),
        ]
    day = date(2026, 12, 28)
    with frozen(at(day)):
        request = exits.request_exit(
            tenant=coop.tenant, actor=coop.teller, member=member, exit_on=day, reason="Pindah pondok"
        )
        # remaining cost 6.783.333 + the margin of the current period (#2, due 19 January)
        assert request.obligations_total == rp(6783333 + 92500)
        done = exits.approve_exit(tenant=coop.tenant, actor=coop.manager, exit_=request)
    check_deferred()
    lines = [ln for ln in lines_of(entry_of(done.journal_entry_id)) if ln[0] in ("1211", "1212", "4111")]
    assert lines == [
        ("1211", rp(0), rp(10 * 92500)),  # the later margins waived
        ("1211", rp(0), rp(6783333 + 92500)),  # the remaining cost and the current margin
        ("1212", rp(11 * 92500), rp(0)),
        ("4111", rp(0), rp(92500)),
    ]
    assert loan.status == CLOSED and balance(coop, "1211") == balance(coop, "1212") == rp(0)
    assert no_mismatch(coop) == []
    assert touched(coop, "4101", "4102") == []


def test_a_murabahah_cannot_be_rescheduled_its_margin_never_changes(coop):
    from coopsaas.loans import reschedule

    murabahah = finance(coop, coop.register().member)
    with pytest.raises(ValidationError) as refused:
        reschedule.reschedule_loan(
            tenant=coop.tenant,
            actor=coop.manager,
            loan=murabahah,
            term_months=24,
            reason="Minta diperpanjang",
        )
    assert "method" in refused.value.fields and "new akad" in str(refused.value.message)
    assert len(instalments_of(murabahah)) == 12 and murabahah.total_interest == rp(1110000)


def test_a_qardh_is_rescheduled_as_qardh_principal_only(coop, check_deferred):
    from coopsaas.loans import reschedule

    loan = finance(coop, coop.register().member, amount="1200000", term=6, code="QRD")
    first_due = instalments_of(loan)[0].due_on
    with frozen(at(first_due)):
        pay(coop, loan, "200000")
    for kw, field in (({"rate": "12"}, "rate"), ({"method": "ANUITAS"}, "method")):
        with frozen(at(first_due)), pytest.raises(ValidationError) as refused:
            reschedule.reschedule_loan(
                tenant=coop.tenant, actor=coop.manager, loan=loan, term_months=8, reason="Santri pulang", **kw
            )
        assert field in refused.value.fields
    with frozen(at(first_due)):
        record = reschedule.reschedule_loan(
            tenant=coop.tenant, actor=coop.manager, loan=loan, term_months=8, reason="Orang tua sakit"
        )
    check_deferred()
    live = instalments_of(loan)
    # the Rp 1.000.000 left over 8 months: 7 x 125.000 and the last 125.000, no interest
    assert [(r.principal, r.interest) for r in live[1:]] == [(rp(125000), rp(0))] * 8
    assert (record.version, loan.method, loan.outstanding_principal) == (2, "QARDH", rp(1000000))
    assert record.journal_entry_id is None and balance(coop, "1214") == rp(1000000)
    assert no_mismatch(coop) == []


# ---- refusals --------------------------------------------------------------------------------------


def submit(coop, member, amount="7400000", term=12, code="MRB"):
    product = products.ensure_products(coop.tenant)[code]
    return apps.submit_application(
        tenant=coop.tenant,
        actor=coop.teller,
        member=member,
        product=product,
        amount=amount,
        term_months=term,
        purpose="Pembelian mesin jahit",
    )


def test_the_margin_is_fixed_at_the_akad_and_a_later_rate_change_does_not_move_it(coop):
    siti = coop.register().member
    application = submit(coop, siti)
    assert application.terms["margin"] == "1110000.00"
    product = products.ensure_products(coop.tenant)["MRB"]
    products.update_product(tenant=coop.tenant, actor=coop.manager, product=product, values={"rate": "20"})
    apps.approve_application(tenant=coop.tenant, actor=coop.manager, application=application)
    loan = disbursement.disburse(tenant=coop.tenant, actor=coop.teller, application=application)
    assert (loan.total_interest, instalments_of(loan)[0].total) == (rp(1110000), rp(709167))


def test_a_rate_or_provision_on_a_qardh_is_refused(coop):
    product = products.ensure_products(coop.tenant)["QRD"]
    for values, field in (({"rate": "6"}, "rate"), ({"provision_pct": "1"}, "provision_pct")):
        with pytest.raises(ValidationError) as refused:
            products.update_product(tenant=coop.tenant, actor=coop.manager, product=product, values=values)
        assert field in refused.value.fields
    assert (product.rate, product.provision_pct) == ("0", "0")


@pytest.mark.parametrize(
    ("amount", "term", "field", "text"),
    [
        ("400000", 12, "amount", "Rp 500.000"),
        ("16000000", 12, "amount", "Rp 15.000.000"),
        ("7400000", 36, "term_months", "24"),
        ("7400000.125", 12, "amount", "rupiah"),
        ("7400000.50", 12, "amount", "whole number"),
    ],
)
def test_bad_financing_requests_are_refused_and_save_nothing(coop, amount, term, field, text):
    from coopsaas.loans.models import LoanApplication

    with pytest.raises(ValidationError) as refused:
        submit(coop, coop.register().member, amount=amount, term=term)
    assert field in refused.value.fields
    assert text in str(refused.value.fields[field][0])
    assert db.session.scalars(select(LoanApplication)).all() == []


def test_a_chart_without_the_sharia_accounts_refuses_the_product(coop):
    coop.accounts["1212"].is_active = False
    db.session.flush()
    with pytest.raises(ValidationError) as refused:
        submit(coop, coop.register().member)
    assert "1212" in str(refused.value.message)
    assert Decimal(0) == sum((balance(coop, c) for c in ("1211", "1212")), Decimal(0))
