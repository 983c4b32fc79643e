"""Bahasa Indonesia first: every msgid in the source has a translation in the `id` catalogue.

When this fails after adding strings, run scripts/i18n.sh, translate the new entries in
coopsaas/translations/id/LC_MESSAGES/messages.po, and run `scripts/i18n.sh compile`.
"""

from __future__ import annotations

from configparser import RawConfigParser
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from tests.helpers import csrf_token, login

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = ROOT / "coopsaas" / "translations"
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}


def _method_map() -> list[tuple[str, str]]:
    cfg = RawConfigParser()
    cfg.read(ROOT / "babel.cfg")
    out = []
    for section in cfg.sections():
        method, pattern = (part.strip() for part in section.split(":", 1))
        out.append((pattern, method))
    return out


def source_msgids() -> dict[str, str]:
    """Every msgid in the code and templates, with the first place it appears."""
    found: dict[str, str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map=_method_map(), keywords=KEYWORDS):
        msgid = message if isinstance(message, str) else message[0]
        if msgid:
            found.setdefault(msgid, f"{filename}:{lineno}")
    return found


def _catalogue(lang: str):
    with open(CATALOGUES / lang / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f, locale=lang)


def test_extraction_finds_the_shells_messages():
    ids = source_msgids()
    assert "Wrong username or password." in ids
    assert "Log in" in ids  # from a template
    assert "Too many attempts. Please wait a minute and try again." in ids  # from errors_http


def test_every_source_msgid_is_translated_in_indonesian():
    catalogue = _catalogue("id")
    problems = []
    for msgid, where in sorted(source_msgids().items()):
        entry = catalogue.get(msgid)
        if entry is None:
            problems.append(f"missing: {msgid!r} ({where})")
        elif not entry.string or (isinstance(entry.string, tuple) and not all(entry.string)):
            problems.append(f"untranslated: {msgid!r} ({where})")
        elif entry.fuzzy:
            problems.append(f"fuzzy: {msgid!r} ({where})")
    assert problems == [], "run scripts/i18n.sh and translate:\n" + "\n".join(problems)


def test_compiled_catalogues_match_their_po_files():
    for lang in ("id", "en"):
        po = {m.id: m.string for m in _catalogue(lang) if m.id and m.string and not m.fuzzy}
        with open(CATALOGUES / lang / "LC_MESSAGES" / "messages.mo", "rb") as f:
            mo = {m.id: m.string for m in read_mo(f) if m.id}
        assert mo == po, f"run scripts/i18n.sh compile ({lang})"


def test_pages_are_indonesian_by_default_and_english_after_switching(client, world):
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="id">' in page
    assert "Masuk" in page and "Kata sandi" in page

    resp = client.get("/lang/en?next=/login")
    assert resp.headers["Location"] == "/login"
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Log in" in page and "Password" in page and "Kata sandi" not in page

    resp = login(client, "tini", "salah-sekali")
    assert "Wrong username or password." in resp.get_data(as_text=True)
    login(client, "tini")
    home = client.get("/t/kop-a/").get_data(as_text=True)
    assert "Home" in home and "Your role" in home and "Teller" in home

    client.get("/lang/id")
    assert "Peran Anda" in client.get("/t/kop-a/").get_data(as_text=True)


def test_language_choice_survives_login_and_logout(client, world):
    client.get("/lang/en")
    login(client, "tini")
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    assert "Log in" in client.get("/login").get_data(as_text=True)
