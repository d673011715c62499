"""French wording of dates, amounts and shopper text."""

from __future__ import annotations

from datetime import date

from bot.dialogue.texts import euros, french_date, safe


def test_french_dates():
    this_year = date.today().year
    assert french_date(date(this_year, 12, 1)) == "1er décembre"
    assert french_date(date(this_year, 3, 14), weekday=True).endswith("14 mars")
    assert french_date(date(2020, 2, 29)) == "29 février 2020"
    assert french_date(date(2026, 11, 24), weekday=True).startswith("mardi")


def test_euros():
    assert euros(4.9) == "4,90 €"
    assert euros(1234.5) == "1234,50 €"


def test_safe_escapes_and_truncates():
    assert safe("<script>alert('x')</script>") == "&lt;script&gt;alert('x')&lt;/script&gt;"
    assert safe("a\n\n  b") == "a b"
    assert len(safe("x" * 10_000, limit=50)) == 50
