"""python -m bot.privacy: find, export, erase (confirmed), purge; exit codes and the audit log."""

from __future__ import annotations

import io
import json
import stat
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.backoffice.db import PrivacyAudit
from bot.privacy.cli import main
from bot.privacy.service import os_user

from .conftest import MARIE, PAUL, World


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _audit(world: World) -> list[PrivacyAudit]:
    with world.stores.backoffice() as db:
        return list(db.scalars(sa.select(PrivacyAudit).order_by(PrivacyAudit.id)))


def test_find_lists_the_conversations(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    world.add_shopper(MARIE)
    world.add_shopper(PAUL)
    assert main(["find", "--email", MARIE.email], world.settings) == 0
    out = capsys.readouterr().out
    assert "2 conversation(s), 1 dossier(s) (3 message(s), 1 note(s)), 1 avis FAQ" in out
    assert MARIE.web in out and MARIE.telegram in out and PAUL.web not in out
    assert _audit(world) == []  # a search is not an export


def test_export_writes_a_private_json_file_and_audits_it(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world.add_shopper(MARIE)
    out = tmp_path / "out" / "marie.json"
    assert (
        main(["export", "--telegram", MARIE.telegram_chat, "--out", str(out)], world.settings) == 0
    )
    document = json.loads(out.read_text(encoding="utf-8"))
    assert [c["id"] for c in document["conversations"]] == [MARIE.telegram]
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    [entry] = _audit(world)
    assert (entry.action, entry.actor, entry.origin, entry.criteria) == (
        "export",
        os_user(),
        "cli",
        "telegram",
    )
    assert "Export écrit" in capsys.readouterr().out


def test_erase_asks_for_confirmation(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    world.add_shopper(MARIE)
    args = ["erase", "--email", MARIE.email]
    assert main(args, world.settings, stdin=io.StringIO("")) == 2  # no terminal, no --yes
    assert "--yes" in capsys.readouterr().err
    assert main(args, world.settings, stdin=Terminal("non\n")) == 2
    assert "Rien n'a été effacé" in capsys.readouterr().out
    assert world.leftovers(MARIE)
    assert main(args, world.settings, stdin=Terminal("oui\n")) == 0
    assert "Effacé : 2 conversation(s)" in capsys.readouterr().out
    assert world.leftovers(MARIE) == []
    assert [e.action for e in _audit(world)] == ["erase"]


def test_erase_with_yes_then_nothing_is_found(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    world.add_shopper(MARIE)
    world.add_shopper(PAUL)
    assert main(["erase", "--order", MARIE.order, "--yes"], world.settings) == 0
    assert world.leftovers(MARIE) == []
    assert main(["find", "--email", MARIE.email], world.settings) == 2
    assert "Rien trouvé" in capsys.readouterr().out
    assert main(["find", "--email", PAUL.email], world.settings) == 0


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)  # no database needed
@pytest.mark.parametrize(
    "args",
    [
        ["find"],  # no criterion
        ["find", "--email", "pas-une-adresse"],
        ["find", "--order", "C1"],  # too short: would match anything
        ["export", "--email", "a@b.fr"],  # --out missing
        ["shred", "--email", "a@b.fr"],
    ],
)
def test_bad_usage_exits_2(world: World, args: list[str]) -> None:
    try:
        code = main(args, world.settings)
    except SystemExit as exit:  # argparse's own errors
        code = int(exit.code or 0)
    assert code == 2


def test_purge_dry_run_counts_and_purge_deletes(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    from datetime import datetime, timedelta, timezone

    long_ago = datetime.now(timezone.utc) - timedelta(days=400)
    world.add_shopper(MARIE, long_ago)
    world.add_shopper(PAUL, datetime.now(timezone.utc) - timedelta(days=1))
    assert main(["purge", "--dry-run"], world.settings) == 0
    assert "2 conversation(s)" in capsys.readouterr().out
    assert world.leftovers(MARIE)
    assert main(["purge"], world.settings) == 0
    assert world.leftovers(MARIE) == []
    assert main(["find", "--email", PAUL.email], world.settings) == 0
    assert [(e.action, e.origin) for e in _audit(world)] == [("purge", "cli")]
