"""What a member still owes the cooperative, gathered from every feature that lends to members.

Member exit (domain/savings.md) settles savings against everything the member owes: loans, shop
credit, invoices. The members feature does not know those features; each registers a provider
at start-up and the exit settlement asks all of them.

    from coopsaas.members.obligations import Obligation, register_obligation

    def shop_credit(member):
        return [Obligation(kind="shop_credit", label=_l("Shop credit"), amount=...,
                           reference="TK-2026-000123", account_id=receivable.id,
                           settle=mark_paid_from_exit)]

    register_obligation("shop_credit", shop_credit)

A provider runs inside the tenant scope of the member and returns amounts as Decimal (never
float). Settling at exit posts ONE journal entry: the savings balances are debited, each
obligation's `account_id` (its receivable control account) is credited with its amount and the
net is paid out. After that entry is posted, in the same transaction, the exit calls
`settle(obligation, entry)` of each obligation so the feature records the payment in its own
sub-ledger (referencing the entry); `settle` must not post to the ledger itself, must flush and
never commit. A provider whose obligation cannot be settled from savings leaves `settle` None:
the exit then refuses until that obligation is paid some other way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class Obligation:
    kind: str
    label: Any  # a str or a lazy translated string
    amount: Decimal
    reference: str = ""
    account_id: Any = None  # uuid.UUID of the ledger receivable account credited at settlement
    settle: Callable[[Obligation, Any], None] | None = None


Provider = Callable[[Any], Iterable[Obligation]]
_PROVIDERS: dict[str, Provider] = {}


def register_obligation(name: str, provider: Provider) -> None:
    """Register (or replace, by name) a provider of a member's outstanding obligations."""
    _PROVIDERS[name] = provider


def unregister_obligation(name: str) -> None:
    """Remove a provider (tests, or a feature switched off); unknown names are ignored."""
    _PROVIDERS.pop(name, None)


def obligations_of(member: Any) -> list[Obligation]:
    """Every positive obligation of `member`, providers in name order. Raises TypeError when a
    provider returns a non-Decimal amount (a float would lose rupiah)."""
    found: list[Obligation] = []
    for name in sorted(_PROVIDERS):
        for item in _PROVIDERS[name](member):
            if not isinstance(item.amount, Decimal):
                raise TypeError(f"obligation {name} returned a non-Decimal amount")
            if item.amount > 0:
                found.append(item)
    return found


def total_owed(member: Any) -> Decimal:
    """The sum of `obligations_of(member)`."""
    return sum((o.amount for o in obligations_of(member)), Decimal("0"))
