"""Fake but realistic-looking personal data: Chinese names, resident ID numbers with a valid
GB 11643 check digit, unified social credit codes (GB 32100), China Unicom msisdns, addresses.
All vectorised; every string is GBK-encodable."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# Common surnames, roughly in order of frequency (weights decay).
SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
) + ["欧阳", "司马", "上官"]
GIVEN_MALE = list(
    "伟强磊军洋勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆建国峰亮志文博晨阳东林宁龙浩然子轩宇航昊"
)
GIVEN_FEMALE = list(
    "芳娜敏静丽艳娟霞秀英玲桂兰婷雪慧琳晶颖倩洁梅琴云莉萍红燕欣怡梓涵雨萱佳诗思可馨悦瑶"
)
COMPANY_WORDS = list("华信恒达瑞丰鼎盛宏远泰和金源天成嘉禾永安新锐博通中联汇智创元东方")
INDUSTRIES = [
    "科技",
    "贸易",
    "实业",
    "物流",
    "建设工程",
    "餐饮管理",
    "电子商务",
    "医药",
    "教育咨询",
    "文化传媒",
    "制造",
]
ROADS = [
    "人民路",
    "中山路",
    "解放路",
    "建设路",
    "新华路",
    "和平路",
    "胜利路",
    "文化路",
    "青年路",
    "长江路",
    "黄河路",
    "东风路",
    "朝阳路",
    "光明路",
    "幸福路",
    "滨江路",
    "花园路",
    "学府路",
    "科技路",
    "工业大道",
    "世纪大道",
    "迎宾大道",
    "友谊路",
    "振兴路",
    "健康路",
    "团结路",
    "公园路",
    "车站路",
    "环城路",
    "府前街",
]
UNICOM_SEGMENTS = np.array([130, 131, 132, 145, 155, 156, 166, 175, 176, 185, 186, 196])
SEGMENT_WEIGHTS = np.array([8, 9, 9, 2, 8, 9, 7, 5, 6, 10, 12, 5], dtype=float)

ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
ID_CHECK = np.array(list("10X98765432"))
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = np.array([1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28])


def _pick(rng: np.random.Generator, n: int, k: int, decay: float = 0.0) -> np.ndarray:
    w = np.exp(-decay * np.arange(k))
    return rng.choice(k, size=n, p=w / w.sum())


def person_names(rng: np.random.Generator, gender: np.ndarray) -> pa.Array:
    """姓 + 1-2 character given name; gender 1 male, 2 female."""
    n = len(gender)
    sur = pa.array(SURNAMES).take(pa.array(_pick(rng, n, len(SURNAMES), 0.035)))
    male = gender == 1
    table = pa.array(GIVEN_MALE + GIVEN_FEMALE + [""])
    nm, nf = len(GIVEN_MALE), len(GIVEN_FEMALE)
    c1 = np.where(male, rng.integers(0, nm, n), nm + rng.integers(0, nf, n))
    c2 = np.where(male, rng.integers(0, nm, n), nm + rng.integers(0, nf, n))
    c2 = np.where(rng.random(n) < 0.3, nm + nf, c2)  # 30% single-character given names
    return pc.binary_join_element_wise(sur, table.take(pa.array(c1)), table.take(pa.array(c2)), "")


def company_names(rng: np.random.Generator, city_short: pa.Array) -> pa.Array:
    n = len(city_short)
    w = pa.array(COMPANY_WORDS)
    a = w.take(pa.array(rng.integers(0, len(COMPANY_WORDS), n)))
    b = w.take(pa.array(rng.integers(0, len(COMPANY_WORDS), n)))
    ind = pa.array(INDUSTRIES).take(pa.array(rng.integers(0, len(INDUSTRIES), n)))
    return pc.binary_join_element_wise(city_short, a, b, ind, pa.scalar("有限公司"), "")


def id_check_digit(first17: np.ndarray) -> np.ndarray:
    """GB 11643 check characters for an (n, 17) array of digits."""
    return ID_CHECK[(first17 * ID_WEIGHTS).sum(axis=1) % 11]


def _digits(values: np.ndarray, width: int) -> np.ndarray:
    p = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return (values[:, None] // p) % 10


def resident_ids(
    rng: np.random.Generator, county: np.ndarray, birth_yyyymmdd: np.ndarray, gender: np.ndarray
) -> pa.Array:
    """18-character resident ID numbers: county code, birth date, sequence (odd = male), check."""
    seq = rng.integers(0, 500, len(county)) * 2 + np.where(gender == 1, 1, 0)
    body = county.astype(np.int64) * 10**11 + birth_yyyymmdd.astype(np.int64) * 1000 + seq
    check = id_check_digit(_digits(body, 17))
    return pc.binary_join_element_wise(
        pc.cast(pa.array(body), pa.string()), pa.array(check.tolist()), ""
    )


def valid_resident_id(s: str) -> bool:
    if len(s) != 18 or not s[:17].isdigit():
        return False
    return ID_CHECK[(np.array([int(c) for c in s[:17]]) * ID_WEIGHTS).sum() % 11] == s[17]


def credit_codes(rng: np.random.Generator, county: np.ndarray) -> pa.Array:
    """统一社会信用代码: 91 (enterprise) + county code + 9-character org code + check character."""
    n = len(county)
    org = rng.integers(0, 10, (n, 9))
    body = np.concatenate(
        [np.tile([9, 1], (n, 1)), _digits(county.astype(np.int64), 6), org], axis=1
    )
    check = (31 - (body * USCC_WEIGHTS).sum(axis=1) % 31) % 31
    chars = np.array(list(USCC_CHARS))
    full = np.concatenate([chars[body], chars[check][:, None]], axis=1)
    return pa.array(full.view(f"<U{full.shape[1]}").ravel().tolist())


def msisdns(rng: np.random.Generator, n: int) -> np.ndarray:
    """Unique 11-digit numbers in China Unicom segments, as int64."""
    out = np.empty(0, dtype=np.int64)
    while len(out) < n:
        need = n - len(out) + 16
        seg = UNICOM_SEGMENTS[
            rng.choice(len(UNICOM_SEGMENTS), need, p=SEGMENT_WEIGHTS / SEGMENT_WEIGHTS.sum())
        ]
        cand = seg.astype(np.int64) * 10**8 + rng.integers(0, 10**8, need)
        merged = np.concatenate([out, cand])
        _, first = np.unique(merged, return_index=True)
        out = merged[np.sort(first)]
    return out[:n]


def addresses(rng: np.random.Generator, prefix: pa.Array) -> pa.Array:
    """prefix (省市区) + road + number + building/room."""
    n = len(prefix)
    road = pa.array(ROADS).take(pa.array(rng.integers(0, len(ROADS), n)))
    num = pc.cast(pa.array(rng.integers(1, 400, n)), pa.string())
    bld = pc.cast(pa.array(rng.integers(1, 30, n)), pa.string())
    room = pc.cast(pa.array(rng.integers(1, 33, n) * 100 + rng.integers(1, 7, n)), pa.string())
    return pc.binary_join_element_wise(
        prefix, road, num, pa.scalar("号"), bld, pa.scalar("栋"), room, pa.scalar("室"), ""
    )
