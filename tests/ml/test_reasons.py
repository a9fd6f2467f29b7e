from __future__ import annotations

import numpy as np
import pandas as pd

from ml.reasons import theme, top_reasons


def test_reasons_are_worded_with_the_subscribers_values() -> None:
    feats = ["mou_chg_3m", "contract_months_left", "complaint_cnt_3m", "my_own_feature"]
    frame = pd.DataFrame(
        {
            "mou_chg_3m": [-0.62, 0.3],
            "contract_months_left": [1, 12],
            "complaint_cnt_3m": [2, 0],
            "my_own_feature": [3.14159, 1.0],
        }
    )
    contrib = np.array([[0.9, 0.5, 0.1, -0.2, -3.0], [-0.1, -0.2, -0.3, 0.4, -3.0]])
    r = top_reasons(contrib, feats, frame)
    assert r.loc[0, "reason_1_zh"] == "通话量三个月下降 62%"
    assert r.loc[0, "reason_1_en"] == "Voice minutes down 62% over three months"
    assert r.loc[0, "reason_1_code"] == "MOU_DOWN"
    assert (
        r.loc[0, "reason_2_code"] == "CONTRACT_ENDING"
        and r.loc[0, "reason_2_zh"] == "合约剩余 1 个月"
    )
    assert r.loc[0, "reason_3_zh"] == "近三个月投诉 2 次"
    # only risk-raising features are reasons; an unknown feature still reads
    assert r.loc[1, "reason_1_zh"] == "特征 my_own_feature = 1.00"
    assert pd.isna(r.loc[1, "reason_2_code"]) and pd.isna(r.loc[1, "reason_3_zh"])


def test_reasons_for_a_trained_model_cover_every_row(trained) -> None:
    model, parts = trained
    t = parts["test"].head(500)
    _, contrib, _ = model.score(t)
    r = top_reasons(contrib, model.features, t[model.features])
    assert len(r) == 500
    assert r["reason_1_code"].notna().mean() > 0.95
    assert r["reason_1_zh"].str.len().min() > 2


def test_actionable_only_skips_region_and_pay_type_and_names_the_package() -> None:
    feats = ["prov_code", "pay_type", "package_code", "arrears_yuan", "tenure_months"]
    frame = pd.DataFrame(
        {
            "prov_code": ["51", "51"],
            "pay_type": ["1", "1"],
            "package_code": ["P5G129", "P5G129"],
            "arrears_yuan": [80.0, 0.0],
            "tenure_months": [3, 3],
        }
    )
    # region and pay type raise the risk most, tenure too; only package and arrears may speak
    contrib = np.array([[2.0, 1.5, 0.3, 0.6, 1.0, -3.0], [2.0, 1.5, 0.3, -0.6, 1.0, -3.0]])
    plain = top_reasons(contrib, feats, frame)
    assert plain.loc[0, "reason_1_zh"] == "省份 51" and plain.loc[0, "reason_2_zh"] == "付费类型 1"
    labels = {"package_code": {"P5G129": ("5G畅爽冰激凌129元", "5G ice cream 129")}}
    r = top_reasons(contrib, feats, frame, actionable_only=True, labels=labels)
    assert r.loc[0, ["reason_1_code", "reason_2_code"]].tolist() == ["ARREARS", "PACKAGE"]
    assert r.loc[0, "reason_1_zh"] == "欠费 80 元"
    assert r.loc[0, "reason_2_zh"] == "现用套餐 5G畅爽冰激凌129元"
    assert r.loc[0, "reason_2_en"] == "Current package 5G ice cream 129"
    assert pd.isna(r.loc[0, "reason_3_code"])  # no third actionable risk: no filler
    assert r.loc[1, "reason_1_code"] == "PACKAGE" and pd.isna(r.loc[1, "reason_2_code"])
    ends = top_reasons(
        np.array([[1.0, -1.0]] * 4),
        ["contract_months_left", "noise"],
        pd.DataFrame({"contract_months_left": [2, 0, -6, np.nan], "noise": 0.0}),
        actionable_only=True,
    )["reason_1_zh"].tolist()
    assert ends == ["合约剩余 2 个月", "合约本月到期", "合约已到期 6 个月", "无合约"]
    share = top_reasons(
        np.array([[1.0, 0.5, -1.0]]),
        ["discount_share", "active_days_chg_3m"],
        pd.DataFrame({"discount_share": [0.35], "active_days_chg_3m": [-0.4]}),
        actionable_only=True,
    )
    assert share.loc[0, ["reason_1_zh", "reason_2_zh"]].tolist() == [
        "优惠占比 35.00%",  # a share (0-1) shown as a percentage
        "活跃天数三个月下降 40%",
    ]
    assert theme("MOU_DOWN") == "usage" and theme("ARPU_UP") == "package"
    assert theme("REGION") is None and theme("PAY_TYPE") is None and theme(None) is None
