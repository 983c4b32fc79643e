"""Loan applications: the quote (schedule before anything is saved), submission and the decision.

Maker-checker (DESIGN.md section 4): the user who entered an application can never approve or
reject it; another user holding `loans.approve` decides, with a reason for a rejection. The
terms quoted on entry are stored with the application and used at disbursement.

Sharia financing (domain/sharia.md sections 2 and 4) goes through the same path:
- MURABAHAH: the amount is the cost price (*harga pokok*); the margin is fixed once, on entry, as
  `harga pokok x margin rate x term` (the product's rate, flat-like, whole rupiah half-up), and
  stored in the terms (`margin`), so a later change of the product's rate never changes it;
- QARDH: principal only; no rate and no provision, only a fixed administration fee (*ujrah*).
Both need their accounts in the chart (1211/1212/4111, or 1214); a conventional chart refuses them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, Decimal
from typing import Any

from sqlalchemy import Select, select

from coopsaas.core import audit
from coopsaas.core.clock import now
from coopsaas.core.counters import next_number
from coopsaas.core.i18n import _l
from coopsaas.core.ids import uuid7
from coopsaas.core.money import CENT, MoneyError, format_rupiah, round_rupiah, to_money
from coopsaas.errors import Conflict, ValidationError
from coopsaas.extensions import db
from coopsaas.ledger.services import require_scope, today_for
from coopsaas.loans.models import (
    APPROVED,
    FEES_DEDUCTED,
    REJECTED,
    SHARIA_METHODS,
    SUBMITTED,
    ZERO,
    LoanApplication,
    LoanProduct,
)
from coopsaas.loans.products import percent, product_rate, terms_of
from coopsaas.loans.schedule import Method, Schedule, build_schedule, equivalent_rate
from coopsaas.members.models import Member
from coopsaas.savings import services as savings
from coopsaas.tenancy.models import Tenant

TEXT_MAX = {"purpose": 500, "collateral": 500, "guarantor": 300}
REASON_MAX = 500
KEY_MAX = 200


@dataclass(frozen=True)
class Quote:
    """What the member is offered: the schedule from the given date, the fees and the money in hand."""

    amount: Decimal
    term_months: int
    terms: dict[str, Any]
    admin_fee: Decimal
    provision_fee: Decimal
    schedule: Schedule

    @property
    def fees(self) -> Decimal:
        return self.admin_fee + self.provision_fee

    @property
    def fees_deducted(self) -> bool:
        return self.terms.get("fee_collection", FEES_DEDUCTED) == FEES_DEDUCTED

    @property
    def net_disbursed(self) -> Decimal:
        return self.amount - self.fees if self.fees_deducted else self.amount

    @property
    def equivalent_rate_pa(self) -> Decimal | None:
        return disclosed_rate(self.schedule)

    @property
    def is_sharia(self) -> bool:
        return is_sharia(self.terms.get("method"))

    @property
    def margin(self) -> Decimal:
        """The murabahah margin fixed at the akad (zero for other methods)."""
        return self.schedule.total_interest if self.schedule.method is Method.MURABAHAH else ZERO

    @property
    def selling_price(self) -> Decimal:
        """Murabahah: cost + margin, the receivable booked at the akad; otherwise the amount."""
        return self.amount + self.margin


def disclosed_rate(schedule: Schedule) -> Decimal | None:
    """For a FLAT loan, the declining-balance rate per year it really costs (loans.md 4.1: 18 %
    flat over 12 months is 31,72 % p.a.), which the member must be shown; None for other methods."""
    if schedule.method is not Method.FLAT:
        return None
    return equivalent_rate(schedule).nominal_pa.quantize(CENT)


def member_savings_total(member: Member) -> Decimal:
    return sum((a.balance for a in savings.accounts_of(member)), ZERO)


def fees_for(terms: dict[str, Any], amount: Decimal) -> tuple[Decimal, Decimal]:
    """(admin fee, provision) of `amount`: provision is the product's percentage, whole rupiah."""
    admin = to_money(terms.get("admin_fee") or "0")
    provision = round_rupiah(amount * percent(terms.get("provision_pct")) / 100)
    return admin, provision


def is_sharia(method: object) -> bool:
    return str(method) in SHARIA_METHODS


def murabahah_margin(terms: dict[str, Any], cost: Decimal, term_months: int) -> Decimal:
    """The margin agreed at the akad: `cost x rate x term`, computed once, whole rupiah half-up."""
    return round_rupiah(product_rate(terms).interest_on(cost, term_months))


def schedule_for(terms: dict[str, Any], amount: Decimal, term_months: int, on: date) -> Schedule:
    method = Method(terms["method"])
    if method is Method.MURABAHAH:
        margin = terms.get("margin")
        fixed = to_money(margin) if margin not in (None, "") else murabahah_margin(terms, amount, term_months)
        return build_schedule(method, principal=amount, term=term_months, disbursed_on=on, margin=fixed)
    rate = None if method is Method.QARDH else product_rate(terms)
    return build_schedule(method, principal=amount, term=term_months, disbursed_on=on, rate=rate)


SHARIA_ACCOUNTS = {
    "MURABAHAH": (
        ("piutang_murabahah", "1211"),
        ("margin_murabahah_ditangguhkan", "1212"),
        ("pendapatan_margin_murabahah", "4111"),
    ),
    "QARDH": (("pinjaman_qardh", "1214"),),
}


def chart_supports(product: LoanProduct) -> bool:
    """Whether the chart of accounts in scope can book this product (sharia ones need their accounts)."""
    if product.method not in SHARIA_METHODS:
        return True
    try:
        _sharia_checks(product)
    except ValidationError:
        return False
    return True


def _sharia_checks(product: LoanProduct) -> None:
    """A sharia product needs its accounts in the chart, no rate on a qardh and no provision on it."""
    from coopsaas.loans.disbursement import _find  # disbursement imports this module

    for tag, code in SHARIA_ACCOUNTS[product.method]:
        found = _find(tag, code)
        if found is None or not found.is_active:
            message = _l(
                "Sharia financing (%(method)s) needs account %(code)s in the chart of accounts.",
                method=product.method.capitalize(),
                code=code,
            )
            raise ValidationError(message, fields={"product_id": [message]})
    if product.method == "QARDH" and (percent(product.rate) or percent(product.provision_pct)):
        message = _l(
            "A qardh financing carries no margin, interest or provision: only an administration fee."
        )
        raise ValidationError(message, fields={"product_id": [message]})


def _amount(value: object) -> Decimal:
    try:
        amount = to_money(value)
    except MoneyError:
        message = _l("Enter an amount in rupiah, for example 5.000.000.")
        raise ValidationError(message, fields={"amount": [message]}) from None
    if amount <= 0:
        message = _l("The amount must be more than zero.")
        raise ValidationError(message, fields={"amount": [message]})
    if amount != amount.to_integral_value():
        message = _l("A loan is a whole number of rupiah.")
        raise ValidationError(message, fields={"amount": [message]})
    return amount


def _term(value: object) -> int:
    try:
        term = int(str(value).strip()) if not isinstance(value, bool) else 0
    except (TypeError, ValueError):
        term = 0
    if term < 1:
        message = _l("Enter the term as a whole number of months.")
        raise ValidationError(message, fields={"term_months": [message]})
    return term


def quote(
    *,
    tenant: Tenant,
    member: Member,
    product: LoanProduct,
    amount: object,
    term_months: object,
    on: date | None = None,
) -> Quote:
    """Check the request against the product and the member and compute the schedule; writes nothing.

    Raises: ValidationError (amount or term outside the product, above the savings multiple,
    inactive or sharia product), Conflict (the member has left the cooperative).
    """
    require_scope(tenant)
    if not member.is_active:
        raise Conflict(
            _l("Member %(no)s has left the cooperative.", no=member.member_no), code="member_exited"
        )
    if not product.is_active:
        message = _l("Product %(name)s is no longer offered.", name=product.name)
        raise ValidationError(message, fields={"product_id": [message]})
    if product.method in SHARIA_METHODS:
        _sharia_checks(product)
    principal = _amount(amount)
    term = _term(term_months)
    fields: dict[str, list[Any]] = {}
    if not product.min_amount <= principal <= product.max_amount:
        fields["amount"] = [
            _l(
                "%(name)s lends from %(low)s to %(high)s.",
                name=product.name,
                low=format_rupiah(product.min_amount),
                high=format_rupiah(product.max_amount),
            )
        ]
    elif product.max_savings_multiple:
        multiple = Decimal(product.max_savings_multiple)
        saved = member_savings_total(member)
        cap = (saved * multiple).quantize(Decimal(1), rounding=ROUND_DOWN).quantize(CENT)
        if principal > cap:
            fields["amount"] = [
                _l(
                    "At most %(cap)s: %(multiple)s times the member's savings of %(saved)s.",
                    cap=format_rupiah(cap),
                    multiple=str(multiple).replace(".", ","),
                    saved=format_rupiah(saved, sen=saved != saved.to_integral_value()),
                )
            ]
    if not product.min_term_months <= term <= product.max_term_months:
        fields["term_months"] = [
            _l(
                "%(name)s runs from %(low)s to %(high)s months.",
                name=product.name,
                low=product.min_term_months,
                high=product.max_term_months,
            )
        ]
    if fields:
        raise ValidationError(next(iter(fields.values()))[0], fields=fields)
    terms = terms_of(product)
    if product.method == "MURABAHAH":
        margin = murabahah_margin(terms, principal, term)
        terms.update(margin=str(margin), selling_price=str(principal + margin))
    admin, provision = fees_for(terms, principal)
    if terms["fee_collection"] == FEES_DEDUCTED and admin + provision >= principal:
        message = _l("The fees would take the whole amount.")
        raise ValidationError(message, fields={"amount": [message]})
    schedule = schedule_for(terms, principal, term, on or today_for(tenant))
    return Quote(principal, term, terms, admin, provision, schedule)


def _text(values: dict[str, Any], name: str) -> str:
    text = str(values.get(name) or "").strip()
    if len(text) > TEXT_MAX[name]:
        message = _l("At most %(n)s characters.", n=TEXT_MAX[name])
        raise ValidationError(message, fields={name: [message]})
    return text


def submit_application(
    *,
    tenant: Tenant,
    actor: Any,
    member: Member,
    product: LoanProduct,
    amount: object,
    term_months: object,
    purpose: str = "",
    collateral: str = "",
    collateral_value: object = None,
    guarantor: str = "",
    idempotency_key: str | None = None,
) -> LoanApplication:
    """Enter an application (numbered `PM-000001` per tenant). A repeated idempotency key returns
    the first application. Raises: ValidationError, Conflict (see `quote`)."""
    require_scope(tenant)
    key = (idempotency_key or "").strip() or None
    if key is not None:
        if len(key) > KEY_MAX:
            raise ValidationError(_l("The idempotency key is longer than 200 characters."))
        first = db.session.scalars(
            select(LoanApplication).where(LoanApplication.idempotency_key == key)
        ).one_or_none()
        if first is not None:
            return first
    offer = quote(tenant=tenant, member=member, product=product, amount=amount, term_months=term_months)
    texts = {
        name: _text({"purpose": purpose, "collateral": collateral, "guarantor": guarantor}, name)
        for name in TEXT_MAX
    }
    fields: dict[str, list[Any]] = {}
    if not texts["purpose"]:
        fields["purpose"] = [_l("Say what the loan is for.")]
    if product.requires_collateral and not texts["collateral"]:
        fields["collateral"] = [_l("%(name)s needs collateral: describe it.", name=product.name)]
    if product.requires_guarantor and not texts["guarantor"]:
        fields["guarantor"] = [_l("%(name)s needs a guarantor: give their name.", name=product.name)]
    value = None
    if collateral_value not in (None, ""):
        try:
            value = to_money(collateral_value)
        except MoneyError:
            value = None
        if value is None or value < 0:
            fields["collateral_value"] = [_l("Enter the collateral's value in rupiah.")]
    if fields:
        raise ValidationError(next(iter(fields.values()))[0], fields=fields)
    application = LoanApplication(
        id=uuid7(),
        application_no=f"PM-{next_number('loan_application'):06d}",
        member_id=member.id,
        product_id=product.id,
        amount=offer.amount,
        term_months=offer.term_months,
        purpose=texts["purpose"],
        collateral=texts["collateral"],
        collateral_value=value,
        guarantor=texts["guarantor"],
        terms=offer.terms,
        admin_fee=offer.admin_fee,
        provision_fee=offer.provision_fee,
        status=SUBMITTED,
        applied_on=today_for(tenant),
        created_by_id=getattr(actor, "id", None),
        decision_reason="",
        idempotency_key=key,
    )
    db.session.add(application)
    db.session.flush()
    audit.record(
        "loans.application.submit",
        actor=actor,
        target=application,
        summary={
            "application_no": application.application_no,
            "member_no": member.member_no,
            "product": product.code,
            "amount": str(offer.amount),
            "term_months": offer.term_months,
        },
    )
    return application


def lock_application(application: LoanApplication) -> LoanApplication:
    return db.session.scalars(
        select(LoanApplication)
        .where(LoanApplication.id == application.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def _decide(
    *, tenant: Tenant, actor: Any, application: LoanApplication, status: str, reason: str
) -> LoanApplication:
    require_scope(tenant)
    application = lock_application(application)
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX:
        message = _l("At most %(n)s characters.", n=REASON_MAX)
        raise ValidationError(message, fields={"reason": [message]})
    if application.status == status and application.decided_by_id == getattr(actor, "id", None):
        return application  # the same decision sent twice
    if application.status != SUBMITTED:
        raise Conflict(
            _l(
                "Application %(no)s has already been decided (%(status)s).",
                no=application.application_no,
                status=application.status,
            ),
            code="already_decided",
        )
    if application.created_by_id is not None and application.created_by_id == getattr(actor, "id", None):
        raise Conflict(
            _l("You entered this application, so another officer must approve or reject it (maker-checker)."),
            code="maker_checker",
        )
    if status == REJECTED and not reason:
        message = _l("Give the reason for the rejection.")
        raise ValidationError(message, fields={"reason": [message]})
    application.status = status
    application.decided_by_id = getattr(actor, "id", None)
    application.decided_at = now()
    application.decision_reason = reason
    db.session.flush()
    audit.record(
        f"loans.application.{'approve' if status == APPROVED else 'reject'}",
        actor=actor,
        target=application,
        summary={"application_no": application.application_no, "reason": reason},
    )
    return application


def approve_application(
    *, tenant: Tenant, actor: Any, application: LoanApplication, reason: str = ""
) -> LoanApplication:
    """Approve a submitted application. Raises: Conflict (decided already; the maker approving)."""
    return _decide(tenant=tenant, actor=actor, application=application, status=APPROVED, reason=reason)


def reject_application(
    *, tenant: Tenant, actor: Any, application: LoanApplication, reason: str
) -> LoanApplication:
    """Reject a submitted application with a reason. Raises: ValidationError (no reason), Conflict."""
    return _decide(tenant=tenant, actor=actor, application=application, status=REJECTED, reason=reason)


def applications_query(*, status: str | None = None, member_id: Any = None) -> Select[Any]:
    stmt = select(LoanApplication).order_by(LoanApplication.created_at.desc(), LoanApplication.id.desc())
    if status:
        stmt = stmt.where(LoanApplication.status == status)
    if member_id is not None:
        stmt = stmt.where(LoanApplication.member_id == member_id)
    return stmt


def application_quote(tenant: Tenant, application: LoanApplication, on: date | None = None) -> Quote:
    """The schedule of a saved application as it would run from `on` (default today), on its own terms."""
    schedule = schedule_for(
        application.terms, application.amount, application.term_months, on or today_for(tenant)
    )
    return Quote(
        application.amount,
        application.term_months,
        application.terms,
        application.admin_fee,
        application.provision_fee,
        schedule,
    )
