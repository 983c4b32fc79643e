"""Forms of the shop pages. Money and quantities arrive as text (`1.250.000`, `2,5`) and are parsed
by the views, so a typo becomes a message on its field, never a 500."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, FieldList, Form, FormField, HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from coopsaas.core.i18n import _l

REQUIRED = _l("This field is required.")


class ItemForm(FlaskForm):
    sku = StringField(_l("SKU"), validators=[DataRequired(REQUIRED), Length(max=40)])
    barcode = StringField(_l("Barcode"), validators=[Optional(), Length(max=64)])
    name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), Length(max=200)])
    unit = StringField(_l("Unit"), default="pcs", validators=[DataRequired(REQUIRED), Length(max=20)])
    category = StringField(_l("Category"), validators=[Optional(), Length(max=80)])
    member_price = StringField(_l("Member price"), validators=[DataRequired(REQUIRED)])
    public_price = StringField(_l("Public price"), validators=[DataRequired(REQUIRED)])
    reorder_point = StringField(_l("Reorder point"), default="0")
    packs = StringField(_l("Packs"), validators=[Optional(), Length(max=200)])
    is_active = BooleanField(_l("Sold"), default=True)
    tracks_expiry = BooleanField(_l("Has an expiry date (received in lots)"), default=False)


class SupplierForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), Length(max=200)])
    contact = StringField(_l("Contact person"), validators=[Optional(), Length(max=120)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=500)])


class OrderLineForm(Form):
    code = StringField(_l("SKU or barcode"), validators=[Optional(), Length(max=64)])
    qty = StringField(_l("Quantity"), validators=[Optional(), Length(max=20)])
    unit_cost = StringField(_l("Unit price"), validators=[Optional(), Length(max=30)])


class PurchaseOrderForm(FlaskForm):
    supplier_id = SelectField(_l("Supplier"), validators=[DataRequired(REQUIRED)], validate_choice=False)
    memo = StringField(_l("Note"), validators=[Optional(), Length(max=500)])
    lines = FieldList(FormField(OrderLineForm), min_entries=5, max_entries=50)


class QtyLineForm(Form):
    line_id = HiddenField()
    qty = StringField(_l("Quantity"), validators=[Optional(), Length(max=20)])


class ReceiveLineForm(QtyLineForm):
    lot_no = StringField(_l("Lot number"), validators=[Optional(), Length(max=40)])
    expires_on = DateField(_l("Expiry date"), validators=[Optional()])


class ReceiveForm(FlaskForm):
    lines = FieldList(FormField(ReceiveLineForm), max_entries=200)
    allow_over = BooleanField(_l("Accept more than ordered"))


class InvoiceForm(FlaskForm):
    number = StringField(_l("Supplier's invoice number"), validators=[DataRequired(REQUIRED), Length(max=60)])
    amount = StringField(_l("Amount"), validators=[DataRequired(REQUIRED)])
    invoice_on = DateField(_l("Invoice date"), validators=[Optional()])
    due_on = DateField(_l("Due date"), validators=[Optional()])


class PaymentForm(FlaskForm):
    amount = StringField(_l("Amount"), validators=[DataRequired(REQUIRED)])
    method = SelectField(
        _l("Paid by"),
        choices=[SelectChoice("cash", _l("Cash")), SelectChoice("transfer", _l("Bank transfer"))],
    )


class CartLineForm(Form):
    code = HiddenField()
    qty = StringField(_l("Quantity"), validators=[Optional(), Length(max=20)])


class SaleForm(FlaskForm):
    """The till: a cart carried in the form itself, so it works without JavaScript."""

    submit_key = HiddenField()
    code = StringField(_l("Barcode, SKU or name"), validators=[Optional(), Length(max=64)])
    qty = StringField(_l("Quantity"), default="1", validators=[Optional(), Length(max=20)])
    member_id = StringField(_l("Member number (member price)"), validators=[Optional(), Length(max=40)])
    cash_tendered = StringField(_l("Cash tendered"), validators=[Optional(), Length(max=30)])
    tender = SelectField(
        _l("Payment"),
        choices=[SelectChoice("cash", _l("Cash")), SelectChoice("credit", _l("Member credit (pay later)"))],
        default="cash",
    )
    lines = FieldList(FormField(CartLineForm), max_entries=100)


class VoidForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[DataRequired(REQUIRED), Length(max=300)])


class ReturnForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[DataRequired(REQUIRED), Length(max=300)])
    lines = FieldList(FormField(QtyLineForm), max_entries=100)


class CountLineForm(Form):
    item_id = HiddenField()
    counted = StringField(_l("Counted"), validators=[Optional(), Length(max=20)])


class StockTakeForm(FlaskForm):
    memo = StringField(_l("Note"), validators=[Optional(), Length(max=500)])
    lines = FieldList(FormField(CountLineForm), max_entries=500)
