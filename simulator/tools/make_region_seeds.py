"""Dev-time generator for seeds/provinces.csv and seeds/regions.csv (not a runtime dependency).

Reads the GB/T 2260 adcode table shipped in the ``cpca`` package (2021 edition) and picks every
prefecture-level city of the 31 mainland provinces with 2-6 of its real districts/counties.
Run once in a throwaway virtualenv::

    python -m venv /tmp/seedvenv && /tmp/seedvenv/bin/pip install cpca==0.5.5 pypinyin
    /tmp/seedvenv/bin/python simulator/tools/make_region_seeds.py

The committed CSVs are what the project uses; this script only documents where they came from.
"""

from __future__ import annotations

import csv
import importlib.resources
from pathlib import Path

from pypinyin import lazy_pinyin  # type: ignore[import-not-found]

REPO = Path(__file__).resolve().parents[2]

# prov_code: (short name, English name, geo region, population in 10k, 2020 census)
PROVINCES = {
    "11": ("北京", "Beijing", "华北", 2189),
    "12": ("天津", "Tianjin", "华北", 1387),
    "13": ("河北", "Hebei", "华北", 7461),
    "14": ("山西", "Shanxi", "华北", 3492),
    "15": ("内蒙古", "Inner Mongolia", "华北", 2405),
    "21": ("辽宁", "Liaoning", "东北", 4259),
    "22": ("吉林", "Jilin", "东北", 2407),
    "23": ("黑龙江", "Heilongjiang", "东北", 3185),
    "31": ("上海", "Shanghai", "华东", 2487),
    "32": ("江苏", "Jiangsu", "华东", 8475),
    "33": ("浙江", "Zhejiang", "华东", 6457),
    "34": ("安徽", "Anhui", "华东", 6103),
    "35": ("福建", "Fujian", "华东", 4154),
    "36": ("江西", "Jiangxi", "华东", 4519),
    "37": ("山东", "Shandong", "华东", 10153),
    "41": ("河南", "Henan", "华中", 9937),
    "42": ("湖北", "Hubei", "华中", 5775),
    "43": ("湖南", "Hunan", "华中", 6644),
    "44": ("广东", "Guangdong", "华南", 12601),
    "45": ("广西", "Guangxi", "华南", 5013),
    "46": ("海南", "Hainan", "华南", 1008),
    "50": ("重庆", "Chongqing", "西南", 3205),
    "51": ("四川", "Sichuan", "西南", 8367),
    "52": ("贵州", "Guizhou", "西南", 3856),
    "53": ("云南", "Yunnan", "西南", 4721),
    "54": ("西藏", "Tibet", "西南", 365),
    "61": ("陕西", "Shaanxi", "西北", 3953),
    "62": ("甘肃", "Gansu", "西北", 2502),
    "63": ("青海", "Qinghai", "西北", 592),
    "64": ("宁夏", "Ningxia", "西北", 720),
    "65": ("新疆", "Xinjiang", "西北", 2585),
}
# ISO 3166-2:CN letter codes, the keys of the China map Superset ships (Country Map, "china")
ISO_3166_2 = {
    "11": "BJ", "12": "TJ", "13": "HE", "14": "SX", "15": "NM", "21": "LN", "22": "JL",
    "23": "HL", "31": "SH", "32": "JS", "33": "ZJ", "34": "AH", "35": "FJ", "36": "JX",
    "37": "SD", "41": "HA", "42": "HB", "43": "HN", "44": "GD", "45": "GX", "46": "HI",
    "50": "CQ", "51": "SC", "52": "GZ", "53": "YN", "54": "XZ", "61": "SN", "62": "GS",
    "63": "QH", "64": "NX", "65": "XJ",
}  # fmt: skip
MUNICIPALITIES = {"11", "12", "31", "50"}
ETHNIC = (
    "朝鲜族",
    "土家族",
    "苗族",
    "布依族",
    "彝族",
    "白族",
    "傣族",
    "哈尼族",
    "壮族",
    "傈僳族",
    "哈萨克",
    "柯尔克孜",
    "蒙古",
    "藏族",
    "回族",
    "羌族",
)
SPECIAL_EN = {
    "重庆": "Chongqing",
    "长沙": "Changsha",
    "长春": "Changchun",
    "长治": "Changzhi",
    "厦门": "Xiamen",
    "蚌埠": "Bengbu",
    "六安": "Lu'an",
    "丽水": "Lishui",
    "丽江": "Lijiang",
    "东莞": "Dongguan",
    "中山": "Zhongshan",
    "大理": "Dali",
    "乐山": "Leshan",
    "朝阳": "Chaoyang",
    "阿勒泰": "Altay",
    "喀什": "Kashgar",
    "锡林郭勒": "Xilingol",
    "巴音郭楞": "Bayingolin",
    "大兴安岭": "Daxing'anling",
    "伊犁": "Ili",
    "和田": "Hotan",
    "阿拉善": "Alxa",
    "呼伦贝尔": "Hulunbuir",
    "兴安": "Hinggan",
    "博尔塔拉": "Bortala",
    "克孜勒苏": "Kizilsu",
    "日喀则": "Shigatse",
}


def english(name: str) -> str:
    core = name
    for suffix in ("自治州", "地区", "市", "盟"):
        if core.endswith(suffix):
            core = core[: -len(suffix)]
            break
    for e in ETHNIC:
        if e in core:
            core = core[: core.index(e)]
    if core in SPECIAL_EN:
        return SPECIAL_EN[core]
    return "".join(lazy_pinyin(core)).replace("v", "ü").capitalize()


def main() -> None:
    src = importlib.resources.files("cpca") / "resources" / "adcodes.csv"
    rows = list(csv.DictReader(src.open(encoding="utf-8")))
    names = {r["adcode"][:6]: r["name"] for r in rows}
    codes = sorted(names)
    prov_names = {c[:2]: names[c] for c in codes if c.endswith("0000") and c[:2] in PROVINCES}

    with (REPO / "seeds" / "provinces.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(
            [
                "prov_code",
                "prov_name",
                "prov_name_short",
                "prov_name_en",
                "geo_region",
                "population_10k",
                "prov_iso_code",
            ]
        )
        for p, (short, en, geo, pop) in PROVINCES.items():
            w.writerow([p, prov_names[p], short, en, geo, pop, f"CN-{ISO_3166_2[p]}"])

    out: list[list[str]] = []
    for p in PROVINCES:
        if p in MUNICIPALITIES:
            cities = [(p + "01", prov_names[p])]
        else:
            cities = [
                (c[:4], names[c])
                for c in codes
                if c[:2] == p
                and c.endswith("00")
                and not c.endswith("0000")
                and c[2:4] not in ("90",)
                and names[c] not in ("市辖区", "县")
                and c[:4] != "4603"
            ]  # 三沙: islands, no subscribers to speak of
        for rank, (city, cname) in enumerate(cities):
            counties = [
                c for c in codes if c[:4] == city and not c.endswith("00") and names[c] != "市辖区"
            ]
            big = p in MUNICIPALITIES or rank == 0  # capital (first code) gets more counties
            take = counties[: (8 if p in MUNICIPALITIES else 5 if big else 3)]
            if not take:  # cities without counties (东莞, 中山, 嘉峪关, 儋州)
                take = [city + "00"]
                names.setdefault(city + "00", cname)
            for c in take:
                county_name = cname if c == city + "00" else names[c]
                out.append([p, prov_names[p], city, cname, english(cname), c, county_name])
    with (REPO / "seeds" / "regions.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(
            [
                "prov_code",
                "prov_name",
                "city_code",
                "city_name",
                "city_name_en",
                "county_code",
                "county_name",
            ]
        )
        w.writerows(out)
    print(f"wrote {len(PROVINCES)} provinces and {len(out)} counties")


if __name__ == "__main__":
    main()
