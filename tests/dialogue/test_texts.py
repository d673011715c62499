"""French wording of dates, amounts and shopper text."""

from __future__ import annotations

from datetime import date

from bot.dialogue.texts import euros, french_date, one_line


def test_french_dates():
    this_year = date.today().year
    assert french_date(date(this_year, 12, 1)) == "1er décembre"
    assert french_date(date(this_year, 3, 14), weekday=True).endswith("14 mars")
    assert french_date(date(2020, 2, 29)) == "29 février 2020"
    assert french_date(date(2026, 11, 24), weekday=True).startswith("mardi")


def test_euros():
    assert euros(4.9) == "4,90 €"
    assert euros(1234.5) == "1234,50 €"


def test_one_line_keeps_the_text_as_written_on_one_line_and_bounded():
    """Escaping is the channels' business (none renders markup): a shopper's "<b>" and "&"
    are quoted back as they wrote them, never as "&lt;b&gt;" or "&amp;"."""
    assert one_line("<b>Tom</b> & Jerry") == "<b>Tom</b> & Jerry"
    assert one_line("a\n\n  b\tc\r\nd") == "a b c d"
    assert one_line("a\x00b\x1bc\x7f") == "abc"
    assert len(one_line("x" * 10_000, limit=50)) == 50
    assert one_line("x" * 60, limit=50).endswith("…")
