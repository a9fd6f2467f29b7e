"""A small extract writer and fixture seeds for the ingest tests (independent of the simulator),
and readers of what a load left behind (load_audit, load_rejects, raw files, quarantine)."""

from __future__ import annotations

import csv
import gzip
import tempfile
from pathlib import Path

import duckdb

from jingfen.extracts import ExtractName, write_control
from jingfen.ingest import LoadContext
from jingfen.interfaces import INTERFACES, Column

# Fixture reference data: just enough codes for every interface.
SEEDS = {
    "regions.csv": (
        "prov_code,prov_name,city_code,city_name,county_code,county_name\n"
        "44,广东省,4401,广州市,440103,荔湾区\n"
        "44,广东省,4401,广州市,440104,越秀区\n"
        "11,北京市,1101,北京市,110101,东城区\n"
    ),
    "packages.csv": "package_code,package_name\nP5G129,5G畅享129\nP4G019,19元米粉卡\n",
    "channel_types.csv": "channel_type_code,channel_type_name\n1010,自有旗舰厅\n",
    "complaint_categories.csv": "category_code,category_name\n010101,室内无信号\n",
    "code_values.csv": "code_set,code,name_zh,name_en,sort_order\n"
    + "".join(
        f"{cs},{code},x,x,1\n"
        for cs, codes in {
            "customer_type": ["01", "02"],
            "cert_type": ["01"],
            "gender": ["1", "2"],
            "cust_status": ["1", "0"],
            "vip_level": ["0", "1"],
            "pay_type": ["1", "2"],
            "net_type": ["4G", "5G"],
            "subs_status": ["1", "2"],
            "event_type": ["OPEN"],
            "pay_method": ["01"],
            "channel_status": ["1", "0"],
            "cmsn_type": ["01"],
            "complaint_source": ["1"],
            "satisfaction": ["1", "5"],
        }.items()
        for code in codes
    ),
}


def write_seeds(dir_: Path) -> Path:
    dir_.mkdir(parents=True, exist_ok=True)
    for name, text in SEEDS.items():
        (dir_ / name).write_text(text, encoding="utf-8")
    return dir_


def codes_from_seeds(seeds_dir: Path) -> dict[str, str]:
    """One valid code per interface ``ref`` (the first one the seeds hold)."""
    out: dict[str, str] = {}
    for iface in INTERFACES.values():
        for col in iface.columns:
            if not col.ref or col.ref in out:
                continue
            seed, column = col.ref.split(".", 1)
            with (seeds_dir / f"{seed}.csv").open(encoding="utf-8") as fh:
                reader = csv.DictReader(fh)
                for row in reader:
                    if seed == "code_values":
                        if row["code_set"] == column:
                            out[col.ref] = row["code"]
                            break
                    else:
                        out[col.ref] = row[column]
                        break
    return out


FIXTURE_CODES: dict[str, str] = {}


def value(col: Column, i: int, codes: dict[str, str] | None = None) -> str:
    """A valid value of ``col`` for row ``i`` (codes from ``codes``, default the fixture seeds)."""
    match col.type:
        case "int":
            return str(i * 10)
        case "dec":
            return f"{i % 100}.5"
        case "date":
            return f"202601{i % 28 + 1:02d}"
        case "month":
            return "202601"
        case "ts":
            return f"202601{i % 28 + 1:02d}1230{i % 60:02d}"
        case "flag":
            return str(i % 2)
        case "code":
            assert col.ref is not None
            return (codes or FIXTURE_CODES)[col.ref]
        case _:
            base = "张三" if col.name.endswith("name") else col.name[:4]
            s = f"{base}{i}"
            return s[: col.maxlen] if col.maxlen else s


def rows(interface: str, n: int, codes: dict[str, str] | None = None) -> list[list[str]]:
    """``n`` valid rows of ``interface``."""
    cols = INTERFACES[interface].columns
    return [[value(c, i, codes) for c in cols] for i in range(1, n + 1)]


def write_extract(
    landing: Path,
    name: str,
    lines: list[list[str]] | list[str],
    *,
    encoding: str = "UTF-8",
    control: bool = True,
    records: int | None = None,
    period: str | None = None,
) -> Path:
    """Write a data file (``name`` decides .dat or .dat.gz) and, unless told not to, its control
    file as the convention wants it.  ``lines`` are field lists or ready-made line strings."""
    landing.mkdir(parents=True, exist_ok=True)
    text = "".join((ln if isinstance(ln, str) else "|".join(ln)) + "\n" for ln in lines)
    data = text.encode("gbk" if encoding == "GBK" else "utf-8")
    path = landing / name
    path.write_bytes(gzip.compress(data, mtime=0) if name.endswith(".gz") else data)
    if control:
        parsed = ExtractName.parse(name)
        write_control(
            path, len(lines) if records is None else records, encoding, period or parsed.period
        )
    return path


def _fixture_codes() -> dict[str, str]:
    with tempfile.TemporaryDirectory() as d:
        return codes_from_seeds(write_seeds(Path(d)))


FIXTURE_CODES.update(_fixture_codes())


# ---- reading what a load left behind ---------------------------------------------------------
def audit(ctx: LoadContext) -> dict[str, dict]:
    """The latest load_audit row per file name."""
    with duckdb.connect(str(ctx.paths.ingest_db), read_only=True) as con:
        cur = con.execute("select * from load_audit order by started_at, finished_at")
        cols = [d[0] for d in cur.description]
        return {r[1]: dict(zip(cols, r, strict=True)) for r in cur.fetchall()}


def audit_rows(ctx: LoadContext) -> list[dict]:
    with duckdb.connect(str(ctx.paths.ingest_db), read_only=True) as con:
        cur = con.execute("select * from load_audit order by file_name, started_at")
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def rejects(ctx: LoadContext) -> list[dict]:
    with duckdb.connect(str(ctx.paths.ingest_db), read_only=True) as con:
        cur = con.execute("select * from load_rejects order by file_name, line_no, column_name")
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def raw_count(ctx: LoadContext, stem: str) -> int:
    path = ctx.paths.raw / stem[:4].lower() / f"{stem}.parquet"
    return duckdb.sql(f"select count(*) from '{path}'").fetchall()[0][0]


def assert_good_loaded(ctx: LoadContext, good: dict[str, int]) -> None:
    a = audit(ctx)
    for name, n in good.items():
        assert a[name]["status"] == "loaded", a[name]
        assert a[name]["records_loaded"] == n
        assert raw_count(ctx, name.removesuffix(".dat")) == n
        assert (ctx.paths.home / a[name]["destination"]).is_file()
    assert not any(ctx.landing.iterdir()), list(ctx.landing.iterdir())


def reason_text(ctx: LoadContext, name: str) -> str:
    (path,) = ctx.paths.quarantine.glob(f"*/{name}.reason.txt")
    return path.read_text(encoding="utf-8")
