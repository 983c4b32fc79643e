"""Passbook pages under /t/<slug>/savings/accounts/<id>/passbook: what will print and where, the PDF,
"printed OK", and the manager's reset."""

from __future__ import annotations

import uuid
from typing import Any

from flask import abort, flash, g, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, NumberRange, Optional

from coopsaas.core.db import get_scoped
from coopsaas.core.i18n import _l
from coopsaas.core.ids import parse_uuid
from coopsaas.core.money import format_rupiah
from coopsaas.errors import DomainError
from coopsaas.extensions import db
from coopsaas.savings import passbook
from coopsaas.savings.models import SavingsAccount
from coopsaas.tenancy.context import has_permission, require_permission
from coopsaas.web.helpers import apply_domain_error, tenant_blueprint

bp = tenant_blueprint("passbook", __name__, "/savings/accounts", template_folder="templates")
REQUIRED = _l("This field is required.")
RESET_CHOICES_MAX = 200


class ConfirmForm(FlaskForm):
    """The position the printed PDF started from, and the last transaction on it."""

    book_no = HiddenField(validators=[DataRequired(REQUIRED)])
    page_no = HiddenField(validators=[DataRequired(REQUIRED)])
    line_no = HiddenField(validators=[DataRequired(REQUIRED)])
    last_transaction_id = HiddenField()
    carry_forward = HiddenField()
    through_transaction_id = HiddenField(validators=[DataRequired(REQUIRED)])

    def fill(self, run: passbook.PrintRun) -> ConfirmForm:
        s = run.start
        self.book_no.data, self.page_no.data, self.line_no.data = (
            str(s.book_no),
            str(s.page_no),
            str(s.line_no),
        )
        self.last_transaction_id.data = str(s.last_transaction_id or "")
        self.carry_forward.data = "1" if s.carry_forward else "0"
        self.through_transaction_id.data = str(run.through_transaction_id or "")
        return self

    def started_from(self) -> passbook.Position | None:
        try:
            book, page, line = int(self.book_no.data), int(self.page_no.data), int(self.line_no.data)
        except (TypeError, ValueError):
            return None
        last = parse_uuid(self.last_transaction_id.data) if self.last_transaction_id.data else None
        return passbook.Position(book, page, line, last, self.carry_forward.data == "1")


class ResetForm(FlaskForm):
    new_book = BooleanField(_l("Start a new book (page 1, balance brought forward)"))
    from_transaction = SelectField(_l("Reprint from transaction"), validators=[Optional()])
    page_no = IntegerField(_l("Page"), validators=[Optional(), NumberRange(1, 999)])
    line_no = IntegerField(_l("Line"), validators=[Optional(), NumberRange(1, passbook.MAX_LINES)])


def _account(account_id: uuid.UUID) -> SavingsAccount:
    account = get_scoped(db.session, SavingsAccount, account_id)
    if account is None:
        abort(404)
    return account


def _reset_form(account: SavingsAccount, form: ResetForm | None = None) -> ResetForm:
    form = form or ResetForm()
    rows = passbook.transactions_in_posting_order(account)[-RESET_CHOICES_MAX:]
    form.from_transaction.choices = [SelectChoice("", "-")] + [
        SelectChoice(
            str(t.id),
            f"{t.entry_on:%d/%m/%Y} {passbook.CODES.get(t.kind, t.kind)} {format_rupiah(t.amount, sen=True)}",
        )
        for t in reversed(rows)
    ]
    return form


def _page(account: SavingsAccount, *, reset_form: ResetForm | None = None, status: int = 200) -> Any:
    run = passbook.print_run(g.tenant, account)
    return render_template(
        "savings/passbook.html",
        account=account,
        run=run,
        confirm_form=ConfirmForm().fill(run),
        reset_form=_reset_form(account, reset_form),
        can_print=has_permission("savings.transact"),
        can_reset=has_permission("savings.manage"),
    ), status


@bp.get("/<uuid:savings_account_id>/passbook")
@require_permission("savings.view")
def show(savings_account_id: uuid.UUID) -> Any:
    return _page(_account(savings_account_id))


@bp.get("/<uuid:savings_account_id>/passbook.pdf")
@require_permission("savings.transact")
def pdf(savings_account_id: uuid.UUID) -> Any:
    account = _account(savings_account_id)
    through = parse_uuid(request.args.get("through")) if request.args.get("through") else None
    run = passbook.print_run(g.tenant, account, through=through)
    resp = make_response(passbook.passbook_pdf(run, coop_name=g.tenant.name))
    resp.headers["Content-Type"] = "application/pdf"
    resp.headers["Content-Disposition"] = (
        f'inline; filename="buku-{account.account_no}-hal-{run.lines[0].page_no}.pdf"'
    )
    return resp


@bp.post("/<uuid:savings_account_id>/passbook/confirm")
@require_permission("savings.transact")
def confirm(savings_account_id: uuid.UUID) -> Any:
    account = _account(savings_account_id)
    form = ConfirmForm()
    started = form.started_from() if form.validate_on_submit() else None
    through = parse_uuid(form.through_transaction_id.data)
    if started is None or through is None:
        flash(_("The print to confirm is missing; print again."), "error")
        return redirect(url_for(".show", savings_account_id=account.id))
    try:
        end = passbook.confirm_print(
            tenant=g.tenant,
            actor=current_user,
            account=account,
            started_from=started,
            through_transaction_id=through,
        )
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return redirect(url_for(".show", savings_account_id=account.id))
    db.session.commit()
    flash(
        _("Passbook printed up to page %(page)s, line %(line)s.", page=end.page_no, line=end.line_no),
        "success",
    )
    return redirect(url_for(".show", savings_account_id=account.id))


@bp.post("/<uuid:savings_account_id>/passbook/reset")
@require_permission("savings.manage")
def reset(savings_account_id: uuid.UUID) -> Any:
    account = _account(savings_account_id)
    form = _reset_form(account, ResetForm())
    if not form.validate_on_submit():
        return _page(account, reset_form=form, status=422)
    try:
        end = passbook.reset_position(
            tenant=g.tenant,
            actor=current_user,
            account=account,
            new_book=bool(form.new_book.data),
            from_transaction_id=parse_uuid(form.from_transaction.data)
            if form.from_transaction.data
            else None,
            page_no=form.page_no.data,
            line_no=form.line_no.data,
        )
    except DomainError as exc:
        db.session.rollback()
        apply_domain_error(form, exc)
        return _page(_account(savings_account_id), reset_form=form, status=exc.http_status)
    db.session.commit()
    page, line = passbook.next_slot(end, passbook.lines_per_page(g.tenant))
    flash(
        _(
            "Printing continues in book %(book)s, page %(page)s, line %(line)s.",
            book=end.book_no,
            page=page,
            line=line,
        ),
        "success",
    )
    return redirect(url_for(".show", savings_account_id=account.id))
