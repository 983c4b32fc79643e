"""Money: Decimal rupiah, parsed strictly and shown the Indonesian way.

Rules (DESIGN.md section 5): a float is never money; more than two decimals is an error, never a
silent rounding; schedules and interest round ROUND_HALF_UP to whole rupiah.
"""

from __future__ import annotations

import re
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
RUPIAH = Decimal("1")
MAX_MONEY = Decimal("9999999999999999.99")  # NUMERIC(18,2)


class MoneyError(ValueError):
    """An amount that is not valid money."""


def to_money(value: object) -> Decimal:
    """A Decimal with exactly two places, or MoneyError. Accepts Decimal, int and plain strings."""
    if isinstance(value, bool | float):
        raise MoneyError("money must be Decimal, not float")
    if isinstance(value, Decimal):
        d = value
    elif isinstance(value, int):
        d = Decimal(value)
    elif isinstance(value, str):
        try:
            d = Decimal(value.strip())
        except InvalidOperation as exc:
            raise MoneyError(f"not an amount: {value!r}") from exc
    else:
        raise MoneyError(f"not an amount: {value!r}")
    if not d.is_finite():
        raise MoneyError(f"not an amount: {value!r}")
    if d != d.quantize(CENT):
        raise MoneyError(f"more than 2 decimal places: {value}")
    if abs(d) > MAX_MONEY:
        raise MoneyError(f"amount too large: {value}")
    return d.quantize(CENT)


# Accepted on forms: 1.250.000 | 1250000 | 1250000,50 | 1.250.000,50 | Rp 1.250.000
_GROUPED = re.compile(r"^-?\d{1,3}(\.\d{3})+(,\d{1,2})?$")
_PLAIN = re.compile(r"^-?\d+(,\d{1,2})?$")
_DOT_DECIMAL = re.compile(r"^-?\d+\.\d{1,2}$")


def parse_money(text: str) -> Decimal:
    """Parse an amount typed by a person, Indonesian style. Raises MoneyError."""
    if text is None:
        raise MoneyError("amount is required")
    s = str(text).strip().replace(" ", "").replace("\u00a0", "")
    if s.lower().startswith("rp"):
        s = s[2:]
    if not s:
        raise MoneyError("amount is required")
    if _GROUPED.match(s):
        s = s.replace(".", "").replace(",", ".")
    elif _PLAIN.match(s):
        s = s.replace(",", ".")
    elif _DOT_DECIMAL.match(s) and len(s.split(".")[1]) != 3:
        pass  # 1250000.50 typed by someone used to the dot; 1.250 would be thousands and is grouped above
    else:
        raise MoneyError(f"not an amount: {text!r}")
    return to_money(s)


def round_rupiah(amount: Decimal) -> Decimal:
    """ROUND_HALF_UP to whole rupiah (schedules, interest), kept at two places."""
    return amount.quantize(RUPIAH, rounding=ROUND_HALF_UP).quantize(CENT)


def floor_rupiah(amount: Decimal) -> Decimal:
    """Round down to whole rupiah (SHU shares: the remainder goes to a fund)."""
    return amount.quantize(RUPIAH, rounding=ROUND_DOWN).quantize(CENT)


def format_rupiah(amount: Decimal | None, *, sen: bool = False) -> str:
    """`Rp 1.250.000` (or `Rp 1.250.000,50` with sen=True); negatives as `-Rp 1.250.000`.

    Formatting is done here rather than with Babel's currency pattern, which rounds half-even.
    """
    if amount is None:
        return ""
    if isinstance(amount, float):
        raise MoneyError("money must be Decimal, not float")
    d = Decimal(amount)
    sign = "-" if d < 0 else ""
    d = abs(d)
    if sen:
        q = d.quantize(CENT, rounding=ROUND_HALF_UP)
        whole, frac = divmod(q, 1)
        cents = f"{int(frac * 100):02d}"
        return f"{sign}Rp {_group(int(whole))},{cents}"
    whole = d.quantize(RUPIAH, rounding=ROUND_HALF_UP)
    return f"{sign}Rp {_group(int(whole))}"


def format_number(amount: Decimal, places: int = 0) -> str:
    """`1.250.000` or `1.250.000,50`: a figure without the currency sign (tables, PDFs)."""
    d = Decimal(amount)
    sign = "-" if d < 0 else ""
    d = abs(d).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    whole, frac = divmod(d, 1)
    text = _group(int(whole))
    if places:
        text += "," + str(frac)[2:].ljust(places, "0")[:places]
    return sign + text


def _group(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def money_str(amount: Decimal) -> str:
    """The API's wire form: a decimal string with two places, `"1250000.00"`."""
    return f"{to_money(amount):.2f}"
