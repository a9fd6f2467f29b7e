"""全网客户细分: the naming rule and the fit, on small frames (the warehouse run is tested in
tests/warehouse/test_customer_insight.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ml import segments

COLS = list(segments.FEATURES)


def _profiles() -> pd.DataFrame:
    return pd.DataFrame(
        [
            [1.2, 0.1, 1.4, 0.2, 0.3],  # high value, data
            [1.0, 0.9, 0.6, 0.2, 0.5],  # high value, voice and data
            [0.0, 0.8, -0.2, 0.1, 0.4],  # mid value, voice
            [-0.8, 0.0, 0.1, 0.1, 0.6],  # low value, balanced
            [-0.9, -0.1, 0.0, 0.0, 0.2],  # low value, balanced again: numbered
            [-1.5, -1.0, -2.0, -4.0, -2.0],  # new, silent
        ],
        columns=COLS,
    )


def test_names_follow_the_documented_rule() -> None:
    names = segments.name_segments(_profiles())["segment_name_zh"].tolist()
    assert names == [
        "高价值流量型客户",
        "高价值语音流量双高客户",
        "中价值语音型客户",
        "低价值均衡型客户（一）",  # the higher value of the two comes first
        "低价值均衡型客户（二）",
        "新入网低价值沉默客户",
    ]
    assert len(set(names)) == len(names)


def test_names_do_not_depend_on_row_order_or_labels() -> None:
    p = _profiles()
    expected = dict(
        zip(map(tuple, p.to_numpy()), segments.name_segments(p)["segment_name_zh"], strict=True)
    )
    for seed in range(5):
        shuffled = p.sample(frac=1, random_state=seed).reset_index(drop=True)
        got = segments.name_segments(shuffled)["segment_name_zh"]
        assert dict(zip(map(tuple, shuffled.to_numpy()), got, strict=True)) == expected


def _features(n: int = 2000, months: int = 3, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    kind = rng.integers(0, 3, n)
    centres = np.array(
        [[5.0, 3.0, 9.0, 30, 3.5], [3.5, 5.5, 6.0, 30, 2.0], [2.0, 1.0, 3.0, 8, 0.5]]
    )
    rows = []
    for m in range(months):
        x = centres[kind] + rng.normal(0, 0.3, (n, 5))
        f = pd.DataFrame(x, columns=COLS)
        f.insert(0, "subs_id", [f"S{i:05d}" for i in range(n)])
        f.insert(1, "period_month", pd.Timestamp("2026-01-01") + pd.DateOffset(months=m))
        f.insert(2, "prov_code", "44")
        rows.append(f)
    return pd.concat(rows, ignore_index=True)


def test_fit_is_deterministic_and_numbered_by_value() -> None:
    f = _features()
    a = segments.fit_segments(f, k=3)
    b = segments.fit_segments(f.sample(frac=1, random_state=3).reset_index(drop=True), k=3)
    key = ["subs_id", "period_month"]
    merged = a["assigned"].merge(b["assigned"], on=key)
    assert (merged.segment_name_zh_x == merged.segment_name_zh_y).all()
    assert a["profiles"]["z_value"].is_monotonic_decreasing
    assert a["profiles"]["segment_id"].tolist() == [1, 2, 3]


def test_stability_counts_keepers_and_chance() -> None:
    f = _features()
    assigned = segments.fit_segments(f, k=3)["assigned"]
    s = segments.stability(assigned)
    assert len(s) == 2
    assert (s.subscribers_both == 2000).all()
    # three well-separated groups: almost everyone keeps the segment, chance keeps about a third
    assert (s.share_kept > 0.95).all()
    assert s.share_kept_by_chance.between(0.3, 0.4).all()
    # moving a tenth of the subscribers to another segment shows in the share
    moved = assigned.copy()
    last = moved.period_month == moved.period_month.max()
    flip = last & (moved.subs_id.str[-1] == "0")
    moved.loc[flip, "segment_id"] = moved.loc[flip, "segment_id"] % 3 + 1
    s2 = segments.stability(moved)
    assert s2.share_kept.iloc[-1] < s.share_kept.iloc[-1] - 0.08
