"""`./kindred staff ...`: console accounts from the command line, and the retention purge."""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

import settings as settings_module
from bot.models import StaffSession, StaffUser
from bot.staff import audit, retention
from bot.staff.auth import ROLES
from bot.staff.users import UserError, create_user
from database import make_engine, tracker_engine, upgrade


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    if os.environ.get("KINDRED_NEW_PASSWORD"):
        return os.environ["KINDRED_NEW_PASSWORD"]
    first = getpass.getpass("Password (at least 12 characters): ")
    if getpass.getpass("The same again: ") != first:
        raise UserError("The two passwords were different.")
    return first


def cmd_add(session: Session, args: argparse.Namespace) -> int:
    """Create an account."""
    user = create_user(session, args.username, args.name or args.username, _password(args), args.role)
    session.flush()
    audit.record(session, "command line", "add_user", "staff_user", user.id, roles=user.roles)
    session.commit()
    print(f"kindred: added {user.username} ({', '.join(user.roles)}); sign in at /staff")
    return 0


def cmd_list(session: Session, _: argparse.Namespace) -> int:
    """List accounts."""
    for user in session.scalars(select(StaffUser).order_by(StaffUser.username)):
        state = "" if user.active else " [switched off]"
        print(f"{user.username:<24} {user.display_name:<28} {','.join(user.roles)}{state}")
    return 0


def cmd_disable(session: Session, args: argparse.Namespace) -> int:
    """Switch an account off and end its sessions."""
    user = session.scalars(select(StaffUser).where(StaffUser.username == args.username.lower())).first()
    if user is None:
        raise UserError(f"There is no user called {args.username}.")
    user.active = False
    for row in session.scalars(select(StaffSession).where(StaffSession.user_id == user.id)):
        session.delete(row)
    audit.record(session, "command line", "update_user", "staff_user", user.id, active=False)
    session.commit()
    print(f"kindred: {user.username} is switched off")
    return 0


def main(argv: list[str]) -> int:
    """Parse `staff` arguments and run."""
    parser = argparse.ArgumentParser(prog="kindred staff")
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add-user", help="create a console account")
    add.add_argument("username")
    add.add_argument("--name", help="the name residents and colleagues see")
    add.add_argument("--role", action="append", choices=ROLES, required=True, help="staff, editor or admin (repeat)")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    add.set_defaults(func=cmd_add)
    sub.add_parser("list", help="list accounts").set_defaults(func=cmd_list)
    off = sub.add_parser("disable", help="switch an account off")
    off.add_argument("username")
    off.set_defaults(func=cmd_disable)
    sub.add_parser("purge", help="delete conversations past the retention period now").set_defaults(func=None)
    args = parser.parse_args(argv)
    config = settings_module.load()
    config.var.mkdir(parents=True, exist_ok=True)
    engine = make_engine(config.app_database_url)
    upgrade(engine)
    try:
        if args.command == "purge":
            tracker = tracker_engine(config, engine)
            deleted = retention.purge(sessionmaker(engine), tracker, config.retention_days, "command line")
            print(f"kindred: deleted {deleted} conversations past the retention period")
            return 0
        with Session(engine) as session:
            try:
                return args.func(session, args)
            except UserError as error:
                print(f"kindred: {error}", file=sys.stderr)
                return 2
    finally:
        engine.dispose()
