"""The pieces without databases: criteria and matching, the erased-conversations file, the
feedback file's atomic rewrite."""

from __future__ import annotations

import json
import stat
import subprocess
from pathlib import Path

import pytest

from bot.core import forgotten
from bot.privacy.criteria import BadCriteria, Criteria, Matcher
from bot.privacy.stores import FeedbackFile, like_pattern

ROOT = Path(__file__).resolve().parents[2]


def test_a_term_is_mentioned_only_on_its_own() -> None:
    matcher = Matcher(["marie_92@exemple.fr", "CM483391"])
    assert matcher.text("mon e-mail : MARIE_92@exemple.fr.")
    assert matcher.text("commande n°CM483391, merci")
    assert not matcher.text("anne-marie_92@exemple.fr")
    assert not matcher.text("marie_92@exemple.fr.com")
    assert not matcher.text("CM4833910")
    assert matcher.value({"event": "slot", "name": "order_id", "value": "cm483391"})
    assert not Matcher([]).text("anything")


def test_criteria_are_normalised_and_checked() -> None:
    criteria = Criteria.build(
        emails=[" Marie@Exemple.FR "], orders=["cm1234"], telegram=["42"], messenger=["p5"]
    )
    assert criteria.emails == ("marie@exemple.fr",) and criteria.orders == ("CM1234",)
    assert criteria.conversations == ("telegram-42", "messenger-p5")
    assert criteria.kinds == "email,order,telegram,messenger"
    assert not Criteria.build(emails=[" "])
    for bad in ({"emails": ["marie"]}, {"orders": ["C1"]}, {"telegram": ["4 2"]}):
        with pytest.raises(BadCriteria):
            Criteria.build(**bad)


def test_like_patterns_escape_sql_wildcards() -> None:
    assert like_pattern("a_b%c@x.fr") == "%a\\_b\\%c@x.fr%"
    assert like_pattern("É@x.fr") == "%\\\\u00e9@x.fr%"  # as json.dumps writes it


def test_forgotten_keeps_keyed_hashes_in_a_private_file(tmp_path: Path) -> None:
    path = tmp_path / "var" / "forgotten.db"
    assert not forgotten.was_erased("web-1", path, key="k")
    assert not path.exists()  # asking never creates the file
    assert forgotten.record(["web-1", "telegram-42", "web-1"], path, at=1000.0, key="k") == 2
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert forgotten.was_erased("web-1", path, key="k")
    assert forgotten.erased_at("telegram-42", path, key="k") == 1000.0
    assert not forgotten.was_erased("web-2", path, key="k")
    assert not forgotten.was_erased("web-1", path, key="another key")
    assert b"web-1" not in path.read_bytes() and b"telegram-42" not in path.read_bytes()
    forgotten.record(["web-3"], path, at=3000.0, key="k")
    assert forgotten.drop_before(2000.0, path) == 2
    assert forgotten.was_erased("web-3", path, key="k")
    assert not forgotten.was_erased("web-1", path, key="k")


def test_forgotten_runs_in_the_rasa_servers_python(tmp_path: Path) -> None:
    python = ROOT / ".venv-rasa" / "bin" / "python"
    if not python.exists():
        pytest.skip("no .venv-rasa")
    path = tmp_path / "forgotten.db"
    forgotten.record(["web-9"], path, key="k")
    code = (
        "import sys; from bot.core.forgotten import was_erased; "
        f"sys.exit(0 if was_erased('web-9', {str(path)!r}, key='k') "
        f"and not was_erased('web-8', {str(path)!r}, key='k') else 1)"
    )
    subprocess.run([str(python), "-c", code], cwd=ROOT, check=True, timeout=60)


def test_feedback_rewrite_is_atomic_and_private(tmp_path: Path) -> None:
    path = tmp_path / "faq_feedback.jsonl"
    lines = [{"conversation": c, "at": "2026-11-25T09:00:00+00:00"} for c in ("a", "b", "a")]
    path.write_text("".join(json.dumps(x) + "\n" for x in lines) + "pas du json\n")
    removed = FeedbackFile(path).remove(lambda x: isinstance(x, dict) and x["conversation"] == "a")
    assert removed == 2
    assert path.read_text().splitlines() == [json.dumps(lines[1]), "pas du json"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["faq_feedback.jsonl"]
    assert FeedbackFile(tmp_path / "missing.jsonl").remove(lambda x: True) == 0
