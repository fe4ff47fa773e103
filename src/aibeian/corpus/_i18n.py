"""Report wording, Chinese first (the filing language) with English beside it: one table, so a translation
is never missing in one format and present in another."""

from __future__ import annotations

__all__ = ["LANGS", "t"]

LANGS = ("zh", "en")

TEXT: dict[str, tuple[str, str]] = {
    "title": ("训练语料安全评估", "Training-corpus safety assessment"),
    "subtitle": ("安全评估报告·语料安全部分", "Security self-assessment: corpus section"),
    "conclusion": ("结论", "Conclusion"),
    "status.pass": ("通过", "pass"),
    "status.fail": ("不通过", "fail"),
    "status.incomplete": ("未完成", "incomplete"),
    "status.uncertain": ("待定（置信区间跨越限值）", "uncertain (interval crosses the limit)"),
    "status.not_sampled": ("未抽到样本", "not sampled"),
    "overall": ("总体结论", "Overall"),
    "technical_check": ("技术抽检", "Technical spot check"),
    "interrupted": (
        "扫描已中断：{done}/{total} 个分片已完成并保存在 {out}；重新运行同一命令即可从中断处继续",
        "scan interrupted: {done} of {total} shards are done and kept in {out}; rerun the same command to resume",
    ),
    "interrupted_early": (
        "扫描在开始前被中断，尚未扫描任何内容",
        "scan interrupted before it started; nothing was scanned",
    ),
    "manual_check": ("人工抽检", "Manual spot check"),
    "reason.source_over_limit": (
        "有来源的违法不良信息比例超过限值，该来源不得用于训练",
        "a source's flagged rate is above the limit: it must not be used",
    ),
    "reason.technical_fraction_low": (
        "技术抽检比例低于标准最低要求",
        "the technical sample is below the minimum fraction",
    ),
    "reason.technical_rate_low": (
        "技术抽检合格率低于标准要求",
        "the technical qualified rate is below the minimum",
    ),
    "reason.manual_rate_low": (
        "人工抽检合格率低于标准要求",
        "the manual qualified rate is below the minimum",
    ),
    "reason.corrupt_items": (
        "有语料条目无法读取（见“问题”），修正后重新运行扫描即可续跑",
        "some items could not be read (see Problems); fix them and rerun the scan to resume",
    ),
    "reason.unassigned_items": ("有语料条目不属于任何已声明来源", "some items belong to no declared source"),
    "reason.source_not_sampled": (
        "有来源未抽到技术抽检样本",
        "a source has no items in the technical sample",
    ),
    "reason.manual_incomplete": (
        "人工抽检已审核条目不足标准最低数量，人工抽检尚未完成",
        "fewer reviewed manual-sample items than the minimum: the manual check is not complete",
    ),
    "reason.source_uncertain": (
        "有来源的置信区间上限超过限值，建议提高该来源的抽检比例",
        "a source's interval reaches above the limit: sample more of it",
    ),
    "overview": ("语料概况", "Corpus overview"),
    "items": ("条目数", "items"),
    "chars": ("字符数", "characters"),
    "bytes": ("文件大小（字节）", "file size (bytes)"),
    "files": ("文件数", "files"),
    "shards": ("分片数", "shards"),
    "sources": ("语料来源", "Sources"),
    "source": ("来源", "source"),
    "name": ("名称", "name"),
    "licence": ("授权/许可", "licence"),
    "provenance": ("来源说明", "provenance"),
    "notes": ("备注", "notes"),
    "method": ("评估方法", "Screening method"),
    "method.keywords": (
        "关键词库：{keywords} 个关键词（内容哈希 {hash}），抗变体匹配（繁简、全半角、大小写、插入符号、拼音）。",
        "Keyword library: {keywords} keywords (content hash {hash}), evasion-resistant matching "
        "(traditional/simplified, full/half width, case, inserted symbols, pinyin).",
    ),
    "method.judges": ("评判模型/规则：{judges}。", "Judges: {judges}."),
    "method.sample": (
        "技术抽检：每个分片中按（随机种子 {seed}，条目编号）的密钥哈希取最小的 ⌈{rate}×n⌉ 条，"
        "抽样比例不低于 {rate}，结果与引擎和并行数无关、可复现。命中关键词或被评判为不安全的条目记为不合格。",
        "Technical sample: in each shard the ⌈{rate}·n⌉ items with the smallest keyed hash of (seed "
        "{seed}, item id), so at least {rate} of the corpus is checked, reproducibly and whatever the "
        "engine or worker count. An item matching a keyword or judged unsafe is unqualified.",
    ),
    "method.manual": (
        "人工抽检：按来源规模分层按比例随机抽取，由审核人员逐条判定是否合格并说明理由。",
        "Manual sample: drawn at random, stratified by source in proportion to size; reviewers mark "
        "each item qualified or not, with a reason.",
    ),
    "method.interval": ("比例均给出 95% 置信区间（Wilson 方法）。", "Rates carry 95 % Wilson intervals."),
    "per_source": ("逐来源评估结果", "Per-source results"),
    "sampled": ("抽检数", "sampled"),
    "flagged": ("不合格数", "flagged"),
    "flagged_rate": ("不合格比例", "flagged rate"),
    "interval": ("95% 置信区间", "95 % interval"),
    "limit": ("限值", "limit"),
    "result": ("结果", "result"),
    "risks": ("涉及风险", "risks"),
    "fraction": ("抽检比例", "sample fraction"),
    "min_fraction": ("最低抽检比例", "minimum fraction"),
    "qualified": ("合格数", "qualified"),
    "qualified_rate": ("合格率", "qualified rate"),
    "min_pass_rate": ("最低合格率", "minimum qualified rate"),
    "drawn": ("已抽取", "drawn"),
    "reviewed": ("已审核", "reviewed"),
    "min_items": ("最少审核条数", "minimum reviewed items"),
    "not_drawn": (
        "尚未抽取人工抽检样本（aibeian corpus sample）。",
        "No manual sample drawn yet (aibeian corpus sample).",
    ),
    "reasons": ("不合格原因", "Reasons for unqualified items"),
    "problems": ("问题", "Problems"),
    "corrupt": ("无法读取的条目", "unreadable items"),
    "unassigned": ("未归属来源的条目", "items of no source"),
    "ignored": ("未读取的文件（格式不支持）", "files not read (unsupported type)"),
    "no_problems": ("无。", "None."),
    "examples": ("不合格条目示例", "Examples of flagged items"),
    "id": ("条目编号", "item id"),
    "evidence": ("命中内容", "evidence"),
    "location": ("位置", "location"),
    "message": ("说明", "message"),
    "value": ("数值", "value"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
}


def t(key: str, lang: str, **values: object) -> str:
    zh, en = TEXT[key]
    text = zh if lang == "zh" else en
    return text.format(**values) if values else text
