"""Settings, read from the environment (prefix ``AIBEIAN_``) once at the edge and passed inward.

No module reads the environment on import: the CLI and the web app build one ``Settings`` and hand it to
the functions that need it, so tests can build their own without touching ``os.environ``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings"]


def _default_home() -> Path:
    return Path.home() / ".aibeian"


class Settings(BaseSettings):
    """Every setting aibeian reads. Each is documented in docs/settings.md (a test checks that)."""

    model_config = SettingsConfigDict(env_prefix="AIBEIAN_", extra="ignore")

    home: Path = Field(
        default_factory=_default_home,
        description="Folder for aibeian's own state: the compiled-matcher cache, the default SQLite database.",
    )
    lang: Literal["zh", "en"] = Field(
        default="zh", description="Language of user-facing text and reports: zh (simplified Chinese) or en."
    )
    db_url: str | None = Field(
        default=None,
        description="Database URL (sqlite:///… or postgresql://…); default: SQLite file under home.",
    )

    secret_key: SecretStr | None = Field(
        default=None,
        description="Key that signs the workbench's session cookies; default: a random key kept in home/secret_key.",
    )
    runs_dir: Path | None = Field(
        default=None,
        description="Folder of evaluation run directories the workbench lists; default: home/runs.",
    )
    login_max_attempts: int = Field(
        default=5, ge=1, description="Failed logins allowed per user name and client address in the window."
    )
    login_window_seconds: int = Field(
        default=900, ge=1, description="Window (seconds) over which failed logins are counted."
    )
    secure_cookies: bool = Field(
        default=False,
        description="Mark the session cookie Secure (set it when the workbench is served over HTTPS).",
    )
    keywords_library: Path | None = Field(
        default=None,
        description="Working keyword library CSV the workbench's keyword screen checks; default: "
        "home/keywords/library.csv (else the latest release).",
    )
    keywords_allow: Path | None = Field(
        default=None,
        description="Allow-list CSV the workbench's matcher box applies; default: home/keywords/allow.csv if present.",
    )
    keywords_store: Path | None = Field(
        default=None,
        description="Release store (aibeian keywords release --store) the keyword screen reads; default: "
        "home/keywords/releases.",
    )
    corpus_runs_dir: Path | None = Field(
        default=None,
        description="Folder of corpus scan run directories offered for manual review; default: home/corpus-runs.",
    )
    banks_dir: Path | None = Field(
        default=None,
        description="Folder of bank files (*.jsonl) offered when starting an evaluation in the workbench; "
        "default: home/banks.",
    )
    dossier_dir: Path | None = Field(
        default=None,
        description="Folder of each filing's dossier facts file and builds (the workbench's dossier screen); "
        "default: home/dossier.",
    )
    complaint_policy: Path | None = Field(
        default=None,
        description="The provider's complaint policy (categories, reply limits in working days, attachment "
        "limits), a copy of the packaged complaints/data/policy.yaml; default: the packaged policy.",
    )
    upload_max_mb: int = Field(
        default=50,
        ge=1,
        description="Largest file (MiB) the workbench accepts in any upload; larger ones are refused.",
    )
    holidays: Path | None = Field(
        default=None,
        description="A YAML file of official holidays and make-up working days (调休) for years the packaged "
        "holiday calendar does not know yet (docs/obligations.md); default: none.",
    )
    checklist_dir: Path | None = Field(
        default=None,
        description="Folder of each service's checklist answers file and evidence uploads; default: home/checklist.",
    )

    @property
    def cache_dir(self) -> Path:
        """Where compiled artefacts (e.g. the matcher database) are cached, keyed by content version."""
        return self.home / "cache"

    def evaluation_runs_dir(self) -> Path:
        """Where the workbench looks for evaluation run directories."""
        return self.runs_dir or self.home / "runs"

    def keyword_paths(self) -> tuple[Path, Path, Path]:
        """The working library, the allow-list and the release store the workbench reads."""
        base = self.home / "keywords"
        return (
            self.keywords_library or base / "library.csv",
            self.keywords_allow or base / "allow.csv",
            self.keywords_store or base / "releases",
        )

    def corpus_runs(self) -> Path:
        """Where the workbench looks for corpus scan run directories."""
        return self.corpus_runs_dir or self.home / "corpus-runs"

    def banks_root(self) -> Path:
        """Where the workbench offers bank files for an evaluation job."""
        return self.banks_dir or self.home / "banks"

    def dossier_root(self) -> Path:
        """Where each filing's dossier facts and builds are kept (one folder per filing)."""
        return self.dossier_dir or self.home / "dossier"

    def checklist_root(self) -> Path:
        """Where each service's checklist answers and evidence are kept (one folder per service)."""
        return self.checklist_dir or self.home / "checklist"

    def database_url(self) -> str:
        return self.db_url or f"sqlite:///{self.home / 'aibeian.sqlite3'}"
