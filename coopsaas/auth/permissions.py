"""Roles and permissions: one table, one check (DESIGN.md section 4)."""

from __future__ import annotations

TENANT_ROLES = ("manager", "teller", "shopkeeper", "bookkeeper", "auditor", "member")
AGENCY_ROLES = ("agency_admin", "agency_viewer")

# Permission names are `area.verb`. Pages and API endpoints declare the one they need.
_READ_ALL = {
    "tenant.view", "members.view", "savings.view", "loans.view", "retail.view",
    "ledger.view", "reports.view", "audit.view", "jobs.view", "till.view",
}
PERMISSIONS: dict[str, frozenset[str]] = {
    "manager": frozenset(_READ_ALL | {
        "users.manage", "tenant.settings", "members.manage", "members.exit_approve", "savings.transact",
        "savings.manage",
        "loans.apply", "loans.approve", "loans.transact", "loans.manage", "retail.sell",
        "retail.purchase", "retail.manage", "ledger.post", "ledger.reverse", "ledger.reverse_large",
        "ledger.close", "ledger.manage", "jobs.run", "tokens.own", "till.own", "till.reopen",
    }),
    "teller": frozenset({
        "tenant.view", "members.view", "members.manage", "savings.view", "savings.transact",
        "loans.view", "loans.apply", "loans.transact", "tokens.own", "till.own",
    }),
    "shopkeeper": frozenset({
        "tenant.view", "members.view", "retail.view", "retail.sell", "retail.purchase", "tokens.own",
    }),
    "bookkeeper": frozenset({
        "tenant.view", "members.view", "savings.view", "loans.view", "retail.view", "ledger.view",
        "ledger.post", "ledger.reverse", "ledger.manage", "reports.view", "tokens.own",
    }),
    "auditor": frozenset(_READ_ALL | {"tokens.own"}),
    "member": frozenset({"tenant.view", "self.view"}),
    "agency_admin": frozenset({"agency.view", "agency.manage"}),
    "agency_viewer": frozenset({"agency.view"}),
}

ROLE_LABELS = {
    "manager": "Ketua/Manajer",
    "teller": "Kasir/Teller",
    "shopkeeper": "Pramuniaga",
    "bookkeeper": "Akuntan",
    "auditor": "Pengawas",
    "member": "Anggota",
    "agency_admin": "Admin Dinas",
    "agency_viewer": "Pengamat Dinas",
}


def role_allows(roles: set[str] | frozenset[str] | list[str] | tuple[str, ...], permission: str) -> bool:
    return any(permission in PERMISSIONS.get(r, frozenset()) for r in roles)


def permissions_of(roles: set[str] | list[str] | tuple[str, ...]) -> frozenset[str]:
    out: set[str] = set()
    for r in roles:
        out |= PERMISSIONS.get(r, frozenset())
    return frozenset(out)
