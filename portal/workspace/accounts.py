"""Accounts: argon2 password hashes, sign-in with a lock-out per account and a rate limit per
address, and the account changes an admin makes.

Counting happens in the database, so the limits hold across worker processes and restarts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from portal.workspace.models import ROLES, Attempt, User, now

#: Consecutive failures that lock an account, and for how long.
LOCK_AFTER = 5
LOCK_FOR = dt.timedelta(minutes=15)
#: Failures from one address within WINDOW before it is refused without checking.
ADDRESS_LIMIT = 20
WINDOW = dt.timedelta(minutes=15)
MIN_PASSWORD = 12
NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-")

_hasher = PasswordHasher()
#: Verified against when the name is unknown, so a wrong name takes as long as a wrong password.
_DUMMY = _hasher.hash("not a password of anyone")


class AccountError(ValueError):
    """A request about accounts that cannot be done; ``message`` is an English template for
    :func:`portal.i18n._`, ``params`` its values."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message % params if params else message)
        self.message, self.params = message, params


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in: the user, or why not (``bad``, ``locked``, ``limited``)."""

    user: User | None
    refused: str | None = None


def check_name(name: str) -> str:
    name = name.strip().lower()
    if not 2 <= len(name) <= 64 or not set(name) <= NAME_CHARS:
        raise AccountError("A user name is 2 to 64 letters a–z, digits, dots, dashes or "
                           "underscores.")
    return name


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise AccountError("A password needs at least %(n)s characters.", n=MIN_PASSWORD)
    if len(password) > 1024:
        raise AccountError("A password may have at most 1024 characters.")
    return password


def check_role(role: str) -> str:
    if role not in ROLES:
        raise AccountError("The role must be one of: %(roles)s.", roles=", ".join(ROLES))
    return role


def add(session: Session, name: str, role: str, password: str) -> User:
    name = check_name(name)
    if session.scalar(sa.select(User).where(User.name == name)) is not None:
        raise AccountError("There is already a user %(name)s.", name=name)
    user = User(name=name, role=check_role(role),
                password_hash=_hasher.hash(check_password(password)))
    session.add(user)
    session.flush()
    return user


def set_password(user: User, password: str) -> None:
    user.password_hash = _hasher.hash(check_password(password))
    user.failed_logins, user.locked_until = 0, None


def sign_in(session: Session, name: str, password: str, address: str) -> SignIn:
    """Check a name and password; counts failures and locks as the module says."""
    moment = now()
    recent = session.scalar(sa.select(sa.func.count()).select_from(Attempt).where(
        Attempt.address == address, Attempt.at > moment - WINDOW)) or 0
    if recent >= ADDRESS_LIMIT:
        return SignIn(None, "limited")
    user = session.scalar(sa.select(User).where(User.name == name.strip().lower()))
    if user is not None and user.locked_until is not None and user.locked_until > moment:
        session.add(Attempt(address=address, at=moment))
        return SignIn(None, "locked")
    try:
        _hasher.verify(user.password_hash if user is not None else _DUMMY, password)
        good = user is not None and user.active
    except (VerificationError, InvalidHashError):
        good = False
    if not good:
        session.add(Attempt(address=address, at=moment))
        if user is not None:
            user.failed_logins += 1
            if user.failed_logins >= LOCK_AFTER:
                user.locked_until, user.failed_logins = moment + LOCK_FOR, 0
                return SignIn(None, "locked")
        return SignIn(None, "bad")
    assert user is not None
    user.failed_logins, user.locked_until = 0, None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return SignIn(user)
