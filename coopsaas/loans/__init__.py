"""Loans (*pinjaman*) and sharia financing (*pembiayaan*).

Pure calculators, with no database and no Flask, so services, jobs, reports and tests share them:

- `schedule`: instalment schedules (FLAT, EFEKTIF, ANUITAS, MURABAHAH, QARDH, BULLET) and rescheduling;
- `allocation`: repayment allocation, late penalties (*denda*) and early settlement;
- `collectibility`: days past due, *kolektibilitas* classes and the loss reserve (PPAP);
- `portfolio`: PAR, NPL, RPM and the portfolio by class.

The rules are those of `domain/loans.md` (and `domain/sharia.md` for murabahah and qardh).

Database-backed loan book (public API for other features): `products` (`ensure_products`,
`update_product`), `applications` (`quote`, `submit_application`, `approve_application`,
`reject_application`) and `disbursement` (`disburse`, `next_due`, `loans_of`, `subledger_findings`,
`member_obligations`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    from coopsaas.api import register_blueprint
    from coopsaas.core.i18n import _l
    from coopsaas.ledger import register_verify_hook
    from coopsaas.loans import api, api_repay, disbursement, repayment_views, repayments, views
    from coopsaas.members.obligations import register_obligation
    from coopsaas.web.nav import register_nav

    register_verify_hook(disbursement.subledger_findings)
    register_obligation("loans", repayments.member_obligations)
    from coopsaas.savings.teller import register_cash_source

    register_cash_source("loans", _l("Loans paid out and their fees"), disbursement.teller_cash)
    register_cash_source("loan_repayments", _l("Loan repayments"), repayments.teller_cash)
    from coopsaas.jobs import register_kind
    from coopsaas.loans import jobs as loan_jobs

    register_kind(loan_jobs.KIND, loan_jobs.loan_ageing, period="day", timeout=3600)
    app.register_blueprint(views.bp)
    app.register_blueprint(views.me_bp)
    app.register_blueprint(repayment_views.bp)
    register_blueprint(app, api.blp)
    register_blueprint(app, api_repay.blp)
    register_nav(_l("Loans"), "loans.index", permission="loans.view", order=30, sharia_label=_l("Financing"))
    register_nav(
        _l("My loans"), "loans_me.my_loans", permission="self.view", order=3, sharia_label=_l("My financing")
    )
    app.add_template_global(views.my_loans_summary, "my_loans_summary")
    from coopsaas.loans import payroll_api, payroll_cli, payroll_views

    app.register_blueprint(payroll_views.bp)
    register_blueprint(app, payroll_api.blp)
    app.cli.add_command(payroll_cli.loans_cli)
    from coopsaas.loans import api_writeoff, writeoff, writeoff_views

    register_cash_source("loan_recoveries", _l("Recoveries of written-off loans"), writeoff.teller_cash)
    app.register_blueprint(writeoff_views.bp)
    register_blueprint(app, api_writeoff.blp)
    from coopsaas.loans import reschedule_views

    app.register_blueprint(reschedule_views.bp)
    from coopsaas.loans import api_reschedule

    register_blueprint(app, api_reschedule.blp)
