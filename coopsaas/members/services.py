"""Member register services: admission, search, and the member's accounts.

Admission (domain/savings.md sections 1 and 6): an *anggota* pays simpanan pokok on joining and
gets pokok, wajib and sukarela accounts; a *calon anggota* holds no pokok or wajib, only
sukarela. Services flush and never commit; the request, job or CLI boundary commits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select

from coopsaas.core import audit
from coopsaas.core.counters import next_number
from coopsaas.core.i18n import _l
from coopsaas.core.ids import uuid7
from coopsaas.errors import Conflict, ValidationError
from coopsaas.extensions import db
from coopsaas.ledger.services import require_scope, today_for
from coopsaas.members.models import ACTIVE, ANGGOTA, CALON, MEMBER_TYPES, SEXES, Member
from coopsaas.members.nik import normalize_nik, validate_nik
from coopsaas.savings import services as savings
from coopsaas.savings.models import CASH, POKOK, SUKARELA, WAJIB, SavingsAccount, SavingsTransaction
from coopsaas.tenancy.models import Tenant

NUMBER_PREFIX = {ANGGOTA: "A", CALON: "C"}
MEMBER_NO = re.compile(r"^[AC]-?\d{1,6}$", re.IGNORECASE)


@dataclass(frozen=True)
class Admission:
    member: Member
    accounts: list[SavingsAccount]
    pokok: SavingsTransaction | None


def _required(value: str | None, field: str, limit: int) -> str:
    text = (value or "").strip()
    if not text:
        message = _l("This field is required.")
        raise ValidationError(message, fields={field: [message]})
    if len(text) > limit:
        message = _l("At most %(n)s characters.", n=limit)
        raise ValidationError(message, fields={field: [message]})
    return text


def _optional(value: str | None, field: str, limit: int) -> str | None:
    text = (value or "").strip()
    if len(text) > limit:
        message = _l("At most %(n)s characters.", n=limit)
        raise ValidationError(message, fields={field: [message]})
    return text or None


def member_by_nik(nik: str) -> Member | None:
    return db.session.scalars(select(Member).where(Member.nik == nik)).one_or_none()


def register_member(
    *,
    tenant: Tenant,
    actor: Any,
    nik: str,
    name: str,
    sex: str | None = None,
    birth_date: date | None = None,
    address: str | None = None,
    phone: str | None = None,
    occupation: str | None = None,
    employer: str | None = None,
    joined_on: date | None = None,
    type: str = ANGGOTA,
    channel: str = CASH,
    user_id: Any = None,
) -> Admission:
    """Register a member, open their savings accounts and, for an anggota, collect simpanan pokok
    (`Dr kas/bank / Cr simpanan pokok`) dated the joining day.

    Raises: ValidationError (missing or too long fields, invalid NIK, NIK not matching the birth
    date or sex, unknown type, joining date in the future), Conflict (NIK already registered),
    ClosedPeriodError (joining date in a closed month).
    """
    require_scope(tenant)
    name = _required(name, "name", 200)
    if type not in MEMBER_TYPES:
        message = _l("Choose anggota or calon anggota.")
        raise ValidationError(message, fields={"type": [message]})
    sex = (sex or "").strip().upper() or None
    if sex is not None and sex not in SEXES:
        message = _l("Choose L (male) or P (female).")
        raise ValidationError(message, fields={"sex": [message]})
    today = today_for(tenant)
    joined_on = joined_on or today
    if joined_on > today:
        message = _l("The joining date cannot be in the future.")
        raise ValidationError(message, fields={"joined_on": [message]})
    if birth_date is not None and birth_date > today:
        message = _l("The birth date cannot be in the future.")
        raise ValidationError(message, fields={"birth_date": [message]})
    nik = validate_nik(nik, birth_date=birth_date, sex=sex, today=today)
    if member_by_nik(nik) is not None:
        message = _l("A member with this NIK is already registered.")
        raise Conflict(message, fields={"nik": [message]}, code="duplicate_nik")

    number = next_number(f"member:{NUMBER_PREFIX[type]}")
    member = Member(
        id=uuid7(),
        member_no=f"{NUMBER_PREFIX[type]}-{number:06d}",
        nik=nik,
        name=name,
        sex=sex,
        birth_date=birth_date,
        address=_optional(address, "address", 500) or "",
        phone=_optional(phone, "phone", 30),
        occupation=_optional(occupation, "occupation", 100),
        employer=_optional(employer, "employer", 200),
        joined_on=joined_on,
        type=type,
        status=ACTIVE,
        user_id=user_id,
    )
    db.session.add(member)
    db.session.flush()
    audit.record(
        "member.register",
        actor=actor,
        target=member,
        summary={"member_no": member.member_no, "type": type, "joined_on": joined_on.isoformat()},
    )

    products = savings.ensure_products(tenant)
    kinds = (POKOK, WAJIB, SUKARELA) if type == ANGGOTA else (SUKARELA,)
    accounts: list[SavingsAccount] = []
    pokok_txn = None
    for kind in kinds:
        product = next(
            (p for p in sorted(products.values(), key=lambda p: p.code) if p.kind == kind and p.is_active),
            None,
        )
        if product is None:
            continue
        account = savings.open_account(
            tenant=tenant, actor=actor, member=member, product=product, on=joined_on
        )
        accounts.append(account)
        if kind == POKOK and savings.product_param_money(product, "amount") > 0:
            pokok_txn = savings.pay_admission(
                tenant=tenant, actor=actor, account=account, channel=channel, on=joined_on
            )
    return Admission(member=member, accounts=accounts, pokok=pokok_txn)


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_members(query: str | None, *, status: str | None = None) -> Select[Any]:
    """Members of the tenant in scope matching `query` by member number, NIK or name (case-insensitive,
    anywhere in the name), by name. An empty query lists everyone."""
    stmt = select(Member)
    q = (query or "").strip()
    if q:
        term = _like_escape(q.lower())
        conditions: list[ColumnElement[bool]] = [
            func.lower(Member.name).like(f"%{term}%", escape="\\"),
            func.lower(Member.member_no).like(f"{term}%", escape="\\"),
        ]
        if MEMBER_NO.match(q) and "-" not in q:
            digits = q[1:]
            conditions.append(Member.member_no == f"{q[0].upper()}-{int(digits):06d}")
        nik = normalize_nik(q)
        if nik.isdigit():
            conditions.append(Member.nik.like(f"{nik}%"))
        stmt = stmt.where(or_(*conditions))
    if status:
        stmt = stmt.where(Member.status == status)
    return stmt.order_by(Member.name, Member.member_no)


@dataclass(frozen=True)
class AccountLine:
    account: SavingsAccount
    available: Decimal


def member_accounts(member: Member) -> list[AccountLine]:
    """Every savings account of the member with its balance and what may be withdrawn now."""
    return [AccountLine(a, savings.available_balance(a)) for a in savings.accounts_of(member)]


def total_savings(lines: list[AccountLine]) -> Decimal:
    return sum((line.account.balance for line in lines), Decimal("0.00"))


def link_user(*, tenant: Tenant, actor: Any, member: Member, user: Any) -> Member:
    """Give `member` a login: the user (holding the member role here) then sees this member's
    accounts under /t/<slug>/me. Raises: Conflict (the user is linked to another member)."""
    require_scope(tenant)
    other = db.session.scalars(
        select(Member).where(Member.user_id == user.id, Member.id != member.id)
    ).first()
    if other is not None:
        raise Conflict(_l("This login already belongs to member %(no)s.", no=other.member_no))
    member.user_id = user.id
    db.session.flush()
    audit.record(
        "member.link_user",
        actor=actor,
        target=member,
        summary={"member_no": member.member_no, "user_id": str(user.id)},
    )
    return member


def member_of_user(user: Any) -> Member | None:
    """The member row of a logged-in member in the tenant in scope, if one is linked."""
    return db.session.scalars(select(Member).where(Member.user_id == user.id)).one_or_none()
