"""``aibeian users``: accounts of the web workbench, managed from the terminal (the first admin needs this)."""

from __future__ import annotations

import click

from aibeian.settings import Settings
from aibeian.storage import ROLES, Actor, Store, create_user, list_users, open_store, set_password

_DB = click.option(
    "--db",
    "db_url",
    default=None,
    metavar="URL",
    help="Database URL (default: AIBEIAN_DB_URL, else the SQLite file under AIBEIAN_HOME).",
)


def _store(db_url: str | None) -> Store:
    settings = Settings()
    return open_store(db_url or settings.database_url(), migrate=True)


def _password(given: str | None) -> str:
    if given is not None:
        return given
    value: str = click.prompt("password / 密码", hide_input=True, confirmation_prompt=True)
    return value


@click.group("users")
def users() -> None:
    """Workbench accounts (用户): create, list, reset a password."""


@users.command("create")
@click.argument("username")
@click.option(
    "--role", type=click.Choice(ROLES), default="viewer", show_default=True, help="Role of the account."
)
@click.option("--display-name", default="", help="Name shown in the workbench.")
@click.option(
    "--password", default=None, help="Password (prompted without echo when omitted; ≥10 characters)."
)
@_DB
def create(username: str, role: str, display_name: str, password: str | None, db_url: str | None) -> None:
    """Create an account. The database is created or migrated first if needed."""
    store = _store(db_url)
    try:
        with store.session() as session:
            create_user(
                session,
                username=username,
                password=_password(password),
                role=role,
                display_name=display_name,
                actor=Actor(name="cli"),
            )
    finally:
        store.dispose()
    click.echo(f"created {role} {username!r} in {store.url}")


@users.command("list")
@_DB
def list_cmd(db_url: str | None) -> None:
    """List the accounts and their roles."""
    store = _store(db_url)
    try:
        with store.session() as session:
            for u in list_users(session):
                click.echo(
                    f"{u.username}\t{u.role}\t{'active' if u.active else 'disabled'}\t{u.display_name}"
                )
    finally:
        store.dispose()


@users.command("set-password")
@click.argument("username")
@click.option("--password", default=None, help="New password (prompted without echo when omitted).")
@_DB
def set_password_cmd(username: str, password: str | None, db_url: str | None) -> None:
    """Set a new password for an account (signs its open sessions out)."""
    store = _store(db_url)
    try:
        with store.session() as session:
            set_password(session, username=username, password=_password(password), actor=Actor(name="cli"))
    finally:
        store.dispose()
    click.echo(f"password of {username!r} changed")
