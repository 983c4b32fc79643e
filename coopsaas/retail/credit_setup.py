"""Wiring of the shop's receivables: member credit, customers, invoices, ageing."""

from __future__ import annotations

import importlib.util
from decimal import Decimal
from typing import TYPE_CHECKING

from coopsaas.core.i18n import _l

if TYPE_CHECKING:
    from flask import Flask


def init_receivables(app: Flask) -> None:
    from coopsaas.api import register_blueprint
    from coopsaas.ledger import register_verify_hook
    from coopsaas.members.obligations import register_obligation
    from coopsaas.retail import credit, credit_api, credit_views, receivables
    from coopsaas.web.nav import register_nav

    app.register_blueprint(credit_views.bp)
    for blp in credit_api.BLUEPRINTS:
        register_blueprint(app, blp)
    register_verify_hook(receivables.receivable_findings)
    if importlib.util.find_spec("coopsaas.network") is not None:
        # Deliveries to other cooperatives are also in 1301 (coopsaas/network).
        receivables.register_receivable_source("network", _network_receivables)
    register_obligation("shop_credit", credit.exit_obligations)
    register_nav(_l("Receivables"), "retail_credit.receivables", permission="retail.view", order=45)


def _network_receivables() -> Decimal:
    from coopsaas.network.services import network_receivables

    return network_receivables()
