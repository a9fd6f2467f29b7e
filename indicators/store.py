"""The HQ receipt database, ``JINGFEN_HOME/warehouse/hq.duckdb`` (总部指标接收库).

Written only by the receive flow; read by ``jingfen indicators status`` and by the dbt models in
``marts/hq`` (attached as ``hq``, read-only). Every package ever received is a row of
``submissions``, whatever its outcome; the figures of every accepted version are kept in
``submission_values`` (a superseded version stays queryable); every rejection reason is a row of
``submission_reasons``. ``catalogue``, ``central_values`` and ``period_status`` are rebuilt on
each receive run. Times are Beijing time (Asia/Shanghai), without a zone.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

SCHEMA = """
create table if not exists submissions (
    submission_id     integer primary key,
    package           varchar not null,      -- IND_44_202610_002
    prov_code         varchar not null,
    period            varchar not null,      -- YYYYMM or YYYYMMDD
    period_grain      varchar not null,      -- month | day
    period_month      date not null,
    stat_date         date,
    seq               integer not null,
    generated_at      timestamp,
    delivered_at      timestamp not null,    -- arrival in the inbox (the signature file's time)
    received_at       timestamp not null,    -- when the receive flow took it
    due_at            timestamp not null,
    is_late           boolean not null,
    catalogue_version varchar,
    records           integer,
    data_md5          varchar,
    signature         varchar,
    status            varchar not null,      -- accepted | rejected | superseded | duplicate
    is_current        boolean not null,      -- the version national figures use
    superseded_by     integer,
    duplicate_of      integer,
    reason_count      integer not null,
    stored_path       varchar not null
);
create table if not exists submission_values (
    submission_id  integer not null,
    prov_code      varchar not null,
    period         varchar not null,
    period_grain   varchar not null,
    period_month   date not null,
    stat_date      date,
    indicator_code varchar not null,
    region_level   varchar not null,
    region_code    varchar not null,
    value          double,
    numerator      double,
    denominator    double,
    unit           varchar
);
create table if not exists submission_reasons (
    submission_id integer not null,
    reason_no     integer not null,
    rule          varchar not null,
    detail        varchar not null
);
create table if not exists catalogue (
    catalogue_version varchar not null,
    indicator_code    varchar not null,
    name_zh           varchar,
    name_en           varchar,
    unit              varchar,
    period_grain      varchar,
    level             varchar,
    aggregation       varchar,               -- sum | ratio | change | value
    is_mandatory      boolean,
    is_ratio          boolean,
    is_additive       boolean,
    scale             double
);
create table if not exists central_values (
    prov_code      varchar not null,
    period         varchar not null,
    period_grain   varchar not null,
    indicator_code varchar not null,
    region_level   varchar not null,
    region_code    varchar not null,
    value          double,
    numerator      double,
    denominator    double,
    refreshed_at   timestamp not null
);
create table if not exists period_status (
    prov_code              varchar not null,
    prov_name              varchar not null,
    period                 varchar not null,
    period_grain           varchar not null,
    period_month           date not null,
    stat_date              date,
    status                 varchar not null,   -- on_time | late | rejected | missing | pending
    due_at                 timestamp not null,
    current_submission_id  integer,
    current_package        varchar,
    current_delivered_at   timestamp,
    first_delivered_at     timestamp,
    versions               integer not null,
    accepted_versions      integer not null,
    rejected_versions      integer not null,
    superseded_versions    integer not null,
    duplicate_deliveries   integer not null,
    last_reasons           varchar,
    as_of                  timestamp not null
);
"""


def connect(db: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the receipt database; creates it with its tables when opened for writing."""
    if read_only:
        return duckdb.connect(str(db), read_only=True)
    db.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(db))
    con.execute(SCHEMA)
    return con


def ensure_receipt_db(db: Path | None = None) -> Path:
    """Create ``hq.duckdb`` with empty tables if it does not exist (call before a dbt build that
    attaches it read-only)."""
    from indicators.settings import hq_paths

    db = db or hq_paths().db
    if not db.exists():
        connect(db).close()
    return db
