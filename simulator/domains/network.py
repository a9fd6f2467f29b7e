"""Network: daily KPIs of every cell (CELL) from the traffic of the subscribers camped on it,
with the planted outages (availability down, drop rate and congestion up)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from simulator.context import Day, Domain, Month, Sim
from simulator.records import CellKpis, CellTraffic


class NetworkDomain(Domain):
    interfaces = ("CELL",)

    def write_month(self, sim: Sim, month: Month) -> None:
        s = sim.state
        days = np.arange(month.first, month.last + 1)
        traffic = CellTraffic(mou=s.rate_mou, data_mb=s.rate_data, include=month.in_month)
        kpis = _cell_days(sim, days, traffic, len(days))
        _write_cells(sim, month.period, days, kpis)
        if len(sim.world.cell_county):
            s.cell_drop_prev = kpis.drop_rate.mean(axis=1)
        # increment days carry the traffic of those still in service at the month's end
        s.last_traffic = CellTraffic(
            mou=s.rate_mou.copy(), data_mb=s.rate_data.copy(), include=month.in_month & ~month.churn
        )

    def increment_day(self, sim: Sim, day: Day) -> None:
        """The final month's traffic on the day."""
        traffic = sim.state.last_traffic
        if traffic is None:
            raise RuntimeError("increment days need a written month before them")
        days = np.array([day.day])
        _write_cells(sim, day.period, days, _cell_days(sim, days, traffic, day.window.final_days))


def _cell_days(sim: Sim, days: np.ndarray, traffic: CellTraffic, nd: int) -> CellKpis:
    """Daily KPIs for every cell on the given days, spreading a month's traffic (``nd`` days) of
    the subscribers camped on each cell over its days by the day weights."""
    w, rng, tl = sim.world, sim.rng, sim.tl
    nc = len(w.cell_county)
    sel = traffic.include & (w.s_cell >= 0)
    v = np.bincount(w.s_cell[sel], traffic.mou[sel], nc) * 1.1 + rng.uniform(20, 200, nc)
    dgb = np.bincount(w.s_cell[sel], traffic.data_mb[sel], nc) / 1024 * 1.1 + rng.uniform(
        0.5, 5, nc
    )
    av = sim.state.avail[:, days - tl.span_first]  # (cells, days)
    upf = 1 - 0.85 * (100 - av) / 100
    vw = tl.weight("voice", days)[None, :] * upf
    dw = tl.weight("data", days)[None, :] * upf
    norm_v = tl.weight("voice", days).mean() * nd
    norm_d = tl.weight("data", days).mean() * nd
    shape = (nc, len(days))
    voice = v[:, None] * vw / norm_v / 60 * rng.lognormal(0, 0.07, shape)
    data = dgb[:, None] * dw / norm_d * rng.lognormal(0, 0.07, shape)
    load = data / np.maximum(data.mean(axis=1, keepdims=True), 1e-6)
    down = av < 95
    drop = w.cell_drop_base[:, None] * rng.lognormal(0, 0.15, shape) + np.where(
        down, rng.uniform(3, 9, shape), 0
    )
    cong = np.clip(rng.lognormal(np.log(0.35), 0.5, shape) * load**1.5, 0, 20) + np.where(
        down, rng.uniform(5, 20, shape), 0
    )
    return CellKpis(
        voice_erl=voice.round(2),
        data_gb=data.round(3),
        drop_rate=np.clip(drop, 0, 100).round(3),
        congestion_rate=np.clip(cong, 0, 100).round(3),
        availability=np.clip(av, 0, 100).round(3),
    )


def _write_cells(sim: Sim, period: str, days: np.ndarray, k: CellKpis) -> None:
    w, st = sim.world, sim.static
    nc = len(w.cell_county)
    ci = np.repeat(np.arange(nc), len(days))
    c = pa.array(ci)
    cols = {
        "stat_date": sim.tl.dates(np.tile(days, nc)),
        "cell_id": w.cell_id.take(c),
        "cell_name": w.cell_name.take(c),
        "prov_code": st.cell_prov.take(c),
        "city_code": st.cell_city.take(c),
        "county_code": st.cell_county.take(c),
        "net_type": pa.array(np.where(w.cell_net5g[ci], "5G", "4G")),
        "voice_traffic_erl": pa.array(k.voice_erl.ravel()),
        "data_traffic_gb": pa.array(k.data_gb.ravel()),
        "drop_rate": pa.array(k.drop_rate.ravel()),
        "congestion_rate": pa.array(k.congestion_rate.ravel()),
        "availability": pa.array(k.availability.ravel()),
    }
    sim.emit("CELL", period, w.cell_prov[ci], cols, sort_key=np.arange(len(ci)))
