"""Loan products: seeded from the tenant's file, then kept (and edited) in the database.

The seeding rule: `ensure_products` creates a product the first time its code appears in
`Tenant.settings["loan_products"]` (written by `flask tenants sync` from `[[loan_products]]`), and
refreshes it from the file on later calls **only while no manager has edited it**. The first edit
on the product page (or `PATCH` in the API) stamps `edited_at`; from then on the database copy is
the product and the file no longer changes it. Products are never deleted (loans point at them): a
code removed from the file stays as it is, and a manager may deactivate it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select

from coopsaas.core import audit
from coopsaas.core.clock import now
from coopsaas.core.i18n import _l
from coopsaas.core.ids import uuid7
from coopsaas.core.money import MoneyError, format_rupiah, parse_money, to_money
from coopsaas.errors import ValidationError
from coopsaas.extensions import db
from coopsaas.ledger.services import require_scope
from coopsaas.loans.allocation import PenaltyBasis, PenaltyRule, PenaltyUnit
from coopsaas.loans.models import (
    FEE_COLLECTIONS,
    FEES_DEDUCTED,
    METHODS,
    PENALTY_UNITS,
    PER_DAY,
    RATE_BASES,
    RATE_PA,
    RATE_PM,
    LoanProduct,
)
from coopsaas.loans.schedule import Rate, RateBasis
from coopsaas.tenancy.models import Tenant

MAX_RATE = {RATE_PA: Decimal(120), RATE_PM: Decimal(10)}
MAX_PROVISION = Decimal(10)
MAX_PENALTY = {PER_DAY: Decimal(5), "MONTH": Decimal(50)}
MAX_GRACE_DAYS = 90
MAX_TERM = 360
ALLOCATION_ORDERS = ("DENDA_BUNGA_POKOK", "COMPONENT_FIRST")
PROFILES = ("KOPERASI_BULANAN", "MIKRO_KETAT")
EDITABLE = (
    "name",
    "method",
    "rate_basis",
    "rate",
    "min_amount",
    "max_amount",
    "max_savings_multiple",
    "min_term_months",
    "max_term_months",
    "admin_fee",
    "provision_pct",
    "fee_collection",
    "penalty_rate_pct",
    "penalty_per",
    "penalty_grace_days",
    "requires_guarantor",
    "requires_collateral",
    "is_active",
)


def percent(text: str | None) -> Decimal:
    """A stored percentage ("1.5") as Decimal; an empty one is zero."""
    return Decimal(text) if text else Decimal(0)


def product_rate(product: Any) -> Rate:
    """The rate of a product (or of an application's/loan's stored terms) for schedule.py."""
    basis = product["rate_basis"] if isinstance(product, dict) else product.rate_basis
    value = product["rate"] if isinstance(product, dict) else product.rate
    return Rate(percent(value), RateBasis(basis))


def penalty_rule(product: Any) -> PenaltyRule:
    """The late-payment rule: percent of the overdue instalment per day or per month, after grace."""
    get = product.get if isinstance(product, dict) else lambda k: getattr(product, k)
    rate = percent(get("penalty_rate_pct"))
    return PenaltyRule(
        basis=PenaltyBasis.OVERDUE_INSTALMENT if rate > 0 else PenaltyBasis.NONE,
        rate_pct=rate,
        per=PenaltyUnit(get("penalty_per") or PER_DAY),
        grace_days=int(get("penalty_grace_days") or 0),
    )


def terms_of(product: LoanProduct) -> dict[str, Any]:
    """What an application quotes and a loan keeps: the product's terms at that moment."""
    return {
        "product_code": product.code,
        "product_name": product.name,
        "method": product.method,
        "rate_basis": product.rate_basis,
        "rate": product.rate,
        "admin_fee": str(product.admin_fee),
        "provision_pct": product.provision_pct,
        "fee_collection": product.fee_collection,
        "penalty_rate_pct": product.penalty_rate_pct,
        "penalty_per": product.penalty_per,
        "penalty_grace_days": product.penalty_grace_days,
        "allocation_order": product.allocation_order,
        "flat_early_settlement_interest": product.flat_early_settlement_interest,
        "collectibility_profile": product.collectibility_profile,
    }


# ---- seeding from the tenant file ------------------------------------------------------------------


def _from_settings(item: dict[str, Any]) -> dict[str, Any]:
    """A `[[loan_products]]` entry (as stored by tenants sync) in the shape of the table."""
    basis = RATE_PM if item.get("rate_pm") not in (None, "") else RATE_PA
    rate = item.get(basis)
    return {
        "name": item["name"],
        "method": item["method"],
        "rate_basis": basis,
        "rate": canonical(Decimal(str(rate))) if rate not in (None, "") else "0",
        "min_amount": to_money(str(item["min_amount"])),
        "max_amount": to_money(str(item["max_amount"])),
        "min_term_months": int(item["min_term_months"]),
        "max_term_months": int(item["max_term_months"]),
        "admin_fee": to_money(str(item.get("admin_fee") or "0")),
        "provision_pct": canonical(Decimal(str(item.get("provision_pct") or "0"))),
        "penalty_rate_pct": canonical(Decimal(str(item.get("denda_rate_pd") or "0"))),
        "penalty_per": PER_DAY,
        "penalty_grace_days": int(item.get("denda_grace_days") or 0),
        "allocation_order": item.get("allocation_order") or "DENDA_BUNGA_POKOK",
        "flat_early_settlement_interest": item.get("flat_early_settlement_interest"),
        "collectibility_profile": item.get("collectibility_profile"),
    }


def ensure_products(tenant: Tenant, *, actor: Any = None) -> dict[str, LoanProduct]:
    """Create the file's new products and refresh the ones no manager has edited (module docstring).
    Idempotent; returns every product of the tenant by code."""
    require_scope(tenant)
    existing = {p.code: p for p in db.session.scalars(select(LoanProduct))}
    created: list[str] = []
    refreshed: list[str] = []
    for item in (tenant.settings or {}).get("loan_products") or []:
        values = _from_settings(item)
        product = existing.get(item["code"])
        if product is None:
            product = LoanProduct(
                id=uuid7(),
                code=item["code"],
                fee_collection=FEES_DEDUCTED,
                requires_guarantor=False,
                requires_collateral=False,
                is_active=True,
                **values,
            )
            db.session.add(product)
            existing[product.code] = product
            created.append(product.code)
        elif product.edited_at is None:
            changed = {k: v for k, v in values.items() if getattr(product, k) != v}
            if changed:
                for k, v in changed.items():
                    setattr(product, k, v)
                refreshed.append(product.code)
    if created or refreshed:
        db.session.flush()
        audit.record(
            "loans.products.sync",
            actor=actor,
            target=tenant,
            target_type="tenant",
            summary={"created": created, "refreshed": refreshed},
        )
    return existing


def products(*, active_only: bool = False) -> list[LoanProduct]:
    stmt = select(LoanProduct).order_by(LoanProduct.code)
    if active_only:
        stmt = stmt.where(LoanProduct.is_active.is_(True))
    return list(db.session.scalars(stmt))


# ---- editing ---------------------------------------------------------------------------------------


@dataclass
class _Errors:
    fields: dict[str, list[Any]]

    def add(self, name: str, message: Any) -> None:
        self.fields.setdefault(name, []).append(message)


def parse_percent(value: object) -> Decimal:
    """`1,5`, `1.5` or a Decimal as a percentage. Raises ValueError."""
    if isinstance(value, bool | float):
        raise ValueError("not a percentage")
    if isinstance(value, Decimal | int):
        d = Decimal(value)
    else:
        text = str(value or "").strip().replace(",", ".").rstrip("%").strip()
        if not text:
            raise ValueError("empty")
        try:
            d = Decimal(text)
        except InvalidOperation:
            raise ValueError("not a percentage") from None
    if not d.is_finite() or d < 0 or d != d.quantize(Decimal("0.0001")):
        raise ValueError("not a percentage")
    return d


def canonical(value: Decimal) -> str:
    """A percentage as stored: no trailing zeros, no exponent ("20", "1.5", "0")."""
    return format(value.normalize(), "f") if value != 0 else "0"


def _money(value: object, name: str, errors: _Errors, *, whole: bool = True) -> Decimal | None:
    try:
        amount = to_money(value) if isinstance(value, Decimal | int) else parse_money(str(value or ""))
    except MoneyError:
        errors.add(name, _l("Enter an amount in rupiah, for example 1.250.000."))
        return None
    if amount < 0:
        errors.add(name, _l("The amount cannot be negative."))
        return None
    if whole and amount != amount.to_integral_value():
        errors.add(name, _l("Loan amounts and fees are whole rupiah."))
        return None
    return amount


def _int(value: object, name: str, errors: _Errors, low: int, high: int) -> int | None:
    try:
        number = int(str(value).strip()) if not isinstance(value, bool) else None
    except (TypeError, ValueError):
        number = None
    if number is None or not low <= number <= high:
        errors.add(name, _l("Enter a whole number from %(low)s to %(high)s.", low=low, high=high))
        return None
    return number


def _pct(value: object, name: str, errors: _Errors, high: Decimal, *, optional: bool = False) -> str | None:
    if optional and (value is None or str(value).strip() == ""):
        return None
    try:
        d = parse_percent(value)
    except ValueError:
        errors.add(name, _l("Enter a percentage such as 1,5 (at most 4 decimals)."))
        return None
    if d > high:
        errors.add(name, _l("At most %(high)s %%.", high=high))
        return None
    return canonical(d)


def validate_product(values: dict[str, Any], current: LoanProduct | None = None) -> dict[str, Any]:
    """Check product values (form strings or API values) and return them in the table's types.
    Keys left out keep the current value. Raises ValidationError listing every problem."""
    errors = _Errors({})
    merged: dict[str, Any] = {k: getattr(current, k) for k in EDITABLE} if current is not None else {}
    merged.update({k: v for k, v in values.items() if k in EDITABLE})
    out: dict[str, Any] = {}
    name = str(merged.get("name") or "").strip()
    if not name or len(name) > 200:
        errors.add("name", _l("Enter a name of at most 200 characters."))
    out["name"] = name
    method = merged.get("method")
    if method not in METHODS:
        errors.add("method", _l("Choose a schedule method."))
    out["method"] = method
    basis = merged.get("rate_basis") or RATE_PA
    if basis not in RATE_BASES:
        errors.add("rate_basis", _l("Choose per year or per month."))
        basis = RATE_PA
    out["rate_basis"] = basis
    out["rate"] = _pct(merged.get("rate", "0"), "rate", errors, MAX_RATE[basis])
    if method == "QARDH" and out["rate"] not in (None, "0"):
        errors.add("rate", _l("A qardh loan carries no interest."))
    lo = _money(merged.get("min_amount"), "min_amount", errors)
    hi = _money(merged.get("max_amount"), "max_amount", errors)
    if lo is not None and lo <= 0:
        errors.add("min_amount", _l("The amount must be more than zero."))
    if lo is not None and hi is not None and hi < lo:
        errors.add("max_amount", _l("The maximum cannot be below the minimum."))
    out["min_amount"], out["max_amount"] = lo, hi
    out["max_savings_multiple"] = _pct(
        merged.get("max_savings_multiple"), "max_savings_multiple", errors, Decimal(100), optional=True
    )
    if out["max_savings_multiple"] == "0":
        errors.add("max_savings_multiple", _l("Leave it empty for no limit, or give a multiple above zero."))
    t_lo = _int(merged.get("min_term_months"), "min_term_months", errors, 1, MAX_TERM)
    t_hi = _int(merged.get("max_term_months"), "max_term_months", errors, 1, MAX_TERM)
    if t_lo is not None and t_hi is not None and t_hi < t_lo:
        errors.add("max_term_months", _l("The longest term cannot be below the shortest."))
    out["min_term_months"], out["max_term_months"] = t_lo, t_hi
    out["admin_fee"] = _money(merged.get("admin_fee", "0"), "admin_fee", errors)
    out["provision_pct"] = _pct(merged.get("provision_pct", "0"), "provision_pct", errors, MAX_PROVISION)
    if method == "QARDH" and out["provision_pct"] not in (None, "0"):
        errors.add("provision_pct", _l("A qardh financing takes only an administration fee, no provision."))
    collection = merged.get("fee_collection") or FEES_DEDUCTED
    if collection not in FEE_COLLECTIONS:
        errors.add("fee_collection", _l("Choose how the fees are paid."))
    out["fee_collection"] = collection
    per = merged.get("penalty_per") or PER_DAY
    if per not in PENALTY_UNITS:
        errors.add("penalty_per", _l("Choose per day or per month."))
        per = PER_DAY
    out["penalty_per"] = per
    out["penalty_rate_pct"] = _pct(
        merged.get("penalty_rate_pct", "0"), "penalty_rate_pct", errors, MAX_PENALTY[per]
    )
    out["penalty_grace_days"] = _int(
        merged.get("penalty_grace_days", 0), "penalty_grace_days", errors, 0, MAX_GRACE_DAYS
    )
    for flag in ("requires_guarantor", "requires_collateral", "is_active"):
        out[flag] = bool(merged.get(flag))
    if errors.fields:
        first = next(iter(errors.fields.values()))[0]
        raise ValidationError(first, fields=errors.fields)
    return out


def update_product(
    *, tenant: Tenant, actor: Any, product: LoanProduct, values: dict[str, Any]
) -> LoanProduct:
    """A manager's edit. Existing applications and loans keep the terms they were given.
    Raises: ValidationError."""
    require_scope(tenant)
    checked = validate_product(values, product)
    before = {k: getattr(product, k) for k in checked}
    changed = {k: v for k, v in checked.items() if before[k] != v}
    for k, v in changed.items():
        setattr(product, k, v)
    product.edited_at = now()
    product.edited_by_id = getattr(actor, "id", None)
    db.session.flush()
    audit.record(
        "loans.product.update",
        actor=actor,
        target=product,
        summary={
            "code": product.code,
            "changed": {k: {"from": before[k], "to": changed[k]} for k in sorted(changed)},
        },
    )
    return product


def describe_max(product: LoanProduct) -> str:
    text = f"{format_rupiah(product.min_amount)} – {format_rupiah(product.max_amount)}"
    if product.max_savings_multiple:
        text += " " + str(_l("and at most %(x)s × savings", x=product.max_savings_multiple.replace(".", ",")))
    return text
