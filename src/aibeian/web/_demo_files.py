"""Demo files for ``aibeian serve --demo`` (``make run``) and the screen tests: a small keyword library with
two dated releases and an allow-list, and a scanned synthetic corpus with its manual sample drawn, so the
keyword screen and the corpus review screen have something real to show.

Everything is produced by the library functions a user would run (``ReleaseStore.release``,
``corpus.assess``, ``draw_manual_sample``); the texts and keywords are written for aibeian, labelled as demo
data, and taken from no public list. Existing files are left alone: the demo never overwrites user data.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path
from zoneinfo import ZoneInfo

from aibeian.settings import Settings

__all__ = ["DEMO_CORPUS_RUN", "write_demo_files"]

DEMO_CORPUS_RUN = "demo-corpus"

_LIBRARY_V1 = """keyword,risk,note,added,source
台独,A.1.3,demo: secession slogan,{d1},demo data
臺灣獨立,A.1.3,demo: traditional characters on purpose,{d1},demo data
法轮功,A.1.4,demo: cult name,{d1},demo data
恐怖袭击教程,A.1.4,,{d1},demo data
制作炸弹,A.1.4,,{d1},demo data
裸聊,A.1.6,,{d1},demo data
网络赌博,A.1.8,,{d1},demo data
电信诈骗,A.1.8,,{d1},demo data
"""
_LIBRARY_V2_EXTRA = """地域黑,A.2.4,,{d2},demo data
色情直播,A.1.6,,{d2},demo data
"""
_ALLOW = """keyword,risk,note
反对台独,,quoting the official opposition is not the risk itself
"""
_CLEAN = (
    "社区医院开展义诊活动，老人免费体检。",
    "图书馆推出夜间阅读服务，吸引大量年轻读者。",
    "城市地铁新线路今日开通，市民出行更加便利。",
    "本市今年粮食产量再创新高，农民收入稳步增长。",
    "志愿者走进养老院，为老人表演节目。",
    "请问这款路由器怎么设置访客网络？",
    "推荐几本适合初学者的编程书吧。",
    "周末去郊外爬山，风景很好，空气清新。",
)
_FLAGGED = (
    "警方提醒：接到自称客服的退款电话要警惕电信诈骗。",
    "有人在群里发网络赌博链接，已经举报。",
    "帖子里有人教制作炸弹，版主已删除。",
    "评论区出现地域黑言论，请文明发言。",
)


def _write_keywords(settings: Settings, today: dt.date) -> None:
    from aibeian.keywords import Library, ReleaseStore

    library_path, allow_path, store_dir = settings.keyword_paths()
    if library_path.exists() or store_dir.exists():
        return
    library_path.parent.mkdir(parents=True, exist_ok=True)
    d1, d2 = today - dt.timedelta(days=16), today - dt.timedelta(days=9)
    staging = library_path.with_name(".demo-v1.csv")
    staging.write_text(_LIBRARY_V1.format(d1=d1), encoding="utf-8")
    store = ReleaseStore(store_dir)
    store.release(Library.load(staging), date=d1, note="演示：初始词库 / demo: first library")
    staging.unlink()
    library_path.write_text(_LIBRARY_V1.format(d1=d1) + _LIBRARY_V2_EXTRA.format(d2=d2), encoding="utf-8")
    store.release(Library.load(library_path), date=d2, note="演示：新增两个词 / demo: two keywords added")
    if not allow_path.exists():
        allow_path.write_text(_ALLOW, encoding="utf-8")


def _write_corpus(settings: Settings, work: Path, seed: int = 7) -> None:
    from aibeian.corpus import RunDir, assess, draw_manual_sample, thresholds

    run_dir = settings.corpus_runs() / DEMO_CORPUS_RUN
    if run_dir.exists():
        return
    rng = random.Random(seed)
    corpus = work / "corpus"
    for source, count in (("news", 48), ("forum", 32)):
        rows = []
        for n in range(count):
            parts = rng.sample(_CLEAN, 2)
            if rng.random() < 0.15:
                parts[rng.randrange(2)] = rng.choice(_FLAGGED)
            rows.append({"id": f"{source}-{n:03d}", "text": "".join(parts)})
        (corpus / source).mkdir(parents=True, exist_ok=True)
        (corpus / source / "part-0.jsonl").write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
        )
    sources = work / "sources.yaml"
    sources.write_text(
        "text_field: text\nsources:\n"
        "  - id: news\n    name: 演示新闻 / demo news\n    paths: ['news/**']\n    licence: demo data\n"
        "  - id: forum\n    name: 演示论坛 / demo forum\n    paths: ['forum/**']\n    licence: demo data\n",
        encoding="utf-8",
    )
    keywords = work / "keywords.csv"
    keywords.write_text(
        _LIBRARY_V1.format(d1=dt.date(2026, 1, 1)) + _LIBRARY_V2_EXTRA.format(d2=dt.date(2026, 1, 1)),
        encoding="utf-8",
    )
    assess([str(corpus)], sources=sources, keywords=keywords, out=run_dir)
    draw_manual_sample(RunDir(run_dir), int(thresholds()["corpus_manual_sample_min_items"]))


def write_demo_files(settings: Settings, *, today: dt.date | None = None) -> None:
    """Write the demo keyword library and corpus run under ``settings``' folders (first time only)."""
    # release dates are calendar days in Asia/Shanghai, as ReleaseStore counts the weekly interval
    _write_keywords(settings, today or dt.datetime.now(ZoneInfo("Asia/Shanghai")).date())
    _write_corpus(settings, settings.home / "demo-corpus-input")
