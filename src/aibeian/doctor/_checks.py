"""The checks behind ``aibeian doctor``. Each is cheap (no network, no model) and never raises: a check that
cannot run reports why, so one broken piece never hides the state of the others."""

from __future__ import annotations

import ctypes.util
import datetime as dt
import importlib.util
import platform
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

from aibeian import __version__
from aibeian.errors import AibeianError
from aibeian.settings import Settings

__all__ = ["Check", "run_checks"]

Status = Literal["ok", "warn", "missing", "error"]


@dataclass(frozen=True)
class Check:
    """One finding. ``required`` checks make ``aibeian doctor`` exit 1 when not ok; the others only warn,
    because a missing optional tool disables one feature, not the product."""

    name: str
    status: Status
    detail: str
    needed_for: str
    hint: str = ""
    required: bool = False

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

    def needed_for_in(self, lang: str) -> str:
        return NEEDED_FOR_ZH.get(self.needed_for, self.needed_for) if lang == "zh" else self.needed_for


NEEDED_FOR_ZH = {
    "everything": "全部功能",
    "every check against the standard (risks, thresholds, quotas)": "依据标准的全部检查（风险、阈值、数量要求）",
    "keyword matching speed (keywords scan, corpus scan, keyword judge)": "关键词匹配速度（关键词扫描、语料扫描、关键词评判）",
    "working-day deadlines (complaints, filing feedback)": "工作日期限（投诉举报、备案反馈）",
    "the workbench (aibeian serve), complaints, users": "工作台（aibeian serve）、投诉举报、账户",
    "visible labels on images, video and PDF": "图片、视频和 PDF 的显式标识",
    "fast JPEG labelling (re-encodes only the blocks under the label)": "JPEG 快速加标识（只重新编码标识所在的块）",
    "audio and video labels": "音频和视频标识",
    "verifying audio and video labels": "核验音频和视频标识",
    "the spoken audio notice (--audio-notice speech)": "音频语音提示（--audio-notice speech）",
    "corpus scan --engine ray": "语料扫描 --engine ray",
    "corpus scan speed on JSONL": "JSONL 语料扫描速度",
}


def _check_standards() -> Check:
    from aibeian.standards import load_standards

    need = "every check against the standard (risks, thresholds, quotas)"
    try:
        s = load_standards()
    except AibeianError as exc:
        return Check("standards", "error", str(exc), need, "reinstall aibeian", required=True)
    return Check("standards", "ok", f"{s.standard}: {len(s.risks)} risks", need, required=True)


def _check_matcher() -> Check:
    from aibeian.keywords import ENGINE, ENGINES

    need = "keyword matching speed (keywords scan, corpus scan, keyword judge)"
    detail = f"engine {ENGINE} (installed: {', '.join(ENGINES)})"
    if ENGINE == "native":
        return Check("matcher", "ok", detail, need)
    return Check(
        "matcher",
        "warn",
        detail + "; same results, several times slower",
        need,
        "install a C compiler and the Python headers, then reinstall: pip install -e . (or pip install aibeian)",
    )


def _check_corpus_reader() -> Check:
    from aibeian.corpus._blocks import NATIVE

    need = "corpus scan speed on JSONL"
    if NATIVE is not None:
        return Check("corpus-reader", "ok", "C lexer (aibeian.corpus._cjsonl)", need)
    return Check(
        "corpus-reader",
        "warn",
        "C lexer not built; JSONL is read with pyarrow (same results, several times slower)",
        need,
        "install a C compiler and the Python headers, then reinstall: pip install -e . (or pip install aibeian)",
    )


def _tool(name: str, binary: str, need: str, package: str) -> Check:
    found = shutil.which(binary)
    if found:
        return Check(name, "ok", found, need)
    return Check(name, "missing", f"{binary} not found on PATH", need, f"apt-get install {package}")


def _check_font() -> Check:
    from aibeian.labeling._render import FONT_HINT, find_cjk_font

    need = "visible labels on images, video and PDF"
    try:
        return Check("cjk-font", "ok", find_cjk_font(), need)
    except AibeianError as exc:
        return Check("cjk-font", "missing", str(exc), need, FONT_HINT)


def _check_turbojpeg() -> Check:
    need = "fast JPEG labelling (re-encodes only the blocks under the label)"
    found = ctypes.util.find_library("turbojpeg")
    if found:
        return Check("libturbojpeg", "ok", found, need)
    return Check(
        "libturbojpeg",
        "warn",
        "not found; JPEG labels fall back to a full re-encode",
        need,
        "apt-get install libturbojpeg0",
    )


def _check_ray() -> Check:
    need = "corpus scan --engine ray"
    if importlib.util.find_spec("ray") is not None:
        return Check("ray", "ok", "installed", need)
    return Check(
        "ray", "warn", "not installed (the local engine works without it)", need, "pip install 'aibeian[ray]'"
    )


def _check_holidays(today: dt.date, holiday_file: Path | None = None) -> Check:
    """How far working-day deadlines can be computed: the package's years, then a holiday file's (read here,
    not installed: the doctor only looks)."""
    from aibeian.errors import InputError
    from aibeian.obligations import package_knows
    from aibeian.obligations._holiday_file import load_holiday_file

    need = "working-day deadlines (complaints, filing feedback)"
    try:
        in_file = sorted(load_holiday_file(holiday_file)) if holiday_file is not None else []
    except InputError as exc:
        return Check(
            "holiday-calendar", "error", f"the holiday file has mistakes: {exc}", need, "fix AIBEIAN_HOLIDAYS"
        )
    added = [y for y in in_file if not package_knows(y)]
    known = [y for y in range(today.year - 1, today.year + 2) if package_knows(y)]
    last_package = max(known) if known else None
    last = max([*known, *(y for y in added if y >= today.year - 1)], default=None)
    extra = f"; {', '.join(str(y) for y in added)} from the holiday file {holiday_file}" if added else ""
    ignored = [y for y in in_file if y not in added]
    if ignored:
        extra += f" ({', '.join(map(str, ignored))} in the file ignored: the package knows them)"
    upto = f"official holidays known up to {last_package}{extra}"
    if last is None or last < today.year:
        return Check(
            "holiday-calendar",
            "error",
            f"no official holiday data for {today.year}",
            need,
            "pip install -U chinese-calendar, or give the year in a holiday file (AIBEIAN_HOLIDAYS)",
            required=True,
        )
    if last == today.year and today >= dt.date(today.year, 11, 1):
        return Check(
            "holiday-calendar",
            "warn",
            f"{upto}; deadlines that run into {last + 1} cannot be computed",
            need,
            "pip install -U chinese-calendar once the State Council publishes next year's holidays, or enter "
            "them in a holiday file (AIBEIAN_HOLIDAYS, docs/obligations.md)",
        )
    return Check("holiday-calendar", "ok", upto, need)


def _check_database(settings: Settings) -> Check:
    from aibeian.storage import Store, head_revision, make_engine

    url = settings.database_url()
    need = "the workbench (aibeian serve), complaints, users"
    if url.startswith("sqlite:///"):
        file = Path(url.removeprefix("sqlite:///"))
        if not file.is_file():  # do not create an empty database just by looking
            return Check(
                "database", "warn", f"{url}: not created yet", need, "aibeian serve creates it on first start"
            )
    try:
        store = Store(make_engine(url), url)
        current = store.current_revision()
    except AibeianError as exc:
        return Check("database", "warn", str(exc), need, "check AIBEIAN_DB_URL / --db")
    if current is None:
        return Check(
            "database", "warn", f"{url}: not created yet", need, "aibeian serve creates it on first start"
        )
    if current != head_revision():
        return Check(
            "database",
            "warn",
            f"{url}: at migration {current}, this aibeian needs {head_revision()}",
            need,
            "aibeian serve migrates it on start",
        )
    return Check("database", "ok", f"{url}: migration {current}", need)


def run_checks(settings: Settings, *, today: dt.date | None = None) -> list[Check]:
    """Every check, in the order a user reads them: the core first, then each feature's dependencies."""
    today = today or dt.date.today()
    checks: list[Callable[[], Check]] = [
        lambda: Check("aibeian", "ok", f"{__version__} on Python {platform.python_version()}", "everything"),
        _check_standards,
        _check_matcher,
        _check_corpus_reader,
        lambda: _check_holidays(today, settings.holidays),
        lambda: _check_database(settings),
        _check_font,
        _check_turbojpeg,
        lambda: _tool("ffmpeg", "ffmpeg", "audio and video labels", "ffmpeg"),
        lambda: _tool("ffprobe", "ffprobe", "verifying audio and video labels", "ffmpeg"),
        lambda: _tool(
            "espeak-ng", "espeak-ng", "the spoken audio notice (--audio-notice speech)", "espeak-ng"
        ),
        _check_ray,
    ]
    results = []
    for check in checks:
        try:
            results.append(check())
        except Exception as exc:  # a broken check reports itself, the others still run
            results.append(
                Check(getattr(check, "__name__", "check"), "error", f"{type(exc).__name__}: {exc}", "")
            )
    return results
