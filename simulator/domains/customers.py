"""Customers: the CUST snapshot (customers with a subscriber in service during the month;
closed when none is left)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from simulator.columns import or_null, take_or_null
from simulator.context import Domain, Month, Sim
from simulator.world import NO_DAY

CODES = np.array(["", "01", "02", "03"])  # customer and certificate types: 1-based codes


class CustomersDomain(Domain):
    interfaces = ("CUST",)

    def write_month(self, sim: Sim, month: Month) -> None:
        w, tl, st = sim.world, sim.tl, sim.static
        si = np.flatnonzero(month.in_month)
        ncu = len(w.cu_prov)
        cu_in = np.bincount(w.s_cust[si], minlength=ncu) > 0
        cu_alive = np.bincount(w.s_cust[si][~month.churn[si]], minlength=ncu) > 0
        ci = np.flatnonzero(cu_in)
        c = pa.array(ci)
        grp = w.cu_group[ci]
        no_group = (grp < 0) | ~cu_in[np.maximum(grp, 0)]  # or the group has no one in service
        birth = w.cu_birth[ci]
        county = w.cu_county[ci]
        sim.emit(
            "CUST",
            month.period,
            w.cu_prov[ci],
            {
                "cust_id": w.cu_id.take(c),
                "cust_name": w.cu_name.take(c),
                "cust_type": pa.array(CODES[w.cu_type[ci]]),
                "cert_type": pa.array(CODES[w.cu_cert_type[ci]]),
                "cert_no": w.cu_cert_no.take(c),
                "gender": or_null(
                    pc.cast(pa.array(w.cu_gender[ci]), pa.string()), w.cu_gender[ci] == 0
                ),
                "birth_date": tl.dates(
                    np.where(birth == NO_DAY, month.first, birth), mask=birth == NO_DAY
                ),
                "prov_code": st.prov.take(pa.array(w.cu_prov[ci])),
                "city_code": st.city.take(pa.array(w.geo.county_city[county])),
                "county_code": st.county.take(pa.array(county)),
                "address": w.cu_address.take(c),
                "contact_phone": w.cu_phone.take(c),
                "vip_level": pc.cast(pa.array(w.cu_vip[ci]), pa.string()),
                "group_cust_id": take_or_null(w.cu_id, grp, null=no_group),
                "create_date": tl.dates(st.cust_create_day[ci]),
                "status": pa.array(np.where(cu_alive[ci], "1", "2")),
            },
        )
