"""Moving-average costing of stock: pure arithmetic, no database, no Flask.

The rounding rule (so the stock sub-ledger equals the inventory control account to the sen):

- Every movement has a **value** in whole sen (two places, ROUND_HALF_UP). That value is exactly
  what is posted to the inventory account (1401) for the movement.
- An item's stock value is the running **sum of its movement values**, never quantity times a
  rounded unit cost. Summed over items it therefore equals the control account exactly.
- The average unit cost is kept with four places (`value / on_hand`, ROUND_HALF_UP) for display
  and for pricing stock found in a stock take. Issues are priced with the exact ratio
  `qty * value / on_hand`, rounded to the sen, so no rounding drift builds up in the average.
- Issuing the last units takes the remaining value exactly: quantity and value reach zero together.
- A receipt is valued `qty * unit price`, rounded to the sen; the average moves accordingly.
- With negative stock allowed (a tenant setting), units issued beyond what is on hand are priced at
  the last average cost; the next receipt brings the average back to that receipt's price once the
  quantity is positive again.
- A return of sold goods comes back at the cost it left with (the sale line's cost, pro rata for a
  partial return, the remainder exactly for the last part), so a full return undoes the sale.

Quantities have at most three decimals (kilograms, litres); prices at most two.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
QTY = Decimal("0.001")
UNIT_COST = Decimal("0.0001")
ZERO = Decimal("0.00")
ZERO_QTY = Decimal("0.000")


def sen(amount: Decimal) -> Decimal:
    """Round a value to whole sen, half up: the only rounding of posted amounts."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def unit_cost_of(value: Decimal, qty: Decimal) -> Decimal:
    return (value / qty).quantize(UNIT_COST, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Stock:
    """An item's running stock: quantity on hand, value (sum of movement values), average cost."""

    on_hand: Decimal = ZERO_QTY
    value: Decimal = ZERO
    avg_cost: Decimal = Decimal("0.0000")


@dataclass(frozen=True)
class Movement:
    """One change of stock: signed quantity and value, the unit cost it moved at, and the result."""

    qty: Decimal
    value: Decimal
    unit_cost: Decimal
    after: Stock


def _after(stock: Stock, qty: Decimal, value: Decimal, *, fallback_cost: Decimal) -> Stock:
    on_hand = (stock.on_hand + qty).quantize(QTY)
    total = stock.value + value
    avg = unit_cost_of(total, on_hand) if on_hand > 0 else fallback_cost.quantize(UNIT_COST)
    return Stock(on_hand=on_hand, value=total, avg_cost=avg)


def receive(stock: Stock, qty: Decimal, unit_price: Decimal) -> Movement:
    """Goods in at a purchase price: value `qty * price` to the sen; the average moves."""
    value = sen(qty * unit_price)
    return Movement(
        qty, value, unit_price.quantize(UNIT_COST), _after(stock, qty, value, fallback_cost=unit_price)
    )


def issue(stock: Stock, qty: Decimal) -> Movement:
    """Goods out (a sale, a shortage) at the moving average. `qty` is positive; the movement negative."""
    if stock.on_hand > 0 and qty <= stock.on_hand:
        value = stock.value if qty == stock.on_hand else sen(qty * stock.value / stock.on_hand)
    else:
        # Beyond what is on hand (negative stock allowed): the last known average prices it.
        in_stock = max(stock.on_hand, ZERO_QTY)
        covered = stock.value if in_stock > 0 else ZERO
        value = covered + sen((qty - in_stock) * stock.avg_cost)
    unit = unit_cost_of(value, qty) if qty else stock.avg_cost
    return Movement(-qty, -value, unit, _after(stock, -qty, -value, fallback_cost=stock.avg_cost))


def return_value(
    sold_qty: Decimal, sold_cost: Decimal, returned_qty: Decimal, already_qty: Decimal, already_cost: Decimal
) -> Decimal:
    """The cost of `returned_qty` units of a sale line coming back: pro rata, the rest exactly last."""
    if already_qty + returned_qty == sold_qty:
        return sold_cost - already_cost
    return sen(sold_cost * returned_qty / sold_qty)


def give_back(stock: Stock, qty: Decimal, value: Decimal) -> Movement:
    """Goods back in at a known value (a sale returned or voided)."""
    unit = unit_cost_of(value, qty)
    return Movement(qty, value, unit, _after(stock, qty, value, fallback_cost=unit))


def count(stock: Stock, counted: Decimal) -> Movement | None:
    """A stock take: the counted quantity replaces the book quantity. Shortages go out at the
    average (like an issue); surpluses come in at the current average cost. None when they agree."""
    variance = (counted - stock.on_hand).quantize(QTY)
    if variance == 0:
        return None
    if variance < 0:
        return issue(stock, -variance)
    # Counted back to nothing from negative stock: whatever value it carried is cleared with it.
    value = -stock.value if stock.on_hand < 0 and counted == 0 else sen(variance * stock.avg_cost)
    return Movement(
        variance, value, stock.avg_cost, _after(stock, variance, value, fallback_cost=stock.avg_cost)
    )
