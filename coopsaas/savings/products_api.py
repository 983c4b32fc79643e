"""Savings products API: the list, one product, and PATCH of its settings (managers)."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import g
from flask.views import MethodView
from flask_login import current_user
from sqlalchemy import select

from coopsaas.api.blueprint import tenant_blueprint
from coopsaas.api.fields import Money
from coopsaas.core.i18n import _l
from coopsaas.errors import NotFound
from coopsaas.extensions import db
from coopsaas.savings import products, services
from coopsaas.savings.models import PRODUCT_KINDS, SavingsProduct
from coopsaas.tenancy.context import require_permission

blp = tenant_blueprint(
    "api_savings_products",
    __name__,
    "/savings/products",
    description="Savings products and their settings. The tenant file seeds a product once; changes made "
    "here are kept by later tenant syncs and apply from the next calculation.",
)

RATE = ma.validate.Regexp(
    r"^\d{1,3}(\.\d{1,4})?$", error="A percentage from 0 to 100 with at most 4 decimals."
)


class Rate(ma.fields.String):
    """A percentage as a decimal string ("3.25")."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {"pattern": RATE.regex.pattern, "example": "3.25", **kwargs.pop("metadata", {})}
        super().__init__(validate=RATE, metadata=metadata, **kwargs)


class SavingsProductTermSchema(ma.Schema):
    months = ma.fields.Integer(required=True, validate=ma.validate.Range(min=1, max=120))
    rate_pa = Rate(required=True)


class SavingsProductSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    code = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    kind = ma.fields.String(required=True, metadata={"enum": list(PRODUCT_KINDS)})
    is_active = ma.fields.Boolean(required=True)
    parameters = ma.fields.Dict(
        required=True,
        metadata={"description": "Money as decimal strings, rates as percent strings (tenants/README.md)."},
    )
    editable = ma.fields.List(
        ma.fields.String(), required=True, metadata={"description": "Keys PATCH takes."}
    )


class SavingsProductListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(SavingsProductSchema), required=True)


def _choice(*choices: str) -> ma.fields.String:
    return ma.fields.String(validate=ma.validate.OneOf(choices))


class SavingsProductPatchSchema(ma.Schema):
    """Only the keys given change; a key that does not fit the product's kind is a 422."""

    name = ma.fields.String(validate=ma.validate.Length(min=1, max=200))
    is_active = ma.fields.Boolean()
    amount = Money(metadata={"description": "Pokok: the amount; wajib: the monthly amount."})
    min_opening = Money()
    min_balance = Money()
    min_balance_for_interest = Money()
    admin_fee = Money(metadata={"description": "Sukarela: monthly admin fee."})
    rate_pa = Rate(metadata={"description": "Sukarela: % per year."})
    interest_method = _choice(*products.CHOICE_KEYS["sukarela"]["interest_method"])
    day_count = _choice(*products.DAY_COUNTS)
    min_amount = Money(metadata={"description": "Berjangka: minimum placement."})
    terms = ma.fields.List(
        ma.fields.Nested(SavingsProductTermSchema), metadata={"description": "Berjangka: terms and rates."}
    )
    payout = _choice(*products.CHOICE_KEYS["berjangka"]["payout"])
    maturity_instruction = _choice(*products.CHOICE_KEYS["berjangka"]["maturity_instruction"])
    break_penalty = _choice(*products.CHOICE_KEYS["berjangka"]["break_penalty"])
    break_penalty_percent = Rate()


def product_out(product: SavingsProduct) -> dict[str, Any]:
    return {
        "id": product.id,
        "code": product.code,
        "name": product.name,
        "kind": product.kind,
        "is_active": product.is_active,
        "parameters": product.parameters or {},
        "editable": list(products.editable_keys(product.kind)),
    }


def _product(code: str) -> SavingsProduct:
    product = db.session.scalars(select(SavingsProduct).where(SavingsProduct.code == code)).one_or_none()
    if product is None:
        raise NotFound(_l("Savings product not found."))
    return product


@blp.route("/")
class Products(MethodView):
    @require_permission("savings.view")
    @blp.response(200, SavingsProductListSchema)
    def get(self) -> dict[str, Any]:
        """Every savings product of the cooperative (pokok, wajib, sukarela, berjangka)."""
        services.ensure_products(g.tenant)
        order = {k: i for i, k in enumerate(PRODUCT_KINDS)}
        rows = sorted(
            db.session.scalars(select(SavingsProduct)), key=lambda p: (order.get(p.kind, 9), p.code)
        )
        return {"items": [product_out(p) for p in rows]}


@blp.route("/<code>")
class ProductItem(MethodView):
    @require_permission("savings.view")
    @blp.response(200, SavingsProductSchema)
    def get(self, code: str) -> dict[str, Any]:
        """One product with its settings."""
        return product_out(_product(code))

    @require_permission("savings.manage")
    @blp.arguments(SavingsProductPatchSchema)
    @blp.response(200, SavingsProductSchema)
    def patch(self, data: dict[str, Any], code: str) -> dict[str, Any]:
        """Change settings (audited); they apply from the next calculation."""
        product = products.update_product(
            tenant=g.tenant, actor=current_user, product=_product(code), changes=data
        )
        return product_out(product)
