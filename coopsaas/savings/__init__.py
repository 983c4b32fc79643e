"""Member savings: simpanan pokok, wajib, sukarela and berjangka (domain/savings.md).

Public API for other features: `coopsaas.savings.services` (`ensure_products`, `open_account`,
`pay_admission`, `deposit`, `withdraw`, `accounts_of`, `available_balance`, `subledger_findings`)
and `coopsaas.savings.receipts` (`terbilang`, `receipt_pdf`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    from coopsaas.api import register_blueprint
    from coopsaas.core.i18n import _l
    from coopsaas.ledger import register_verify_hook
    from coopsaas.savings import api, services, views
    from coopsaas.web.nav import register_nav

    register_verify_hook(services.subledger_findings)
    from coopsaas.jobs import register_kind
    from coopsaas.savings import jobs as savings_jobs

    register_kind(savings_jobs.KIND, savings_jobs.savings_month_end, period="month", timeout=3600)
    app.register_blueprint(views.bp)
    from coopsaas.savings import berjangka_views

    app.register_blueprint(berjangka_views.bp)
    register_blueprint(app, api.blp)
    register_nav(_l("Savings"), "savings.index", permission="savings.view", order=20)

    from coopsaas.savings import statement_views

    app.register_blueprint(statement_views.bp)
    from coopsaas.savings import documents_api

    register_blueprint(app, documents_api.blp)
    _register_till_and_products(app)


def _register_till_and_products(app: Flask) -> None:
    """Teller cash days, product settings and the time deposit API: pages, API and menu."""
    from coopsaas.api import register_blueprint
    from coopsaas.core.i18n import _l
    from coopsaas.savings import berjangka_api, products_api, products_views, teller_api, teller_views
    from coopsaas.web.nav import register_nav

    app.register_blueprint(teller_views.bp)
    app.register_blueprint(products_views.bp)
    register_blueprint(app, teller_api.blp)
    register_blueprint(app, products_api.blp)
    register_blueprint(app, berjangka_api.blp)
    register_nav(_l("Cash day"), "till.index", permission="till.own", order=21)
    register_nav(_l("Cash days"), "till.days", permission="till.view", order=22)

    from coopsaas.savings import passbook_api, passbook_views

    app.register_blueprint(passbook_views.bp)
    register_blueprint(app, passbook_api.blp)
