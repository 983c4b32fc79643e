"""Validation of tenants/ without a database: every shipped file, and errors that name the place."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest

from coopsaas.tenancy.sync import (
    DefinitionsInvalid,
    line_of,
    load_definitions,
    render_new_tenant,
    tenant_setting,
)
from tests.tenancy.conftest import AGENCY, DEMO_SLUGS, KOPPONTREN, KSP, SHIPPED, edit, line_with


def _errors(directory) -> list[str]:
    with pytest.raises(DefinitionsInvalid) as info:
        load_definitions(directory)
    return [str(e) for e in info.value.errors]


def test_every_shipped_file_validates():
    defs = load_definitions(SHIPPED)

    assert sorted(t.slug for t in defs.tenants) == sorted(DEMO_SLUGS)
    assert [a.slug for a in defs.agencies] == [AGENCY]
    assert {t.agency for t in defs.tenants} == {AGENCY}
    assert sorted(t.slug for t in defs.tenants if t.legal_form == "ksp") == sorted(KSP)
    assert sorted(t.slug for t in defs.tenants if t.legal_form == "koppontren") == sorted(KOPPONTREN)
    assert all(len(t.registration_no) == 16 for t in defs.tenants)
    assert all("TOKO" in t.units for t in defs.tenants if t.legal_form == "koppontren")


def test_chart_templates_have_the_compact_chart_per_legal_form():
    charts = load_definitions(SHIPPED).charts
    counts = {name: len(chart.accounts) for name, chart in charts.items()}

    assert counts == {"ksp": 41, "kspps": 42, "koppontren": 48, "koppontren_syariah": 49, "konsumen": 36,
                      "serba_usaha": 48}
    kspps = {a.code for a in charts["kspps"].accounts}
    assert {"1211", "1212", "1213", "1214", "2141", "2142", "4111", "5111"} <= kspps
    assert not {"4101", "4102", "5101", "5102", "5103"} & kspps  # no interest in a sharia unit
    assert "1401" in {a.code for a in charts["konsumen"].accounts}
    assert "1401" not in {a.code for a in charts["ksp"].accounts}


def test_ksp_chart_tags_loans_and_weights_them():
    chart = load_definitions(SHIPPED).charts["ksp"]
    accounts = {a.code: a for a in chart.accounts}

    assert "pinjaman" in accounts["1201"].tags
    assert accounts["1201"].type == "asset"
    assert accounts["1201"].weights == {"atmr": "100"}
    assert accounts["1209"].is_contra and accounts["1209"].normal_side == "K"
    assert accounts["3202"].weights == {"mt": "50"}
    assert accounts["2101"].type == "liability" and "simpanan_sukarela" in accounts["2101"].tags


def test_shop_only_koppontren_gets_no_savings_and_loan_accounts():
    defs = load_definitions(SHIPPED)
    tenant = next(t for t in defs.tenants if t.slug == "kopontren-baitul-amin")
    codes = {a.code for a in defs.charts[tenant.chart_template].accounts_for(tenant.units)}

    assert len(codes) == 36
    assert "1201" not in codes
    assert {"1401", "4201", "5201"} <= codes


def test_products_shu_and_settings_are_stored_as_plain_json():
    defs = load_definitions(SHIPPED)
    settings = next(t for t in defs.tenants if t.slug == "ksp-sejahtera").settings

    assert settings["shu"]["cadangan"] == "40"
    assert settings["shu"]["dana_sosial"] == "2.5"
    assert settings["savings"] == {"pokok": "250000.00", "wajib": "50000.00", "wajib_frequency": "MONTHLY"}
    loan = settings["loan_products"][0]
    assert (loan["code"], loan["method"], loan["rate_pm"], loan["max_amount"]) == (
        "PINJ-UMUM", "FLAT", "1.5", "50000000.00")
    assert settings["savings_products"][1]["terms"][0] == {"months": 3, "rate_pa": "5.5"}
    assert settings["reversal_threshold"] == "10000000.00"
    assert settings["allow_negative_stock"] is False  # a default, filled in
    assert settings["units"] == ["USP"]
    assert settings["health_rulebook"] == "PERDEP_06_2016"


def test_tenant_setting_reads_typed_values_with_defaults():
    settings = next(t for t in load_definitions(SHIPPED).tenants if t.slug == "ksp-mitra-usaha").settings
    synced, bare = SimpleNamespace(settings=settings), SimpleNamespace(settings={})

    assert tenant_setting(synced, "reversal_threshold") == Decimal("7500000.00")
    assert tenant_setting(synced, "shu_cadangan_risiko_pct") == Decimal("25")
    assert tenant_setting(bare, "reversal_threshold") == Decimal("5000000.00")
    assert tenant_setting(bare, "allow_negative_stock") is False
    assert tenant_setting(bare, "max_backdate_days") == 7


def test_syntax_error_names_file_and_line(tenants_dir):
    path = tenants_dir / "ksp-sejahtera.toml"
    edit(path, 'pokok = 250_000', 'pokok = = 250_000')

    errors = _errors(tenants_dir)

    assert len(errors) == 1
    line = line_with(path, "pokok = =")
    assert errors[0].startswith(f"tenants/ksp-sejahtera.toml:{line}: TOML syntax error")


def test_unknown_legal_form_names_file_line_and_field(tenants_dir):
    path = tenants_dir / "ksp-artha-mandiri.toml"
    edit(path, 'legal_form = "ksp"', 'legal_form = "bank"')
    line = line_with(path, "legal_form")

    assert _errors(tenants_dir) == [
        f"tenants/ksp-artha-mandiri.toml:{line}: legal_form: 'bank' is not one of: "
        "ksp, kspps, koppontren, konsumen, serba_usaha"]


def test_shu_not_adding_up_to_100_is_refused(tenants_dir):
    path = tenants_dir / "ksp-sejahtera.toml"
    edit(path, "dana_pdk = 2.5", "dana_pdk = 5")
    line = line_with(path, "[shu]")

    assert _errors(tenants_dir) == [
        f"tenants/ksp-sejahtera.toml:{line}: shu: the percentages add up to 102.5, not 100"]


def test_duplicate_slug_is_refused(tenants_dir):
    path = tenants_dir / "kopontren-darussalam.toml"
    edit(path, 'slug = "kopontren-darussalam"', 'slug = "kopontren-al-hikmah"')
    line = line_with(path, "slug =")

    assert _errors(tenants_dir) == [
        f"tenants/kopontren-darussalam.toml:{line}: slug: slug kopontren-al-hikmah is already used by "
        "tenants/kopontren-al-hikmah.toml"]


def test_errors_in_several_files_are_all_reported(tenants_dir):
    ksp, kopontren = tenants_dir / "ksp-mitra-usaha.toml", tenants_dir / "kopontren-nurul-huda.toml"
    agency = tenants_dir / "agencies" / "dinkop-sukamakmur.toml"
    edit(ksp, "rate_pa = 16", "rate_pa = 16\nrate_pm = 1.3")
    edit(kopontren, "min_opening = 10_000", "min_opening = 10_000.505")
    edit(agency, 'city = "Kota Sukamakmur"', "city = 7")

    lines = line_with(agency, "city = 7"), line_with(kopontren, "10_000.505"), line_with(ksp, "rate_pm = 1.3")

    assert _errors(tenants_dir) == [
        f"tenants/agencies/dinkop-sukamakmur.toml:{lines[0]}: city: must be a non-empty string",
        f"tenants/kopontren-nurul-huda.toml:{lines[1]}: savings_products[1].min_opening: "
        "not a rupiah amount: more than 2 decimal places: 10000.505",
        f"tenants/ksp-mitra-usaha.toml:{lines[2]}: loan_products[1].rate_pm: "
        "give exactly one of rate_pa or rate_pm",
    ]


def test_product_the_chart_cannot_book_is_refused(tenants_dir):
    path = tenants_dir / "ksp-sejahtera.toml"
    edit(path, 'method = "ANUITAS"', 'method = "MURABAHAH"')

    assert _errors(tenants_dir) == [
        f"tenants/ksp-sejahtera.toml:{line_with(path, 'MURABAHAH')}: loan_products[2].method: "
        "MURABAHAH needs account 1211, which chart template ksp does not give this tenant"]


def test_unknown_key_and_unknown_agency_are_refused(tenants_dir):
    path = tenants_dir / "ksp-sejahtera.toml"
    edit(path, "max_backdate_days = 7", "max_backdate_day = 7")
    line = line_with(path, "max_backdate_day ")
    assert _errors(tenants_dir)[0].startswith(
        f"tenants/ksp-sejahtera.toml:{line}: settings.max_backdate_day: unknown key")

    edit(path, "max_backdate_day = 7", "max_backdate_days = 7")
    edit(path, 'agency = "dinkop-sukamakmur"', 'agency = "dinkop-lain"')
    assert _errors(tenants_dir) == [
        f"tenants/ksp-sejahtera.toml:{line_with(path, 'agency =')}: agency: unknown agency 'dinkop-lain' "
        "(no agencies/dinkop-lain.toml)"]


def test_contra_account_with_the_natural_side_is_refused(tenants_dir):
    path = tenants_dir / "templates" / "charts" / "packs" / "inti.toml"
    edit(path, 'normal = "K", contra = true', 'normal = "D", contra = true')

    assert _errors(tenants_dir) == [
        f"tenants/templates/charts/packs/inti.toml:{line_with(path, '1709')}: accounts[9].normal: "
        "a contra aset account has a normal side the opposite of D"]


def test_line_of_finds_keys_in_tables_arrays_and_inline_arrays():
    text = ('slug = "x"\n[shu]\ncadangan = 40\n[[loan_products]]\ncode = "A"\n[[loan_products]]\n'
            'code = "B"\nterms = [\n  { months = 3 },\n  { months = 6 },\n]\n')

    assert line_of(text, ("slug",)) == 1
    assert line_of(text, ("shu",)) == 2
    assert line_of(text, ("shu", "cadangan")) == 3
    assert line_of(text, ("loan_products", 1, "code")) == 7
    assert line_of(text, ("loan_products", 1, "terms", 1, "months")) == 10
    assert line_of(text, ("loan_products", 0, "rate_pa")) == 4  # missing key: its table
    assert line_of(text, ("nowhere",)) is None


@pytest.mark.parametrize("legal_form", ["ksp", "kspps", "koppontren", "konsumen", "serba_usaha"])
def test_new_tenant_scaffold_is_valid_for_every_legal_form(tenants_dir, legal_form):
    path, text = render_new_tenant(tenants_dir, slug="kop-baru", name="Koperasi \"Baru\" Sejahtera",
                                   legal_form=legal_form, agency=AGENCY, city="Kota Sukamakmur")
    path.write_text(text, encoding="utf-8")

    tenant = next(t for t in load_definitions(tenants_dir).tenants if t.slug == "kop-baru")

    assert tenant.name == 'Koperasi "Baru" Sejahtera'
    assert tenant.legal_form == legal_form
    assert tenant.registration_no is None


def test_new_tenant_refuses_an_existing_file_and_a_bad_slug(tenants_dir):
    with pytest.raises(FileExistsError):
        render_new_tenant(tenants_dir, slug="ksp-sejahtera", name="X", legal_form="ksp")
    with pytest.raises(DefinitionsInvalid) as info:
        render_new_tenant(tenants_dir, slug="Kop Baru", name="X", legal_form="ksp")
    assert "slug: 'Kop Baru' is not valid" in str(info.value.errors[0])
