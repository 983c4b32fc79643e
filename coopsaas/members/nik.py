"""NIK (Nomor Induk Kependudukan): the 16-digit Indonesian citizen number. Pure, no database.

Layout: digits 1-2 province, 3-4 regency/city, 5-6 district, 7-12 birth date as DDMMYY with 40
added to the day for women, 13-16 a serial number (never 0000). The check is of plausibility
only: there is no check digit, and the registry that issued the number is not reachable.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from coopsaas.core.clock import business_date
from coopsaas.core.i18n import _l
from coopsaas.errors import ValidationError

# Province codes of the Dukcapil area code table, the Papua provinces of 2022 included.
PROVINCES = frozenset(
    {
        11,
        12,
        13,
        14,
        15,
        16,
        17,
        18,
        19,
        21,
        31,
        32,
        33,
        34,
        35,
        36,
        51,
        52,
        53,
        61,
        62,
        63,
        64,
        65,
        71,
        72,
        73,
        74,
        75,
        76,
        81,
        82,
        91,
        92,
        93,
        94,
        95,
        96,
    }
)
MALE, FEMALE = "L", "P"


@dataclass(frozen=True)
class NikFacts:
    """What a NIK says of its holder; the century of the birth year is not in it."""

    province: int
    sex: str
    day: int
    month: int
    year2: int


def _error(message: object) -> ValidationError:
    return ValidationError(message, fields={"nik": [message]})  # type: ignore[list-item]


def normalize_nik(raw: str | None) -> str:
    """Spaces, dots and dashes that people type between groups are dropped."""
    return "".join(ch for ch in (raw or "") if ch not in " .-\t")


def _birth_date(day: int, month: int, year2: int, today: date) -> date | None:
    """The latest plausible birth date: this century unless that lies in the future."""
    for century in (2000, 1900):
        try:
            born = date(century + year2, month, day)
        except ValueError:
            return None
        if born <= today:
            return born
    return None


def parse_nik(raw: str | None, *, today: date | None = None) -> NikFacts:
    """Check a NIK's shape, province and encoded birth date. Raises: ValidationError (field `nik`)."""
    nik = normalize_nik(raw)
    if not nik:
        raise _error(_l("The NIK is required."))
    if len(nik) != 16 or not nik.isascii() or not nik.isdigit():
        raise _error(_l("A NIK has exactly 16 digits."))
    province = int(nik[0:2])
    if province not in PROVINCES:
        raise _error(_l("The NIK starts with %(code)s, which is not a province code.", code=nik[0:2]))
    day, month, year2 = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    sex = MALE
    if day > 40:
        day, sex = day - 40, FEMALE
    if _birth_date(day, month, year2, today or business_date()) is None:
        raise _error(_l("Digits 7 to 12 of the NIK are not a valid birth date."))
    if nik[12:16] == "0000":
        raise _error(_l("The last four digits of a NIK are never 0000."))
    return NikFacts(province=province, sex=sex, day=day, month=month, year2=year2)


def validate_nik(
    raw: str | None, *, birth_date: date | None = None, sex: str | None = None, today: date | None = None
) -> str:
    """The normalised NIK when it is plausible and agrees with the birth date and sex given.

    Raises: ValidationError (field `nik`).
    """
    facts = parse_nik(raw, today=today)
    if birth_date is not None and (birth_date.day, birth_date.month, birth_date.year % 100) != (
        facts.day,
        facts.month,
        facts.year2,
    ):
        raise _error(
            _l(
                "The birth date in the NIK (%(day)02d-%(month)02d-..%(year)02d) differs from the "
                "birth date given.",
                day=facts.day,
                month=facts.month,
                year=facts.year2,
            )
        )
    if sex in (MALE, FEMALE) and sex != facts.sex:
        raise _error(
            _l("The NIK is that of a woman (day of birth plus 40), but the sex given is male.")
            if facts.sex == FEMALE
            else _l(
                "The NIK is that of a man, but the sex given is female (a woman's NIK adds 40 "
                "to the day of birth)."
            )
        )
    return normalize_nik(raw)
