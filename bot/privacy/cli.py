"""python -m bot.privacy find | export | erase | purge — a shopper's data, for the shop's operator.

    python -m bot.privacy find   --email marie@exemple.fr [--order CM483391 …]
    python -m bot.privacy export --email marie@exemple.fr --out marie.json
    python -m bot.privacy erase  --telegram 123456789 [--yes]
    python -m bot.privacy purge  [--dry-run]

Several criteria may be given (and repeated): everything any of them finds is taken. Exit codes:
0 done, 1 failed, 2 bad usage or nothing found (or the erasure was not confirmed). Exports,
erasures and purges are written to the audit log with the OS user's name.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TextIO

from bot.backoffice.db import migrate
from bot.settings import Settings, get_settings

from . import service
from .criteria import BadCriteria, Criteria

NOTHING = 2
RESTART_NOTE = (
    "Rasa garde en mémoire les conversations récentes : redémarrez le serveur Rasa pour qu'une "
    "conversation effacée ne soit pas réécrite si la personne écrit de nouveau dans la minute."
)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="python -m bot.privacy",
        description="Données personnelles des clients : retrouver, exporter, effacer, purger.",
    )
    sub = root.add_subparsers(dest="command", required=True, metavar="COMMANDE")
    helps = {
        "find": "lister ce qui est gardé sur une personne",
        "export": "exporter ses données en un fichier JSON",
        "erase": "effacer ses données (conversations, dossiers, notes, avis)",
    }
    for name, text in helps.items():
        command = sub.add_parser(name, help=text)
        who = command.add_argument_group("la personne (au moins un critère, répétable)")
        who.add_argument("--email", action="append", default=[], metavar="ADRESSE")
        who.add_argument("--order", action="append", default=[], metavar="NUMÉRO")
        who.add_argument("--conversation", action="append", default=[], metavar="ID")
        who.add_argument("--telegram", action="append", default=[], metavar="CHAT_ID")
        who.add_argument("--messenger", action="append", default=[], metavar="PSID")
        if name == "export":
            command.add_argument("--out", required=True, type=Path, metavar="FICHIER.json")
        if name == "erase":
            command.add_argument("--yes", action="store_true", help="ne pas demander confirmation")
    purge = sub.add_parser("purge", help="supprimer ce qui a dépassé sa durée de conservation")
    purge.add_argument("--dry-run", action="store_true", help="compter sans rien supprimer")
    return root


def main(
    argv: list[str] | None = None,
    settings: Settings | None = None,
    stdin: TextIO | None = None,
) -> int:
    args = parser().parse_args(argv)
    settings = settings or get_settings()
    stdin = stdin or sys.stdin
    migrate(settings.backoffice_db_url)  # the audit log's table, if the back office never ran
    stores = service.Stores.from_settings(settings)
    try:
        if args.command == "purge":
            return _purge(stores, settings, args.dry_run)
        try:
            criteria = Criteria.build(
                args.email, args.order, args.conversation, args.telegram, args.messenger
            )
        except BadCriteria as error:
            print(f"Critère refusé : {error}.", file=sys.stderr)
            return NOTHING
        if not criteria:
            print(
                "Donnez au moins un critère : --email, --order, --conversation, --telegram "
                "ou --messenger.",
                file=sys.stderr,
            )
            return NOTHING
        findings = service.find(stores, criteria)
        if not findings:
            print("Rien trouvé pour ces critères : aucune conversation, aucun dossier, aucun avis.")
            return NOTHING
        _show(findings)
        if args.command == "export":
            return _export(stores, findings, args.out)
        if args.command == "erase":
            return _erase(stores, findings, args.yes, stdin)
        return 0
    finally:
        stores.close()


def _show(findings: service.Findings) -> None:
    counts = findings.counts()
    print(
        f"Trouvé : {counts['conversations']} conversation(s), {counts['cases']} dossier(s) "
        f"({counts['case_messages']} message(s), {counts['ratings']} note(s)), "
        f"{counts['feedback']} avis FAQ."
    )
    for line in findings.summary():
        dates = ""
        if line["first"]:
            dates = f", du {line['first']:%d/%m/%Y %H:%M} au {line['last']:%d/%m/%Y %H:%M} UTC"
        print(
            f"  - {line['id']} ({line['channel']}{dates}) : {line['messages']} message(s), "
            f"{line['cases']} dossier(s), {line['feedback']} avis"
        )


def _export(stores: service.Stores, findings: service.Findings, out: Path) -> int:
    document = service.export_data(findings)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        os.fchmod(handle.fileno(), 0o600)  # an existing file keeps its mode otherwise
        json.dump(document, handle, ensure_ascii=False, indent=2)
        handle.write("\n")
    service.audit(
        stores, "export", service.os_user(), service.CLI, findings.counts(), findings.criteria
    )
    print(f"Export écrit dans {out} (lisible par vous seul) : à remettre à la personne.")
    return 0


def _erase(stores: service.Stores, findings: service.Findings, yes: bool, stdin: TextIO) -> int:
    if not yes:
        if not stdin.isatty():
            print(
                "Effacement non confirmé : relancez avec --yes pour confirmer sans terminal.",
                file=sys.stderr,
            )
            return NOTHING
        print("Effacer définitivement tout cela ? Tapez « oui » pour confirmer : ", end="")
        sys.stdout.flush()
        if stdin.readline().strip().lower() not in ("oui", "yes"):
            print("Rien n'a été effacé.")
            return NOTHING
    counts = service.erase(stores, findings)
    service.audit(stores, "erase", service.os_user(), service.CLI, counts, findings.criteria)
    print("Effacé : " + _counts_fr(counts) + ".")
    print(RESTART_NOTE)
    return 0


def _purge(stores: service.Stores, settings: Settings, dry_run: bool) -> int:
    retention = service.Retention.from_settings(settings)
    counts = service.purge(stores, retention, dry_run=dry_run)
    print(
        "Durées de conservation (jours) : conversations "
        f"{retention.conversations_days}, dossiers {retention.cases_days}, avis FAQ "
        f"{retention.feedback_days}, journal d'audit {retention.audit_days}."
    )
    if dry_run:
        print("Simulation, rien n'est supprimé. Seraient supprimés : " + _counts_fr(counts) + ".")
        return 0
    service.audit(stores, "purge", service.os_user(), service.CLI, counts)
    print("Supprimé : " + _counts_fr(counts) + ".")
    return 0


def _counts_fr(counts: dict[str, int]) -> str:
    return ", ".join(f"{value} {service.LABELS_FR.get(key, key)}" for key, value in counts.items())


if __name__ == "__main__":
    sys.exit(main())
