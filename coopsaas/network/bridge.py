"""The one door between two cooperatives' books.

Everything the supply network writes (or reads) in the *other* party's tenant goes through
`crossing()`. It

1. checks the network link: active, its hub still an active hub, both cooperatives still linked to
   the link's agency, the caller's tenant one party of the link and the target the other;
2. commits the caller's tenant's transaction (one tenant per transaction, so the ORM scope and
   row-level security always name exactly one tenant), so the caller's work so far is final and
   no row of the caller's tenant is pending;
3. enters the other tenant explicitly with `tenant_scope` (ORM scoping and, on PostgreSQL,
   `app.tenant_id` for row-level security switch together), runs the block there, records an audit
   event *in that tenant* naming the caller's cooperative, the link and the actor, and commits;
4. puts the caller's tenant back in scope, whatever happened.

No query ever reads two tenants' rows at once: inside the block only the other tenant is in scope.
A failure inside the block rolls back the other side only and is raised to the caller. Services
order their steps so that a refusal on the other side happens before the caller's side writes.

**Steps that converge.** The two sides are two transactions, so a step that writes both books
(place an order, pay, cancel from either side, withdraw) is an *operation* with an id (uuid7),
decided before either side writes, and a `NetworkStep` row per side:

- `begin_step` records the intent in the caller's tenant (role `origin`, status `pending`) with the
  operation id, the kind, the order, the actor, the request key (actor + Idempotency-Key or form
  submit key) and the payload needed to redo the other side. `crossing()` commits it before the
  other side runs, so it survives whatever happens next.
- `other_side` runs the other tenant's part through `crossing()` at most once per operation id:
  its part and a `target` row with the same operation id (unique per tenant) are committed together;
  a rerun finds the row and returns the stored result instead of writing again. A `DomainError`
  raised by that part is a refusal: nothing was written there, the intent is marked `refused`
  (committed) and the error goes to the user. Any other failure leaves the intent `pending`.
- the caller writes its own part and `finish_step` marks the intent `done` in the same transaction.

A step interrupted after the first side committed is therefore a `pending` origin row. The service
`coopsaas.network.services.complete_pending` finishes it (the other side is skipped if it was
done, the caller's part is written if it was not); it runs at the start of every network action on
that order, when the same request is retried with the same key, and nightly from the
`network_reconcile` job. `ledger verify` reports every pending origin row of the tenant in scope
as a "half-done network step" (`pending_steps` reads only the tenant's own rows).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from coopsaas.core import audit
from coopsaas.core.db import clear_tenant, current_tenant_id, set_tenant, tenant_scope, utcnow
from coopsaas.core.i18n import _l
from coopsaas.core.ids import uuid7
from coopsaas.errors import Conflict, DomainError
from coopsaas.extensions import db
from coopsaas.network.models import NetworkHub, NetworkLink, NetworkStep
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


# ---- steps that converge ----------------------------------------------------------------------------


@dataclass(frozen=True)
class StepRef:
    """What a step needs outside its origin tenant's transaction (plain values, no ORM rows)."""

    operation_id: uuid.UUID
    kind: str
    order_id: uuid.UUID
    link_id: uuid.UUID
    home_tenant_id: uuid.UUID
    other_tenant_id: uuid.UUID
    actor_id: uuid.UUID | None
    payload: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, step: NetworkStep) -> StepRef:
        return cls(
            step.operation_id,
            step.kind,
            step.order_id,
            step.link_id,
            step.tenant_id,
            step.other_tenant_id,
            step.actor_id,
            dict(step.payload or {}),
        )


def request_key(actor: Any, key: Any) -> str | None:
    """The key a retry of the same request carries: the actor and the Idempotency-Key (API) or the
    form's submit key. None without a key."""
    clean = str(key or "").strip()
    if not clean:
        return None
    return f"{getattr(actor, 'id', None)}:{clean[:150]}"


def step_by_key(key: str | None) -> NetworkStep | None:
    """The origin step the tenant in scope recorded for that request key, if any."""
    if key is None:
        return None
    return db.session.scalars(
        select(NetworkStep).where(NetworkStep.request_key == key, NetworkStep.role == "origin")
    ).one_or_none()


def begin_step(
    *,
    kind: str,
    order_id: uuid.UUID,
    link: NetworkLink,
    other_tenant_id: uuid.UUID,
    actor: Any,
    payload: dict[str, Any],
    key: str | None = None,
) -> StepRef:
    """Record the intent in the caller's tenant (flushed; the next `crossing()` commits it)."""
    step = NetworkStep(
        operation_id=uuid7(),
        request_key=key,
        order_id=order_id,
        kind=kind,
        role="origin",
        status="pending",
        link_id=link.id,
        other_tenant_id=other_tenant_id,
        actor_id=getattr(actor, "id", None),
        payload=payload,
        result={},
    )
    db.session.add(step)
    db.session.flush()
    return StepRef.of(step)


def _origin(operation_id: uuid.UUID) -> NetworkStep:
    return db.session.scalars(
        select(NetworkStep)
        .where(NetworkStep.operation_id == operation_id, NetworkStep.role == "origin")
        .execution_options(populate_existing=True)
    ).one()


def claim_step(ref: StepRef) -> bool:
    """Before the caller writes its own part: lock the intent (PostgreSQL: FOR UPDATE, held to the
    commit) and say whether it is still pending. False: another run finished it meanwhile."""
    step = db.session.scalars(
        select(NetworkStep)
        .where(NetworkStep.operation_id == ref.operation_id, NetworkStep.role == "origin")
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    return step.status == "pending"


def finish_step(ref: StepRef, result: dict[str, Any] | None = None) -> None:
    """The caller's part is written: mark the intent done (same transaction as that part)."""
    step = _origin(ref.operation_id)
    step.status = "done"
    step.result = result or {}
    step.done_at = utcnow()
    db.session.flush()


def refuse_step(ref: StepRef) -> None:
    """The other side refused (nothing was written there): the intent ends, and its request key is
    freed so the same request may be tried again. Committed at once (the caller's error handling
    rolls back what follows)."""
    step = _origin(ref.operation_id)
    step.status = "refused"
    step.request_key = None
    step.done_at = utcnow()
    db.session.flush()
    db.session.commit()


def other_side(
    ref: StepRef, *, actor: Any, action: str, summary: dict[str, Any], work: Callable[[Tenant], Any]
) -> dict[str, Any]:
    """Run `work(other_tenant)` in the other tenant once per operation id (see the module docstring)
    and return its result (a JSON-able dict), the stored one when the part was done already."""
    link = db.session.scalars(select(NetworkLink).where(NetworkLink.id == ref.link_id)).one()
    refused = False
    try:
        with crossing(
            link=link,
            to_tenant_id=ref.other_tenant_id,
            actor=actor,
            action=action,
            summary={**summary, "operation": str(ref.operation_id)},
        ) as other:
            marker = db.session.scalars(
                select(NetworkStep).where(
                    NetworkStep.operation_id == ref.operation_id, NetworkStep.role == "target"
                )
            ).one_or_none()
            if marker is not None:
                result = dict(marker.result or {})
            else:
                try:
                    got = work(other)
                    result = got if isinstance(got, dict) else {}
                except DomainError:
                    refused = True
                    raise
                db.session.add(
                    NetworkStep(
                        operation_id=ref.operation_id,
                        order_id=ref.order_id,
                        kind=ref.kind,
                        role="target",
                        status="done",
                        link_id=ref.link_id,
                        other_tenant_id=ref.home_tenant_id,
                        actor_id=ref.actor_id,
                        payload={},
                        result=result,
                        done_at=utcnow(),
                    )
                )
                db.session.flush()
    except DomainError:
        if refused:
            refuse_step(ref)
        raise
    return result


def pending_steps(order_id: uuid.UUID | None = None) -> list[NetworkStep]:
    """The tenant in scope's own steps whose other side (or own part) is not written yet."""
    stmt = select(NetworkStep).where(NetworkStep.role == "origin", NetworkStep.status == "pending")
    if order_id is not None:
        stmt = stmt.where(NetworkStep.order_id == order_id)
    return list(db.session.scalars(stmt.order_by(NetworkStep.created_at, NetworkStep.id)))
