"""python -m bot.backoffice serve | migrate | create-user | set-password."""

from __future__ import annotations

import argparse
import getpass
import sys

from bot.core.logs import configure as configure_logging
from bot.core.private_files import private_umask
from bot.settings import get_settings


def _password(from_stdin: bool, email: str, name: str) -> str:
    """Read the password (from stdin when asked to or when it is piped, else asked twice on
    the terminal) and apply the password rule."""
    from .passwords import password_problem

    if from_stdin or not sys.stdin.isatty():  # `echo … | make user …` must not crash
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Mot de passe : ")
        if getpass.getpass("Confirmez le mot de passe : ") != password:
            raise SystemExit("Les deux mots de passe diffèrent.")
    problem = password_problem(password, email=email, name=name)
    if problem:
        raise SystemExit(problem)
    return password


def create_user(args: argparse.Namespace) -> int:
    from .db import User, make_engine, make_sessionmaker, migrate
    from .security import find_user, hash_password

    url = get_settings().backoffice_db_url
    migrate(url)
    email = args.email.strip().lower()
    if "@" not in email or len(email) > 254:
        raise SystemExit(f"Adresse e-mail invalide : {args.email!r}")
    name = args.name.strip()[:100]
    password = _password(args.password_stdin, email, name)
    engine = make_engine(url)
    with make_sessionmaker(engine)() as db:
        if find_user(db, email) is not None:
            raise SystemExit(f"Un compte existe déjà pour {email}.")
        db.add(
            User(
                email=email,
                display_name=name,
                role=args.role,
                password_hash=hash_password(password),
                active=True,
            )
        )
        db.commit()
    engine.dispose()
    print(f"Compte créé : {email} ({args.role})")
    return 0


def set_password(args: argparse.Namespace) -> int:
    """Reset a forgotten (or leaked) password: every session of the account ends."""
    from . import sessions
    from .db import make_engine, make_sessionmaker, migrate
    from .security import find_user, hash_password

    url = get_settings().backoffice_db_url
    migrate(url)
    engine = make_engine(url)
    with make_sessionmaker(engine)() as db:
        user = find_user(db, args.email)
        if user is None:
            raise SystemExit(f"Aucun compte pour {args.email.strip().lower()}.")
        user.password_hash = hash_password(
            _password(args.password_stdin, user.email, user.display_name)
        )
        db.commit()
        sessions.end_all(db, user.id)
        email = user.email
    engine.dispose()
    print(f"Mot de passe changé : {email} (ses sessions ouvertes sont fermées)")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.backoffice", description="Comptoir's back office (inbox, FAQ editor)."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = sub.add_parser("serve", help="run the back office with uvicorn")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument(
        "--port", type=int, default=None, help="default: COMPTOIR_BACKOFFICE_PORT, 8000"
    )
    serve.add_argument(
        "--log-level",
        default=None,
        choices=["critical", "error", "warning", "info", "debug"],
        help="default: COMPTOIR_LOG_LEVEL, info",
    )
    sub.add_parser("migrate", help="apply the database migrations (alembic upgrade head)")
    user = sub.add_parser("create-user", help="create a user (password asked twice)")
    user.add_argument("--email", required=True)
    user.add_argument("--name", required=True)
    user.add_argument("--role", choices=["agent", "editor", "manager", "admin"], default="agent")
    user.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of standard input",
    )
    reset = sub.add_parser(
        "set-password", help="set a new password for an account (ends its sessions)"
    )
    reset.add_argument("--email", required=True)
    reset.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of standard input",
    )
    args = parser.parse_args(argv)
    private_umask(get_settings().backoffice_db_url)  # cases and messages: 0600
    if args.command == "serve":
        import uvicorn

        level = args.log_level or get_settings().log_level
        configure_logging(level)
        uvicorn.run(
            "bot.backoffice.app:create_app",
            factory=True,
            host=args.host,
            port=args.port or get_settings().backoffice_port,
            log_level=level.lower(),
            log_config=None,
        )
        return 0
    if args.command == "migrate":
        from .db import migrate

        migrate(get_settings().backoffice_db_url)
        print("Base à jour.")
        return 0
    if args.command == "set-password":
        return set_password(args)
    return create_user(args)


if __name__ == "__main__":
    sys.exit(main())
