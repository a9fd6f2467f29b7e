"""Writes extract files exactly as jingfen/extracts.py defines them: ``|``-delimited, no header,
``\\n`` line ends, empty = NULL; data to a temporary name, renamed, then the ``.chk`` beside it."""

from __future__ import annotations

import gzip as gzip_mod
from collections import Counter
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

from jingfen.extracts import ExtractName, write_control
from jingfen.interfaces import INTERFACES

BEIJING = timezone(timedelta(hours=8))
_OPTIONS = pacsv.WriteOptions(include_header=False, delimiter="|", quoting_style="none")


def generated_at(period: str) -> datetime:
    """A fixed extraction time derived from the period (02:00 Beijing time the day after it ends),
    so that the same seed gives byte-identical control files."""
    if len(period) == 8:
        end = datetime.strptime(period, "%Y%m%d").date() + timedelta(days=1)
    else:
        first = datetime.strptime(period + "01", "%Y%m%d").date()
        end = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return datetime(end.year, end.month, end.day, 2, 0, 0, tzinfo=BEIJING)


class ExtractWriter:
    def __init__(self, out: Path, encoding: str, gzip: bool) -> None:
        self.out = out
        self.encoding = encoding
        self.gzip = gzip
        self.files = 0
        self.rows: Counter[str] = Counter()
        self.bytes = 0
        out.mkdir(parents=True, exist_ok=True)

    def write(self, interface: str, prov: str, period: str, table: pa.Table) -> Path:
        spec = INTERFACES[interface]
        if table.column_names != spec.names:
            raise ValueError(
                f"{interface} table columns {table.column_names} differ from the interface's {spec.names}"
            )
        sink = pa.BufferOutputStream()
        if table.num_rows:
            pacsv.write_csv(table, sink, _OPTIONS)
        data = sink.getvalue().to_pybytes()
        if self.encoding == "GBK":
            data = data.decode("utf-8").encode("gbk")
        if self.gzip:
            data = gzip_mod.compress(data, compresslevel=6, mtime=0)
        name = ExtractName(interface, prov, period, "001", self.gzip)
        path = self.out / name.data_name
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
        write_control(path, table.num_rows, self.encoding, period, generated_at(period))
        self.files += 1
        self.rows[interface] += table.num_rows
        self.bytes += len(data)
        return path
