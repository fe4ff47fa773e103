"""Accounts: argon2 password hashes (pwdlib), three roles, and the checks a login needs."""

from __future__ import annotations

import re

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aibeian.errors import InputError
from aibeian.storage._audit import Actor, record
from aibeian.storage._schema import ROLES, User

__all__ = ["authenticate", "count_users", "create_user", "get_user", "list_users", "set_password"]

_HASHER = PasswordHash((Argon2Hasher(),))
# verified against when the username is unknown, so a wrong name costs the same time as a wrong password
_DUMMY_HASH = _HASHER.hash("aibeian-timing-equaliser")
MIN_PASSWORD = 10
_USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{2,64}$")


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InputError(
            f"password is too short ({len(password)} characters)",
            field="password",
            expected=f"at least {MIN_PASSWORD} characters",
        )


def create_user(
    session: Session, *, username: str, password: str, role: str, actor: Actor, display_name: str = ""
) -> User:
    problems = []
    if not _USERNAME.match(username):
        problems.append(("username", "invalid username", "2–64 letters, digits, _ . @ -"))
    elif session.scalar(select(User).where(User.username == username)) is not None:
        problems.append(("username", f"user {username!r} already exists", "a new username"))
    if role not in ROLES:
        problems.append(("role", f"unknown role {role!r}", "one of " + ", ".join(ROLES)))
    if len(password) < MIN_PASSWORD:
        problems.append(("password", "password is too short", f"at least {MIN_PASSWORD} characters"))
    if problems:
        from aibeian.errors import Problem

        raise InputError(problems=[Problem(m, field=f, expected=e) for f, m, e in problems])
    user = User(
        username=username,
        display_name=display_name or username,
        password_hash=_HASHER.hash(password),
        role=role,
    )
    session.add(user)
    session.flush()
    record(
        session,
        actor=actor,
        action="user.create",
        entity="user",
        entity_id=user.id,
        detail={"username": username, "role": role},
    )
    return user


def set_password(session: Session, *, username: str, password: str, actor: Actor) -> User:
    _check_password(password)
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise InputError(f"no user {username!r}", field="username")
    user.password_hash = _HASHER.hash(password)
    record(
        session,
        actor=actor,
        action="user.password",
        entity="user",
        entity_id=user.id,
        detail={"username": username},
    )
    return user


def authenticate(session: Session, *, username: str, password: str) -> User | None:
    """The active user with this name and password, else None (same cost whether or not the name exists)."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        _HASHER.verify(password, _DUMMY_HASH)
        return None
    return user if _HASHER.verify(password, user.password_hash) else None


def get_user(session: Session, *, user_id: int) -> User | None:
    return session.get(User, user_id)


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.username)))


def count_users(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(User)) or 0)
