"""The cooperatives' supply network: the agency's directory of suppliers and distributors, hubs
and links; a hub's catalogue; network orders between a hub and its linked cooperatives.

The agency's side lives in `coopsaas.network.agency`, the cooperatives' side in
`coopsaas.network.services`. Public API for other features: `services.network_receivables` (the
hub's open network receivables, counted by the shop's receivable check against 1301) and
`agency.network_volumes` (supervision). Every step that reaches another cooperative's books goes
through `coopsaas.network.bridge.crossing`; a step left half done is finished by
`services.complete_pending` (and the nightly `network_reconcile` job) and reported by
`ledger verify`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from coopsaas.core.i18n import _l

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    from coopsaas.api import register_blueprint
    from coopsaas.jobs import register_kind
    from coopsaas.ledger import register_verify_hook
    from coopsaas.network import agency_views, api, views
    from coopsaas.network import jobs as network_jobs
    from coopsaas.network.services import network_order_check, step_findings
    from coopsaas.retail.owners import register_order_owner
    from coopsaas.web.nav import register_nav

    app.register_blueprint(views.bp)
    app.register_blueprint(agency_views.bp)
    for blp in api.BLUEPRINTS:
        register_blueprint(app, blp)
    register_nav(_l("Supply network"), "network.index", permission="retail.view", order=45)
    register_order_owner("network", network_order_check)
    register_verify_hook(step_findings)
    register_kind(network_jobs.KIND, network_jobs.network_reconcile, period="day", timeout=1800)
