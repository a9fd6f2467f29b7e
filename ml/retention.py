"""Retention lists (挽留名单): the subscribers to call, with why and what to offer.

Top-N or above-threshold subscribers of a scored month, filtered by province / city / segment,
with masked msisdn, risk, value (ARPU), the three reasons, and a suggested action from the
editable rule table ``config/retention_rules.csv`` (the first rule, by priority, whose
``reason_code`` matches reason 1, else reason 2, else reason 3; ``*`` matches anything).
Excluded: subscribers already gone (not in service in the latest month of the warehouse) and
those who opted out of marketing contact (免打扰). Written as CSV and Excel by the generic list
export (ml/lists.py): Chinese headers, names beside the codes, masked msisdn, and up to three
reasons a caller can talk about (``EXPORT_COLUMNS``).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from jingfen.config import REPO_ROOT, settings
from ml import lists, warehouse

RULES_PATH = REPO_ROOT / "config" / "retention_rules.csv"
RULE_COLUMNS = ["priority", "reason_code", "action_code", "action_zh", "action_en"]


def load_rules(path: Path = RULES_PATH) -> pd.DataFrame:
    rules = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in RULE_COLUMNS if c not in rules.columns]
    if missing:
        raise ValueError(
            f"{path}: the rule table lacks column(s) {missing}; expected {RULE_COLUMNS}"
        )
    for i, p in enumerate(rules["priority"], start=2):
        if not p.strip().lstrip("-").isdigit():
            raise ValueError(f"{path} line {i}: priority {p!r} is not a whole number")
    rules["priority"] = rules["priority"].astype(int)
    return rules.sort_values("priority", kind="stable").reset_index(drop=True)


def suggest_actions(frame: pd.DataFrame, rules: pd.DataFrame) -> pd.DataFrame:
    """action_code / action_zh / action_en for each row from its reason codes (pure)."""
    by_code: dict[str, tuple[str, str, str]] = {}
    wildcard: tuple[str, str, str] | None = None
    for r in rules.itertuples(index=False):
        entry = (r.action_code, r.action_zh, r.action_en)
        if r.reason_code == "*":
            wildcard = wildcard or entry
        else:
            by_code.setdefault(r.reason_code, entry)
    out = np.full((len(frame), 3), None, dtype=object)
    assigned = np.zeros(len(frame), dtype=bool)
    for slot in (1, 2, 3):
        col = f"reason_{slot}_code"
        if col not in frame:
            continue
        codes = frame[col].astype("string").fillna("").to_numpy()
        for i in np.flatnonzero(~assigned):
            hit = by_code.get(codes[i])
            if hit is not None:
                out[i] = hit
                assigned[i] = True
    if wildcard is not None:
        out[~assigned] = wildcard
    return pd.DataFrame(out, columns=["action_code", "action_zh", "action_en"], index=frame.index)


def candidates(month: date | None = None) -> pd.DataFrame:
    """Scored subscribers of ``month`` (default: the latest scored month) joined to their
    region, segment, value and masked msisdn; gone and opted-out subscribers excluded."""
    with warehouse.connect(read_only=True) as con:
        if not warehouse.table_exists(con, warehouse.SCHEMA, "churn_scores"):
            raise LookupError("the warehouse has no ml.churn_scores: run `jingfen ml score` first")
        if month is None:
            month = con.execute("select max(score_month) from ml.churn_scores").fetchall()[0][0]
        sql = """
        with latest as (select max(month_start) as m from main.fct_subscriber_month),
        now_in_service as (
            select subs_id, is_in_service, is_opt_out
            from main.fct_subscriber_month
            where month_start = (select m from latest)
        )
        select
            sc.*,
            f.prov_code, f.city_code, f.pay_type, f.net_type, f.package_code, f.arpu_band,
            cast(f.revenue_yuan as double) as arpu_yuan,
            d.msisdn_masked,
            coalesce(n.is_in_service, false) as is_in_service_now,
            coalesce(n.is_opt_out, f.is_opt_out, false) as is_opt_out
        from ml.churn_scores as sc
        join main.fct_subscriber_month as f
            on f.subs_id = sc.subs_id and f.month_start = sc.score_month
        left join main.dim_subscriber as d
            on d.subscriber_sk = f.subscriber_sk
        left join now_in_service as n
            on n.subs_id = sc.subs_id
        where sc.score_month = ?
        """
        frame = con.execute(sql, [month]).df()
        names = lists.load_names(con)
    frame = frame[frame.is_in_service_now & ~frame.is_opt_out].reset_index(drop=True)
    return lists.add_names(frame, names)


def build_list(
    frame: pd.DataFrame,
    rules: pd.DataFrame,
    top: int | None = 1000,
    threshold: float | None = None,
    prov_code: str | None = None,
    city_code: str | None = None,
    pay_type: str | None = None,
    min_arpu: float | None = None,
) -> pd.DataFrame:
    """Filter, rank and annotate candidates (pure): the retention list."""
    x = frame
    if prov_code:
        x = x[x.prov_code == prov_code]
    if city_code:
        x = x[x.city_code == city_code]
    if pay_type:
        x = x[x.pay_type == pay_type]
    if min_arpu is not None:
        x = x[x.arpu_yuan >= min_arpu]
    if threshold is not None:
        x = x[x.p_churn >= threshold]
    # rank by risk, then by value: the expected revenue at stake breaks ties
    x = x.assign(value_at_risk_yuan=(x.p_churn * x.arpu_yuan).round(2))
    x = x.sort_values(["p_churn", "value_at_risk_yuan"], ascending=False, kind="stable")
    if top is not None:
        x = x.head(top)
    if any(name not in x for name, _ in lists.NAME_COLUMNS.values()):
        x = lists.add_names(x, lists.load_names())
    x = pd.concat([x, suggest_actions(x, rules), lists.caller_reasons(x)], axis=1)
    x.insert(0, "rank", range(1, len(x) + 1))
    cols = [
        "rank",
        "score_month",
        "prov_code",
        "prov_name",
        "city_code",
        "city_name",
        "subs_id",
        "msisdn_masked",
        "pay_type",
        "pay_type_name",
        "net_type",
        "net_type_name",
        "package_code",
        "package_name",
        "arpu_yuan",
        "p_churn",
        "risk_decile",
        "value_at_risk_yuan",
        "reason_1",
        "reason_2",
        "reason_3",
        "reason_note",
        "reason_1_zh",
        "reason_2_zh",
        "reason_3_zh",
        "action_code",
        "action_zh",
        "reason_1_en",
        "reason_2_en",
        "reason_3_en",
        "action_en",
        "reason_1_code",
        "reason_2_code",
        "reason_3_code",
        "model_version",
    ]
    return x[[c for c in cols if c in x.columns]].reset_index(drop=True)


# what a caller sees, in order: source column -> Chinese header
EXPORT_COLUMNS: dict[str, str] = {
    "rank": "序号",
    "score_month": "评分月份",
    "prov_code": "省份编码",
    "prov_name": "省份",
    "city_code": "地市编码",
    "city_name": "地市",
    "subs_id": "用户编号",
    "msisdn_masked": "服务号码（脱敏）",
    "pay_type_name": "付费类型",
    "net_type_name": "网络制式",
    "package_code": "套餐编码",
    "package_name": "套餐名称",
    "arpu_yuan": "月消费（元）",
    "p_churn": "流失概率",
    "risk_decile": "风险十分位（1 最高）",
    "value_at_risk_yuan": "风险收入（元）",
    "reason_1": "原因一",
    "reason_2": "原因二",
    "reason_3": "原因三",
    "reason_note": "原因说明",
    "action_zh": "建议维系动作",
    "model_version": "模型版本",
}


def write_list(
    frame: pd.DataFrame, out_dir: Path | None = None, stem: str | None = None
) -> dict[str, str]:
    """Write the list through the generic export (ml/lists.py): CSV and .xlsx, Chinese headers."""
    out_dir = out_dir or settings().paths.home / "exports" / "retention"
    month = str(frame["score_month"].iloc[0])[:7] if len(frame) else "empty"
    columns = {c: h for c, h in EXPORT_COLUMNS.items() if c in frame.columns}
    return lists.export(frame, columns, out_dir, stem or f"retention_{month}", "挽留名单")


def write_rules_table(rules: pd.DataFrame) -> None:
    """Publish the rule table as ``ml.retention_rules`` so the retention mart can apply it."""
    with warehouse.connect() as con:
        warehouse.replace_partition(con, "retention_rules", rules[RULE_COLUMNS])
