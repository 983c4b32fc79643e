"""The shop (toko): items, suppliers, purchasing, stock, costing, point of sale.

Public API for other features: `coopsaas.retail.services` (`create_item`, `create_supplier`,
`create_purchase_order`, `receive_goods`, `record_supplier_invoice`, `pay_supplier_invoice`,
`create_sale`, `void_sale`, `return_sale`, `record_stock_take`, `stock_value`, `gross_margin`,
`payables_ageing`) and the pure `coopsaas.retail.costing`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from coopsaas.core.i18n import _l

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    from coopsaas.api import register_blueprint
    from coopsaas.ledger import register_verify_hook
    from coopsaas.retail import api, report_api, report_views, views  # noqa: F401 (routes on views.bp)
    from coopsaas.retail.services import show_qty, stock_findings
    from coopsaas.web.nav import register_nav

    app.register_blueprint(views.bp)
    for blp in (*api.BLUEPRINTS, *report_api.BLUEPRINTS):
        register_blueprint(app, blp)
    app.add_template_filter(show_qty, "qty")
    register_verify_hook(stock_findings)
    register_nav(_l("Point of sale"), "retail.pos", permission="retail.sell", order=40)
    register_nav(_l("Shop"), "retail.items", permission="retail.view", order=41)
    register_nav(_l("Purchasing"), "retail.orders", permission="retail.purchase", order=42)
    register_nav(_l("Stock take"), "retail.stock_take", permission="retail.purchase", order=43)
    register_nav(_l("Shop reports"), "retail.reports", permission="retail.view", order=44)
    from coopsaas.retail.credit_setup import init_receivables

    init_receivables(app)
