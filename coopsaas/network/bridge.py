"""The one door between two cooperatives' books.

Everything the supply network writes (or reads) in the *other* party's tenant goes through
`crossing()`. It

1. checks the network link: active, its hub still an active hub, both cooperatives still linked to
   the link's agency, the caller's tenant one party of the link and the target the other;
2. commits the caller's tenant's transaction (one tenant per transaction: DESIGN.md section 3), so
   the caller's work so far is final and no row of the caller's tenant is pending;
3. enters the other tenant explicitly with `tenant_scope` (ORM scoping and, on PostgreSQL,
   `app.tenant_id` for row-level security switch together), runs the block there, records an audit
   event *in that tenant* naming the caller's cooperative, the link and the actor, and commits;
4. puts the caller's tenant back in scope, whatever happened.

No query ever reads two tenants' rows at once: inside the block only the other tenant is in scope.
A failure inside the block rolls back the other side only and is raised to the caller. Services
order their steps so that a refusal on the other side happens before the caller's side writes.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import select

from coopsaas.core import audit
from coopsaas.core.db import clear_tenant, current_tenant_id, set_tenant, tenant_scope
from coopsaas.core.i18n import _l
from coopsaas.errors import Conflict
from coopsaas.extensions import db
from coopsaas.network.models import NetworkHub, NetworkLink
from coopsaas.tenancy.models import AgencyLink, Tenant


class NotLinked(Conflict):
    code = "not_linked"


def link_is_open(link: NetworkLink) -> bool:
    """The link is active, its hub still a hub, and both cooperatives still under the link's agency."""
    if not link.is_active:
        return False
    hub = db.session.scalars(select(NetworkHub).where(NetworkHub.id == link.hub_id)).one_or_none()
    if hub is None or not hub.is_active or hub.hub_tenant_id != link.hub_tenant_id:
        return False
    linked = set(
        db.session.scalars(
            select(AgencyLink.tenant_id).where(
                AgencyLink.agency_id == link.agency_id,
                AgencyLink.tenant_id.in_([link.hub_tenant_id, link.member_tenant_id]),
            )
        )
    )
    return linked == {link.hub_tenant_id, link.member_tenant_id}


def check_link(
    link: NetworkLink | None, home_id: uuid.UUID, other_id: uuid.UUID | None = None
) -> NetworkLink:
    """The link, if it is open and joins `home_id` to `other_id` (or to anyone). Raises NotLinked."""
    parties = {link.hub_tenant_id, link.member_tenant_id} if link is not None else set()
    ok = (
        link is not None
        and home_id in parties
        and (other_id is None or (other_id in parties and other_id != home_id))
        and link_is_open(link)
    )
    if not ok:
        raise NotLinked(
            _l(
                "Your cooperative has no open network link to that cooperative: the agency links "
                "cooperatives to their hub before they can trade."
            )
        )
    assert link is not None
    return link


@contextmanager
def crossing(
    *, link: NetworkLink, to_tenant_id: uuid.UUID, actor: Any, action: str, summary: dict[str, Any]
) -> Iterator[Tenant]:
    """Run the block in the other party's tenant (see the module docstring). Yields that tenant."""
    session = db.session()
    home_id = current_tenant_id(session)
    if home_id is None:
        raise RuntimeError("crossing() needs the caller's tenant in scope")
    check_link(link, home_id, to_tenant_id)
    link_id = link.id
    session.flush()
    session.commit()
    clear_tenant(session)
    try:
        with tenant_scope(session, to_tenant_id):
            other = session.scalars(select(Tenant).where(Tenant.id == to_tenant_id)).one()
            yield other
            audit.record(
                action,
                actor=actor,
                target_type="network_link",
                target_id=link_id,
                summary={**summary, "from_tenant": str(home_id), "link": str(link_id)},
            )
            session.flush()
    finally:
        set_tenant(session, home_id)
