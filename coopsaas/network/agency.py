"""The agency's side of the supply network: its directory of suppliers and distributors, its hubs,
the links from cooperatives to hubs, and network volumes per cooperative.

These are agency-level rows (no tenant in scope needed); changes need an agency administrator and
are audited as platform events. Volumes read the agency-level order register only, never a
cooperative's books.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, type_coerce

from coopsaas.core import audit
from coopsaas.core.i18n import _l
from coopsaas.core.ids import parse_uuid
from coopsaas.core.types import Money
from coopsaas.errors import Conflict, NotFound, PermissionDenied, ValidationError
from coopsaas.extensions import db
from coopsaas.network.models import PARTNER_KINDS, NetworkHub, NetworkLink, NetworkOrder, NetworkPartner
from coopsaas.tenancy.models import Agency, AgencyLink, AgencyMembership, Tenant


def _refuse(field_name: str, message: Any) -> ValidationError:
    return ValidationError(message, fields={field_name: [message]})


def _text(value: Any, field_name: str, max_len: int, *, required: bool = True) -> str | None:
    clean = str(value or "").strip()
    if not clean:
        if required:
            raise _refuse(field_name, _l("This field is required."))
        return None
    if len(clean) > max_len:
        raise _refuse(field_name, _l("At most %(n)s characters.", n=max_len))
    return clean


# ---- agency: who may manage ------------------------------------------------------------------------


def agency_role(user: Any, agency: Agency) -> str | None:
    return db.session.scalars(
        select(AgencyMembership.role).where(
            AgencyMembership.user_id == user.id,
            AgencyMembership.agency_id == agency.id,
            AgencyMembership.is_active.is_(True),
        )
    ).first()


def require_agency_admin(user: Any, agency: Agency) -> None:
    if agency_role(user, agency) != "agency_admin":
        raise PermissionDenied(_l("Only an agency administrator can change the supply network."))


def agency_tenants(agency: Agency) -> list[Tenant]:
    return list(
        db.session.scalars(
            select(Tenant)
            .join(AgencyLink, AgencyLink.tenant_id == Tenant.id)
            .where(AgencyLink.agency_id == agency.id, Tenant.is_active.is_(True))
            .order_by(Tenant.name)
        )
    )


def _agency_tenant(agency: Agency, tenant_id: Any, field_name: str) -> Tenant:
    uid = parse_uuid(tenant_id)
    tenant = next((t for t in agency_tenants(agency) if t.id == uid), None) if uid else None
    if tenant is None:
        raise _refuse(field_name, _l("Choose a cooperative this agency supervises."))
    return tenant


# ---- agency: directory -------------------------------------------------------------------------------


@dataclass
class PartnerData:
    name: str
    kind: str = "supplier"
    region: str | None = None
    contact: str | None = None
    phone: str | None = None
    address: str | None = None
    categories: str | None = None
    is_active: bool = True


def _partner_values(data: PartnerData) -> dict[str, Any]:
    if data.kind not in PARTNER_KINDS:
        raise _refuse("kind", _l("Choose supplier or distributor."))
    cats = ", ".join(c.strip() for c in (data.categories or "").split(",") if c.strip())
    return {
        "name": _text(data.name, "name", 200),
        "kind": data.kind,
        "region": _text(data.region, "region", 120, required=False),
        "contact": _text(data.contact, "contact", 120, required=False),
        "phone": _text(data.phone, "phone", 40, required=False),
        "address": _text(data.address, "address", 500, required=False),
        "categories": _text(cats, "categories", 300, required=False),
        "is_active": bool(data.is_active),
    }


def create_partner(*, agency: Agency, actor: Any, data: PartnerData) -> NetworkPartner:
    """Raises: PermissionDenied (not an agency admin), ValidationError, Conflict (name taken)."""
    require_agency_admin(actor, agency)
    values = _partner_values(data)
    taken = db.session.scalars(
        select(NetworkPartner.id).where(
            NetworkPartner.agency_id == agency.id, NetworkPartner.name == values["name"]
        )
    ).first()
    if taken is not None:
        message = _l("The directory already has %(name)s.", name=values["name"])
        raise Conflict(message, fields={"name": [message]}, code="duplicate")
    partner = NetworkPartner(agency_id=agency.id, **values)
    db.session.add(partner)
    db.session.flush()
    audit.record_platform(
        "network.partner.create",
        agency_id=agency.id,
        actor=actor,
        target=partner,
        summary={"name": partner.name},
    )
    return partner


def set_partner_active(
    *, agency: Agency, actor: Any, partner: NetworkPartner, active: bool
) -> NetworkPartner:
    require_agency_admin(actor, agency)
    if partner.agency_id != agency.id:
        raise NotFound(_l("Not found."))
    partner.is_active = active
    db.session.flush()
    audit.record_platform(
        "network.partner.activate" if active else "network.partner.deactivate",
        agency_id=agency.id,
        actor=actor,
        target=partner,
        summary={"name": partner.name},
    )
    return partner


def partners(agency_ids: Sequence[uuid.UUID], *, active_only: bool = False) -> Any:
    stmt = select(NetworkPartner).where(NetworkPartner.agency_id.in_(list(agency_ids)))
    if active_only:
        stmt = stmt.where(NetworkPartner.is_active.is_(True))
    return stmt.order_by(NetworkPartner.kind, NetworkPartner.name)


# ---- agency: hubs and links ----------------------------------------------------------------------------


def designate_hub(*, agency: Agency, actor: Any, tenant_id: Any) -> NetworkHub:
    """Make a supervised cooperative a hub (again, if it was one). Raises: PermissionDenied,
    ValidationError (not supervised by this agency)."""
    require_agency_admin(actor, agency)
    tenant = _agency_tenant(agency, tenant_id, "tenant_id")
    hub = db.session.scalars(
        select(NetworkHub).where(NetworkHub.agency_id == agency.id, NetworkHub.hub_tenant_id == tenant.id)
    ).one_or_none()
    if hub is None:
        hub = NetworkHub(agency_id=agency.id, hub_tenant_id=tenant.id, is_active=True)
        db.session.add(hub)
    hub.is_active = True
    db.session.flush()
    audit.record_platform(
        "network.hub.designate",
        agency_id=agency.id,
        tenant_id=tenant.id,
        actor=actor,
        target=hub,
        summary={"hub": tenant.slug},
    )
    return hub


def hubs(agency: Agency, *, active_only: bool = True) -> list[NetworkHub]:
    stmt = select(NetworkHub).where(NetworkHub.agency_id == agency.id)
    if active_only:
        stmt = stmt.where(NetworkHub.is_active.is_(True))
    return list(db.session.scalars(stmt.order_by(NetworkHub.created_at)))


def link_to_hub(*, agency: Agency, actor: Any, hub: NetworkHub, tenant_id: Any) -> NetworkLink:
    """Link a supervised cooperative to one of the agency's hubs, so it may order from it.
    Raises: PermissionDenied, ValidationError (not supervised, the hub itself, hub inactive)."""
    require_agency_admin(actor, agency)
    if hub.agency_id != agency.id:
        raise NotFound(_l("Not found."))
    if not hub.is_active:
        raise _refuse("hub_id", _l("That hub is no longer active."))
    tenant = _agency_tenant(agency, tenant_id, "tenant_id")
    if tenant.id == hub.hub_tenant_id:
        raise _refuse("tenant_id", _l("A hub cannot be linked to itself."))
    link = db.session.scalars(
        select(NetworkLink).where(NetworkLink.hub_id == hub.id, NetworkLink.member_tenant_id == tenant.id)
    ).one_or_none()
    if link is None:
        link = NetworkLink(
            agency_id=agency.id, hub_id=hub.id, hub_tenant_id=hub.hub_tenant_id, member_tenant_id=tenant.id
        )
        db.session.add(link)
    link.is_active = True
    db.session.flush()
    audit.record_platform(
        "network.link.create",
        agency_id=agency.id,
        tenant_id=tenant.id,
        actor=actor,
        target=link,
        summary={"hub_tenant": str(hub.hub_tenant_id), "member": tenant.slug},
    )
    return link


def set_link_active(*, agency: Agency, actor: Any, link: NetworkLink, active: bool) -> NetworkLink:
    require_agency_admin(actor, agency)
    if link.agency_id != agency.id:
        raise NotFound(_l("Not found."))
    link.is_active = active
    db.session.flush()
    audit.record_platform(
        "network.link.activate" if active else "network.link.deactivate",
        agency_id=agency.id,
        actor=actor,
        target=link,
        summary={"member": str(link.member_tenant_id)},
    )
    return link


def agency_links(agency: Agency) -> list[NetworkLink]:
    return list(
        db.session.scalars(
            select(NetworkLink).where(NetworkLink.agency_id == agency.id).order_by(NetworkLink.created_at)
        )
    )


# ---- agency: volumes ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VolumeRow:
    tenant: Tenant
    role: str  # "hub" or "buyer"
    orders: int
    ordered_value: Decimal
    delivered_value: Decimal
    paid: Decimal

    @property
    def outstanding(self) -> Decimal:
        return self.delivered_value - self.paid


def network_volumes(agency: Agency, start: date, end: date) -> list[VolumeRow]:
    """Per cooperative of the agency, network orders placed from `start` to `end` (cancelled ones
    left out): how many, their value, the value delivered, paid, and outstanding (delivered, not
    paid), as a hub (sold) and as a buyer (bought). Reads the agency-level register only."""
    supervised = select(AgencyLink.tenant_id).where(AgencyLink.agency_id == agency.id)
    base = (
        NetworkOrder.agency_id == agency.id,
        NetworkOrder.status != "cancelled",
        NetworkOrder.ordered_on >= start,
        NetworkOrder.ordered_on <= end,
    )
    out: list[VolumeRow] = []
    tenants = {t.id: t for t in agency_tenants(agency)}
    for role, column in (("hub", NetworkOrder.hub_tenant_id), ("buyer", NetworkOrder.buyer_tenant_id)):
        rows = db.session.execute(
            select(
                column,
                func.count(NetworkOrder.id),
                type_coerce(func.sum(NetworkOrder.total), Money),
                type_coerce(func.sum(NetworkOrder.delivered_value), Money),
                type_coerce(func.sum(NetworkOrder.paid), Money),
            )
            .where(*base, column.in_(supervised))
            .group_by(column)
        ).all()
        for tenant_id, count, total, delivered, paid in rows:
            if tenant_id in tenants:
                out.append(VolumeRow(tenants[tenant_id], role, int(count), total, delivered, paid))
    return sorted(out, key=lambda r: (r.role != "hub", r.tenant.name))
