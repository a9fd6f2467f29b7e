"""A small, hand-made raw layer (docs/architecture.md "Raw layer") for the dbt tests: a few
customers and subscribers in Guangzhou over two months, one Parquet file per extract, with the
load metadata the ingest flow adds.  Written straight from the interface spec so the tests do not
depend on the simulator or the ingest flow."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from jingfen.interfaces import INTERFACES, Interface

ARROW = {
    "str": pa.string(),
    "code": pa.string(),
    "int": pa.int64(),
    "dec": pa.float64(),
    "date": pa.date32(),
    "month": pa.date32(),
    "ts": pa.timestamp("us"),
    "flag": pa.bool_(),
}
SALT = os.environ["JINGFEN_PII_SALT"]  # set by tests/conftest.py before any test module
LOADED_AT = datetime(2026, 11, 2, 1, 30, tzinfo=UTC).replace(tzinfo=None)
LOAD_ID = "L20261102T013000"

# Clear PII values, so tests can check they never reach staging.
MSISDNS = ["18612341234", "13900001111", "15011112222"]
CERT_NOS = ["440103199001011234", "44010319851212567X"]
CUST_NAMES = ["张三丰", "李四"]


def _t(y: int, m: int, d: int, hh: int = 10) -> datetime:
    return datetime(y, m, d, hh, 0, 0)


def _customers(month: date) -> list[dict[str, Any]]:
    return [
        {
            "cust_id": f"C00{i + 1}",
            "cust_name": CUST_NAMES[i],
            "cust_type": "01",
            "cert_type": "01",
            "cert_no": CERT_NOS[i],
            "gender": "1" if i == 0 else "2",
            "birth_date": date(1990 - 5 * i, 1, 1),
            "prov_code": "44",
            "city_code": "4401",
            "county_code": "440103",
            "address": "广州市荔湾区某某路1号",
            "contact_phone": "02088886666",
            "vip_level": "1",
            "group_cust_id": None,
            "create_date": date(2020, 1, 1),
            "status": "1",
        }
        for i in range(2)
    ]


def _subscribers(month: date) -> list[dict[str, Any]]:
    rows = []
    for i, msisdn in enumerate(MSISDNS):
        rows.append(
            {
                "subs_id": f"S00{i + 1}",
                "msisdn": msisdn,
                "cust_id": "C001" if i < 2 else "C002",
                "prov_code": "44",
                "city_code": "4401",
                "county_code": "440103",
                "package_code": "P4G019",
                "pay_type": "2",
                "net_type": "4G",
                "open_date": date(2024, 5, 1),
                "channel_id": "CH001",
                "status": "10",
                "status_date": date(2024, 5, 1),
                "terminal_brand": "华为",
                "terminal_model": "Mate 60",
                "is_5g_terminal": True,
                "terminal_date": date(2024, 5, 1),
                "contract_end_date": None,
                "is_opt_out": i == 2,
            }
        )
    return rows


def _events() -> list[dict[str, Any]]:
    return [
        {
            "event_id": "E0001",
            "subs_id": "S001",
            "msisdn": MSISDNS[0],
            "event_type": "04",
            "event_time": _t(2026, 10, 15),
            "prov_code": "44",
            "city_code": "4401",
            "old_package_code": "P4G008",
            "new_package_code": "P4G019",
            "channel_id": "CH001",
        }
    ]


def _bills(month: date) -> list[dict[str, Any]]:
    rows = []
    for i in range(len(MSISDNS)):
        items = {
            "package_fee_fen": 1900,
            "voice_fee_fen": 123,
            "data_fee_fen": 0,
            "sms_fee_fen": 10,
            "vas_fee_fen": 500,
            "roaming_fee_fen": 0,
            "other_fee_fen": 0,
            "discount_fen": 200,
        }
        total = sum(v for k, v in items.items() if k != "discount_fen") - items["discount_fen"]
        rows.append(
            {
                "bill_month": month,
                "subs_id": f"S00{i + 1}",
                "cust_id": "C001" if i < 2 else "C002",
                "prov_code": "44",
                "city_code": "4401",
                "package_code": "P4G019",
                **items,
                "total_due_fen": total,
                "due_date": date(month.year, month.month, 25),
            }
        )
    return rows


def _payments(month: date) -> list[dict[str, Any]]:
    return [
        {
            "pay_id": f"P{month:%Y%m}{i + 1:03d}",
            "subs_id": f"S00{i + 1}",
            "cust_id": "C001" if i < 2 else "C002",
            "prov_code": "44",
            "city_code": "4401",
            "pay_time": _t(month.year, month.month, 20),
            "amount_fen": 2333,
            "pay_method": "01",
            "pay_channel_id": "CH001",
            "bill_month": month,
        }
        for i in range(len(MSISDNS))
    ]


def _daily_usage(day: date) -> list[dict[str, Any]]:
    return [
        {
            "usage_date": day,
            "subs_id": f"S00{i + 1}",
            "prov_code": "44",
            "mou": 10 + i,
            "data_mb": 512.5,
            "sms_cnt": 1,
            "main_cell_id": "CELL001",
        }
        for i in range(len(MSISDNS))
    ]


def _monthly_usage(month: date) -> list[dict[str, Any]]:
    return [
        {
            "usage_month": month,
            "subs_id": f"S00{i + 1}",
            "prov_code": "44",
            "city_code": "4401",
            "mou": 300 + i,
            "data_mb": 15000.25,
            "sms_cnt": 12,
            "active_days": 30,
            "main_cell_id": "CELL001",
        }
        for i in range(len(MSISDNS))
    ]


def _cells(day: date) -> list[dict[str, Any]]:
    return [
        {
            "stat_date": day,
            "cell_id": "CELL001",
            "cell_name": "广州荔湾1",
            "prov_code": "44",
            "city_code": "4401",
            "county_code": "440103",
            "net_type": "5G",
            "voice_traffic_erl": 12.5,
            "data_traffic_gb": 830.2,
            "drop_rate": 0.4,
            "congestion_rate": 1.2,
            "availability": 99.9,
        }
    ]


def _channels(month: date) -> list[dict[str, Any]]:
    return [
        {
            "channel_id": "CH001",
            "channel_name": "荔湾自有营业厅",
            "channel_type_code": "1010",
            "prov_code": "44",
            "city_code": "4401",
            "county_code": "440103",
            "open_date": date(2015, 3, 1),
            "status": "1",
        }
    ]


def _commissions(month: date) -> list[dict[str, Any]]:
    return [
        {
            "cmsn_id": f"M{month:%Y%m}001",
            "settle_month": month,
            "channel_id": "CH001",
            "subs_id": "S001",
            "cmsn_type": "01",
            "amount_fen": 5000,
            "prov_code": "44",
        }
    ]


def _complaints() -> list[dict[str, Any]]:
    return [
        {
            "ticket_id": "T0001",
            "accept_time": _t(2026, 10, 3),
            "subs_id": "S002",
            "msisdn": MSISDNS[1],
            "prov_code": "44",
            "city_code": "4401",
            "county_code": "440103",
            "source": "01",
            "category_code": "010101",
            "cell_id": "CELL001",
            "is_escalated": False,
            "close_time": _t(2026, 10, 4),
            "satisfaction": "4",
        }
    ]


def _service() -> dict[str, list[dict[str, Any]]]:
    """One hotline call of S002 that became a complaint work order, its appeal, the answering
    agent's session that day, and one key-account circuit day (the customer-service
    interfaces)."""
    where = {"prov_code": "44", "city_code": "4401"}
    return {
        "HOTL": [
            {
                "call_id": "H0001",
                "arrive_time": _t(2026, 10, 3, 9),
                "subs_id": "S002",
                "caller_no": MSISDNS[1],
                **where,
                "vip_level": "1",
                "ivr_node": "41",
                "call_category": "2",
                "is_self_service": False,
                "is_to_agent": True,
                "queue_seconds": 12,
                "is_answered": True,
                "agent_id": "A440001",
                "talk_seconds": 300,
                "acw_seconds": 45,
            }
        ],
        "AGNT": [
            {
                "stat_date": date(2026, 10, 3),
                "session_id": "A0001",
                "agent_id": "A440001",
                "prov_code": "44",
                "login_time": datetime(2026, 10, 3, 7, 55, 0),
                "logout_time": datetime(2026, 10, 3, 16, 5, 0),
                "break_seconds": 4200,
            }
        ],
        "WORK": [
            {
                "order_id": "W0001",
                "create_time": _t(2026, 10, 3, 10),
                "subs_id": "S002",
                "contact_no": MSISDNS[1],
                **where,
                "vip_level": "1",
                "order_type": "1",
                "category_code": "010101",
                "source_call_id": "H0001",
                "department": "02",
                "limit_hours": 36,
                "dispatch_time": _t(2026, 10, 3, 11),
                "reply_time": _t(2026, 10, 4, 10),
                "close_time": _t(2026, 10, 4, 12),
                "reopen_cnt": 0,
                "satisfaction": "2",
            }
        ],
        "APPL": [
            {
                "appeal_id": "S0001",
                "accept_time": _t(2026, 10, 20),
                "subs_id": "S002",
                "appellant_no": MSISDNS[1],
                **where,
                "regulator": "2",
                "order_id": "W0001",
                "category_code": "010101",
                "close_time": None,
                "is_upheld": None,
            }
        ],
        "CIRC": [
            {
                "stat_date": date(2026, 10, 3),
                "circuit_id": "KC0001",
                "group_cust_id": "C002",
                "circuit_type": "01",
                "bandwidth_mbps": 100,
                **where,
                "availability": 99.0,
                "fault_cnt": 1,
                "outage_minutes": 14,
                "max_restore_minutes": 14,
                "sla_availability": 99.5,
                "sla_restore_minutes": 240,
            }
        ],
    }


def write_file(
    raw: Path,
    iface: Interface,
    period: str,
    rows: list[dict[str, Any]],
    seq: int = 1,
    loaded_at: datetime = LOADED_AT,
) -> Path:
    """One raw-layer Parquet file ``raw/<if>/<IF>_44_<period>_<seq>.parquet`` with load metadata.

    ``loaded_at``: a file added after a build must be loaded later than what was built (the
    daily interfaces' staging is incremental by load time), as the ingest flow stamps it."""
    stem = f"{iface.code}_44_{period}_{seq:03d}"
    fields = [pa.field(c.name, ARROW[c.type]) for c in iface.columns]
    fields += [
        pa.field("_file", pa.string()),
        pa.field("_md5", pa.string()),
        pa.field("_load_id", pa.string()),
        pa.field("_loaded_at", pa.timestamp("us")),
        pa.field("_line", pa.int64()),
        pa.field("_period", pa.string()),
    ]
    full = [
        {
            **row,
            "_file": f"{stem}.dat",
            "_md5": "0" * 32,
            "_load_id": LOAD_ID,
            "_loaded_at": loaded_at,
            "_line": n,
            "_period": period,
        }
        for n, row in enumerate(rows, start=1)
    ]
    table = pa.Table.from_pylist(full, schema=pa.schema(fields))
    dest = raw / iface.code.lower() / f"{stem}.parquet"
    dest.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, dest)
    return dest


def write_raw_layer(raw: Path) -> None:
    """Two months (2026-09, 2026-10) of every interface; daily ones for two days."""
    months = [date(2026, 9, 1), date(2026, 10, 1)]
    days = [date(2026, 10, 30), date(2026, 10, 31)]
    for m in months:
        p = f"{m:%Y%m}"
        write_file(raw, INTERFACES["CUST"], p, _customers(m))
        write_file(raw, INTERFACES["SUBS"], p, _subscribers(m))
        write_file(raw, INTERFACES["BILL"], p, _bills(m))
        write_file(raw, INTERFACES["PAYM"], p, _payments(m))
        write_file(raw, INTERFACES["USGM"], p, _monthly_usage(m))
        write_file(raw, INTERFACES["CHNL"], p, _channels(m))
        write_file(raw, INTERFACES["CMSN"], p, _commissions(m))
    write_file(raw, INTERFACES["EVNT"], "202610", _events())
    write_file(raw, INTERFACES["CMPL"], "202610", _complaints())
    for code, rows in _service().items():
        write_file(raw, INTERFACES[code], "202610", rows)
    for d in days:
        write_file(raw, INTERFACES["USGD"], f"{d:%Y%m%d}", _daily_usage(d))
        write_file(raw, INTERFACES["CELL"], f"{d:%Y%m%d}", _cells(d))
