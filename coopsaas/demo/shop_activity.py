"""A year of shop activity for each demo Koppontren: a catalogue in five categories, suppliers,
monthly purchase receipts (with lots and expiry dates for food and drinks), supplier invoices and
payments, daily cash sales to santri, staff and members, and a stock take with small variances.

Items, suppliers, purchases, invoices, payments and the stock take go through the shop services.
The daily sales (tens of thousands) take a bulk path, because the till service is made for one
sale at a time: the same moving-average costing (`retail.costing.issue`), the same first-expiry-
first-out lot rule (`retail.lots.take_from_lots`), the same rows and the same balanced journal
entry per sale as `create_sale` writes (Dr kas / Cr penjualan, Dr HPP / Cr persediaan), numbered
from the same counters, inserted in batches. So the stock sub-ledger equals the inventory account
and `flask ledger verify` finds nothing.

Deterministic: the random generator is seeded with the tenant's slug and the dates count back from
the business date. Idempotent: a cooperative that already has shop items gets nothing added.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal
from typing import Any

from sqlalchemy import func, insert, select, update

from coopsaas.core import audit
from coopsaas.core.counters import Counter, next_number
from coopsaas.core.db import utcnow
from coopsaas.core.ids import uuid7
from coopsaas.extensions import db
from coopsaas.ledger.models import JournalEntry, JournalLine
from coopsaas.ledger.posting import voucher_number
from coopsaas.ledger.services import today_for
from coopsaas.members.models import ANGGOTA, Member
from coopsaas.retail import costing, lots
from coopsaas.retail import services as shop
from coopsaas.retail.lots import LotData, StockLot
from coopsaas.retail.models import Item, Sale, SaleLine, StockMovement, Supplier
from coopsaas.retail.services import ItemData, OrderLineData
from coopsaas.tenancy.models import Tenant

MONTHS = 12
ZERO = Decimal("0.00")
QTY0 = Decimal("0.000")

SUPPLIERS = {
    "sembako": ("CV Sumber Pangan Sejahtera", "Pak Haji Mansur", "0221234567"),
    "minuman": ("UD Segar Jaya", "Bu Ratna", "081312345678"),
    "alat_tulis": ("Toko Grosir ATK Pelajar", "Koh Hendra", "0227654321"),
    "kitab": ("Penerbit Pustaka Pesantren", "Ustadz Fauzi", "0315551234"),
    "santri": ("CV Santri Mandiri Busana", "Bu Aisyah", "085711223344"),
}

# (sku, name, unit, cost, category key, daily demand, shelf life in days or 0 = no expiry)
CATALOGUE: tuple[tuple[str, str, str, int, str, float, int], ...] = (
    ("SBK-BRS5", "Beras premium 5 kg", "karung", 68_000, "sembako", 2.0, 0),
    ("SBK-GLA1", "Gula pasir 1 kg", "kg", 15_500, "sembako", 3.0, 0),
    ("SBK-MYK2", "Minyak goreng 2 liter", "botol", 32_000, "sembako", 1.5, 360),
    ("SBK-TLR", "Telur ayam 1 kg", "kg", 26_000, "sembako", 2.0, 21),
    ("SBK-MIE", "Mi instan goreng", "bungkus", 2_800, "sembako", 14.0, 240),
    ("SBK-KCP", "Kecap manis 135 ml", "botol", 6_500, "sembako", 1.0, 540),
    ("SBK-TPG1", "Tepung terigu 1 kg", "kg", 11_000, "sembako", 0.8, 300),
    ("SBK-KRM", "Kurma sukari 500 g", "kotak", 38_000, "sembako", 0.3, 150),
    ("SBK-SBN", "Sabun mandi batang", "pcs", 3_200, "sembako", 4.0, 0),
    ("SBK-ODL", "Odol pasta gigi 190 g", "pcs", 11_500, "sembako", 1.5, 0),
    ("MNM-AIR6", "Air mineral 600 ml", "botol", 2_600, "minuman", 18.0, 360),
    ("MNM-AIRG", "Air mineral galon isi ulang", "galon", 4_500, "minuman", 5.0, 0),
    ("MNM-TEH", "Teh kotak 200 ml", "kotak", 3_100, "minuman", 8.0, 270),
    ("MNM-SUSU", "Susu UHT cokelat 200 ml", "kotak", 4_800, "minuman", 5.0, 75),
    ("MNM-KOPI", "Kopi sachet 3 in 1", "sachet", 1_300, "minuman", 10.0, 360),
    ("MNM-JHE", "Minuman jahe instan", "sachet", 1_700, "minuman", 3.0, 450),
    ("MNM-ROTI", "Roti sobek cokelat", "bungkus", 9_000, "minuman", 3.0, 6),
    ("ATK-BKT", "Buku tulis 58 lembar", "pcs", 3_300, "alat_tulis", 6.0, 0),
    ("ATK-PLP", "Pulpen hitam", "pcs", 2_100, "alat_tulis", 5.0, 0),
    ("ATK-PSL", "Pensil 2B", "pcs", 2_400, "alat_tulis", 2.0, 0),
    ("ATK-PHP", "Penghapus", "pcs", 1_500, "alat_tulis", 1.0, 0),
    ("ATK-SPD", "Spidol papan tulis", "pcs", 6_500, "alat_tulis", 0.6, 0),
    ("ATK-MAP", "Map plastik", "pcs", 2_000, "alat_tulis", 0.7, 0),
    ("KTB-AQR", "Al-Qur'an terjemah A5", "pcs", 62_000, "kitab", 0.25, 0),
    ("KTB-JZA", "Juz Amma", "pcs", 9_500, "kitab", 0.5, 0),
    ("KTB-SFN", "Kitab Safinatun Najah", "pcs", 12_000, "kitab", 0.3, 0),
    ("KTB-JRM", "Kitab Jurumiyah", "pcs", 11_000, "kitab", 0.3, 0),
    ("KTB-TJN", "Kitab Ta'lim Muta'allim", "pcs", 14_000, "kitab", 0.2, 0),
    ("KTB-BYN", "Buku Iqro' jilid 1-6", "set", 18_000, "kitab", 0.3, 0),
    ("STR-SRG", "Sarung santri", "pcs", 55_000, "santri", 0.4, 0),
    ("STR-PCI", "Peci hitam", "pcs", 22_000, "santri", 0.5, 0),
    ("STR-KRD", "Kerudung santriwati", "pcs", 28_000, "santri", 0.6, 0),
    ("STR-SJD", "Sajadah", "pcs", 45_000, "santri", 0.2, 0),
    ("STR-TSB", "Tasbih kayu", "pcs", 8_000, "santri", 0.3, 0),
    ("STR-SDL", "Sandal jepit", "pasang", 14_000, "santri", 0.8, 0),
    ("STR-SKT", "Sikat gigi", "pcs", 4_500, "santri", 1.2, 0),
)
CATEGORY_NAMES = {
    "sembako": "Sembako",
    "minuman": "Minuman & makanan ringan",
    "alat_tulis": "Alat tulis",
    "kitab": "Kitab & buku",
    "santri": "Perlengkapan santri",
}


@dataclass(frozen=True)
class ShopReport:
    slug: str
    items: int
    receipts: int
    sales: int
    skipped: bool = False

    def line(self) -> str:
        if self.skipped:
            return f"  {self.slug}: has shop items already, no demo shop data added"
        return (
            f"  {self.slug}: shop with {self.items} items, {self.receipts} goods receipts, {self.sales} sales"
        )


def _months_back(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def _days(start: date, end: date) -> Iterator[date]:
    d = start
    while d <= end:
        yield d
        d += timedelta(days=1)


def _price(cost: int, margin: float) -> Decimal:
    """A shelf price: cost plus margin, rounded up to Rp 100 (Rp 500 above Rp 10.000)."""
    step = 500 if cost >= 10_000 else 100
    raw = Decimal(cost) * Decimal(str(1 + margin))
    return (raw / step).to_integral_value(rounding=ROUND_CEILING) * step


def _tendered(total: Decimal, rng: random.Random) -> Decimal:
    if rng.random() < 0.4:
        return total
    step = Decimal(rng.choice((1_000, 5_000, 10_000, 50_000)))
    return (total / step).to_integral_value(rounding=ROUND_CEILING) * step


@dataclass
class _Block:
    """Numbers of one counter series taken in a block (the counter row moves once)."""

    name: str
    next: int = 0
    last: int = -1

    def take(self, n: int) -> None:
        first = next_number(self.name)
        if n > 1:
            db.session.execute(
                update(Counter)
                .where(Counter.name == self.name)
                .values(value=Counter.value + (n - 1))
                .execution_options(synchronize_session=False)
            )
        self.next, self.last = first, first + n - 1

    def pop(self) -> int:
        assert self.next <= self.last, f"counter block {self.name} exhausted"
        value = self.next
        self.next += 1
        return value


@dataclass
class _Batch:
    """Rows of bulk sales waiting to be inserted (in dependency order)."""

    sales: list[dict[str, Any]] = field(default_factory=list)
    lines: list[dict[str, Any]] = field(default_factory=list)
    entries: list[dict[str, Any]] = field(default_factory=list)
    journal: list[dict[str, Any]] = field(default_factory=list)
    moves: list[dict[str, Any]] = field(default_factory=list)

    def write(self) -> None:
        session = db.session
        session.flush()  # the items' new figures and the lots go first
        for model, rows in (
            (JournalEntry, self.entries),
            (JournalLine, self.journal),
            (Sale, self.sales),
            (SaleLine, self.lines),
            (StockMovement, self.moves),
        ):
            if rows:
                # Core executemany: the rows are complete (ids, tenant, defaults); no unit of work.
                session.connection().execute(insert(model.__table__), rows)
        self.sales, self.lines, self.entries, self.journal, self.moves = [], [], [], [], []


class _Shop:
    def __init__(self, tenant: Tenant, actor: Any, rng: random.Random, today: date, start: date) -> None:
        self.tenant, self.actor, self.rng, self.today, self.start = tenant, actor, rng, today, start
        self.items: list[Item] = []
        self.pace: dict[uuid.UUID, float] = {}
        self.meta: dict[uuid.UUID, tuple[str, float, int]] = {}  # category, demand, shelf days
        self.suppliers: dict[str, Supplier] = {}
        self.open_lots: dict[uuid.UUID, list[StockLot]] = {}
        self.receipts = 0
        self.sales = 0
        self.accounts = {
            tag: shop.shop_account(tag).id
            for tag in (
                "persediaan",
                "utang_usaha",
                "kas",
                "penjualan_anggota",
                "penjualan_non_anggota",
                "hpp",
            )
        }

    # ---- catalogue and purchases through the services ----------------------------------------

    def catalogue(self) -> None:
        rng = self.rng
        for key, (name, contact, phone) in SUPPLIERS.items():
            self.suppliers[key] = shop.create_supplier(
                tenant=self.tenant, actor=self.actor, name=name, contact=contact, phone=phone
            )
        for sku, name, unit, cost, category, demand, shelf in CATALOGUE:
            if rng.random() < 0.1 and category != "sembako":
                continue  # not every shop carries everything
            margin = (
                rng.choice((0.08, 0.1, 0.12, 0.15))
                if category == "sembako"
                else rng.choice((0.15, 0.2, 0.25))
            )
            public = _price(cost, margin)
            member = max(_price(cost, margin * 0.6), Decimal(cost))
            item = shop.create_item(
                tenant=self.tenant,
                actor=self.actor,
                data=ItemData(
                    sku=sku,
                    name=name,
                    unit=unit,
                    category=CATEGORY_NAMES[category],
                    member_price=member,
                    public_price=public,
                    reorder_point=str(max(round(demand * (2 if demand > 4 else 1)), 2)),  # about a week
                    barcode=f"899{rng.randint(1_000_000_000, 9_999_999_999)}",
                    tracks_expiry=shelf > 0,
                ),
            )
            self.items.append(item)
            self.meta[item.id] = (category, demand * rng.uniform(0.7, 1.4), shelf)
        # The till's pace per item (units a day), from how day_of_sales picks: purchases follow it.
        weights = sum(self.meta[i.id][1] for i in self.items)
        lines_a_day = (9 + 4 * 2 / 7) * 1.8
        self.pace = {
            i.id: lines_a_day * self.meta[i.id][1] / weights * (15 / 7 if self.meta[i.id][1] > 4 else 1)
            for i in self.items
        }

    def purchase(self, on: date, *, first: bool = False, fresh_only: bool = False) -> None:
        """One order per supplier for about a month of sales (six weeks at the start; fresh goods
        for a few days, every week), received the same day with lots for items that expire; the
        supplier's invoice, paid within three weeks."""
        rng = self.rng
        for key, supplier in self.suppliers.items():
            wanted = []
            for item in self.items:
                category, _weight, shelf = self.meta[item.id]
                demand = self.pace[item.id]
                if category != key or (fresh_only and not 0 < shelf < 30):
                    continue
                cover = 60 if first else 45  # a month and a half: some safety stock
                if shelf and shelf < 30:
                    cover = min(cover, max(shelf - 2, 3))  # fresh goods: small, frequent deliveries
                need = round(demand * cover * rng.uniform(0.85, 1.25)) - int(item.on_hand)
                if need <= 0:
                    continue
                unit_cost = self._cost(item, on)
                wanted.append(OrderLineData(item, str(need), str(unit_cost)))
            if not wanted:
                continue
            order = shop.create_purchase_order(
                tenant=self.tenant, actor=self.actor, supplier=supplier, lines=wanted, ordered_on=on
            )
            lot_data = {}
            for line in order.lines:
                shelf = self.meta[line.item_id][2]
                if shelf:
                    days = int(shelf * rng.uniform(0.8, 1.0))
                    lot_data[line.id] = LotData(
                        expires_on=on + timedelta(days=max(days, 2)),
                        lot_no=f"L{on:%y%m%d}-{rng.randint(10, 99)}",
                    )
            receipt = shop.receive_goods(
                tenant=self.tenant,
                actor=self.actor,
                order=order,
                quantities={ln.id: ln.qty for ln in order.lines},
                received_on=on,
                lot_data=lot_data,
            )
            self.receipts += 1
            invoice = shop.record_supplier_invoice(
                tenant=self.tenant,
                actor=self.actor,
                supplier=supplier,
                number=f"INV/{on:%y%m}/{rng.randint(1000, 9999)}",
                amount=receipt.total,
                invoice_on=on,
                order=order,
            )
            paid_on = on + timedelta(days=rng.randint(7, 21))
            if paid_on <= self.today:
                shop.pay_supplier_invoice(
                    tenant=self.tenant,
                    actor=self.actor,
                    invoice=invoice,
                    amount=invoice.amount,
                    method="transfer" if rng.random() < 0.4 else "cash",
                    paid_on=paid_on,
                )
        self._reload_lots()

    def _cost(self, item: Item, on: date) -> int:
        base = next(c for sku, _n, _u, c, *_rest in CATALOGUE if sku == item.sku)
        months = (on.year - self.start.year) * 12 + on.month - self.start.month
        drift = 1 + 0.004 * months + self.rng.uniform(-0.02, 0.03)  # prices creep up over the year
        return int(base * drift / 50) * 50

    def _reload_lots(self) -> None:
        tracked = [i.id for i in self.items if i.tracks_expiry]
        self.open_lots = {}
        rows = db.session.scalars(
            select(StockLot)
            .where(StockLot.item_id.in_(tracked), StockLot.qty_left > 0)
            .order_by(StockLot.expires_on, StockLot.id)
        )
        for lot in rows:
            self.open_lots.setdefault(lot.item_id, []).append(lot)

    # ---- the till, in bulk --------------------------------------------------------------------

    def day_of_sales(
        self, on: date, members: list[uuid.UUID], batch: _Batch, sale_numbers: _Block, vouchers: _Block
    ) -> None:
        rng = self.rng
        weekday = on.weekday()
        count = rng.randint(6, 12) + (4 if weekday in (3, 4) else 0)  # busier before Friday's holiday
        weights = [self.meta[i.id][1] for i in self.items]
        now = utcnow()
        for _ in range(count):
            picked: dict[uuid.UUID, Decimal] = {}
            for item in rng.choices(self.items, weights=weights, k=rng.choice((1, 1, 2, 2, 3))):
                qty = Decimal(rng.choice((1, 1, 1, 2, 2, 3, 5)) if self.meta[item.id][1] > 4 else 1)
                picked[item.id] = picked.get(item.id, QTY0) + qty
            lines = [(i, picked[i.id]) for i in self.items if i.id in picked and i.on_hand >= picked[i.id]]
            if not lines:
                continue  # what they wanted is out of stock
            member_id = rng.choice(members) if members and rng.random() < 0.35 else None
            self._sale(on, lines, member_id, batch, sale_numbers.pop(), vouchers.pop(), now)

    def _sale(
        self,
        on: date,
        lines: list[tuple[Item, Decimal]],
        member_id: uuid.UUID | None,
        batch: _Batch,
        number: int,
        voucher: int,
        now: Any,
    ) -> None:
        acc = self.accounts
        sale_id, entry_id = uuid7(), uuid7()
        revenue = acc["penjualan_anggota" if member_id else "penjualan_non_anggota"]
        price_lines, cost_lines = [], []
        total = cost_total = ZERO
        for n, (item, qty) in enumerate(lines, start=1):
            price = item.member_price if member_id else item.public_price
            amount = costing.sen(qty * price)
            move = costing.issue(costing.Stock(item.on_hand, item.stock_value, item.avg_cost), qty)
            cost = -move.value
            item.on_hand, item.stock_value, item.avg_cost = (
                move.after.on_hand,
                move.after.value,
                move.after.avg_cost,
            )
            if item.id in self.open_lots:
                lots.take_from_lots(self.open_lots[item.id], qty)
                self.open_lots[item.id] = [lot for lot in self.open_lots[item.id] if lot.qty_left > 0]
            batch.lines.append(
                {
                    "tenant_id": self.tenant.id,
                    "id": uuid7(),
                    "sale_id": sale_id,
                    "line_no": n,
                    "item_id": item.id,
                    "qty": qty.quantize(costing.QTY),
                    "unit_price": price,
                    "amount": amount,
                    "cost_value": cost,
                    "returned_qty": QTY0,
                    "returned_amount": ZERO,
                    "returned_cost": ZERO,
                }
            )
            batch.moves.append(
                {
                    "tenant_id": self.tenant.id,
                    "id": uuid7(),
                    "item_id": item.id,
                    "kind": "sale",
                    "moved_on": on,
                    "qty": move.qty.quantize(costing.QTY),
                    "unit_cost": move.unit_cost.quantize(costing.UNIT_COST),
                    "value": move.value,
                    "on_hand_after": move.after.on_hand,
                    "value_after": move.after.value,
                    "source_type": "retail_sale",
                    "source_id": sale_id,
                    "journal_entry_id": entry_id,
                    "created_by_id": self.actor.id if self.actor else None,
                    "created_at": now,
                }
            )
            price_lines.append((revenue, ZERO, amount, item.id, item.name[:300]))
            if cost > 0:
                cost_lines += [
                    (acc["hpp"], cost, ZERO, item.id, None),
                    (acc["persediaan"], ZERO, cost, item.id, None),
                ]
            total += amount
            cost_total += cost
        tendered = _tendered(total, self.rng)
        key = f"demo-{sale_id.hex}"
        batch.sales.append(
            {
                "tenant_id": self.tenant.id,
                "id": sale_id,
                "number": f"PJ-{on.year}-{number:06d}",
                "submit_key": key,
                "sold_on": on,
                "member_id": member_id,
                "status": "completed",
                "total": total,
                "cost_total": cost_total,
                "cash_tendered": tendered,
                "change": tendered - total,
                "journal_entry_id": entry_id,
                "created_by_id": self.actor.id if self.actor else None,
                "created_at": now,
            }
        )
        batch.entries.append(
            {
                "tenant_id": self.tenant.id,
                "id": entry_id,
                "voucher_no": voucher_number("PJ", on.year, voucher),
                "series": "PJ",
                "entry_on": on,
                "memo": f"Penjualan PJ-{on.year}-{number:06d}",
                "source_type": "retail_sale",
                "source_id": sale_id,
                "reverses_entry_id": None,
                "idempotency_key": f"retail-sale:{key}",
                "created_by_id": self.actor.id if self.actor else None,
                "created_at": now,
            }
        )
        all_lines = [(acc["kas"], total, ZERO, None, None), *price_lines, *cost_lines]
        for n, (account_id, debit, credit, item_id, memo) in enumerate(all_lines, start=1):
            batch.journal.append(
                {
                    "tenant_id": self.tenant.id,
                    "id": uuid7(),
                    "entry_id": entry_id,
                    "entry_on": on,
                    "line_no": n,
                    "account_id": account_id,
                    "debit": debit,
                    "credit": credit,
                    "member_id": member_id,
                    "loan_id": None,
                    "item_id": item_id,
                    "memo": memo,
                }
            )
        self.sales += 1

    # ---- stock take ----------------------------------------------------------------------------

    def stock_take(self, on: date) -> None:
        """A count of every item in stock; about one in six differs by a unit or two."""
        counts: dict[uuid.UUID, Any] = {}
        for item in self.items:
            if item.on_hand <= 0:
                continue
            counted = item.on_hand
            if self.rng.random() < 0.17:
                counted = max(counted + self.rng.choice((-2, -1, -1, 1)), QTY0)
            counts[item.id] = str(counted)
        if counts:
            shop.record_stock_take(
                tenant=self.tenant,
                actor=self.actor,
                counts=counts,
                counted_on=on,
                memo="Stock opname semesteran",
            )
            self._reload_lots()


def load_shop(
    tenant: Tenant, *, actor: Any = None, months: int = MONTHS, seed: str | None = None
) -> ShopReport:
    """A shop with a year (`months`) of purchases, sales and a stock take, in the tenant in scope.
    Flushes, never commits (the caller's tenant scope does)."""
    if db.session.scalar(select(func.count()).select_from(Item)):
        return ShopReport(tenant.slug, 0, 0, 0, skipped=True)
    rng = random.Random(f"coopsaas-demo-shop:{seed or tenant.slug}")
    today = today_for(tenant)
    start = _months_back(today, months)
    s = _Shop(tenant, actor, rng, today, start)
    s.catalogue()
    members_joined = sorted(
        db.session.execute(
            select(Member.joined_on, Member.id).where(Member.type == ANGGOTA).order_by(Member.member_no)
        ).all()
    )
    take_on = _months_back(today, 2) - timedelta(days=1)  # end of the month before last
    batch = _Batch()
    year_blocks: dict[int, tuple[_Block, _Block]] = {}
    purchase_days = {_months_back(start, -k).replace(day=rng.randint(2, 5)) for k in range(months + 1)}
    fresh_days = set()
    for day in _days(start, today):
        if day.weekday() == 0:
            fresh_days.add(day)  # fresh goods (eggs, bread) come every Monday
    for day in _days(start, today):
        if day in purchase_days or day == start or day in fresh_days:
            batch.write()
            if day in purchase_days or day == start:
                s.purchase(day, first=day == start)
            else:
                s.purchase(day, fresh_only=True)
        if day.year not in year_blocks:
            # Numbers for the rest of this year's sales, taken once (unused ones are handed back).
            year_end = min(date(day.year, 12, 31), today)
            n = ((year_end - day).days + 1) * 20
            blocks = (_Block(f"retail:PJ:{day.year}"), _Block(f"voucher:PJ:{day.year}"))
            for b in blocks:
                b.take(n)
            year_blocks[day.year] = blocks
        members = [mid for joined, mid in members_joined if joined <= day]
        s.day_of_sales(day, members, batch, *year_blocks[day.year])
        if day == take_on:
            batch.write()
            s.stock_take(day)
    batch.write()
    for sale_numbers, vouchers in year_blocks.values():
        for b in (sale_numbers, vouchers):
            unused = b.last - b.next + 1
            if unused:
                db.session.execute(
                    update(Counter)
                    .where(Counter.name == b.name)
                    .values(value=Counter.value - unused)
                    .execution_options(synchronize_session=False)
                )
    audit.record(
        "retail.demo.load",
        actor=actor,
        target=tenant,
        summary={"items": len(s.items), "receipts": s.receipts, "sales": s.sales, "from": start.isoformat()},
    )
    db.session.flush()
    return ShopReport(tenant.slug, len(s.items), s.receipts, s.sales)


def load_all(session: Any, *, months: int | None = None) -> list[ShopReport]:
    """A shop for every demo Koppontren (`months` of history, default a year), run by its demo
    manager; one transaction per cooperative."""
    from coopsaas.auth import services as auth
    from coopsaas.core.db import tenant_scope

    reports = []
    tenants = session.scalars(
        select(Tenant).where(Tenant.legal_form == "koppontren").order_by(Tenant.slug)
    ).all()
    for tenant in tenants:
        actor = auth.find_user(f"manajer.{tenant.slug}")
        session.rollback()  # the lookups began a transaction; the scope starts a fresh one
        with tenant_scope(session, tenant.id):
            reports.append(load_shop(tenant, actor=actor, months=months or MONTHS))
    return reports
