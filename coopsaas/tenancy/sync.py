"""Tenants as data: load, validate and apply `tenants/` (format in tenants/README.md).

Invariants:
- Every file is read and validated before anything is written; one error anywhere and the
  database is left untouched. Validation is pure (no database, no Flask).
- Sync never deletes or deactivates: a tenant, agency, link or account that disappeared from the
  files stays as it is. An existing account keeps its type, normal side and contra flag (its
  posted balances mean what they meant); only its name, unit, tags and weights follow the template.
- A second run over the same files changes nothing.
- Agencies, tenants and links are global rows, written in one transaction; each tenant's accounts
  are then written in that tenant's own transaction (`tenant_scope`), one tenant at a time.
"""

from __future__ import annotations

import json
import re
import string
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select

from coopsaas.core import audit
from coopsaas.core.db import current_tenant_id, tenant_scope
from coopsaas.core.money import MoneyError, money_str, to_money
from coopsaas.errors import ValidationError
from coopsaas.ledger.models import Account
from coopsaas.tenancy.models import LEGAL_FORMS, Agency, AgencyLink, Tenant

SLUG_HINT = "lower-case letters, digits and dashes"
SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
NIK_KOPERASI_RE = re.compile(r"^\d{16}$")
CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{1,19}$")
ACCOUNT_CODE_RE = re.compile(r"^\d{4,6}$")
TAG_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
TIMEZONES = ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")  # WIB, WITA, WIT
UNITS = ("USP", "TOKO")
HEALTH_RULEBOOKS = ("PERDEP_06_2016", "JUKNIS_15_2021")
# Chart files name the account class in Indonesian, as the regulations do.
ACCOUNT_TYPES = {"aset": "asset", "liabilitas": "liability", "ekuitas": "equity",
                 "pendapatan": "income", "beban": "expense"}
NATURAL_SIDE = {"asset": "D", "liability": "K", "equity": "K", "income": "K", "expense": "D"}
SHU_POSTS = ("cadangan", "jasa_modal", "jasa_usaha", "dana_pengurus", "dana_karyawan",
             "dana_pendidikan", "dana_sosial", "dana_pdk")
HUNDRED = Decimal(100)

# The account a product posts its balances to: a product needs it in the tenant's chart.
SAVINGS_KINDS = {"sukarela": "2101", "berjangka": "2102", "wadiah": "2141", "mudharabah": "2142"}
LOAN_METHODS = {"FLAT": "1201", "EFEKTIF": "1201", "ANUITAS": "1201", "BULLET": "1201",
                "MURABAHAH": "1211", "QARDH": "1214"}

# [settings] keys: (kind, default, choices). Later features read them from Tenant.settings.
SETTINGS: dict[str, tuple[str, Any, tuple[str, ...]]] = {
    "reversal_threshold": ("money", "5000000.00", ()),
    "allow_negative_stock": ("bool", False, ()),
    "max_backdate_days": ("int", 7, ()),
    "require_teller_session": ("bool", False, ()),
    "collectibility_profile": ("choice", "KOPERASI_BULANAN", ("KOPERASI_BULANAN", "MIKRO_KETAT")),
    "accrue_interest_lancar_only": ("bool", True, ()),
    "ppap_deduct_collateral": ("bool", False, ()),
    "calon_anggota_limit_months": ("int", 3, ()),
    "shu_rounding": ("choice", "FLOOR", ("FLOOR", "HALF_UP_LARGEST_ABSORBS")),
    "shu_remainder_to": ("choice", "cadangan", ("cadangan", "dana_sosial")),
    "shu_cadangan_risiko_pct": ("percent", "0", ()),
    "stale_after_days": ("int", 14, ()),
    # Lines per passbook page below its header area, 6 to 60 (coopsaas/savings/passbook.py).
    "passbook_lines_per_page": ("int", 24, ()),
    # Shop credit and invoices (coopsaas/retail/credit.py, invoices.py).
    "shop_credit_limit_pct_of_savings": ("percent", "50", ()),
    "shop_credit_limit_max": ("money", None, ()),
    "shop_credit_include_pokok": ("bool", False, ()),
    "shop_credit_terms_days": ("int", 30, ()),
    "invoice_terms_days": ("int", 30, ()),
    "taxable_entrepreneur": ("bool", False, ()),
    "ppn_rate_pct": ("percent", "11", ()),
}


def tenant_setting(tenant: Any, key: str) -> Any:
    """A [settings] value of a tenant, typed (money and percent as Decimal), or its default when
    the tenant was made without a file (tests, older rows). Raises KeyError for an unknown key."""
    kind, default, _ = SETTINGS[key]
    value = (tenant.settings or {}).get(key, default)
    if kind in ("money", "percent") and value is not None:
        return Decimal(value)
    return value


# --------------------------------------------------------------------------------------------
# Definitions and errors


@dataclass(frozen=True)
class DefinitionError:
    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class DefinitionsInvalid(ValidationError):
    """The tenant files have errors; nothing was written."""

    def __init__(self, errors: list[DefinitionError]):
        super().__init__("tenant definitions are not valid:\n" + "\n".join(str(e) for e in errors))
        self.errors = errors


@dataclass(frozen=True)
class AccountDef:
    code: str
    name: str
    type: str
    normal_side: str
    is_contra: bool
    unit: str | None
    tags: tuple[str, ...]
    weights: dict[str, str]


@dataclass(frozen=True)
class ChartDef:
    name: str
    legal_forms: tuple[str, ...]
    accounts: tuple[AccountDef, ...]

    @property
    def units(self) -> set[str]:
        return {a.unit for a in self.accounts if a.unit}

    def accounts_for(self, units: Iterable[str]) -> list[AccountDef]:
        """The template's accounts for a tenant running these units (shared ones always)."""
        run = set(units)
        return [a for a in self.accounts if a.unit is None or a.unit in run]


@dataclass(frozen=True)
class AgencyDef:
    slug: str
    name: str
    city: str | None
    file: str


@dataclass(frozen=True)
class TenantDef:
    slug: str
    name: str
    legal_form: str
    registration_no: str | None
    address: str | None
    city: str | None
    timezone: str
    chart_template: str
    agency: str | None
    settings: dict[str, Any]
    file: str

    @property
    def units(self) -> list[str]:
        return list(self.settings["units"])


@dataclass
class Definitions:
    agencies: list[AgencyDef] = field(default_factory=list)
    tenants: list[TenantDef] = field(default_factory=list)
    charts: dict[str, ChartDef] = field(default_factory=dict)


# --------------------------------------------------------------------------------------------
# Finding the line of a key (a simple scan; tomllib gives positions for syntax errors only)

_HEADER_RE = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-\" ]+?)\s*\]\]?")
_KEY_RE = re.compile(r'^\s*([A-Za-z0-9_-]+|"[^"]*")\s*=')


def line_of(text: str, path: tuple[Any, ...]) -> int | None:
    """Line (1-based) of the key at `path`, e.g. ("loan_products", 1, "rate_pa"), or of the
    nearest enclosing key or table found; None when nothing matches."""
    lines = text.splitlines()
    for n in range(len(path), 0, -1):
        found = _find_line(lines, path[:n])
        if found:
            return found
    return None


def _find_line(lines: list[str], path: tuple[Any, ...]) -> int | None:
    header: tuple[Any, ...] = ()
    seen: dict[str, int] = {}
    for number, line in enumerate(lines, 1):
        m = _HEADER_RE.match(line)
        if m:
            name = m.group(2).replace('"', "")
            parts: tuple[Any, ...] = tuple(p.strip() for p in name.split("."))
            if m.group(1) == "[[":
                seen[name] = seen.get(name, -1) + 1
                parts = (*parts, seen[name])
            header = parts
            if header == path:
                return number
            continue
        k = _KEY_RE.match(line)
        if not k:
            continue
        key = (*header, k.group(1).strip('"'))
        if key == path:
            return number
        if path[: len(key)] == key and len(path) > len(key) and isinstance(path[len(key)], int):
            return _inline_item_line(lines, number, path[len(key)])
    return None


def _inline_item_line(lines: list[str], key_line: int, index: int) -> int:
    """Arrays of inline tables are written one `{ ... }` per line: count them from the key."""
    count = -1
    for number in range(key_line, len(lines) + 1):
        text = lines[number - 1]
        stripped = text.strip() if number > key_line else text.split("=", 1)[1].strip().lstrip("[").strip()
        if stripped.startswith("{"):
            count += 1
            if count == index:
                return number
        if number > key_line and stripped.startswith("]"):
            break
    return key_line


# --------------------------------------------------------------------------------------------
# Reading values with errors that name file, line and field


def _dotted(path: tuple[Any, ...]) -> str:
    out = ""
    for p in path:
        out += f"[{p + 1}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


class _Reader:
    """Typed access to one parsed file; every problem becomes a DefinitionError."""

    def __init__(self, file: str, text: str, errors: list[DefinitionError]):
        self.file, self.text, self.errors = file, text, errors

    def error(self, path: tuple[Any, ...], message: str) -> None:
        self.errors.append(DefinitionError(self.file, line_of(self.text, path), _dotted(path), message))

    def table(self, data: dict[str, Any], key: str, path: tuple[Any, ...], *, required: bool = True
              ) -> dict[str, Any] | None:
        value = data.get(key)
        if value is None:
            if required:
                self.error(path, "is required")
            return None
        if not isinstance(value, dict):
            self.error((*path, key), "must be a table")
            return None
        return value

    def tables(self, data: dict[str, Any], key: str, path: tuple[Any, ...]) -> list[dict[str, Any]]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.error((*path, key), "must be an array of tables")
            return []
        return value

    def unknown(self, data: dict[str, Any], allowed: Iterable[str], path: tuple[Any, ...]) -> None:
        known = set(allowed)
        for key in data:
            if key not in known:
                self.error((*path, key), f"unknown key (allowed: {', '.join(sorted(known))})")

    def string(self, data: dict[str, Any], key: str, path: tuple[Any, ...], *, required: bool = True,
               max_len: int = 200, pattern: re.Pattern[str] | None = None, choices: Iterable[str] = (),
               default: str | None = None, hint: str = "") -> str | None:
        value = data.get(key)
        at = (*path, key)
        if value is None:
            if required:
                self.error(at, "is required")
            return default
        if not isinstance(value, str) or not value.strip():
            self.error(at, "must be a non-empty string")
            return None
        value = value.strip()
        options = tuple(choices)
        if options and value not in options:
            self.error(at, f"{value!r} is not one of: {', '.join(options)}")
            return None
        if len(value) > max_len:
            self.error(at, f"is longer than {max_len} characters")
            return None
        if pattern is not None and not pattern.match(value):
            self.error(at, f"{value!r} is not valid{': ' + hint if hint else ''}")
            return None
        return value

    def number(self, data: dict[str, Any], key: str, path: tuple[Any, ...]) -> Decimal | None:
        value = data.get(key)
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            self.error((*path, key), "must be a number")
            return None
        return Decimal(value)

    def _given_number(self, data: dict[str, Any], key: str, path: tuple[Any, ...], *,
                      required: bool) -> tuple[bool, Decimal | None]:
        """(missing, value): an absent optional key is `missing`; an absent required one is an error."""
        if data.get(key) is None:
            if required:
                self.error((*path, key), "is required")
            return True, None
        return False, self.number(data, key, path)

    def money(self, data: dict[str, Any], key: str, path: tuple[Any, ...], *, required: bool = False,
              default: str | None = "0.00", positive: bool = False) -> str | None:
        missing, value = self._given_number(data, key, path, required=required)
        if missing:
            return default
        if value is None:
            return None
        try:
            amount = to_money(value)
        except MoneyError as exc:
            self.error((*path, key), f"not a rupiah amount: {exc}")
            return None
        if amount < 0 or (positive and amount == 0):
            self.error((*path, key), "must be more than 0" if positive else "must not be negative")
            return None
        return money_str(amount)

    def percent(self, data: dict[str, Any], key: str, path: tuple[Any, ...], *, required: bool = False,
                default: str | None = "0", maximum: Decimal = HUNDRED) -> str | None:
        missing, value = self._given_number(data, key, path, required=required)
        if missing:
            return default
        if value is None:
            return None
        if not Decimal(0) <= value <= maximum:
            self.error((*path, key), f"must be between 0 and {maximum} (percent)")
            return None
        return str(value)

    def integer(self, data: dict[str, Any], key: str, path: tuple[Any, ...], *, required: bool = False,
                default: int | None = None, minimum: int = 0, maximum: int = 10_000) -> int | None:
        value = data.get(key)
        if value is None:
            if required:
                self.error((*path, key), "is required")
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self.error((*path, key), "must be a whole number")
            return None
        if not minimum <= value <= maximum:
            self.error((*path, key), f"must be between {minimum} and {maximum}")
            return None
        return value

    def boolean(self, data: dict[str, Any], key: str, path: tuple[Any, ...], *, default: bool) -> bool | None:
        value = data.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.error((*path, key), "must be true or false")
            return None
        return value

    def strings(self, data: dict[str, Any], key: str, path: tuple[Any, ...], *, required: bool = True,
                choices: Iterable[str] = (), pattern: re.Pattern[str] | None = None) -> list[str] | None:
        value = data.get(key)
        at = (*path, key)
        if value is None:
            if required:
                self.error(at, "is required")
                return None
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.error(at, "must be a list of strings")
            return None
        options = tuple(choices)
        bad = [v for v in value if (options and v not in options) or (pattern and not pattern.match(v))]
        if bad:
            allowed = f" (allowed: {', '.join(options)})" if options else ""
            self.error(at, f"not valid: {', '.join(map(repr, bad))}{allowed}")
            return None
        if len(set(value)) != len(value):
            self.error(at, "lists a value twice")
            return None
        return list(value)


def _parse(text: str, file: str, errors: list[DefinitionError]) -> dict[str, Any] | None:
    try:
        # Numbers with a fraction become Decimal: a rate of 2.5 is exactly 2.5, never a float.
        return tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        line = int(m.group(1)) if m else None
        errors.append(DefinitionError(file, line, "", f"TOML syntax error: {exc}"))
        return None


# --------------------------------------------------------------------------------------------
# Charts


def _read_pack(r: _Reader, data: dict[str, Any]) -> list[AccountDef]:
    r.unknown(data, ("description", "accounts"), ())
    r.string(data, "description", (), required=False)
    accounts: list[AccountDef] = []
    raw = data.get("accounts")
    if not isinstance(raw, list) or not raw or not all(isinstance(a, dict) for a in raw):
        r.error(("accounts",), "must be a non-empty array of tables")
        return accounts
    codes: set[str] = set()
    allowed = ("code", "name", "type", "normal", "contra", "unit", "tags", "mt_weight", "atmr_weight")
    for i, item in enumerate(raw):
        at: tuple[Any, ...] = ("accounts", i)
        r.unknown(item, allowed, at)
        code = r.string(item, "code", at, pattern=ACCOUNT_CODE_RE, hint="4 to 6 digits")
        name = r.string(item, "name", at)
        kind = r.string(item, "type", at, choices=ACCOUNT_TYPES)
        normal = r.string(item, "normal", at, choices=("D", "K"))
        contra = r.boolean(item, "contra", at, default=False)
        unit = r.string(item, "unit", at, required=False, choices=UNITS)
        tags = r.strings(item, "tags", at, required=False, pattern=TAG_RE)
        weights = {}
        for key, short in (("mt_weight", "mt"), ("atmr_weight", "atmr")):
            w = r.percent(item, key, at, default=None)
            if w is not None:
                weights[short] = w
        if code and code in codes:
            r.error((*at, "code"), f"account {code} is listed twice")
        if code:
            codes.add(code)
        if kind and normal and contra is not None:
            account_type = ACCOUNT_TYPES[kind]
            if (normal == NATURAL_SIDE[account_type]) == contra:
                expected = "the opposite of" if contra else "the same as"
                r.error((*at, "normal"), f"a {'contra ' if contra else ''}{kind} account has a normal side "
                                          f"{expected} {NATURAL_SIDE[account_type]}")
                continue
        if code and name and kind and normal and contra is not None and tags is not None:
            accounts.append(AccountDef(code, name, ACCOUNT_TYPES[kind], normal, contra, unit, tuple(tags),
                                       weights))
    return accounts


def _load_charts(root: Path, errors: list[DefinitionError]) -> dict[str, ChartDef]:
    charts_dir = root / "templates" / "charts"
    packs: dict[str, list[AccountDef]] = {}
    for path in sorted((charts_dir / "packs").glob("*.toml")):
        file, text = _display(root, path), path.read_text(encoding="utf-8")
        data = _parse(text, file, errors)
        if data is not None:
            packs[path.stem] = _read_pack(_Reader(file, text, errors), data)
    charts: dict[str, ChartDef] = {}
    for path in sorted(charts_dir.glob("*.toml")):
        file, text = _display(root, path), path.read_text(encoding="utf-8")
        data = _parse(text, file, errors)
        if data is None:
            continue
        r = _Reader(file, text, errors)
        r.unknown(data, ("description", "legal_forms", "packs"), ())
        r.string(data, "description", (), required=False)
        forms = r.strings(data, "legal_forms", (), choices=LEGAL_FORMS)
        pack_names = r.strings(data, "packs", (), choices=tuple(sorted(packs)))
        for key, value in (("legal_forms", forms), ("packs", pack_names)):
            if value == []:
                r.error((key,), "must not be empty")
        if not forms or not pack_names:
            continue
        accounts: dict[str, AccountDef] = {}
        for pack in pack_names:
            for account in packs[pack]:
                if account.code in accounts and accounts[account.code] != account:
                    r.error(("packs",), f"account {account.code} differs between two packs")
                accounts[account.code] = account
        charts[path.stem] = ChartDef(path.stem, tuple(forms), tuple(sorted(accounts.values(),
                                                                            key=lambda a: a.code)))
    if not charts:
        errors.append(DefinitionError(_display(root, charts_dir), None, "", "no chart templates found"))
    return charts


# --------------------------------------------------------------------------------------------
# Agencies and tenants

TENANT_KEYS = ("slug", "name", "legal_form", "registration_no", "address", "city", "timezone",
               "chart_template", "agency", "health_rulebook", "units", "savings", "savings_products",
               "loan_products", "shu", "settings")


def _check_slug(r: _Reader, slug: str | None, stem: str, owners: dict[str, str]) -> bool:
    """One file per slug, named after it: a second file claiming a slug is a duplicate."""
    if not slug or slug == stem:
        return True
    if slug in owners:
        r.error(("slug",), f"slug {slug} is already used by {owners[slug]}")
    else:
        r.error(("slug",), f"must match the file name ({stem}.toml)")
    return False


def _read_agency(r: _Reader, data: dict[str, Any], stem: str, owners: dict[str, str]) -> AgencyDef | None:
    r.unknown(data, ("slug", "name", "city"), ())
    slug = r.string(data, "slug", (), max_len=63, pattern=SLUG_RE, hint=SLUG_HINT)
    name = r.string(data, "name", ())
    city = r.string(data, "city", (), required=False, max_len=100)
    if not _check_slug(r, slug, stem, owners):
        return None
    if slug and name:
        return AgencyDef(slug, name, city, r.file)
    return None


def _read_savings_product(r: _Reader, item: dict[str, Any], at: tuple[Any, ...]) -> dict[str, Any] | None:
    kind = r.string(item, "kind", at, choices=SAVINGS_KINDS)
    product: dict[str, Any] = {
        "code": r.string(item, "code", at, pattern=CODE_RE, hint="upper-case letters, digits, - or _"),
        "name": r.string(item, "name", at),
        "kind": kind,
        "min_opening": r.money(item, "min_opening", at),
        "min_balance": r.money(item, "min_balance", at),
    }
    common = ["code", "name", "kind", "min_opening", "min_balance"]
    if kind == "sukarela":
        product["rate_pa"] = r.percent(item, "rate_pa", at, required=True)
        product["interest_method"] = r.string(item, "interest_method", at, required=False,
                                              default="LOWEST_BALANCE",
                                              choices=("LOWEST_BALANCE", "AVERAGE_BALANCE", "DAILY_BALANCE"))
        product["day_count"] = r.string(item, "day_count", at, required=False, default="ACT_365",
                                        choices=("ACT_365", "30_360"))
        product["min_balance_for_interest"] = r.money(item, "min_balance_for_interest", at)
        if product["interest_method"] == "DAILY_BALANCE" and product["day_count"] == "30_360":
            r.error((*at, "day_count"), "DAILY_BALANCE needs ACT_365")
        extra = ["rate_pa", "interest_method", "day_count", "min_balance_for_interest"]
    elif kind == "berjangka":
        product["min_amount"] = r.money(item, "min_amount", at, required=True, positive=True)
        product["terms"] = _read_terms(r, item, at)
        product["payout"] = r.string(item, "payout", at, required=False, default="AT_MATURITY",
                                     choices=("MONTHLY", "AT_MATURITY"))
        product["maturity_instruction"] = r.string(
            item, "maturity_instruction", at, required=False, default="TRANSFER",
            choices=("ROLLOVER_PRINCIPAL", "ROLLOVER_ALL", "TRANSFER"))
        product["break_penalty"] = r.string(item, "break_penalty", at, required=False,
                                            default="FORFEIT_CURRENT_INTEREST",
                                            choices=("FORFEIT_CURRENT_INTEREST", "PERCENT_OF_PRINCIPAL"))
        product["break_penalty_pct"] = r.percent(item, "break_penalty_pct", at, default=None,
                                                 required=product["break_penalty"] == "PERCENT_OF_PRINCIPAL")
        extra = ["min_amount", "terms", "payout", "maturity_instruction", "break_penalty",
                 "break_penalty_pct"]
    elif kind == "mudharabah":
        product["nisbah_penyimpan"] = r.percent(item, "nisbah_penyimpan", at, required=True)
        extra = ["nisbah_penyimpan"]
    else:
        extra = []
    r.unknown(item, common + extra if kind else list(item), at)
    return product


def _read_terms(r: _Reader, item: dict[str, Any], at: tuple[Any, ...]) -> list[dict[str, Any]] | None:
    raw = item.get("terms")
    if not isinstance(raw, list) or not raw or not all(isinstance(t, dict) for t in raw):
        r.error((*at, "terms"), "must be a non-empty list of { months = ..., rate_pa = ... }")
        return None
    terms = []
    for j, term in enumerate(raw):
        tat = (*at, "terms", j)
        r.unknown(term, ("months", "rate_pa"), tat)
        months = r.integer(term, "months", tat, required=True, minimum=1, maximum=120)
        rate = r.percent(term, "rate_pa", tat, required=True)
        terms.append({"months": months, "rate_pa": rate})
    months_listed = [t["months"] for t in terms]
    if len(set(months_listed)) != len(months_listed):
        r.error((*at, "terms"), "lists a term twice")
    return terms


def _read_loan_product(r: _Reader, item: dict[str, Any], at: tuple[Any, ...]) -> dict[str, Any] | None:
    allowed = ("code", "name", "method", "rate_pa", "rate_pm", "min_amount", "max_amount", "min_term_months",
               "max_term_months", "provision_pct", "admin_fee", "allocation_order", "denda_rate_pd",
               "denda_grace_days", "flat_early_settlement_interest", "collectibility_profile")
    r.unknown(item, allowed, at)
    method = r.string(item, "method", at, choices=LOAN_METHODS)
    product: dict[str, Any] = {
        "code": r.string(item, "code", at, pattern=CODE_RE, hint="upper-case letters, digits, - or _"),
        "name": r.string(item, "name", at),
        "method": method,
        "rate_pa": r.percent(item, "rate_pa", at, default=None),
        "rate_pm": r.percent(item, "rate_pm", at, default=None, maximum=Decimal(10)),
        "min_amount": r.money(item, "min_amount", at, required=True, positive=True),
        "max_amount": r.money(item, "max_amount", at, required=True, positive=True),
        "min_term_months": r.integer(item, "min_term_months", at, required=True, minimum=1, maximum=360),
        "max_term_months": r.integer(item, "max_term_months", at, required=True, minimum=1, maximum=360),
        "provision_pct": r.percent(item, "provision_pct", at, maximum=Decimal(10)),
        "admin_fee": r.money(item, "admin_fee", at),
        "allocation_order": r.string(item, "allocation_order", at, required=False,
                                     default="DENDA_BUNGA_POKOK",
                                     choices=("DENDA_BUNGA_POKOK", "COMPONENT_FIRST")),
        "denda_rate_pd": r.percent(item, "denda_rate_pd", at, maximum=Decimal(5)),
        "denda_grace_days": r.integer(item, "denda_grace_days", at, default=0, maximum=90),
        "collectibility_profile": r.string(item, "collectibility_profile", at, required=False,
                                           choices=SETTINGS["collectibility_profile"][2]),
    }
    if method == "FLAT":
        product["flat_early_settlement_interest"] = r.string(
            item, "flat_early_settlement_interest", at, required=False, default="CURRENT_PERIOD",
            choices=("CURRENT_PERIOD", "ALL_REMAINING"))
    elif "flat_early_settlement_interest" in item:
        r.error((*at, "flat_early_settlement_interest"), "applies to FLAT loans only")
    rates = [k for k in ("rate_pa", "rate_pm") if k in item]
    if method == "QARDH" and rates:
        r.error((*at, rates[0]), "a qardh loan carries no rate")
    elif method and method != "QARDH" and len(rates) != 1:
        r.error(at + ((rates[1],) if rates else ("method",)), "give exactly one of rate_pa or rate_pm")
    lo, hi = product["min_amount"], product["max_amount"]
    if lo and hi and Decimal(lo) > Decimal(hi):
        r.error((*at, "max_amount"), "must not be below min_amount")
    lo_t, hi_t = product["min_term_months"], product["max_term_months"]
    if lo_t and hi_t and lo_t > hi_t:
        r.error((*at, "max_term_months"), "must not be below min_term_months")
    return product


def _read_shu(r: _Reader, data: dict[str, Any]) -> dict[str, str] | None:
    shu = r.table(data, "shu", ("shu",))
    if shu is None:
        return None
    r.unknown(shu, SHU_POSTS, ("shu",))
    posts = {}
    for post in SHU_POSTS:
        value = r.percent(shu, post, ("shu",), required=True, default=None)
        if value is not None:
            posts[post] = value
    if len(posts) == len(SHU_POSTS):
        total = sum(Decimal(v) for v in posts.values())
        if total != HUNDRED:
            # UU 25/1992 Pasal 45 via shu.md: a template is accepted only at exactly 100.00.
            r.error(("shu",), f"the percentages add up to {total}, not 100")
            return None
    return posts


def _read_settings(r: _Reader, data: dict[str, Any]) -> dict[str, Any]:
    raw = r.table(data, "settings", ("settings",), required=False) or {}
    r.unknown(raw, SETTINGS, ("settings",))
    out: dict[str, Any] = {}
    for key, (kind, default, choices) in SETTINGS.items():
        at = ("settings",)
        if kind == "money":
            out[key] = r.money(raw, key, at, default=default)
        elif kind == "bool":
            out[key] = r.boolean(raw, key, at, default=default)
        elif kind == "int":
            out[key] = r.integer(raw, key, at, default=default, maximum=366)
        elif kind == "percent":
            out[key] = r.percent(raw, key, at, default=default)
        else:
            out[key] = r.string(raw, key, at, required=False, default=default, choices=choices)
    return out


def _read_tenant(r: _Reader, data: dict[str, Any], stem: str, owners: dict[str, str]) -> TenantDef | None:
    errors_before = len(r.errors)
    r.unknown(data, TENANT_KEYS, ())
    slug = r.string(data, "slug", (), max_len=63, pattern=SLUG_RE, hint=SLUG_HINT)
    _check_slug(r, slug, stem, owners)
    legal_form = r.string(data, "legal_form", (), choices=LEGAL_FORMS)
    units = r.strings(data, "units", (), choices=UNITS)
    if units == []:
        r.error(("units",), "must name at least one unit (USP, TOKO)")
    rulebook = r.string(data, "health_rulebook", (), required=False, choices=HEALTH_RULEBOOKS)
    if rulebook and units is not None and "USP" not in units:
        # health-ksp.md section 10: only a savings-and-loan unit gets a health score.
        r.error(("health_rulebook",), "a health rulebook needs the USP unit")
    savings = r.table(data, "savings", ("savings",))
    equity_savings = None
    if savings is not None:
        r.unknown(savings, ("pokok", "wajib", "wajib_frequency"), ("savings",))
        equity_savings = {
            "pokok": r.money(savings, "pokok", ("savings",), required=True, positive=True),
            "wajib": r.money(savings, "wajib", ("savings",), required=True, positive=True),
            "wajib_frequency": r.string(savings, "wajib_frequency", ("savings",), required=False,
                                        default="MONTHLY", choices=("MONTHLY",)),
        }
    savings_products = [_read_savings_product(r, item, ("savings_products", i))
                        for i, item in enumerate(r.tables(data, "savings_products", ()))]
    loan_products = [_read_loan_product(r, item, ("loan_products", i))
                     for i, item in enumerate(r.tables(data, "loan_products", ()))]
    for key, products in (("savings_products", savings_products), ("loan_products", loan_products)):
        codes = [p["code"] for p in products if p and p["code"]]
        for i, p in enumerate(products):
            if p and p["code"] and codes.count(p["code"]) > 1 and codes.index(p["code"]) != i:
                r.error((key, i, "code"), f"product code {p['code']} is used twice")
        if products and units is not None and "USP" not in units:
            r.error((key,), "savings and loan products need the USP unit")
    settings = {
        "units": units,
        "health_rulebook": rulebook,
        "savings": equity_savings,
        "savings_products": savings_products,
        "loan_products": loan_products,
        "shu": _read_shu(r, data),
        **_read_settings(r, data),
    }
    tenant = TenantDef(
        slug=slug or "",
        name=r.string(data, "name", ()) or "",
        legal_form=legal_form or "",
        registration_no=r.string(data, "registration_no", (), required=False, pattern=NIK_KOPERASI_RE,
                                 hint="the NIK koperasi has 16 digits"),
        address=r.string(data, "address", (), required=False, max_len=500),
        city=r.string(data, "city", (), required=False, max_len=100),
        timezone=r.string(data, "timezone", (), required=False, default="Asia/Jakarta",
                          choices=TIMEZONES) or "",
        chart_template=r.string(data, "chart_template", (), required=False, default=legal_form,
                                max_len=64) or "",
        agency=r.string(data, "agency", (), required=False, max_len=63),
        settings=settings,
        file=r.file,
    )
    return tenant if len(r.errors) == errors_before else None


def _check_references(root: Path, defs: Definitions, texts: dict[str, str],
                      errors: list[DefinitionError]) -> None:
    """Rules across files: unique slugs, known agency and chart, products the chart can book."""
    agency_slugs = {a.slug for a in defs.agencies}
    seen: dict[str, str] = {}
    for t in defs.tenants:
        r = _Reader(t.file, texts[t.file], errors)
        if t.slug in seen:
            r.error(("slug",), f"slug {t.slug} is already used by {seen[t.slug]}")
        seen.setdefault(t.slug, t.file)
        if t.agency and t.agency not in agency_slugs:
            r.error(("agency",), f"unknown agency {t.agency!r} (no agencies/{t.agency}.toml)")
        chart = defs.charts.get(t.chart_template)
        if chart is None:
            r.error(("chart_template",), f"unknown chart template {t.chart_template!r} "
                                         f"(known: {', '.join(sorted(defs.charts))})")
            continue
        if t.legal_form not in chart.legal_forms:
            r.error(("chart_template",), f"template {chart.name} is for {', '.join(chart.legal_forms)}, "
                                         f"not {t.legal_form}")
        missing_units = [u for u in t.units if u not in chart.units]
        if missing_units:
            r.error(("units",), f"template {chart.name} has no accounts for unit {', '.join(missing_units)}")
        codes = {a.code for a in chart.accounts_for(t.units)}
        for key, kinds, attr in (("savings_products", SAVINGS_KINDS, "kind"), ("loan_products", LOAN_METHODS,
                                                                                "method")):
            for i, product in enumerate(t.settings[key]):
                needed = kinds[product[attr]]
                if needed not in codes:
                    r.error((key, i, attr), f"{product[attr]} needs account {needed}, which chart template "
                                            f"{chart.name} does not give this tenant")
    agency_seen: dict[str, str] = {}
    for a in defs.agencies:
        if a.slug in agency_seen:
            _Reader(a.file, texts[a.file], errors).error(("slug",), f"slug {a.slug} is already used by "
                                                                    f"{agency_seen[a.slug]}")
        agency_seen.setdefault(a.slug, a.file)


def _display(root: Path, path: Path) -> str:
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


def load_definitions(directory: str | Path, *, extra: dict[str, str] | None = None) -> Definitions:
    """Read and validate every file under `directory` (tenants/). Raises DefinitionsInvalid.

    `extra` maps a tenant file name (`<slug>.toml`) to text checked as if it were in the
    directory (used by `tenants new` before it writes).
    """
    root = Path(directory)
    errors: list[DefinitionError] = []
    if not root.is_dir():
        raise DefinitionsInvalid([DefinitionError(str(root), None, "", "not a directory")])
    defs = Definitions(charts=_load_charts(root, errors))
    texts: dict[str, str] = {}
    agency_paths = sorted((root / "agencies").glob("*.toml"))
    owners = {p.stem: _display(root, p) for p in agency_paths}
    for path in agency_paths:
        file, text = _display(root, path), path.read_text(encoding="utf-8")
        texts[file] = text
        data = _parse(text, file, errors)
        if data is not None:
            agency = _read_agency(_Reader(file, text, errors), data, path.stem, owners)
            if agency:
                defs.agencies.append(agency)
    sources = [(p, p.read_text(encoding="utf-8")) for p in sorted(root.glob("*.toml"))]
    sources += [(root / name, text) for name, text in sorted((extra or {}).items())]
    owners = {p.stem: _display(root, p) for p, _ in sources}
    for path, text in sources:
        file = _display(root, path)
        texts[file] = text
        data = _parse(text, file, errors)
        if data is not None:
            tenant = _read_tenant(_Reader(file, text, errors), data, path.stem, owners)
            if tenant:
                defs.tenants.append(tenant)
    _check_references(root, defs, texts, errors)
    if errors:
        raise DefinitionsInvalid(errors)
    return defs


# --------------------------------------------------------------------------------------------
# Applying definitions to the database


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"


@dataclass
class SyncReport:
    agencies: Counts = field(default_factory=Counts)
    tenants: Counts = field(default_factory=Counts)
    links: Counts = field(default_factory=Counts)
    accounts: Counts = field(default_factory=Counts)
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(c.created or c.updated for c in (self.agencies, self.tenants, self.links, self.accounts))

    def lines(self) -> list[str]:
        return [f"agencies: {self.agencies}", f"tenants: {self.tenants}", f"agency links: {self.links}",
                f"accounts: {self.accounts}", *(f"warning: {w}" for w in self.warnings)]


def _changes(obj: Any, values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if getattr(obj, k) != v}


def _upsert_agency(session: Any, d: AgencyDef, report: SyncReport, actor: Any) -> Agency:
    agency = session.scalars(select(Agency).where(Agency.slug == d.slug)).one_or_none()
    values = {"name": d.name, "city": d.city}
    if agency is None:
        agency = Agency(slug=d.slug, settings={}, **values)
        session.add(agency)
        session.flush()
        audit.record_platform("agency.create", agency_id=agency.id, actor=actor, target=agency,
                              summary={"slug": d.slug, "source": d.file})
        report.agencies.created += 1
        return agency
    changed = _changes(agency, values)
    if changed:
        for k, v in changed.items():
            setattr(agency, k, v)
        audit.record_platform("agency.update", agency_id=agency.id, actor=actor, target=agency,
                              summary={"slug": d.slug, "changed": sorted(changed), "source": d.file})
        report.agencies.updated += 1
    else:
        report.agencies.unchanged += 1
    return agency


def _upsert_tenant(session: Any, d: TenantDef, report: SyncReport, actor: Any) -> Tenant:
    tenant = session.scalars(select(Tenant).where(Tenant.slug == d.slug)).one_or_none()
    values = {"name": d.name, "legal_form": d.legal_form, "registration_no": d.registration_no,
              "address": d.address, "city": d.city, "timezone": d.timezone,
              "chart_template": d.chart_template, "settings": d.settings}
    if tenant is None:
        tenant = Tenant(slug=d.slug, is_active=True, **values)
        session.add(tenant)
        session.flush()
        audit.record_platform("tenant.create", tenant_id=tenant.id, actor=actor, target=tenant,
                              summary={"slug": d.slug, "source": d.file})
        report.tenants.created += 1
        return tenant
    changed = _changes(tenant, values)
    if changed:
        for k, v in changed.items():
            setattr(tenant, k, v)  # a new dict for settings, so the JSON change is seen
        audit.record_platform("tenant.update", tenant_id=tenant.id, actor=actor, target=tenant,
                              summary={"slug": d.slug, "changed": sorted(changed), "source": d.file})
        report.tenants.updated += 1
    else:
        report.tenants.unchanged += 1
    return tenant


def _ensure_link(session: Any, agency: Agency, tenant: Tenant, report: SyncReport, actor: Any) -> None:
    link = session.scalars(select(AgencyLink).where(AgencyLink.agency_id == agency.id,
                                                    AgencyLink.tenant_id == tenant.id)).one_or_none()
    if link is not None:
        report.links.unchanged += 1
        return
    session.add(AgencyLink(agency_id=agency.id, tenant_id=tenant.id))
    session.flush()
    audit.record_platform("agency.link", tenant_id=tenant.id, agency_id=agency.id, actor=actor,
                          summary={"agency": agency.slug, "tenant": tenant.slug})
    report.links.created += 1


def sync_accounts(session: Any, tenant: Tenant, chart: ChartDef, units: Iterable[str], report: SyncReport,
                  *, actor: Any = None) -> None:
    """Create the template's missing accounts and refresh names, units, tags and weights of the
    existing ones, in the tenant scope the caller opened. Accounts not in the template are left alone."""
    existing = {a.code: a for a in session.scalars(select(Account))}
    created: list[str] = []
    updated: list[str] = []
    for d in chart.accounts_for(units):
        account = existing.get(d.code)
        if account is None:
            session.add(Account(code=d.code, name=d.name, type=d.type, normal_side=d.normal_side,
                                is_contra=d.is_contra, unit=d.unit, tags=list(d.tags),
                                weights=dict(d.weights), is_active=True))
            created.append(d.code)
            continue
        if (account.type, account.normal_side, account.is_contra) != (d.type, d.normal_side, d.is_contra):
            report.warnings.append(f"{tenant.slug}: account {d.code} is {account.type}/{account.normal_side} "
                                   f"but template {chart.name} says {d.type}/{d.normal_side}; left as it is")
        changed = _changes(account, {"name": d.name, "unit": d.unit, "tags": list(d.tags),
                                     "weights": dict(d.weights)})
        if changed:
            for k, v in changed.items():
                setattr(account, k, v)
            updated.append(d.code)
    session.flush()
    report.accounts.created += len(created)
    report.accounts.updated += len(updated)
    report.accounts.unchanged += len(chart.accounts_for(units)) - len(created) - len(updated)
    if created or updated:
        audit.record("chart.sync", actor=actor, target=tenant, target_type="tenant",
                     summary={"template": chart.name, "created": created, "updated": updated})


def apply_definitions(session: Any, defs: Definitions, *, actor: Any = None) -> SyncReport:
    """Write validated definitions. Commits: once for agencies, tenants and links, then once per
    tenant for its accounts (a CLI/job boundary function, never called inside a request)."""
    if current_tenant_id(session) is not None:
        raise RuntimeError("tenant sync must start with no tenant in scope")
    report = SyncReport()
    agencies = {d.slug: _upsert_agency(session, d, report, actor) for d in defs.agencies}
    tenants = []
    for d in defs.tenants:
        tenant = _upsert_tenant(session, d, report, actor)
        if d.agency:
            _ensure_link(session, agencies[d.agency], tenant, report, actor)
        tenants.append((tenant.id, tenant, d))
    session.commit()
    for tenant_id, tenant, d in tenants:
        with tenant_scope(session, tenant_id):
            sync_accounts(session, tenant, defs.charts[d.chart_template], d.units, report, actor=actor)
    return report


def sync(session: Any, directory: str | Path, *, actor: Any = None) -> SyncReport:
    """Validate every file, then create or update agencies, tenants, links and accounts.

    Raises DefinitionsInvalid (nothing written) when any file has an error.
    """
    return apply_definitions(session, load_definitions(directory), actor=actor)


# --------------------------------------------------------------------------------------------
# Scaffolding a new tenant file


def _toml_str(value: str) -> str:
    # A JSON string is a valid TOML basic string (same escapes), non-ASCII kept readable.
    return json.dumps(value, ensure_ascii=False)


def render_new_tenant(directory: str | Path, *, slug: str, name: str, legal_form: str,
                      agency: str | None = None, registration_no: str | None = None,
                      address: str | None = None, city: str | None = None) -> tuple[Path, str]:
    """The path and text of a new tenant file from templates/new/<legal_form>.toml.template,
    validated together with every existing file. Raises DefinitionsInvalid or FileExistsError."""
    root = Path(directory)
    path = root / f"{slug}.toml"
    errors: list[DefinitionError] = []
    if not SLUG_RE.match(slug or ""):
        errors.append(DefinitionError(path.name, None, "slug", f"{slug!r} is not valid: lower-case letters, "
                                                               "digits and dashes"))
    if legal_form not in LEGAL_FORMS:
        errors.append(DefinitionError(path.name, None, "legal_form",
                                      f"{legal_form!r} is not one of: {', '.join(LEGAL_FORMS)}"))
    if errors:
        raise DefinitionsInvalid(errors)
    if path.exists():
        raise FileExistsError(f"{_display(root, path)} already exists; edit it instead")
    template = (root / "templates" / "new" / f"{legal_form}.toml.template").read_text(encoding="utf-8")

    def line(key: str, value: str | None, hint: str) -> str:
        return f"{key} = {_toml_str(value)}" if value else f"# {key} = \"\"  # {hint}"

    one_line_name = " ".join((name or "").split())
    text = string.Template(template).substitute(
        name=one_line_name, name_toml=_toml_str(one_line_name), slug=_toml_str(slug),
        legal_form=_toml_str(legal_form),
        registration_no_line=line("registration_no", registration_no, "NIK koperasi, 16 digits, once issued"),
        address_line=line("address", address, "street, kelurahan, kecamatan"),
        city_line=line("city", city, "e.g. Kota Sukamakmur"),
        agency_line=line("agency", agency, "slug of the supervising agency in agencies/"),
    )
    load_definitions(root, extra={path.name: text})
    return path, text
