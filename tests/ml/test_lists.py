"""The lists a caller gets (retention today, win-back and upsell next), opened as a marketing
user would: the exported Excel and CSV files, read back with openpyxl and pandas."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from ml import churn, lists, reasons, retention

# What a caller can talk about, worded as the lists word it: a fixed vocabulary, written here
# independently of ml/reasons.py so a new or changed wording fails this test.
VOCABULARY = [
    r"通话量(三个月|半年)(下降|上升) \d+%",
    r"流量(三个月|半年)(下降|上升) \d+%",
    r"本月通话 \d+ 分钟",
    r"本月流量 \d+ MB",
    r"本月活跃天数 \d+ 天",
    r"近三个月沉默 \d+ 个月",
    r"合约剩余 \d+ 个月",
    r"合约本月到期",
    r"合约已到期 \d+ 个月",
    r"无合约",
    r"欠费 \d+ 元",
    r"未?欠费停机",
    r"欠费账龄 \d+ 个月",
    r"近半年逾期缴费 \d+ 次",
    r"近三个月(网络)?投诉 \d+ 次",
    r"常驻小区(掉线率|拥塞率|可用率) \d+\.\d\d%",
    r"月消费(三个月|半年)(下降|上升) \d+%",
    r"活跃天数(三个月|半年)(下降|上升) \d+%",
    r"(月消费|近三月平均消费|套餐月费) \d+ 元",
    r"优惠占比 \d+\.\d\d%",
    r"现用套餐 (?P<package>.+)",
    r"终端已使用 \d+ 个月",
    r"终端(非)?5G终端",
]
# the synthetic frame's features a caller can act on; the rest (region, pay type, tenure,
# noise) may weigh in the score but are never a reason
ACTIONABLE_FEATURES = {
    "arpu_yuan",
    "arpu_chg_3m",
    "mou_chg_3m",
    "dou_chg_3m",
    "complaint_cnt_3m",
    "network_complaint_cnt_3m",
    "arrears_yuan",
    "late_payment_cnt_6m",
    "contract_months_left",
    "main_cell_drop_rate",
    "package_code",
}
NOT_A_REASON = ("省份", "地市", "付费", "预付费", "后付费", "在网", "渠道", "网络类型", "特征")
NAME_HEADERS = {"省份": "省份编码", "地市": "地市编码", "套餐名称": "套餐编码", "付费类型": None}


@pytest.fixture(scope="module")
def exported(trained, tmp_path_factory):
    """A retention list from a model trained on the synthetic frame, written and read back."""
    model, parts = trained
    month = parts["test"][parts["test"]["month"] == parts["test"]["month"].max()].head(400)
    month = month.reset_index(drop=True)
    scores = churn.score_frame(month, model, "v-test", "shap")
    _, contrib, _ = model.score(month, "shap")
    cand = scores.assign(
        prov_code=month["prov_code"].to_numpy(),
        city_code=(month["prov_code"] + "01").to_numpy(),
        pay_type=month["pay_type"].to_numpy(),
        net_type="4G",
        package_code=month["package_code"].to_numpy(),
        arpu_yuan=month["arpu_yuan"].to_numpy(),
        msisdn_masked=["186****" + s[-4:] for s in month["subs_id"]],
    )
    lst = retention.build_list(cand, retention.load_rules(), top=None)
    out = retention.write_list(lst, tmp_path_factory.mktemp("lists"))
    rows = list(load_workbook(out["xlsx"]).active.iter_rows(values_only=True))
    xlsx = pd.DataFrame(rows[1:], columns=rows[0])
    csv = pd.read_csv(out["csv"], encoding="utf-8-sig", dtype=str, keep_default_na=False)
    return model, month, contrib, xlsx, csv


def filled(cell: object) -> bool:
    """An Excel cell with text in it (an empty cell reads back as None or NaN)."""
    return isinstance(cell, str) and cell != ""


def test_headers_are_chinese_and_names_stand_beside_codes(exported) -> None:
    _, month, _, xlsx, csv = exported
    assert list(xlsx.columns) == list(csv.columns) == list(retention.EXPORT_COLUMNS.values())
    assert all(re.search(r"[\u4e00-\u9fff]", h) for h in xlsx.columns)
    assert len(xlsx) == len(csv) == len(month)
    seeds = lists.load_names()
    codes = set(month["prov_code"]) | set(month["package_code"]) | set(month["pay_type"])
    for header, code_header in NAME_HEADERS.items():
        shown = set(xlsx[header])
        assert shown.isdisjoint(codes | (set(xlsx[code_header]) if code_header else set()))
        assert not any(re.fullmatch(r"[A-Z0-9]+", v) for v in shown)
        assert "未知" not in shown
    assert set(xlsx["省份"]) <= {zh for zh, _ in seeds.province.values()}
    assert set(xlsx["付费类型"]) == {"预付费", "后付费"} and set(xlsx["网络制式"]) == {"4G"}
    by_code = dict(zip(xlsx["套餐编码"], xlsx["套餐名称"], strict=True))
    assert by_code["P5G129"] == "5G畅爽冰激凌129元"  # from seeds/packages.csv
    assert xlsx["服务号码（脱敏）"].str.fullmatch(r"186\*{4}\d{4}").all()


def test_reasons_are_actionable_and_as_many_as_the_model_gives(exported) -> None:
    model, month, contrib, xlsx, _ = exported
    reason_cols = ["原因一", "原因二", "原因三"]
    feats = model.features
    # the model does lean on region / pay type: unfiltered, they would be worded as reasons
    raw = reasons.top_reasons(contrib, feats, month[feats])
    assert (
        raw[["reason_1_code", "reason_2_code", "reason_3_code"]]
        .isin(["REGION", "PAY_TYPE"])
        .any(axis=None)
    )
    # the number of reasons: three, or as many actionable features as raise this row's risk
    actionable = np.array([f in ACTIONABLE_FEATURES for f in feats])
    positive = (contrib[:, : len(feats)][:, actionable] > 0).sum(axis=1)
    expected = dict(zip(month["subs_id"], np.minimum(positive, 3), strict=True))
    packages = {zh for zh, _ in lists.load_names().package.values()}
    for row in xlsx.itertuples(index=False):
        values = dict(zip(xlsx.columns, row, strict=True))
        texts = [values[c] for c in reason_cols if filled(values[c])]
        assert len(texts) == expected[values["用户编号"]], values
        # the slots fill from the first: no gap before a reason
        assert [filled(values[c]) for c in reason_cols] == [i < len(texts) for i in range(3)]
        if len(texts) < 3:
            assert f"仅给出 {len(texts)} 条" in values["原因说明"] or (
                not texts and "未给出" in values["原因说明"]
            )
        else:
            assert not filled(values["原因说明"])
        for t in texts:
            assert not any(w in t for w in NOT_A_REASON), t
            hit = [m for p in VOCABULARY if (m := re.fullmatch(p, t))]
            assert hit, f"{t!r} is not in the vocabulary of actionable reasons"
            if "package" in hit[0].groupdict():
                assert hit[0]["package"] in packages  # a name, not P5G129
    assert (xlsx["原因一"].notna()).mean() > 0.95
    assert xlsx["建议维系动作"].notna().all()


def test_old_scores_with_region_reasons_are_filtered_and_said_so() -> None:
    frame = pd.DataFrame(
        {
            "reason_1_code": ["REGION", "MOU_DOWN", None],
            "reason_1_zh": ["省份 51", "通话量三个月下降 40%", None],
            "reason_2_code": ["CONTRACT_ENDING", "PAY_TYPE", None],
            "reason_2_zh": ["合约剩余 1 个月", "付费类型 1", None],
            "reason_3_code": ["ARREARS", "COMPLAINTS", None],
            "reason_3_zh": ["欠费 30 元", "近三个月投诉 2 次", None],
        }
    )
    r = lists.caller_reasons(frame)
    assert r.loc[0, ["reason_1", "reason_2"]].tolist() == ["合约剩余 1 个月", "欠费 30 元"]
    assert pd.isna(r.loc[0, "reason_3"])
    assert (
        r.loc[0, "reason_note"] == "模型仅给出 2 条可沟通的风险因素；另有 1 条不宜沟通的因素未列出"
    )
    assert r.loc[1, "reason_2"] == "近三个月投诉 2 次"
    assert r.loc[2, "reason_note"] == "模型未给出可沟通的风险因素"


def test_the_export_refuses_english_headers_and_full_numbers(tmp_path) -> None:
    frame = pd.DataFrame({"msisdn_masked": ["18612345678"], "x": [1]})
    with pytest.raises(ValueError, match="must be Chinese.*'x'"):
        lists.export(frame, {"x": "x"}, tmp_path, "t", "名单")
    for full in ("18612345678", "KD4401230004", "186*2345678"):
        with pytest.raises(ValueError, match="1 phone number.*not masked"):
            lists.export(
                frame.assign(msisdn_masked=full),
                {"msisdn_masked": "服务号码"},
                tmp_path,
                "t",
                "名单",
            )
    masked = pd.DataFrame({"msisdn_masked": ["186****5678", "KD4********0004", None]})
    out = lists.export(masked, {"msisdn_masked": "服务号码"}, tmp_path, "t", "名单")
    ws = load_workbook(out["xlsx"])["名单"]
    assert [ws["A2"].value, ws["A3"].value] == ["186****5678", "KD4********0004"]


def test_names_come_from_the_warehouse_dimensions_when_it_has_them() -> None:
    import duckdb

    con = duckdb.connect()
    con.execute(
        "create table dim_region as select '44' as prov_code, '广东省' as prov_name,"
        " 'Guangdong' as prov_name_en, '4401' as city_code, '广州市' as city_name,"
        " 'Guangzhou' as city_name_en"
    )
    con.execute(
        "create table dim_package as select 'PX' as package_code, '新套餐' as package_name,"
        " 'new plan' as package_name_en"
    )
    con.execute(
        "create table code_values as select 'pay_type' as code_set, '1' as code,"
        " '预付费' as name_zh, 'prepaid' as name_en"
        " union all select 'net_type', 'FBB', '宽带', 'fixed broadband'"
    )
    names = lists.load_names(con)
    assert names.package == {"PX": ("新套餐", "new plan")} and names.city["4401"][0] == "广州市"
    out = lists.add_names(pd.DataFrame({"package_code": ["PX", "ZZ"]}), names)
    assert out["package_name"].tolist() == ["新套餐", "未知"]
    assert lists.add_names(pd.DataFrame({"net_type": ["FBB"]}), names)["net_type_name"][0] == "宽带"
