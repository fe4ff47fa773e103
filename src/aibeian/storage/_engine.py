"""Engines and migrations. Driver errors (sqlite3, psycopg) become StorageError here, where they enter.

``open_store`` is the one way in: it builds the engine from a URL, checks the database is reachable and at
the migration this code ships (``migrate=True`` brings it there first), and returns a ``Store``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from aibeian.errors import StorageError

__all__ = ["Store", "head_revision", "make_engine", "open_store"]

MIGRATIONS = Path(__file__).with_name("migrations")


def _normalise_url(url: str) -> str:
    """``postgresql://`` means psycopg 3 for us; SQLAlchemy alone would pick psycopg2."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def redact(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def make_engine(url: str) -> Engine:
    """An engine for ``url``; a SQLite file's folder is created so a first start needs nothing prepared."""
    try:
        parsed = make_url(_normalise_url(url))
    except ArgumentError as exc:
        raise StorageError(
            f"not a database URL: {url!r}; expected sqlite:///path/file.sqlite3 or postgresql://user@host/db"
        ) from exc
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            cur = dbapi_connection.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    if parsed.get_backend_name() == "postgresql":
        return create_engine(parsed, pool_pre_ping=True, pool_size=10, max_overflow=20)
    raise StorageError(
        f"unsupported database {parsed.get_backend_name()!r} in {redact(url)}; use sqlite or postgresql"
    )


def _alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


class Store:
    """One database: the engine, a session factory, and the URL it was opened from (password hidden)."""

    def __init__(self, engine: Engine, url: str) -> None:
        self.engine = engine
        self.url = redact(url)
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def new_session(self) -> Session:
        """A bare session for callers that manage commit and close themselves (the web request scope)."""
        return self._sessions()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session committed on success and rolled back on error; driver errors become StorageError."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except DBAPIError as exc:
            session.rollback()
            raise StorageError(f"database error on {self.url}: {exc.orig}") from exc
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def current_revision(self) -> str | None:
        try:
            with self.engine.connect() as conn:
                return MigrationContext.configure(conn).get_current_revision()
        except SQLAlchemyError as exc:
            raise StorageError(f"cannot reach the database {self.url}: {_reason(exc)}") from exc

    def migrate(self) -> None:
        """Create or upgrade the schema to this code's head revision."""
        self._refuse_unknown(self.current_revision())
        cfg = _alembic_config()
        try:
            with self.engine.begin() as conn:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
        except SQLAlchemyError as exc:
            raise StorageError(f"migrating {self.url} failed: {_reason(exc)}") from exc

    def check(self) -> None:
        """Raise StorageError unless the database is reachable and exactly at the shipped migration."""
        current = self.current_revision()
        self._refuse_unknown(current)
        if current != head_revision():
            where = "empty (no aibeian tables)" if current is None else f"at migration {current}"
            raise StorageError(
                f"the database {self.url} is {where}; this aibeian needs migration {head_revision()}. "
                "Run `aibeian serve --db URL` (it migrates on start) or `aibeian users create` to migrate it."
            )

    def _refuse_unknown(self, current: str | None) -> None:
        if current is None:
            return
        script = ScriptDirectory.from_config(_alembic_config())
        known = {rev.revision for rev in script.walk_revisions()}
        if current not in known:
            raise StorageError(
                f"the database {self.url} is at migration {current}, which this aibeian does not know "
                "(it was migrated by a newer version); upgrade aibeian or use another database"
            )

    def dispose(self) -> None:
        self.engine.dispose()


def _reason(exc: SQLAlchemyError) -> str:
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def open_store(url: str, *, migrate: bool = False) -> Store:
    """Open the database at ``url``; migrate it first when asked; always check it before returning."""
    store = Store(make_engine(url), url)
    try:
        if migrate:
            store.migrate()
        store.check()
    except BaseException:
        store.dispose()
        raise
    return store
