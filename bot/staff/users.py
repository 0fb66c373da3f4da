"""Creating staff accounts (the console's admin page and `./kindred staff add-user` share this)."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.models import StaffUser
from bot.staff.auth import ROLES, PasswordRejected, hash_password

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


class UserError(ValueError):
    """Why an account could not be created, in words."""


def create_user(
    session: Session,
    username: str,
    display_name: str,
    password: str,
    roles: list[str],
    password_hash: str | None = None,
) -> StaffUser:
    """A new account with a hashed password; usernames are lower case.

    The gateway hashes off its event loop first and passes `password_hash` (`auth.password_hash`);
    the command line passes the password itself.
    """
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise UserError("Usernames are 2 to 64 letters, digits, dots, dashes or underscores.")
    display_name = " ".join(display_name.split())[:80] or username
    wanted = [r for r in roles if r in ROLES]
    if not wanted or len(wanted) != len(set(roles)):
        raise UserError(f"Give at least one role, from: {', '.join(ROLES)}.")
    if session.scalars(select(StaffUser).where(StaffUser.username == username)).first() is not None:
        raise UserError(f"There is already a user called {username}.")
    try:
        hashed = password_hash or hash_password(password)
    except PasswordRejected as error:
        raise UserError(str(error)) from None
    user = StaffUser(username=username, display_name=display_name, password_hash=hashed, roles=sorted(set(wanted)))
    session.add(user)
    return user
