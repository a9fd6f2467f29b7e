from __future__ import annotations

import pandas as pd
from openpyxl import load_workbook

from ml import retention


def candidates() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "subs_id": ["a", "b", "c", "d"],
            "score_month": ["2026-03-01"] * 4,
            "prov_code": ["44", "44", "44", "65"],
            "city_code": ["4401", "4403", "4401", "6501"],
            "pay_type": ["2", "1", "2", "2"],
            "msisdn_masked": ["186****0001", "186****0002", "186****0003", "186****0004"],
            "arpu_yuan": [120.0, 30.0, 80.0, 99.0],
            "p_churn": [0.6, 0.6, 0.2, 0.9],
            "risk_decile": [1, 1, 3, 1],
            "reason_1_code": ["CONTRACT_ENDING", "SOMETHING_NEW", "MOU_DOWN", "NETWORK_QUALITY"],
            "reason_2_code": ["MOU_DOWN", "DOU_DOWN", None, None],
            "reason_3_code": [None, None, None, None],
            "reason_1_zh": ["合约剩余 1 个月", "x", "通话量三个月下降 50%", "常驻小区掉线率 3.00%"],
        }
    )


def test_rules_pick_the_first_matching_reason_then_the_wildcard() -> None:
    rules = retention.load_rules()
    acts = retention.suggest_actions(candidates(), rules)
    assert list(acts.action_code) == [
        "RENEWAL_OFFER",
        "USAGE_CARE",
        "USAGE_CARE",
        "NETWORK_CARE_CALL",
    ]
    acts = retention.suggest_actions(candidates().assign(reason_2_code=None), rules)
    assert acts.action_code[1] == "GENERAL_CARE"


def test_list_filters_ranks_by_risk_then_value_and_writes_csv_and_excel(tmp_path) -> None:
    lst = retention.build_list(candidates(), retention.load_rules(), top=2, prov_code="44")
    assert list(lst.subs_id) == ["a", "b"]  # same risk: the higher bill first
    assert list(lst["rank"]) == [1, 2] and "msisdn_masked" in lst
    assert (
        len(retention.build_list(candidates(), retention.load_rules(), top=None, threshold=0.5))
        == 3
    )
    out = retention.write_list(lst, tmp_path)
    assert pd.read_csv(out["csv"], encoding="utf-8-sig", dtype=str)["用户编号"].tolist() == [
        "a",
        "b",
    ]
    ws = load_workbook(out["xlsx"]).active
    assert ws.title == "挽留名单" and ws.max_row == 3


def test_a_bad_rule_table_is_named(tmp_path) -> None:
    bad = tmp_path / "rules.csv"
    bad.write_text("priority,reason_code,action_code,action_zh,action_en\nfirst,X,Y,z,z\n")
    import pytest

    with pytest.raises(ValueError, match="line 2: priority 'first'"):
        retention.load_rules(bad)
