"""A year of savings activity for a demo cooperative: members join, pay simpanan wajib every month,
save and withdraw sukarela. Everything goes through the member and savings services, so the
ledger, the sub-ledger and the audit trail agree exactly as they would after a real year.

Deterministic: the random generator is seeded with the tenant's slug and the dates count back
from the business date, so the same day gives the same books. Idempotent: a cooperative that
already has members (demo or real) gets nothing added.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from coopsaas.extensions import db
from coopsaas.ledger.services import today_for
from coopsaas.members import services as members
from coopsaas.members.models import ANGGOTA, CALON, Member
from coopsaas.savings import services as savings
from coopsaas.savings.models import CASH, POKOK, SUKARELA, TRANSFER, WAJIB, SavingsAccount
from coopsaas.tenancy.models import Tenant

MEN = (
    "Ahmad",
    "Budi",
    "Agus",
    "Dedi",
    "Eko",
    "Fajar",
    "Hendra",
    "Imam",
    "Joko",
    "Slamet",
    "Rudi",
    "Yusuf",
    "Bambang",
    "Wahyu",
    "Hasan",
    "Rahmat",
    "Supriadi",
    "Teguh",
    "Nur Hidayat",
    "Arif",
    "Sutrisno",
    "Didik",
    "Ilham",
    "Mulyadi",
    "Zainal",
    "Asep",
    "Ujang",
    "Dadang",
    "Gilang",
    "Rizky",
)
WOMEN = (
    "Siti",
    "Sri",
    "Dewi",
    "Ani",
    "Rina",
    "Wati",
    "Nurul",
    "Fitri",
    "Yuliana",
    "Endang",
    "Lestari",
    "Ratna",
    "Aisyah",
    "Khadijah",
    "Maryam",
    "Umi",
    "Sulastri",
    "Kartini",
    "Ika",
    "Rahayu",
    "Euis",
    "Neneng",
    "Tuti",
    "Indah",
    "Lia",
    "Putri",
    "Dian",
    "Novi",
    "Ayu",
    "Ernawati",
)
FAMILY = (
    "Santoso",
    "Wijaya",
    "Hidayat",
    "Saputra",
    "Kurniawan",
    "Setiawan",
    "Susanto",
    "Purnomo",
    "Nugroho",
    "Pratama",
    "Maulana",
    "Hakim",
    "Rohman",
    "Fauzi",
    "Lubis",
    "Nasution",
    "Siregar",
    "Hasibuan",
    "Sulistyo",
    "Wibowo",
    "Gunawan",
    "Firmansyah",
    "Ramadhan",
    "Syahputra",
    "Rahman",
)
OCCUPATIONS = (
    "Pedagang",
    "Petani",
    "Guru",
    "Buruh pabrik",
    "Wiraswasta",
    "Karyawan swasta",
    "Ibu rumah tangga",
    "Penjahit",
    "Sopir",
    "Nelayan",
    "Ustadz",
    "Santri",
    "Perawat",
    "Tukang bangunan",
    "Pegawai negeri",
)
STREETS = (
    "Jl. Merdeka",
    "Jl. Diponegoro",
    "Jl. Sudirman",
    "Jl. Ahmad Yani",
    "Jl. Pahlawan",
    "Jl. Kartini",
    "Jl. Gatot Subroto",
    "Jl. Imam Bonjol",
    "Gg. Mawar",
    "Gg. Melati",
    "Jl. Pesantren",
    "Jl. Masjid Agung",
)
# Kota Bandung, districts 01-30: every generated NIK has a real province and a plausible layout.
REGION = "3273"
MONTHS = 12


@dataclass(frozen=True)
class ActivityReport:
    slug: str
    members: int
    transactions: int
    skipped: bool = False

    def line(self) -> str:
        if self.skipped:
            return f"  {self.slug}: has members already, no demo savings added"
        return f"  {self.slug}: {self.members} members, {self.transactions} savings transactions"


@dataclass
class _Person:
    nik: str
    name: str
    sex: str
    birth_date: date
    joined_on: date
    type: str
    occupation: str
    address: str
    phone: str


def _months_back(day: date, months: int) -> date:
    """The first day of the month `months` before `day`'s month."""
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def _person(rng: random.Random, serial: int, joined_on: date, kind: str) -> _Person:
    sex = rng.choice(("L", "P"))
    first = rng.choice(MEN if sex == "L" else WOMEN)
    name = f"{first} {rng.choice(FAMILY)}"
    born = date(rng.randint(1960, 2002), rng.randint(1, 12), rng.randint(1, 28))
    day = born.day + (40 if sex == "P" else 0)
    nik = f"{REGION}{rng.randint(1, 30):02d}{day:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"
    occupation = rng.choice(OCCUPATIONS)
    street, number = rng.choice(STREETS), rng.randint(1, 150)
    rt, rw = rng.randint(1, 9), rng.randint(1, 9)
    operator = rng.choice(("12", "13", "21", "52", "57", "77", "81", "95"))
    return _Person(
        nik=nik,
        name=name,
        sex=sex,
        birth_date=born,
        joined_on=joined_on,
        type=kind,
        occupation=occupation,
        address=f"{street} No. {number}, RT {rt:02d}/RW {rw:02d}",
        phone=f"08{operator}{rng.randint(10_000_000, 99_999_999)}",
    )


def _round_thousands(amount: int) -> Decimal:
    return Decimal(max(amount // 5_000, 1) * 5_000)


def _plan(
    rng: random.Random, people: list[tuple[_Person, dict[str, SavingsAccount]]], wajib: Decimal, today: date
) -> list[tuple[date, int, str, SavingsAccount, Decimal]]:
    """Every deposit and withdrawal of the year, in date order (withdrawal amounts are fractions
    of the balance reached by then, settled when posted)."""
    events: list[tuple[date, int, str, SavingsAccount, Decimal]] = []
    seq = 0
    for person, accounts in people:
        wajib_account = accounts.get(WAJIB)
        sukarela_account = accounts.get(SUKARELA)
        month = _months_back(person.joined_on, 0)
        diligent = rng.random() < 0.8  # a fifth of members fall behind on wajib
        while month <= today:
            day = month.replace(day=min(rng.randint(1, 28), 28))
            if day < person.joined_on:
                day = person.joined_on
            if day <= today:
                if wajib_account is not None and wajib > 0 and (diligent or rng.random() < 0.5):
                    seq += 1
                    events.append((day, seq, "deposit", wajib_account, wajib))
                if sukarela_account is not None and rng.random() < 0.45:
                    seq += 1
                    amount = _round_thousands(rng.choice((50, 100, 150, 200, 300, 500, 1000)) * 1_000)
                    events.append(
                        (day + timedelta(days=rng.randint(0, 2)), seq, "deposit", sukarela_account, amount)
                    )
                if sukarela_account is not None and rng.random() < 0.15:
                    seq += 1
                    share = Decimal(rng.choice((20, 30, 40, 50))) / 100
                    events.append(
                        (day + timedelta(days=rng.randint(3, 6)), seq, "withdraw", sukarela_account, share)
                    )
            month = _months_back(month, -1)
    return sorted((e for e in events if e[0] <= today), key=lambda e: (e[0], e[1]))


def load_activity(
    tenant: Tenant, *, actor: Any = None, members_count: int | None = None, seed: str | None = None
) -> ActivityReport:
    """Register members over the past year and post their savings, in the tenant in scope.

    Flushes, never commits (the caller's tenant scope does). Raises DomainError only if the
    tenant's chart or products cannot take the postings.
    """
    existing = db.session.scalar(select(func.count()).select_from(Member)) or 0
    if existing:
        return ActivityReport(tenant.slug, existing, 0, skipped=True)
    rng = random.Random(f"coopsaas-demo:{seed or tenant.slug}")
    today = today_for(tenant)
    start = _months_back(today, MONTHS)
    count = members_count if members_count is not None else rng.randint(40, 60)
    span = (today - start).days
    products = savings.ensure_products(tenant, actor=actor)
    wajib_product = next((p for p in products.values() if p.kind == WAJIB), None)
    wajib = savings.product_param_money(wajib_product, "amount") if wajib_product is not None else Decimal(0)

    # A third join in the first month (founders), the rest spread over the year.
    joins = sorted(
        start + timedelta(days=0 if i < count // 3 else rng.randint(0, span - 1)) for i in range(count)
    )
    people: list[tuple[_Person, dict[str, SavingsAccount]]] = []
    transactions = 0
    for serial, joined_on in enumerate(joins, start=1):
        kind = CALON if rng.random() < 0.08 else ANGGOTA
        person = _person(rng, serial, joined_on, kind)
        admission = members.register_member(
            tenant=tenant,
            actor=actor,
            nik=person.nik,
            name=person.name,
            sex=person.sex,
            birth_date=person.birth_date,
            address=person.address,
            phone=person.phone,
            occupation=person.occupation,
            joined_on=joined_on,
            type=kind,
            channel=CASH if rng.random() < 0.85 else TRANSFER,
        )
        transactions += admission.pokok is not None
        people.append((person, {a.product.kind: a for a in admission.accounts if a.product.kind != POKOK}))

    for on, _seq, what, account, amount in _plan(rng, people, wajib, today):
        channel = CASH if rng.random() < 0.8 else TRANSFER
        if what == "deposit":
            savings.deposit(
                tenant=tenant, actor=actor, account=account, amount=amount, channel=channel, on=on
            )
        else:
            available = savings.available_balance(account)
            take = _round_thousands(int(available * amount))
            if available < Decimal(50_000) or take > available:
                continue
            savings.withdraw(tenant=tenant, actor=actor, account=account, amount=take, channel=channel, on=on)
        transactions += 1
    return ActivityReport(tenant.slug, count, transactions)


def demo_member(tenant: Tenant) -> Member | None:
    """The member the demo login anggota.<slug> sees: the first founder with savings."""
    return db.session.scalars(
        select(Member).where(Member.type == ANGGOTA).order_by(Member.member_no).limit(1)
    ).first()


def link_demo_login(tenant: Tenant, user: Any, *, actor: Any = None) -> Member | None:
    """Link the demo member login to `demo_member` once; an existing link is kept."""
    if members.member_of_user(user) is not None:
        return None
    member = demo_member(tenant)
    if member is None or member.user_id is not None:
        return None
    return members.link_user(tenant=tenant, actor=actor, member=member, user=user)


def load_all(
    session: Any, member_logins: list[Any], *, members_count: int | None = None
) -> list[ActivityReport]:
    """For each demo member login (username `anggota.<slug>`, where = slug): a year of activity
    in that cooperative, posted by its demo teller, then the login linked to a member. One
    transaction per cooperative, committed by its tenant scope."""
    from coopsaas.auth import services as auth
    from coopsaas.core.db import tenant_scope

    reports = []
    for login in member_logins:
        tenant = session.scalars(select(Tenant).where(Tenant.slug == login.where)).one()
        user = auth.find_user(login.username)
        teller = auth.find_user(f"kasir.{tenant.slug}")
        session.rollback()  # the lookups began a transaction; the scope starts a fresh one
        with tenant_scope(session, tenant.id):
            reports.append(load_activity(tenant, actor=teller, members_count=members_count))
            if user is not None:
                link_demo_login(tenant, user, actor=teller)
    return reports
