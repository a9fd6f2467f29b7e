"""The static world: geography, channels, cells, customers and every subscriber that will ever
exist in the run (the starting base plus each month's arrivals), built once, vectorised, and
ordered by province so that each province is a contiguous slice."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from simulator import identity
from simulator.columns import lpad
from simulator.config import SimConfig
from simulator.reference import Reference
from simulator.timeline import Timeline

# Month-of-year seasonality of gross adds (开学 in September, 春节 lull in February).
ADDS_SEASON = {
    1: 1.0,
    2: 0.62,
    3: 1.25,
    4: 1.0,
    5: 0.98,
    6: 0.95,
    7: 1.05,
    8: 1.1,
    9: 1.22,
    10: 1.0,
    11: 1.05,
    12: 0.9,
}
GROSS_ADD_RATE = 0.0195
CELL_SUBS = 400  # subscribers per cell
NO_DAY = -(10**7)  # "no date" for day-number fields (real days before 1970 are negative)
TERMINALS = [  # brand, model, is_5g, weight
    ("华为", "Mate 60 Pro", 1, 6),
    ("华为", "nova 12", 1, 5),
    ("华为", "畅享 70", 0, 4),
    ("苹果", "iPhone 15", 1, 8),
    ("苹果", "iPhone 13", 1, 6),
    ("苹果", "iPhone 11", 0, 4),
    ("小米", "Xiaomi 14", 1, 5),
    ("小米", "Redmi Note 13", 1, 6),
    ("小米", "Redmi 9A", 0, 3),
    ("OPPO", "Reno11", 1, 5),
    ("OPPO", "A58", 1, 3),
    ("OPPO", "A11s", 0, 2),
    ("vivo", "X100", 1, 4),
    ("vivo", "Y78", 1, 4),
    ("vivo", "Y3s", 0, 2),
    ("荣耀", "Magic6", 1, 3),
    ("荣耀", "X50", 1, 4),
    ("荣耀", "Play 5T", 0, 2),
    ("三星", "Galaxy S24", 1, 2),
    ("中兴", "Axon 60", 1, 1),
    ("一加", "OnePlus 12", 1, 1),
    ("realme", "GT Neo6", 1, 1),
    ("诺基亚", "C31", 0, 1),
]
L1_ORDER = ["10", "20", "30", "40"]
CHANNEL_TYPE_MIX = {
    "1010": 0.02,
    "1020": 0.07,
    "1030": 0.05,
    "2010": 0.17,
    "2020": 0.12,
    "2030": 0.2,
    "2040": 0.15,
    "4010": 0.08,
    "4020": 0.1,
    "4030": 0.04,
}
ACQ_L1_MIX = np.array([0.2, 0.55, 0.15, 0.10])


@dataclass
class Geography:
    prov_codes: list[str]
    prov_short: list[str]
    prov_name: list[str]
    county_code: np.ndarray  # int
    county_prov: np.ndarray  # province index
    county_city: np.ndarray  # city index
    county_name: list[str]
    county_cum: np.ndarray  # prov index + cumulative weight within the province (for sampling)
    city_code: list[str]
    city_name: list[str]
    city_prov: np.ndarray
    competitor: np.ndarray  # per city: competitor pressure (logit shift of churn)
    capital_county: np.ndarray  # per province: the first county of its first city

    def sample_county(self, rng: np.random.Generator, prov: np.ndarray) -> np.ndarray:
        u = prov + rng.random(len(prov)) * 0.999999
        return np.minimum(
            np.searchsorted(self.county_cum, u, side="right"), len(self.county_cum) - 1
        )


@dataclass
class World:
    geo: Geography
    # channels
    ch_id: pa.Array
    ch_name: pa.Array
    ch_type: np.ndarray  # index into channel_type codes
    ch_type_codes: list[str]
    ch_l1: np.ndarray  # 0..3 for 10/20/30/40
    ch_prov: np.ndarray
    ch_county: np.ndarray
    ch_open_day: np.ndarray
    ch_close_month: np.ndarray  # month index it closes in (large = never)
    ch_fraud_start: np.ndarray  # month index fraud begins, -1 if honest
    prov_echannel: np.ndarray  # per province: index of its 3020 app channel
    prov_hall: np.ndarray  # per province: an owned hall
    # cells
    cell_id: pa.Array
    cell_name: pa.Array
    cell_county: np.ndarray
    cell_prov: np.ndarray
    cell_net5g: np.ndarray  # bool
    cell_drop_base: np.ndarray  # % baseline drop rate
    # customers
    cu_id: pa.Array
    cu_name: pa.Array
    cu_type: np.ndarray  # 1 individual 2 group 3 family
    cu_cert_type: np.ndarray
    cu_cert_no: pa.Array
    cu_gender: np.ndarray  # 0 none
    cu_birth: np.ndarray  # day number, NO_DAY for organisations
    cu_prov: np.ndarray
    cu_county: np.ndarray
    cu_address: pa.Array
    cu_phone: pa.Array
    cu_vip: np.ndarray
    cu_group: np.ndarray  # index of group customer, -1
    cu_first_sub: np.ndarray
    cu_nsubs: np.ndarray
    # subscribers
    n: int
    s_id: pa.Array
    s_msisdn: pa.Array
    s_cust: np.ndarray
    s_prov: np.ndarray
    s_county: np.ndarray
    s_arrival: np.ndarray  # month index of arrival, -99 for the starting base
    s_open_day: np.ndarray
    s_open_sec: np.ndarray
    s_portin: np.ndarray  # bool
    s_channel: np.ndarray
    s_fbb: np.ndarray
    s_prepaid: np.ndarray
    s_fraud: np.ndarray
    s_family: np.ndarray
    s_group: np.ndarray
    s_spend: np.ndarray
    s_pkg0: np.ndarray
    s_term: np.ndarray  # terminal model index, -1 none
    s_term_day: np.ndarray
    s_contract_end: np.ndarray  # day, -1 none
    s_opt_out: np.ndarray
    s_cell: np.ndarray  # main cell index, -1 for broadband
    s_base_mou: np.ndarray
    s_base_data: np.ndarray
    s_base_sms: np.ndarray
    s_stress: np.ndarray
    prov_slices: list[tuple[int, int]] = field(
        default_factory=list
    )  # subscriber slice per province
    term_brand: pa.Array = field(default_factory=lambda: pa.array([t[0] for t in TERMINALS]))
    term_model: pa.Array = field(default_factory=lambda: pa.array([t[1] for t in TERMINALS]))
    term_5g: np.ndarray = field(default_factory=lambda: np.array([t[2] for t in TERMINALS], bool))


def build_geography(ref: Reference, cfg: SimConfig, rng: np.random.Generator) -> Geography:
    provs = ref.provinces
    if cfg.provinces:
        unknown = sorted(set(cfg.provinces) - set(provs["prov_code"]))
        if unknown:
            raise ValueError(
                f"unknown province codes {unknown}; see seeds/provinces.csv for the 31 codes"
            )
        provs = provs[provs["prov_code"].isin(cfg.provinces)]
    provs = provs.sort_values("prov_code")
    codes = provs["prov_code"].tolist()
    reg = ref.regions[ref.regions["prov_code"].isin(codes)].sort_values(
        ["prov_code", "county_code"]
    )
    reg = reg.reset_index(drop=True)
    prov_idx = reg["prov_code"].map({c: i for i, c in enumerate(codes)}).to_numpy()
    cities = reg.drop_duplicates("city_code")[["city_code", "city_name", "prov_code"]]
    city_codes = cities["city_code"].tolist()
    city_idx = reg["city_code"].map({c: i for i, c in enumerate(city_codes)}).to_numpy()
    first_city = reg.groupby("prov_code")["city_code"].transform("min") == reg["city_code"]
    pop = provs["population_10k"].to_numpy(float)
    w = rng.lognormal(0, 0.6, len(reg)) * np.where(first_city, 3.0, 1.0)
    w_sum = np.bincount(prov_idx, w)[prov_idx]
    within = w / w_sum
    cum = np.zeros(len(reg))
    for p in range(len(codes)):  # a loop over provinces
        sel = prov_idx == p
        cum[sel] = p + np.cumsum(within[sel])
    cum[np.r_[prov_idx[1:] != prov_idx[:-1], True]] = (
        prov_idx[np.r_[prov_idx[1:] != prov_idx[:-1], True]] + 1
    )
    city_prov = cities["prov_code"].map({c: i for i, c in enumerate(codes)}).to_numpy()
    prov_comp = rng.normal(0, 0.2, len(codes))
    capital = np.array([np.flatnonzero(prov_idx == p)[0] for p in range(len(codes))])
    geo = Geography(
        prov_codes=codes,
        prov_short=provs["prov_name_short"].tolist(),
        prov_name=provs["prov_name"].tolist(),
        county_code=reg["county_code"].astype(int).to_numpy(),
        county_prov=prov_idx,
        county_city=city_idx,
        county_name=reg["county_name"].tolist(),
        county_cum=cum,
        city_code=city_codes,
        city_name=cities["city_name"].tolist(),
        city_prov=city_prov,
        competitor=prov_comp[city_prov] + rng.normal(0, 0.25, len(city_codes)),
        capital_county=capital,
    )
    geo.prov_pop = pop  # type: ignore[attr-defined]
    return geo


def build_world(ref: Reference, cfg: SimConfig, tl: Timeline, rng: np.random.Generator) -> World:
    geo = build_geography(ref, cfg, rng)
    npv = len(geo.prov_codes)
    pop = geo.prov_pop / geo.prov_pop.sum()  # type: ignore[attr-defined]
    M = cfg.months
    pk = ref.packages.reset_index(drop=True)

    # ---------------- cohorts of customers (starting base, then one per month)
    cohort_sizes = [cfg.subscribers] + [
        int(round(cfg.subscribers * GROSS_ADD_RATE * ADDS_SEASON[tl.month_date(m).month]))
        for m in range(M)
    ]
    cu_parts: dict[str, list[np.ndarray]] = {
        k: [] for k in ("arrival", "type", "size", "prov", "fraud_ch")
    }
    for c, size in enumerate(cohort_sizes):  # loop over cohorts (months)
        k = int(size / 1.2) + 50
        t = rng.choice([1, 3, 2], size=k, p=[0.85, 0.14, 0.01])
        sz = np.where(t == 1, 1, np.where(t == 3, rng.integers(2, 4, k), rng.integers(4, 25, k)))
        cut = np.searchsorted(np.cumsum(sz), size) + 1
        t, sz = t[:cut], sz[:cut].copy()
        sz[-1] -= sz.sum() - size
        t = np.where(sz == 1, np.where(t == 2, 2, 1), t)
        cu_parts["arrival"].append(np.full(len(t), -99 if c == 0 else c - 1))
        cu_parts["type"].append(t)
        cu_parts["size"].append(sz)
        cu_parts["prov"].append(rng.choice(npv, len(t), p=pop))
        cu_parts["fraud_ch"].append(np.full(len(t), -1))

    # ---------------- channels
    prov_subs = np.bincount(np.concatenate(cu_parts["prov"]), np.concatenate(cu_parts["size"]), npv)
    types = ref.channel_types["channel_type_code"].tolist()
    tmix = np.array([CHANNEL_TYPE_MIX.get(t, 0.0) for t in types])
    tmix /= tmix.sum()
    n_other = np.maximum(6, np.round(prov_subs / 220).astype(int))
    ch_prov = np.concatenate([np.repeat(np.arange(npv), 3), np.repeat(np.arange(npv), n_other)])
    e_types = [types.index(t) for t in ("3010", "3020", "3030")]
    ch_type = np.concatenate([np.tile(e_types, npv), rng.choice(len(types), n_other.sum(), p=tmix)])
    # every province has an owned hall: the first non-e channel is made a flagship hall
    first_other = 3 * npv + np.r_[0, np.cumsum(n_other)[:-1]]
    ch_type[first_other] = types.index("1010")
    ch_county = np.where(
        np.arange(len(ch_prov)) < 3 * npv,
        geo.capital_county[ch_prov],
        geo.sample_county(rng, ch_prov),
    )
    order = np.lexsort((ch_type, ch_prov))
    ch_prov, ch_type, ch_county = ch_prov[order], ch_type[order], ch_county[order]
    nch = len(ch_prov)
    ch_l1 = np.array([L1_ORDER.index(types[t][:2]) for t in range(len(types))])[ch_type]
    ch_open = tl.month_first(0) - rng.integers(60, 365 * 12, nch)
    ch_open = np.where(
        ch_l1 == 0, tl.month_first(0) - rng.integers(365 * 5, 365 * 18, nch), ch_open
    )
    social = np.flatnonzero(ch_l1 == 1)
    close_m = np.where(
        (ch_l1 == 1) & (rng.random(nch) < 0.012 * M), rng.integers(1, max(M, 2), nch), 10**6
    )
    n_fraud = max(2, int(round(0.015 * len(social))))
    fraud = rng.choice(social, size=min(n_fraud, len(social)), replace=False)
    fraud_start = np.full(nch, -1)
    fraud_start[fraud] = rng.integers(min(1, M - 1), max(2, M - 4), len(fraud)) if M > 1 else 0
    close_m[fraud] = 10**6
    prov_echannel = np.array(
        [np.flatnonzero((ch_prov == p) & (ch_type == types.index("3020")))[0] for p in range(npv)]
    )
    prov_hall = np.array([np.flatnonzero((ch_prov == p) & (ch_l1 == 0))[0] for p in range(npv)])

    # fraud customers: one prepaid card each, opened by the dealer for 3-4 months
    for ch in fraud:
        s0 = fraud_start[ch]
        for m in range(
            s0, min(M, s0 + int(rng.integers(3, 5)))
        ):  # loop over a handful of dealer-months
            k = max(6, int(round(cfg.subscribers * 0.001 / len(fraud) * rng.uniform(0.7, 1.3))))
            cu_parts["arrival"].append(np.full(k, m))
            cu_parts["type"].append(np.ones(k, int))
            cu_parts["size"].append(np.ones(k, int))
            cu_parts["prov"].append(np.full(k, ch_prov[ch]))
            cu_parts["fraud_ch"].append(np.full(k, ch))

    cu = {k: np.concatenate(v) for k, v in cu_parts.items()}
    order = np.lexsort((cu["arrival"], cu["prov"]))
    cu = {k: v[order] for k, v in cu.items()}
    ncu = len(cu["prov"])
    cu_county = np.where(
        cu["fraud_ch"] >= 0,
        ch_county[np.maximum(cu["fraud_ch"], 0)],
        geo.sample_county(rng, cu["prov"]),
    )

    # ---------------- subscribers (repeat customers by size)
    s_cust = np.repeat(np.arange(ncu), cu["size"])
    n = len(s_cust)
    first_sub = np.r_[0, np.cumsum(cu["size"])[:-1]]
    rank = np.arange(n) - first_sub[s_cust]
    ctype = cu["type"][s_cust]
    s_prov = cu["prov"][s_cust]
    s_county = cu_county[s_cust]
    s_arrival = cu["arrival"][s_cust]
    s_fraud = cu["fraud_ch"][s_cust] >= 0
    s_family = ctype == 3
    s_group = ctype == 2
    s_fbb = np.where(
        s_family, (rank == 0) & (rng.random(n) < 0.7), (ctype == 1) & (rng.random(n) < 0.06)
    )
    s_fbb &= ~s_fraud
    s_prepaid = (ctype == 1) & ~s_fbb & (rng.random(n) < 0.3)
    s_prepaid |= s_fraud
    spend = rng.lognormal(np.log(52), 0.72, n) * np.where(s_group, 1.3, 1.0)
    spend = np.where(s_prepaid, spend * 0.6, spend)

    # packages: nearest monthly fee among the packages this subscriber may hold
    fee = pk["monthly_fee_yuan"].to_numpy()
    pnet = pk["net_type"].to_numpy()
    ppay = pk["pay_type"].to_numpy()
    launch = pk["launch_month"].astype(int).to_numpy()
    start_ym = int(tl.yyyymm(0))
    p5g = np.where(
        s_arrival >= 0, 0.62 + 0.01 * np.maximum(s_arrival, 0), 0.38 + 0.12 * (spend > 80)
    )
    want_5g = rng.random(n) < p5g
    net_want = np.where(s_fbb, "FBB", np.where(want_5g, "5G", "4G"))
    pay_want = np.where(s_prepaid, "1", "2")
    ok = (pnet[None, :] == net_want[:, None]) & (
        (ppay[None, :] == "0") | (ppay[None, :] == pay_want[:, None])
    )
    ok &= (launch[None, :] <= start_ym) & (
        (s_arrival[:, None] < 0) | pk["is_active"].to_numpy()[None, :]
    )
    target = spend * rng.lognormal(0, 0.15, n)
    dist = np.where(
        ok, np.abs(np.log(np.maximum(fee[None, :], 1)) - np.log(target[:, None])), np.inf
    )
    s_pkg0 = dist.argmin(axis=1)
    cheap = [pk.index[pk["package_code"] == c][0] for c in ("P4G019", "P4G029", "P5G029", "P4G039")]
    s_pkg0 = np.where(s_fraud, np.array(cheap)[rng.integers(0, len(cheap), n)], s_pkg0)
    s_prepaid = np.where(ppay[s_pkg0] == "1", True, np.where(ppay[s_pkg0] == "2", False, s_prepaid))

    # open dates
    first0 = tl.month_first(0)
    tenure_days = np.minimum(rng.exponential(365 * 3.6, n) + rng.integers(1, 60, n), 365 * 22)
    open_day = first0 - tenure_days.astype(int)
    for m in range(M):  # loop over months: arrival days follow the day weights of the month
        sel = s_arrival == m
        days = np.arange(tl.month_first(m), tl.month_first(m + 1))
        w = tl.weight("pay", days)
        open_day[sel] = rng.choice(days, sel.sum(), p=w / w.sum())
    s_open_sec = rng.integers(9 * 3600, 21 * 3600, n)
    s_portin = (s_arrival >= 0) & ~s_fbb & ~s_fraud & (rng.random(n) < 0.1)

    # acquisition channel
    l1 = rng.choice(4, n, p=ACQ_L1_MIX)
    l1 = np.where(s_group, 3, l1)
    key_ch = ch_prov * 4 + ch_l1
    start = np.searchsorted(key_ch, np.arange(npv * 4))
    count = np.searchsorted(key_ch, np.arange(npv * 4), side="right") - start
    key_s = s_prov * 4 + l1
    pick = start[key_s] + (rng.random(n) * count[key_s]).astype(int)
    s_channel = np.where(count[key_s] > 0, pick, prov_echannel[s_prov])
    closed = close_m[s_channel] <= s_arrival
    s_channel = np.where(
        closed | (s_arrival >= 0) & (fraud_start[s_channel] >= 0), prov_echannel[s_prov], s_channel
    )
    s_channel = np.where(s_fraud, cu["fraud_ch"][s_cust], s_channel)
    np.minimum.at(ch_open, s_channel, open_day)

    # terminals, contracts, opt-out
    tw = np.array([t[3] for t in TERMINALS], float)
    t5 = np.array([t[2] for t in TERMINALS], bool)
    term = rng.choice(len(TERMINALS), n, p=tw / tw.sum())
    is5g = pnet[s_pkg0] == "5G"
    term_5g_choice = rng.choice(np.flatnonzero(t5), n, p=tw[t5] / tw[t5].sum())
    term = np.where(is5g & ~t5[term] & (rng.random(n) < 0.95), term_5g_choice, term)
    term = np.where(s_fbb, -1, term)
    term_day = np.maximum(open_day, first0 - rng.integers(0, 900, n))
    contract = ~s_prepaid & ~s_fbb & ~s_fraud & (rng.random(n) < 0.45)
    c_end = np.where(
        s_arrival >= 0,
        open_day + np.where(rng.random(n) < 0.5, 365, 730),
        first0 + rng.integers(-120, 720, n),
    )
    s_contract_end = np.where(contract, c_end, -1)
    s_contract_end = np.where(
        s_fbb & (rng.random(n) < 0.6),
        np.maximum(open_day + 365, first0 + rng.integers(-60, 365, n)),
        s_contract_end,
    )
    s_opt_out = rng.random(n) < 0.08

    # usage levels: heavy-tailed, correlated with spend
    rel = spend / 52
    base_mou = 170 * rel**0.5 * rng.lognormal(0, 0.6, n)
    base_data = 13000 * rel**0.7 * rng.lognormal(0, 0.7, n)
    base_sms = rng.lognormal(np.log(6), 0.8, n)
    base_mou = np.where(s_fbb, 0, np.where(s_fraud, rng.uniform(0, 2, n), base_mou))
    base_data = np.where(
        s_fbb,
        250_000 * rng.lognormal(0, 0.5, n),
        np.where(s_fraud, rng.uniform(0, 15, n), base_data),
    )
    base_sms = np.where(s_fbb, 0, np.where(s_fraud, rng.uniform(0, 1, n), base_sms))

    # ---------------- cells: ~1 per CELL_SUBS mobile subscribers, at least one per county used
    ncounty = len(geo.county_code)
    mob_per_county = np.bincount(s_county[~s_fbb], minlength=ncounty)
    ncell = np.where(
        mob_per_county > 0, np.maximum(1, np.round(mob_per_county / CELL_SUBS)), 0
    ).astype(int)
    cell_county = np.repeat(np.arange(ncounty), ncell)
    cell_prov = geo.county_prov[cell_county]
    nc = len(cell_county)
    cell_start = np.r_[0, np.cumsum(ncell)[:-1]]
    s_cell = cell_start[s_county] + (rng.random(n) * np.maximum(ncell[s_county], 1)).astype(int)
    s_cell = np.where(s_fbb, -1, s_cell)
    local = np.arange(nc) - np.searchsorted(cell_prov, cell_prov)
    enb = np.array([int(c) for c in geo.prov_codes])[cell_prov] * 100000 + local // 3
    cell_id = pc.binary_join_element_wise(
        pa.scalar("46001"), lpad(enb, 7), lpad(local % 3 + 1, 2), ""
    )
    site = pa.array(["宏站", "室分", "微站"]).take(pa.array(rng.choice(3, nc, p=[0.7, 0.2, 0.1])))
    cell_net5g = rng.random(nc) < 0.45
    cell_name = pc.binary_join_element_wise(
        pa.array(geo.county_name).take(pa.array(cell_county)),
        pa.array(identity.ROADS).take(pa.array(rng.integers(0, len(identity.ROADS), nc))),
        site,
        pc.cast(pa.array(local // 3 % 97 + 1), pa.string()),
        pa.scalar("_"),
        pc.cast(pa.array(local % 3 + 1), pa.string()),
        "",
    )
    drop_base = np.clip(rng.lognormal(np.log(0.45), 0.55, nc), 0.05, 4.0)

    # ---------------- customer attributes
    is_person = cu["type"] != 2
    gender = np.where(is_person, rng.integers(1, 3, ncu), 0)
    age_years = np.clip(rng.normal(40, 13, ncu), 18, 85)
    birth = (first0 - age_years * 365.25).astype(int)
    from simulator.timeline import date_of

    ymd = np.array(
        [int(date_of(b).strftime("%Y%m%d")) for b in np.unique(birth)]
    )  # per distinct day
    birth_ymd = ymd[np.searchsorted(np.unique(birth), birth)]
    county_int = geo.county_code[cu_county]
    cert_type = np.where(is_person, np.where(rng.random(ncu) < 0.004, 2, 1), 3)
    pid = identity.resident_ids(rng, county_int, birth_ymd, np.where(gender == 0, 1, gender))
    passports = pc.binary_join_element_wise(
        pa.scalar("E"), lpad(rng.integers(0, 10**8, ncu), 8), ""
    )
    uscc = identity.credit_codes(rng, county_int)
    cert_no = pc.if_else(
        pa.array(cert_type == 1), pid, pc.if_else(pa.array(cert_type == 2), passports, uscc)
    )
    city_short = pc.utf8_replace_slice(
        pa.array(geo.city_name).take(pa.array(geo.county_city[cu_county])), -1, 1000, ""
    )
    names = pc.if_else(
        pa.array(is_person),
        identity.person_names(rng, np.where(gender == 0, 1, gender)),
        identity.company_names(rng, city_short),
    )
    prefix = pc.binary_join_element_wise(
        pa.array(geo.prov_name).take(pa.array(cu["prov"])),
        pa.array(geo.city_name).take(pa.array(geo.county_city[cu_county])),
        pa.array(geo.county_name).take(pa.array(cu_county)),
        "",
    )
    address = identity.addresses(rng, prefix)
    phone = pc.cast(pa.array(identity.msisdns(rng, ncu)), pa.string())
    phone = pc.if_else(pa.array(rng.random(ncu) < 0.6), phone, pa.scalar(None, pa.string()))
    cust_spend = np.bincount(s_cust, spend, ncu)
    q = np.quantile(cust_spend[is_person], [0.8, 0.94, 0.985]) if is_person.any() else [1e9] * 3
    vip = np.searchsorted(q, cust_spend)
    vip = np.where(~is_person, 2, vip)
    vip = np.where(cu["fraud_ch"] >= 0, 0, vip)
    groups = np.flatnonzero(cu["type"] == 2)
    gstart = np.searchsorted(cu["prov"][groups], np.arange(npv))
    gcount = np.searchsorted(cu["prov"][groups], np.arange(npv), side="right") - gstart
    gp = gcount[cu["prov"]]
    member = is_person & (gp > 0) & (rng.random(ncu) < 0.05) & (cu["fraud_ch"] < 0)
    gpick = (
        groups[
            np.minimum(
                gstart[cu["prov"]] + (rng.random(ncu) * gp).astype(int), max(len(groups) - 1, 0)
            )
        ]
        if len(groups)
        else np.zeros(ncu, int)
    )
    cu_group = np.where(member, gpick, -1)

    prov_str = pa.array(geo.prov_codes)
    s_prov_str = prov_str.take(pa.array(s_prov))
    s_id = pc.binary_join_element_wise(s_prov_str, pa.scalar("1"), lpad(np.arange(n) + 1, 12), "")
    cu_id = pc.binary_join_element_wise(
        prov_str.take(pa.array(cu["prov"])), pa.scalar("2"), lpad(np.arange(ncu) + 1, 12), ""
    )
    mob = pc.cast(pa.array(identity.msisdns(rng, n)), pa.string())
    kd = pc.binary_join_element_wise(
        pa.scalar("KD"),
        pc.cast(pa.array(geo.county_code[s_county]), pa.string()),
        lpad(np.arange(n) % 10**7, 7),
        "",
    )
    s_msisdn = pc.if_else(pa.array(s_fbb), kd, mob)

    city_of_ch = geo.county_city[ch_county]
    ch_tname = pa.array(
        [
            {
                "1010": "联通旗舰营业厅",
                "1020": "联通营业厅",
                "1030": "联通便民营业厅",
                "2010": "联通专营店",
                "2020": "联通合作营业厅",
                "2030": "联通代理点",
                "2040": "手机卖场联通专区",
                "4010": "政企客户经理组",
                "4020": "社区直销团队",
                "4030": "校园直销团队",
            }.get(t, "")
            for t in types
        ]
    )
    ch_name = pc.binary_join_element_wise(
        pa.array(geo.county_name).take(pa.array(ch_county)),
        pa.array(identity.ROADS).take(pa.array(rng.integers(0, len(identity.ROADS), nch))),
        ch_tname.take(pa.array(ch_type)),
        "",
    )
    e_name = pc.binary_join_element_wise(
        pa.array(geo.prov_short).take(pa.array(ch_prov)),
        pa.array(
            {
                "3010": "联通网上营业厅",
                "3020": "联通手机营业厅APP",
                "3030": "联通京东官方旗舰店",
            }.get(t, "")
            for t in types
        ).take(pa.array(ch_type)),
        "",
    )
    ch_name = pc.if_else(pa.array(ch_l1 == 2), e_name, ch_name)
    ch_id = pc.binary_join_element_wise(
        pa.scalar("Q"),
        pa.array(geo.city_code).take(pa.array(city_of_ch)),
        lpad(np.arange(nch) + 1, 6),
        "",
    )

    prov_slices = [
        (int(a), int(b))
        for a, b in zip(
            np.searchsorted(s_prov, np.arange(npv)),
            np.searchsorted(s_prov, np.arange(npv), side="right"),
            strict=True,
        )
    ]
    return World(
        geo=geo,
        ch_id=ch_id,
        ch_name=ch_name,
        ch_type=ch_type,
        ch_type_codes=types,
        ch_l1=ch_l1,
        ch_prov=ch_prov,
        ch_county=ch_county,
        ch_open_day=ch_open,
        ch_close_month=close_m,
        ch_fraud_start=fraud_start,
        prov_echannel=prov_echannel,
        prov_hall=prov_hall,
        cell_id=cell_id,
        cell_name=cell_name,
        cell_county=cell_county,
        cell_prov=cell_prov,
        cell_net5g=cell_net5g,
        cell_drop_base=drop_base,
        cu_id=cu_id,
        cu_name=names,
        cu_type=cu["type"],
        cu_cert_type=cert_type,
        cu_cert_no=cert_no,
        cu_gender=gender,
        cu_birth=np.where(is_person, birth, NO_DAY),
        cu_prov=cu["prov"],
        cu_county=cu_county,
        cu_address=address,
        cu_phone=phone,
        cu_vip=vip,
        cu_group=cu_group,
        cu_first_sub=first_sub,
        cu_nsubs=cu["size"],
        n=n,
        s_id=s_id,
        s_msisdn=s_msisdn,
        s_cust=s_cust,
        s_prov=s_prov,
        s_county=s_county,
        s_arrival=s_arrival,
        s_open_day=open_day,
        s_open_sec=s_open_sec,
        s_portin=s_portin,
        s_channel=s_channel,
        s_fbb=s_fbb,
        s_prepaid=s_prepaid,
        s_fraud=s_fraud,
        s_family=s_family,
        s_group=s_group,
        s_spend=spend,
        s_pkg0=s_pkg0,
        s_term=term,
        s_term_day=term_day,
        s_contract_end=s_contract_end,
        s_opt_out=s_opt_out,
        s_cell=s_cell,
        s_base_mou=base_mou,
        s_base_data=base_data,
        s_base_sms=base_sms,
        s_stress=rng.normal(0, 1, n),
        prov_slices=prov_slices,
    )
