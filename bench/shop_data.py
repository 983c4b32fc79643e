"""A shop's items, stock movements and their journal entries, written with COPY for the shop
benchmarks (POS sales, stock value).

Every item keeps one unit cost, so its moving average never changes: a movement's value is its
quantity times that cost, and `Item.on_hand`, `Item.stock_value` and `Item.avg_cost` are the
running sums of the movements. Movements are grouped into journal entries of at most five, the
way a sale or a goods receipt posts them: one inventory line (1401) per movement and one line
for the other side (Cr 2111 utang usaha for receipts, Dr 5201 HPP for sales). The rows are
consistent by construction and written as the superuser with triggers off
(`session_replication_role = replica`), as the other benchmarks load their history.
"""

from __future__ import annotations

import io
import random
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import psycopg
from http_harness import url_for

LINES_PER_ENTRY = 5
WORDS = (
    "Beras", "Gula", "Minyak", "Sabun", "Teh", "Kopi", "Susu", "Mie", "Kecap", "Garam", "Tepung",
    "Sarden", "Biskuit", "Pasta gigi", "Sampo", "Deterjen", "Air mineral", "Telur", "Buku tulis", "Pulpen",
)
BRANDS = (
    "Sari", "Mutiara", "Cahaya", "Barokah", "Amanah", "Makmur", "Sejati", "Pelangi", "Nusantara", "Rimba",
)


@dataclass
class ShopIds:
    tenant_id: uuid.UUID
    accounts: dict[str, uuid.UUID]
    user_id: uuid.UUID | None


@dataclass
class Loaded:
    items: list[uuid.UUID]
    movements: int = 0
    entries: int = 0
    lines: int = 0
    stock_value: Decimal = Decimal(0)
    seconds: float = 0.0
    on_hand: dict[uuid.UUID, int] = field(default_factory=dict)


def shop_ids(app: Any, slug: str) -> ShopIds:
    """The tenant and its shop accounts (by tag, as the retail services find them)."""
    from sqlalchemy import select

    from coopsaas.auth.models import User
    from coopsaas.core.db import tenant_scope
    from coopsaas.extensions import db
    from coopsaas.retail.services import shop_account
    from coopsaas.tenancy.models import Tenant

    with app.app_context():
        tenant = db.session.scalars(select(Tenant).where(Tenant.slug == slug)).one()
        with tenant_scope(db.session, tenant.id):
            accounts = {
                tag: shop_account(tag).id
                for tag in ("persediaan", "utang_usaha", "hpp", "kas", "penjualan_non_anggota")
            }
        user = db.session.scalars(select(User).order_by(User.username)).first()
        ids = ShopIds(tenant.id, accounts, user.id if user else None)
        db.session.commit()
    return ids


def item_rows(n_items: int, rng: random.Random) -> list[tuple[uuid.UUID, str, str, int, int]]:
    """(id, sku, name, unit cost, public price) for `n_items` items with distinct SKUs."""
    out = []
    for i in range(n_items):
        cost = rng.randrange(1_000, 150_000, 100)
        name = f"{WORDS[i % len(WORDS)]} {BRANDS[(i // len(WORDS)) % len(BRANDS)]} {i:05d}"
        out.append((uuid.uuid4(), f"BRG{i:06d}", name, cost, cost + cost // 5 + 500))
    return out


def load_shop(
    ids: ShopIds,
    *,
    n_items: int,
    n_movements: int,
    first_day: date,
    last_day: date,
    opening_qty: tuple[int, int] = (20, 200),
    seed: int = 20261125,
) -> Loaded:
    """Items and `n_movements` movements (one opening receipt per item, then sales of 1-5 units
    and restocking receipts when short), dated from `first_day` to `last_day`."""
    rng = random.Random(seed)
    items = item_rows(n_items, rng)
    tid = ids.tenant_id
    span = (last_day - first_day).days + 1
    per_item = max(1, n_movements // n_items)
    extra = n_movements - per_item * n_items

    # (day, kind, item index, qty, value, on_hand_after, value_after)
    moves: list[tuple[int, str, int, int, int, int, int]] = []
    item_buf = io.StringIO()
    on_hand_of: dict[uuid.UUID, int] = {}
    stock_total = 0
    for n, (item_id, sku, name, cost, price) in enumerate(items):
        count = per_item + (1 if n < extra else 0)
        days = sorted(rng.randrange(span) for _ in range(count))
        days[0] = min(days[0], rng.randrange(max(1, span // 10)))  # stocked early in the period
        on_hand = 0
        for k, day in enumerate(days):
            if k == 0:
                qty = rng.randint(*opening_qty)
            elif on_hand >= 5 and rng.random() < 0.9:
                qty = -rng.randint(1, 5)
            else:
                qty = rng.randint(50, 200)
            on_hand += qty
            moves.append((day, "receipt" if qty > 0 else "sale", n, qty, qty * cost, on_hand, on_hand * cost))
        on_hand_of[item_id] = on_hand
        stock_total += on_hand * cost
        item_buf.write(
            f"{tid}\t{item_id}\t{sku}\t899{n:010d}\t{name}\tpcs\t{{}}\t{WORDS[n % len(WORDS)]}\t"
            f"{price - 200}\t{price}\t10.000\ttrue\t{on_hand}.000\t{on_hand * cost}.00\t{cost}.0000\t"
            f"2025-01-02 00:00:00+00\n"
        )
    moves.sort(key=lambda m: (m[0], m[1]))

    entry_buf, line_buf, move_buf = io.StringIO(), io.StringIO(), io.StringIO()
    inventory, payable, cogs = ids.accounts["persediaan"], ids.accounts["utang_usaha"], ids.accounts["hpp"]
    user = ids.user_id or "\\N"
    n_entries = n_lines = 0
    i = 0
    while i < len(moves):
        day, kind = moves[i][0], moves[i][1]
        group = [moves[i]]
        i += 1
        while i < len(moves) and len(group) < LINES_PER_ENTRY and moves[i][0] == day and moves[i][1] == kind:
            group.append(moves[i])
            i += 1
        n_entries += 1
        on = (first_day + timedelta(days=day)).isoformat()
        entry_id = uuid.uuid4()
        series = "PJ" if kind == "sale" else "PB"
        entry_buf.write(
            f"{tid}\t{entry_id}\t{series}-B-{n_entries:08d}\t{series}\t{on}\t"
            f"{'Penjualan' if kind == 'sale' else 'Penerimaan barang'} bench {n_entries}\t{on} 03:00:00+00\n"
        )
        total = 0
        for line_no, (_d, _k, n, qty, value, after, value_after) in enumerate(group, start=1):
            item_id, cost = items[n][0], items[n][3]
            debit, credit = (value, 0) if value > 0 else (0, -value)
            line_buf.write(
                f"{tid}\t{uuid.uuid4()}\t{entry_id}\t{on}\t{line_no}\t{inventory}\t{debit}\t{credit}\t{item_id}\n"
            )
            move_buf.write(
                f"{tid}\t{uuid.uuid4()}\t{item_id}\t{kind}\t{on}\t{qty}.000\t{cost}.0000\t{value}.00\t"
                f"{after}.000\t{value_after}.00\tretail_{kind}\t{entry_id}\t{entry_id}\t{user}\t"
                f"{on} 03:00:00+00\n"
            )
            total += value
        other, debit, credit = (cogs, -total, 0) if kind == "sale" else (payable, 0, total)
        line_buf.write(
            f"{tid}\t{uuid.uuid4()}\t{entry_id}\t{on}\t{len(group) + 1}\t{other}\t{debit}\t{credit}\t\\N\n"
        )
        n_lines += len(group) + 1

    t0 = time.perf_counter()
    with psycopg.connect(url_for("postgres", driver=False)) as conn:
        conn.execute("SET session_replication_role = replica")
        with conn.cursor() as cur:
            for sql, buf in [
                (
                    "COPY retail_item (tenant_id, id, sku, barcode, name, unit, pack_conversions, category,"
                    " member_price, public_price, reorder_point, is_active, on_hand, stock_value, avg_cost,"
                    " created_at) FROM STDIN",
                    item_buf,
                ),
                (
                    "COPY journal_entry (tenant_id, id, voucher_no, series, entry_on, memo, created_at)"
                    " FROM STDIN",
                    entry_buf,
                ),
                (
                    "COPY journal_line (tenant_id, id, entry_id, entry_on, line_no, account_id, debit,"
                    " credit, item_id) FROM STDIN",
                    line_buf,
                ),
                (
                    "COPY retail_stock_movement (tenant_id, id, item_id, kind, moved_on, qty, unit_cost,"
                    " value, on_hand_after, value_after, source_type, source_id, journal_entry_id,"
                    " created_by_id, created_at) FROM STDIN",
                    move_buf,
                ),
            ]:
                with cur.copy(sql) as cp:
                    cp.write(buf.getvalue())
        conn.execute("SET session_replication_role = origin")
        conn.commit()
    seconds = time.perf_counter() - t0
    with psycopg.connect(url_for("postgres", driver=False), autocommit=True) as conn:
        for table in ("retail_item", "retail_stock_movement", "journal_entry", "journal_line"):
            conn.execute(f"VACUUM ANALYZE {table}")
    return Loaded(
        items=[it[0] for it in items],
        movements=len(moves),
        entries=n_entries,
        lines=n_lines,
        stock_value=Decimal(stock_total),
        seconds=seconds,
        on_hand=on_hand_of,
    )
