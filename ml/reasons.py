"""Readable reasons (流失原因) from per-feature contributions, in Chinese and English.

Each subscriber's three features that raise the risk most (largest positive contributions)
become ``reason_k_code`` (stable, for the retention rule table), ``reason_k_zh`` and
``reason_k_en``, worded with the subscriber's own value: "通话量三个月下降 62%" / "Voice minutes
down 62% over three months". A feature the catalogue does not know (a data scientist's own data
set) still gets a plain reason: "特征 x = 3.2".

Actionable reasons (可沟通原因). A list goes to a caller, who can talk about six things only:
the usage trend, the contract end, arrears, complaints, network quality and a better package
(``THEMES``). With ``actionable_only=True`` (what churn scoring uses) the reasons are drawn only
from the features whose code has a theme (``ACTIONABLE``); region, pay type, network type,
channel, tenure and features the catalogue does not know still weigh in the score but are never
worded as a reason. A row with fewer than three risk-raising actionable features gets fewer
reasons (NULL in the later slots), never a filler.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

Kind = Literal["change", "count", "amount", "months", "level", "category", "flag", "rate"]


@dataclass(frozen=True)
class Reason:
    """How one feature reads as a reason. ``zh``/``en`` are prefixes; the kind decides the rest."""

    code: str
    kind: Kind
    zh: str
    en: str
    unit_zh: str = ""
    unit_en: str = ""
    scale: float = 1.0  # a "rate" stored as a share (0-1) is shown as a percentage with 100


CATALOGUE: dict[str, Reason] = {
    "tenure_months": Reason("SHORT_TENURE", "months", "在网时长仅", "Tenure only"),
    "arpu_yuan": Reason("ARPU_LEVEL", "amount", "月消费", "Monthly spend"),
    "arpu_3m_avg_yuan": Reason("ARPU_LEVEL", "amount", "近三月平均消费", "3-month average spend"),
    "arpu_chg_3m": Reason(
        "ARPU", "change", "月消费三个月", "Monthly spend {dir} {pct}% over three months"
    ),
    "mou": Reason("MOU_LEVEL", "level", "本月通话", "Voice minutes this month", "分钟", "min"),
    "mou_chg_3m": Reason(
        "MOU", "change", "通话量三个月", "Voice minutes {dir} {pct}% over three months"
    ),
    "mou_chg_6m": Reason(
        "MOU", "change", "通话量半年", "Voice minutes {dir} {pct}% over six months"
    ),
    "arpu_chg_6m": Reason(
        "ARPU", "change", "月消费半年", "Monthly spend {dir} {pct}% over six months"
    ),
    "active_days_chg_3m": Reason(
        "ACTIVE_DAYS", "change", "活跃天数三个月", "Active days {dir} {pct}% over three months"
    ),
    "active_days_chg_6m": Reason(
        "ACTIVE_DAYS", "change", "活跃天数半年", "Active days {dir} {pct}% over six months"
    ),
    "dou_mb": Reason("DOU_LEVEL", "level", "本月流量", "Data this month", "MB", "MB"),
    "dou_chg_3m": Reason("DOU", "change", "流量三个月", "Data use {dir} {pct}% over three months"),
    "dou_chg_6m": Reason("DOU", "change", "流量半年", "Data use {dir} {pct}% over six months"),
    "active_days": Reason(
        "LOW_ACTIVITY", "level", "本月活跃天数", "Active days this month", "天", "days"
    ),
    "silent_months_3m": Reason(
        "SILENT", "count", "近三个月沉默", "Silent months in the last three:", "个月", ""
    ),
    "complaint_cnt_3m": Reason(
        "COMPLAINTS", "count", "近三个月投诉", "Complaints in the last three months:", "次", ""
    ),
    "network_complaint_cnt_3m": Reason(
        "NETWORK_COMPLAINTS",
        "count",
        "近三个月网络投诉",
        "Network complaints in the last three months:",
        "次",
        "",
    ),
    "arrears_yuan": Reason("ARREARS", "amount", "欠费", "Arrears of"),
    "is_suspended_for_arrears": Reason(
        "SUSPENDED_ARREARS", "flag", "欠费停机", "Suspended for arrears"
    ),
    "arrears_age_months": Reason("ARREARS_AGE", "months", "欠费账龄", "Arrears outstanding for"),
    "late_payment_cnt_6m": Reason(
        "LATE_PAYMENT", "count", "近半年逾期缴费", "Late payments in six months:", "次", ""
    ),
    "contract_months_left": Reason("CONTRACT_ENDING", "months", "合约剩余", "Contract ends in"),
    "terminal_age_months": Reason("OLD_TERMINAL", "months", "终端已使用", "Handset in use for"),
    "is_5g_terminal": Reason("NO_5G_TERMINAL", "flag", "终端", "Handset"),
    "main_cell_drop_rate": Reason(
        "NETWORK_QUALITY", "rate", "常驻小区掉线率", "Home-cell drop rate"
    ),
    "main_cell_congestion_rate": Reason(
        "NETWORK_QUALITY", "rate", "常驻小区拥塞率", "Home-cell congestion rate"
    ),
    "main_cell_availability": Reason(
        "NETWORK_QUALITY", "rate", "常驻小区可用率", "Home-cell availability"
    ),
    "package_code": Reason("PACKAGE", "category", "现用套餐", "Current package"),
    "package_fee_yuan": Reason("PRICE", "amount", "套餐月费", "Package fee"),
    "pay_type": Reason("PAY_TYPE", "category", "付费类型", "Payment type"),
    "net_type": Reason("NET_TYPE", "category", "网络类型", "Network"),
    "prov_code": Reason("REGION", "category", "省份", "Province"),
    "channel_level1_code": Reason("CHANNEL", "category", "发展渠道", "Acquisition channel"),
    "discount_share": Reason("PRICE", "rate", "优惠占比", "Discount share", scale=100.0),
}


THEMES: dict[str, tuple[str, str]] = {
    "usage": ("使用趋势", "usage trend"),
    "contract": ("合约到期", "contract end"),
    "arrears": ("欠费缴费", "arrears"),
    "complaints": ("投诉", "complaints"),
    "network": ("网络质量", "network quality"),
    "package": ("套餐适配", "a better package"),
}

# reason code (without the _UP/_DOWN of a change) -> theme; codes not here are never worded
ACTIONABLE: dict[str, str] = {
    "MOU": "usage",
    "DOU": "usage",
    "MOU_LEVEL": "usage",
    "DOU_LEVEL": "usage",
    "SILENT": "usage",
    "LOW_ACTIVITY": "usage",
    "ACTIVE_DAYS": "usage",
    "CONTRACT_ENDING": "contract",
    "ARREARS": "arrears",
    "SUSPENDED_ARREARS": "arrears",
    "ARREARS_AGE": "arrears",
    "LATE_PAYMENT": "arrears",
    "COMPLAINTS": "complaints",
    "NETWORK_COMPLAINTS": "complaints",
    "NETWORK_QUALITY": "network",
    # spend and price point at a package that fits better; an old or non-5G handset at a
    # package with a handset
    "ARPU": "package",
    "ARPU_UP": "package",  # a rising bill: price pressure
    "ARPU_DOWN": "usage",  # a falling bill: spending less, using less
    "ARPU_LEVEL": "package",
    "PRICE": "package",
    "PACKAGE": "package",
    "OLD_TERMINAL": "package",
    "NO_5G_TERMINAL": "package",
}


def theme(code: object) -> str | None:
    """The actionable theme of a reason code (``MOU_DOWN`` -> ``usage``), None if it has none."""
    if not isinstance(code, str) or not code:
        return None
    base = code.removesuffix("_DOWN").removesuffix("_UP")
    return ACTIONABLE.get(code) or ACTIONABLE.get(base)


def is_actionable_feature(feature: str) -> bool:
    spec = CATALOGUE.get(feature)
    return spec is not None and spec.code in ACTIONABLE


def _fmt_number(v: pd.Series, decimals: int = 0) -> pd.Series:
    rounded = v.round(decimals)
    if decimals == 0:
        return rounded.astype("Int64").astype("string")
    return rounded.map(lambda x: f"{x:.{decimals}f}", na_action="ignore").astype("string")


def _texts(
    feature: str, values: pd.Series, labels: dict[str, tuple[str, str]] | None = None
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(code, zh, en) for the rows whose reason is ``feature``, worded with their values
    (a category by its name from ``labels``, code -> (zh, en), when given)."""
    spec = CATALOGUE.get(feature)
    n = len(values)
    idx = values.index
    if spec is None:
        shown = (
            _fmt_number(pd.to_numeric(values, errors="coerce"), 2)
            if pd.api.types.is_numeric_dtype(values.dtype)
            else values.astype("string")
        )
        shown = shown.fillna("空")
        code = pd.Series([feature.upper()] * n, index=idx, dtype="string")
        return (
            code,
            "特征 " + feature + " = " + shown,
            "feature " + feature + " = " + shown.str.replace("空", "missing"),
        )
    base = pd.Series([spec.code] * n, index=idx, dtype="string")
    if spec.kind == "category":
        codes = values.astype("string")
        if labels is not None:
            zh_names = codes.map(
                lambda c: labels.get(c, ("未知", "unknown"))[0], na_action="ignore"
            )
            en_names = codes.map(
                lambda c: labels.get(c, ("未知", "unknown"))[1], na_action="ignore"
            )
            zh_names = zh_names.astype("string").fillna("未知")
            en_names = en_names.astype("string").fillna("unknown")
            return base, spec.zh + " " + zh_names, spec.en + " " + en_names
        shown = codes.fillna("未知")
        return base, spec.zh + " " + shown, spec.en + " " + shown.str.replace("未知", "unknown")
    num = pd.to_numeric(values, errors="coerce").astype("float64")
    missing_zh = spec.zh + "缺失"
    missing_en = spec.en.split(" {")[0] + " missing"
    if spec.kind == "change":
        down = num < 0
        pct = _fmt_number((num.abs() * 100).clip(upper=999))
        code = base + pd.Series(np.where(down, "_DOWN", "_UP"), index=idx, dtype="string")
        zh = spec.zh + pd.Series(np.where(down, "下降 ", "上升 "), index=idx) + pct + "%"
        en_dir = pd.Series(np.where(down, "down", "up"), index=idx)
        head, _, tail = spec.en.partition(" {dir} {pct}%")
        en = head + " " + en_dir + " " + pct + "%" + tail
    elif spec.kind == "count":
        n_str = _fmt_number(num)
        zh = spec.zh + " " + n_str + " " + (spec.unit_zh or "次")
        en = spec.en + " " + n_str
        code = base
    elif spec.kind == "amount":
        amt = _fmt_number(num)
        zh = spec.zh + " " + amt + " 元"
        en = spec.en + " " + amt + " yuan"
        code = base
    elif spec.kind == "months" and feature == "contract_months_left":
        # what the caller says: ends in n months / this month / ended n months ago / no contract
        m = _fmt_number(num).fillna("").to_numpy(dtype=object)
        ago = _fmt_number(-num).fillna("").to_numpy(dtype=object)
        when = [(num > 0).to_numpy(), (num == 0).to_numpy(), (num < 0).to_numpy()]
        zh = pd.Series(
            np.select(
                when,
                ["合约剩余 " + m + " 个月", "合约本月到期", "合约已到期 " + ago + " 个月"],
                "无合约",
            ),
            index=idx,
        )
        en = pd.Series(
            np.select(
                when,
                [
                    "Contract ends in " + m + " months",
                    "Contract ends this month",
                    "Contract ended " + ago + " months ago",
                ],
                "No contract",
            ),
            index=idx,
        )
        return base, zh.astype("string"), en.astype("string")
    elif spec.kind == "months":
        m = _fmt_number(num)
        zh = spec.zh + " " + m + " 个月"
        en = spec.en + " " + m + " months"
        code = base
    elif spec.kind == "rate":
        r = _fmt_number(num * spec.scale, 2)
        zh = spec.zh + " " + r + "%"
        en = spec.en + " " + r + "%"
        code = base
    elif spec.kind == "flag":
        yes = num > 0
        if feature == "is_5g_terminal":
            zh = spec.zh + pd.Series(np.where(yes, "为5G终端", "非5G终端"), index=idx)
            en = spec.en + pd.Series(np.where(yes, " is 5G", " is not 5G"), index=idx)
        else:
            zh = pd.Series(np.where(yes, spec.zh, "未" + spec.zh), index=idx)
            en = pd.Series(np.where(yes, spec.en, "Not " + spec.en.lower()), index=idx)
        code = base
    else:  # level
        lv = _fmt_number(num)
        zh = spec.zh + " " + lv + " " + spec.unit_zh
        en = spec.en + " " + lv + " " + spec.unit_en
        code = base
    zh = zh.str.strip().where(num.notna(), missing_zh)
    en = en.str.strip().where(num.notna(), missing_en)
    return code.astype("string"), zh.astype("string"), en.astype("string")


def top_reasons(
    contributions: np.ndarray,
    features: list[str],
    frame: pd.DataFrame,
    k: int = 3,
    actionable_only: bool = False,
    labels: dict[str, dict[str, tuple[str, str]]] | None = None,
) -> pd.DataFrame:
    """The ``k`` features that raise each row's risk most, as codes and sentences.

    ``contributions`` has one column per feature (plus the expected value last, ignored);
    ``frame`` holds the raw feature values for the wording. Only positive contributions are
    reasons: a row with fewer than ``k`` risk-raising features gets NULLs in the later slots.
    ``actionable_only`` draws the reasons only from the features with an actionable theme;
    ``labels`` (feature -> code -> (zh, en)) names the values of category features.
    """
    c = np.array(contributions, dtype=float)[:, : len(features)]
    if actionable_only:
        c[:, [not is_actionable_feature(f) for f in features]] = -np.inf
    n = c.shape[0]
    k = min(k, len(features))
    if n == 0:
        cols = {
            f"reason_{i}_{s}": pd.Series(dtype="string")
            for i in range(1, k + 1)
            for s in ("code", "zh", "en")
        }
        return pd.DataFrame(cols)
    part = (
        np.argpartition(-c, kth=k - 1, axis=1)[:, :k]
        if k < c.shape[1]
        else np.tile(np.arange(k), (n, 1))
    )
    order = np.argsort(-np.take_along_axis(c, part, axis=1), axis=1, kind="stable")
    top = np.take_along_axis(part, order, axis=1)
    out: dict[str, pd.Series] = {}
    values = frame.reset_index(drop=True)
    for slot in range(k):
        feat_idx = top[:, slot]
        positive = np.take_along_axis(c, top[:, slot : slot + 1], axis=1)[:, 0] > 0
        code = pd.Series(pd.NA, index=range(n), dtype="string")
        zh = code.copy()
        en = code.copy()
        for f in np.unique(feat_idx[positive]):
            rows = np.flatnonzero(positive & (feat_idx == f))
            name = features[int(f)]
            fc, fz, fe = _texts(name, values[name].iloc[rows], (labels or {}).get(name))
            code.iloc[rows] = fc.to_numpy()
            zh.iloc[rows] = fz.to_numpy()
            en.iloc[rows] = fe.to_numpy()
        out[f"reason_{slot + 1}_code"] = code
        out[f"reason_{slot + 1}_zh"] = zh
        out[f"reason_{slot + 1}_en"] = en
    return pd.DataFrame(out)
