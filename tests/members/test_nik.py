"""NIK plausibility: 16 digits, a province code, a birth date in digits 7-12 (+40 for women)."""

from __future__ import annotations

from datetime import date

import pytest

from coopsaas.errors import ValidationError
from coopsaas.members.nik import parse_nik, validate_nik

TODAY = date(2026, 11, 19)


def test_a_womans_nik_adds_40_to_the_day():
    facts = parse_nik("3578014508900001", today=TODAY)
    assert (facts.province, facts.sex, facts.day, facts.month, facts.year2) == (35, "P", 5, 8, 90)


def test_a_mans_nik_keeps_the_day():
    facts = parse_nik("3578011703850002", today=TODAY)
    assert (facts.sex, facts.day, facts.month) == ("L", 17, 3)


def test_spaces_and_dots_people_type_are_dropped():
    assert validate_nik("3578 0145 0890 0001", today=TODAY) == "3578014508900001"
    assert validate_nik("35.78.01.450890.0001", today=TODAY) == "3578014508900001"


@pytest.mark.parametrize(
    ("nik", "message"),
    [
        ("", "The NIK is required."),
        ("357801450890001", "A NIK has exactly 16 digits."),
        ("35780145089000011", "A NIK has exactly 16 digits."),
        ("3578O14508900001", "A NIK has exactly 16 digits."),
        ("３５７８０１４５０８９０００01", "A NIK has exactly 16 digits."),
        ("9978014508900001", "The NIK starts with 99, which is not a province code."),
        ("2078014508900001", "The NIK starts with 20, which is not a province code."),
        ("3578013213900001", "Digits 7 to 12 of the NIK are not a valid birth date."),
        ("3578017202900001", "Digits 7 to 12 of the NIK are not a valid birth date."),
        ("3578014102010001", "Digits 7 to 12 of the NIK are valid"),
        ("3578010000900001", "Digits 7 to 12 of the NIK are not a valid birth date."),
        ("3578013002900001", "Digits 7 to 12 of the NIK are not a valid birth date."),
        ("3578014508900000", "The last four digits of a NIK are never 0000."),
    ],
)
def test_implausible_niks_are_refused_with_a_reason(nik, message):
    if message.endswith("are valid"):  # 1 February 2001 for a woman: plausible
        assert parse_nik(nik, today=TODAY).sex == "P"
        return
    with pytest.raises(ValidationError) as exc:
        validate_nik(nik, today=TODAY)
    assert str(exc.value.message) == message
    assert list(exc.value.fields) == ["nik"]


def test_29_february_only_in_a_leap_year():
    assert parse_nik("3578012902000001", today=TODAY).day == 29
    with pytest.raises(ValidationError):
        parse_nik("3578012902010001", today=TODAY)


def test_birth_date_given_must_match_the_nik():
    assert validate_nik("3578014508900001", birth_date=date(1990, 8, 5), sex="P", today=TODAY)
    with pytest.raises(ValidationError, match="differs from the birth date given"):
        validate_nik("3578014508900001", birth_date=date(1990, 8, 6), today=TODAY)
    with pytest.raises(ValidationError, match="differs from the birth date given"):
        validate_nik("3578014508900001", birth_date=date(1991, 8, 5), today=TODAY)


def test_sex_given_must_match_the_nik():
    with pytest.raises(ValidationError, match="that of a woman"):
        validate_nik("3578014508900001", sex="L", today=TODAY)
    with pytest.raises(ValidationError, match="that of a man"):
        validate_nik("3578011703850002", sex="P", today=TODAY)
