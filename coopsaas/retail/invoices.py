"""Invoices (faktur) for goods delivered on credit to a member or a business customer.

Issuing posts one entry (DESIGN.md section 6), the goods leaving at their moving-average cost:

    Dr 1301 piutang usaha (total)      Cr 4201 (member) / 4202 (business) penjualan (DPP)
                                       Cr 2122 utang pajak (PPN, PKP tenants only)
    Dr 5201 HPP                        Cr 1401 persediaan

Tax: when the tenant setting `taxable_entrepreneur` (PKP) is true, prices are before tax: the
DPP is the sum of the lines and PPN = DPP x `ppn_rate_pct` (default 11), rounded down to the
whole rupiah. A payment posts Dr kas/bank / Cr 1301; states open -> partial -> paid. An unpaid
invoice may be voided with a reason: the ledger reverses its entry and the goods come back at
the cost they left with. Numbers come from a locked per-tenant counter per year (`FK-2026-000001`):
no gaps, no duplicates. A member's invoice counts against the member's shop-credit limit.
Services flush and never commit.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from coopsaas.core import audit
from coopsaas.core.counters import next_number
from coopsaas.core.db import utcnow
from coopsaas.core.i18n import _l
from coopsaas.core.ids import uuid7
from coopsaas.core.money import format_rupiah
from coopsaas.errors import Conflict, NotFound, ValidationError
from coopsaas.extensions import db
from coopsaas.ledger import EntrySpec, LineSpec, post_entry, reverse_entry
from coopsaas.ledger.models import JournalEntry
from coopsaas.ledger.services import require_scope, today_for
from coopsaas.retail import costing, credit, services
from coopsaas.retail.credit_models import Customer, Invoice, InvoiceLine, InvoicePayment
from coopsaas.retail.models import Item
from coopsaas.tenancy.models import Tenant
from coopsaas.tenancy.sync import tenant_setting

ZERO = Decimal("0.00")
RUPIAH = Decimal("1")
NPWP_RE = re.compile(r"^\d{15,16}$")
MAX_TERMS = 366


def _refuse(field_name: str, message: Any, code: str | None = None) -> ValidationError:
    return ValidationError(message, fields={field_name: [message]}, code=code)


# ---- customers ------------------------------------------------------------------------------------


def clean_npwp(value: str | None) -> str | None:
    """NPWP as 15 (old) or 16 (NIK-based) digits; dots and dashes as printed are dropped."""
    raw = re.sub(r"[.\-\s]", "", value or "")
    if not raw:
        return None
    if not NPWP_RE.match(raw):
        raise _refuse("npwp", _l("An NPWP has 15 or 16 digits."))
    return raw


def create_customer(
    *,
    tenant: Tenant,
    actor: Any,
    name: str,
    address: str | None = None,
    npwp: str | None = None,
    phone: str | None = None,
) -> Customer:
    """A business customer. Raises: ValidationError (no name, bad NPWP), Conflict (name taken)."""
    require_scope(tenant)
    clean = (name or "").strip()
    if not clean:
        raise _refuse("name", _l("This field is required."))
    if len(clean) > 200:
        raise _refuse("name", _l("At most %(n)s characters.", n=200))
    tax_id = clean_npwp(npwp)
    if db.session.scalars(select(Customer.id).where(Customer.name == clean)).first() is not None:
        message = _l("A customer named %(name)s already exists.", name=clean)
        raise Conflict(message, fields={"name": [message]}, code="duplicate")
    customer = Customer(
        name=clean,
        address=(address or "").strip()[:500],
        npwp=tax_id,
        phone=((phone or "").strip() or None) and (phone or "").strip()[:40],
    )
    db.session.add(customer)
    db.session.flush()
    audit.record("retail.customer.create", actor=actor, target=customer, summary={"name": customer.name})
    return customer


# ---- issuing --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InvoiceLineData:
    item: Item
    qty: Any
    unit_price: Any = None  # None: the item's member or public price


def find_by_key(key: str) -> Invoice | None:
    return db.session.scalars(select(Invoice).where(Invoice.submit_key == key)).one_or_none()


def _terms(value: Any, tenant: Tenant) -> int:
    if value in (None, ""):
        return int(tenant_setting(tenant, "invoice_terms_days"))
    try:
        days = int(str(value).strip())
    except ValueError:
        days = -1
    if not 0 <= days <= MAX_TERMS:
        raise _refuse("terms_days", _l("Terms are a number of days from 0 to 366."))
    return days


def tax_of(subtotal: Decimal, rate: Decimal) -> Decimal:
    """PPN on a DPP, rounded down to the whole rupiah."""
    return (subtotal * rate / 100).quantize(RUPIAH, rounding=ROUND_DOWN).quantize(ZERO)


def issue_invoice(
    *,
    tenant: Tenant,
    actor: Any,
    lines: Sequence[InvoiceLineData],
    submit_key: str,
    customer: Customer | None = None,
    member: Any = None,
    invoice_on: date | None = None,
    terms_days: Any = None,
    memo: str = "",
) -> Invoice:
    """Issue an invoice and deliver its goods. A repeated `submit_key` returns the first invoice.
    Raises: ValidationError (no buyer or two, no lines, bad quantity/price/terms), Conflict (member
    left), InsufficientStock, CreditLimitExceeded (a member beyond the limit), ClosedPeriodError."""
    require_scope(tenant)
    key = (submit_key or "").strip()
    if not key or len(key) > 64:
        raise _refuse("submit_key", _l("The invoice has no valid submit key; reload the page."))
    existing = find_by_key(key)
    if existing is not None:
        return existing
    if (customer is None) == (member is None):
        raise _refuse("buyer", _l("Choose a customer or a member (one of them)."))
    if member is not None and not member.is_active:
        raise Conflict(_l("Member %(no)s has left the cooperative.", no=member.member_no), code="member_left")
    if not lines:
        raise _refuse("lines", _l("Add at least one item."))
    priced: list[tuple[Item, Decimal, Decimal, Decimal]] = []
    for n, ln in enumerate(lines, start=1):
        qty = services.check_qty(ln.qty, f"lines.{n}.qty")
        if ln.unit_price in (None, ""):
            price = ln.item.member_price if member is not None else ln.item.public_price
        else:
            price = services.check_price(ln.unit_price, f"lines.{n}.unit_price")
        priced.append((ln.item, qty, price, costing.sen(qty * price)))
    terms = _terms(terms_days, tenant)
    day = invoice_on or today_for(tenant)
    taxable = bool(tenant_setting(tenant, "taxable_entrepreneur"))
    rate = Decimal(tenant_setting(tenant, "ppn_rate_pct")) if taxable else Decimal("0")
    subtotal = sum((p[3] for p in priced), ZERO)
    tax = tax_of(subtotal, rate) if taxable else ZERO
    total = subtotal + tax

    # Items first, then the member's credit row: the order the till takes them (no deadlock).
    services._lock_items(item.id for item, *_ in priced)
    if member is not None:
        credit.reserve(tenant, member.id, total)
    receivable = credit.receivable_account()
    revenue = services.shop_account("penjualan_anggota" if member is not None else "penjualan_non_anggota")
    tax_acct = credit.tax_account() if tax > 0 else None

    invoice = Invoice(
        id=uuid7(),
        number="",
        submit_key=key,
        customer_id=customer.id if customer is not None else None,
        member_id=member.id if member is not None else None,
        invoice_on=day,
        terms_days=terms,
        due_on=day + timedelta(days=terms),
        status="open",
        is_taxable=taxable,
        tax_rate=rate.quantize(Decimal("0.0001")),
        subtotal=subtotal,
        tax=tax,
        total=total,
        paid=ZERO,
        memo=(memo or "").strip()[:500],
        created_by_id=getattr(actor, "id", None),
    )
    try:
        with db.session.begin_nested():
            invoice.number = f"FK-{day.year}-{next_number(f'retail:FK:{day.year}'):06d}"
            db.session.add(invoice)
            db.session.flush()
    except IntegrityError:
        first = find_by_key(key)
        if first is not None:
            return first
        raise
    member_id = member.id if member is not None else None
    price_lines = [LineSpec(receivable.id, debit=total, member_id=member_id, memo=f"Faktur {invoice.number}")]
    price_lines += [
        LineSpec(revenue.id, credit=amount, item_id=item.id, member_id=member_id, memo=item.name[:300])
        for item, _qty, _price, amount in priced
        if amount > 0
    ]
    if tax_acct is not None:
        price_lines.append(LineSpec(tax_acct.id, credit=tax, memo=f"PPN faktur {invoice.number}"))
    buyer = customer.name if customer is not None else f"{member.member_no} {member.name}"
    entry, issued = services.issue_stock(
        tenant=tenant,
        actor=actor,
        lines=[(item, qty) for item, qty, _p, _a in priced],
        price_lines=price_lines,
        on=day,
        series="PJ",
        memo=f"Faktur {invoice.number} ({buyer})",
        source_type="retail_invoice",
        source_id=invoice.id,
        key=f"retail-invoice:{key}",
    )
    cost_total = ZERO
    for n, ((item, qty, price, amount), out) in enumerate(zip(priced, issued, strict=True), start=1):
        invoice.lines.append(
            InvoiceLine(
                line_no=n, item_id=item.id, qty=qty, unit_price=price, amount=amount, cost_value=out.cost
            )
        )
        cost_total += out.cost
    invoice.cost_total = cost_total
    invoice.journal_entry_id = entry.id if entry is not None else None
    db.session.flush()
    audit.record(
        "retail.invoice.issue",
        actor=actor,
        target=invoice,
        summary={"number": invoice.number, "buyer": buyer, "total": str(total), "tax": str(tax)},
    )
    return invoice


# ---- payments and voids ---------------------------------------------------------------------------


def _lock(invoice: Invoice) -> Invoice:
    return db.session.scalars(
        select(Invoice)
        .where(Invoice.id == invoice.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def record_payment(
    *,
    tenant: Tenant,
    actor: Any,
    invoice: Invoice,
    amount: Any,
    method: str = "cash",
    paid_on: date | None = None,
) -> InvoicePayment:
    """Money received against an invoice, all or part: Dr kas/bank / Cr 1301.
    Raises: ValidationError (bad amount or method, more than the balance), Conflict (paid or voided)."""
    require_scope(tenant)
    value = services.check_price(amount, "amount")
    if method not in credit.COUNTER_METHODS:
        raise _refuse("method", _l("Pay in cash or by transfer."))
    invoice = _lock(invoice)
    if invoice.status == "voided":
        raise Conflict(_l("Invoice %(number)s is void.", number=invoice.number), code="voided")
    if invoice.status == "paid":
        raise Conflict(_l("Invoice %(number)s is already paid.", number=invoice.number), code="already_paid")
    if value > invoice.balance:
        message = _l(
            "%(amount)s is more than the invoice balance of %(balance)s.",
            amount=format_rupiah(value, sen=True),
            balance=format_rupiah(invoice.balance, sen=True),
        )
        raise ValidationError(message, fields={"amount": [message]}, code="overpayment")
    day = paid_on or today_for(tenant)
    if day < invoice.invoice_on:
        raise _refuse("paid_on", _l("A payment cannot be dated before the invoice."))
    cash = services.shop_account("kas" if method == "cash" else "bank")
    receivable = credit.receivable_account()
    payment = InvoicePayment(
        id=uuid7(),
        invoice_id=invoice.id,
        paid_on=day,
        amount=value,
        method=method,
        created_by_id=getattr(actor, "id", None),
    )
    entry = post_entry(
        tenant=tenant,
        actor=actor,
        spec=EntrySpec(
            entry_on=day,
            lines=[
                LineSpec(cash.id, debit=value, member_id=invoice.member_id),
                LineSpec(receivable.id, credit=value, member_id=invoice.member_id),
            ],
            memo=f"Pembayaran faktur {invoice.number}",
            series="KM",
            source_type="retail_invoice_payment",
            source_id=payment.id,
        ),
    )
    payment.journal_entry_id = entry.id
    db.session.add(payment)
    invoice.paid = invoice.paid + value
    invoice.status = "paid" if invoice.paid == invoice.total else "partial"
    db.session.flush()
    audit.record(
        "retail.invoice.pay",
        actor=actor,
        target=invoice,
        summary={"number": invoice.number, "amount": str(value), "method": method, "status": invoice.status},
    )
    return payment


def void_invoice(
    *, tenant: Tenant, actor: Any, invoice: Invoice, reason: str, on: date | None = None
) -> Invoice:
    """Cancel an unpaid invoice: its entry reversed, the goods back in stock at their cost.
    Raises: ValidationError (no reason), Conflict (paid in part or whole, already void),
    PermissionDenied (above the reversal threshold without a manager)."""
    require_scope(tenant)
    reason = (reason or "").strip()
    if not reason:
        raise _refuse("reason", _l("Give the reason for voiding."))
    if len(reason) > 300:
        raise _refuse("reason", _l("At most %(n)s characters.", n=300))
    invoice = _lock(invoice)
    if invoice.status == "voided":
        raise Conflict(
            _l("Invoice %(number)s is already void.", number=invoice.number), code="already_voided"
        )
    if invoice.paid > 0:
        raise Conflict(
            _l(
                "Invoice %(number)s has payments of %(paid)s; only an unpaid invoice can be voided.",
                number=invoice.number,
                paid=format_rupiah(invoice.paid, sen=True),
            ),
            code="has_payments",
        )
    day = on or today_for(tenant)
    reversal = None
    if invoice.journal_entry_id is not None:
        entry = db.session.scalars(
            select(JournalEntry).where(JournalEntry.id == invoice.journal_entry_id)
        ).one()
        reversal = reverse_entry(tenant=tenant, actor=actor, entry=entry, reason=reason, on=day)
    items = services._lock_items(ln.item_id for ln in invoice.lines)
    pending = services._Pending()
    for ln in invoice.lines:
        move = costing.give_back(services._stock(items[ln.item_id]), ln.qty, ln.cost_value)
        pending.move(
            items[ln.item_id],
            move,
            kind="return",
            on=day,
            source_type="retail_invoice_void",
            source_id=invoice.id,
            actor=actor,
        )
    pending.write(reversal)
    invoice.status = "voided"
    invoice.void_reason = reason
    invoice.voided_at = utcnow()
    db.session.flush()
    audit.record(
        "retail.invoice.void",
        actor=actor,
        target=invoice,
        summary={"number": invoice.number, "total": str(invoice.total), "reason": reason},
    )
    return invoice


def payments_of(invoice: Invoice) -> list[InvoicePayment]:
    return list(
        db.session.scalars(
            select(InvoicePayment)
            .where(InvoicePayment.invoice_id == invoice.id)
            .order_by(InvoicePayment.paid_on, InvoicePayment.created_at)
        )
    )


def buyer_of(invoice: Invoice) -> dict[str, str]:
    """Name, address, NPWP and phone of the invoice's buyer, for pages and the PDF."""
    if invoice.customer_id is not None:
        c = db.session.scalars(select(Customer).where(Customer.id == invoice.customer_id)).one()
        return {
            "name": c.name,
            "address": c.address or "",
            "npwp": c.npwp or "",
            "phone": c.phone or "",
            "kind": "customer",
        }
    from coopsaas.members.models import Member

    m = db.session.scalars(select(Member).where(Member.id == invoice.member_id)).one_or_none()
    if m is None:
        raise NotFound(_l("Member not found."))
    return {
        "name": f"{m.name} ({m.member_no})",
        "address": m.address or "",
        "npwp": "",
        "phone": m.phone or "",
        "kind": "member",
    }


def invoice_query(status: str | None = None) -> Any:
    stmt = select(Invoice).order_by(Invoice.invoice_on.desc(), Invoice.number.desc())
    if status in ("open", "partial", "paid", "voided"):
        stmt = stmt.where(Invoice.status == status)
    return stmt


def customer_by_id(ident: Any) -> Customer | None:
    from coopsaas.core.db import get_scoped

    return get_scoped(db.session, Customer, ident) if isinstance(ident, uuid.UUID) else None
