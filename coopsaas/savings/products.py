"""Savings product settings a manager changes: amounts, rates, interest method, time deposit terms.

Rule between the tenant file and this page: `tenants/<slug>.toml` seeds a product once, when
`ensure_products` creates it; from then on the product is changed here (page or API) and a later
`tenants sync` never overwrites it. A change applies from the next calculation: the next month-end
run reads the sukarela settings, a new time deposit takes the product's terms on the day it is
placed, and a running deposit keeps the terms fixed at its placement (savings.md section 2).

Parameters are stored as the tenant file stores them: money as strings with two places, rates as
percent strings (`"3.25"`), choices as their upper-case keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from coopsaas.core import audit
from coopsaas.core.i18n import _l
from coopsaas.core.money import MoneyError, to_money
from coopsaas.errors import ValidationError
from coopsaas.extensions import db
from coopsaas.ledger.services import require_scope
from coopsaas.savings.berjangka import MAX_TERM_MONTHS, BreakPenalty, MaturityInstruction, Payout
from coopsaas.savings.interest import InterestMethod
from coopsaas.savings.models import BERJANGKA, POKOK, SUKARELA, WAJIB, SavingsProduct
from coopsaas.tenancy.models import Tenant

HUNDRED = Decimal(100)
RATE_PLACES = 4
NAME_MAX = 200
DAY_COUNTS = ("ACT_365", "30_360")

MONEY_KEYS = {
    POKOK: ("amount",),
    WAJIB: ("amount",),
    SUKARELA: ("min_opening", "min_balance", "min_balance_for_interest", "admin_fee"),
    BERJANGKA: ("min_amount",),
}
RATE_KEYS = {POKOK: (), WAJIB: (), SUKARELA: ("rate_pa",), BERJANGKA: ("break_penalty_percent",)}
CHOICE_KEYS: dict[str, dict[str, tuple[str, ...]]] = {
    POKOK: {},
    WAJIB: {},
    SUKARELA: {"interest_method": tuple(m.value for m in InterestMethod), "day_count": DAY_COUNTS},
    BERJANGKA: {
        "payout": tuple(p.value for p in Payout),
        "day_count": DAY_COUNTS,
        "maturity_instruction": tuple(m.value for m in MaturityInstruction),
        "break_penalty": tuple(b.value for b in BreakPenalty),
    },
}
LABELS = {
    "name": _l("Name"),
    "amount": _l("Amount"),
    "min_opening": _l("Minimum opening deposit"),
    "min_balance": _l("Minimum balance"),
    "min_balance_for_interest": _l("Minimum balance that earns interest"),
    "admin_fee": _l("Monthly admin fee"),
    "rate_pa": _l("Interest rate p.a. (%)"),
    "interest_method": _l("Interest method"),
    "day_count": _l("Day count"),
    "min_amount": _l("Minimum placement"),
    "terms": _l("Terms and rates"),
    "payout": _l("Interest payout"),
    "maturity_instruction": _l("At maturity"),
    "break_penalty": _l("Early break penalty"),
    "break_penalty_percent": _l("Break penalty (percent of principal)"),
    "is_active": _l("Active"),
}


def editable_keys(kind: str) -> tuple[str, ...]:
    keys = ["name", *MONEY_KEYS.get(kind, ()), *RATE_KEYS.get(kind, ()), *CHOICE_KEYS.get(kind, {})]
    if kind == BERJANGKA:
        keys.append("terms")
    return (*keys, "is_active")


def _fail(field: str, message: Any) -> ValidationError:
    return ValidationError(message, fields={field: [message]})


def check_rate(value: object, field: str) -> str:
    """A percentage 0..100 with at most 4 decimals, as a plain string. Raises: ValidationError."""
    message = _l("A rate is a percentage from 0 to 100 with at most 4 decimals.")
    if isinstance(value, float | bool) or value is None:
        raise _fail(field, message)
    try:
        rate = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise _fail(field, message) from None
    exponent = rate.as_tuple().exponent
    if not rate.is_finite() or not isinstance(exponent, int) or exponent < -RATE_PLACES:
        raise _fail(field, message)
    if rate < 0 or rate > HUNDRED:
        raise _fail(field, message)
    text = format(rate.normalize(), "f") if rate != 0 else "0"
    return text


def check_money(value: object, field: str) -> str:
    try:
        amount = to_money(value)
    except MoneyError:
        raise _fail(field, _l("Enter an amount in rupiah with at most 2 decimals (sen).")) from None
    if amount < 0:
        raise _fail(field, _l("The amount cannot be negative."))
    return str(amount)


def check_terms(value: object) -> list[dict[str, Any]]:
    """`[{months, rate_pa}, ...]`: at least one, months 1..120 each once. Raises: ValidationError."""
    if not isinstance(value, list | tuple) or not value:
        raise _fail("terms", _l("List at least one term with its rate."))
    out: list[dict[str, Any]] = []
    for item in value:
        if not isinstance(item, Mapping):
            raise _fail("terms", _l("Each term is a number of months and a rate."))
        months = item.get("months")
        if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= MAX_TERM_MONTHS:
            raise _fail("terms", _l("A term is 1 to %(max)s months.", max=MAX_TERM_MONTHS))
        out.append({"months": months, "rate_pa": check_rate(item.get("rate_pa"), "terms")})
    months_listed = [t["months"] for t in out]
    if len(set(months_listed)) != len(months_listed):
        raise _fail("terms", _l("A term is listed twice."))
    return sorted(out, key=lambda t: t["months"])


def parse_terms_text(text: str) -> object:
    """`3=5.5, 6=6,25` (months=rate, separated by commas, semicolons or lines) into a terms list;
    the raw text when it does not read so `check_terms` reports it."""
    items: list[dict[str, Any]] = []
    for part in text.replace(";", "\n").replace(", ", "\n").splitlines():
        part = part.strip().rstrip(",")
        if not part:
            continue
        months, sep, rate = part.partition("=")
        if not sep or not months.strip().isdigit():
            return text
        items.append({"months": int(months.strip()), "rate_pa": rate.strip().rstrip("%").strip()})
    return items


def terms_text(terms: object) -> str:
    if not isinstance(terms, list):
        return ""
    return ", ".join(f"{t.get('months')}={t.get('rate_pa')}" for t in terms if isinstance(t, Mapping))


def update_product(
    *, tenant: Tenant, actor: Any, product: SavingsProduct, changes: Mapping[str, Any]
) -> SavingsProduct:
    """Change a product's name, activity and parameters; every value is checked before anything
    changes, and the change is audited with the values before and after.

    Raises: ValidationError (unknown key for the kind, bad amount, rate, choice or terms)."""
    require_scope(tenant)
    kind = product.kind
    allowed = editable_keys(kind)
    unknown = sorted(k for k in changes if k not in allowed)
    if unknown:
        message = _l("%(keys)s cannot be set on this product.", keys=", ".join(unknown))
        raise ValidationError(message, fields={k: [message] for k in unknown})
    params = dict(product.parameters or {})
    name = product.name
    is_active = product.is_active
    problems: dict[str, list[Any]] = {}
    for key, value in changes.items():
        try:
            if key == "name":
                name = str(value or "").strip()
                if not name or len(name) > NAME_MAX:
                    raise _fail("name", _l("A name of 1 to 200 characters."))
            elif key == "is_active":
                if not isinstance(value, bool):
                    raise _fail("is_active", _l("Yes or no."))
                is_active = value
            elif key in MONEY_KEYS.get(kind, ()):
                params[key] = check_money(value, key)
            elif key in RATE_KEYS.get(kind, ()):
                params[key] = check_rate(value, key)
            elif key in CHOICE_KEYS.get(kind, {}):
                choices = CHOICE_KEYS[kind][key]
                if value not in choices:
                    raise _fail(key, _l("Choose one of %(choices)s.", choices=", ".join(choices)))
                params[key] = value
            elif key == "terms":
                params[key] = check_terms(value)
        except ValidationError as exc:
            for field, messages in exc.fields.items():
                problems.setdefault(field, []).extend(messages)
    if (
        kind == SUKARELA
        and params.get("interest_method") == "DAILY_BALANCE"
        and params.get("day_count") == "30_360"
    ):
        problems.setdefault("day_count", []).append(
            _l("The daily balance method needs the ACT_365 day count.")
        )
    if kind in (POKOK, WAJIB) and "amount" in params and to_money(params["amount"]) <= 0:
        problems.setdefault("amount", []).append(_l("The amount must be more than zero."))
    if problems:
        first = next(iter(problems.values()))[0]
        raise ValidationError(first, fields=problems)

    before = {"name": product.name, "is_active": product.is_active, **(product.parameters or {})}
    after = {"name": name, "is_active": is_active, **params}
    changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    if not changed:
        return product
    product.name = name
    product.is_active = is_active
    product.parameters = params  # a new dict, so the JSON change is seen
    db.session.flush()
    audit.record(
        "savings.product.update",
        actor=actor,
        target=product,
        summary={
            "code": product.code,
            "before": {k: before.get(k) for k in changed},
            "after": {k: after.get(k) for k in changed},
        },
    )
    return product
