"""A private copy of tenants/ per test, so a test may break or extend the files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

SHIPPED = Path(__file__).resolve().parents[2] / "tenants"
KSP = ("ksp-sejahtera", "ksp-artha-mandiri", "ksp-mitra-usaha")
KOPPONTREN = ("kopontren-al-hikmah", "kopontren-darussalam", "kopontren-nurul-huda",
              "kopontren-miftahul-ulum", "kopontren-baitul-amin", "kopontren-roudlotul-jannah")
DEMO_SLUGS = KSP + KOPPONTREN
AGENCY = "dinkop-sukamakmur"


@pytest.fixture
def tenants_dir(tmp_path: Path) -> Path:
    target = tmp_path / "tenants"
    shutil.copytree(SHIPPED, target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_with(path: Path, text: str, *, nth: int = 1) -> int:
    """The line number of the nth line containing `text` (what an error should point at)."""
    hits = [n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line]
    return hits[nth - 1]
