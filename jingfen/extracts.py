"""The extract file convention (docs/interfaces.md): names, control files, checksums.

``{IF}_{PROV}_{PERIOD}_{SEQ}.dat[.gz]`` with a control file ``{IF}_{PROV}_{PERIOD}_{SEQ}.chk``
beside it.  Both the simulator (writer) and the ingest flow (reader) use only this module for the
convention, so they cannot drift apart.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from jingfen.interfaces import ENCODINGS, INTERFACE_VERSION, INTERFACES

NAME_RE = re.compile(
    r"^(?P<interface>[A-Z]{4})_(?P<prov>[0-9]{2})_(?P<period>[0-9]{6}|[0-9]{8})_(?P<seq>[0-9]{3})"
    r"\.dat(?P<gz>\.gz)?$"
)
CONTROL_KEYS = (
    "file",
    "records",
    "bytes",
    "md5",
    "encoding",
    "period",
    "interface_version",
    "generated_at",
)


class ExtractNameError(ValueError):
    """A file name that does not follow the naming rule."""


@dataclass(frozen=True)
class ExtractName:
    interface: str
    prov: str
    period: str
    seq: str
    gz: bool = False

    @property
    def stem(self) -> str:
        """``SUBS_44_202610_001`` — identifies a delivery; a re-delivery has the same stem."""
        return f"{self.interface}_{self.prov}_{self.period}_{self.seq}"

    @property
    def data_name(self) -> str:
        return self.stem + (".dat.gz" if self.gz else ".dat")

    @property
    def control_name(self) -> str:
        return self.stem + ".chk"

    @property
    def is_daily(self) -> bool:
        return len(self.period) == 8

    def period_start(self) -> date:
        if self.is_daily:
            return datetime.strptime(self.period, "%Y%m%d").date()
        return datetime.strptime(self.period + "01", "%Y%m%d").date()

    @classmethod
    def parse(cls, name: str) -> ExtractName:
        """Parse and check a data file name; raises ExtractNameError with the rule broken."""
        m = NAME_RE.match(name)
        if not m:
            raise ExtractNameError(
                f"file name {name!r} does not follow the rule "
                "{IF}_{PROV}_{PERIOD}_{SEQ}.dat[.gz] (e.g. SUBS_44_202610_001.dat)"
            )
        iface, prov, period, seq = m["interface"], m["prov"], m["period"], m["seq"]
        if iface not in INTERFACES:
            raise ExtractNameError(
                f"file name {name!r} names unknown interface {iface!r}; "
                f"known: {', '.join(INTERFACES)}"
            )
        kind = INTERFACES[iface].period
        if kind == "monthly" and len(period) != 6:
            raise ExtractNameError(
                f"file name {name!r}: interface {iface} is delivered monthly, so PERIOD must be YYYYMM"
            )
        if kind == "daily" and len(period) != 8:
            raise ExtractNameError(
                f"file name {name!r}: interface {iface} is delivered daily, so PERIOD must be YYYYMMDD"
            )
        fmt = "%Y%m%d" if len(period) == 8 else "%Y%m"
        try:
            datetime.strptime(period, fmt)
        except ValueError:
            raise ExtractNameError(
                f"file name {name!r}: PERIOD {period!r} is not a valid date"
            ) from None
        return cls(iface, prov, period, seq, bool(m["gz"]))


def file_digest(path: Path, chunk: int = 1 << 20) -> tuple[int, str]:
    """(bytes, md5 hex) of a file as delivered."""
    h = hashlib.md5()
    n = 0
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
            n += len(block)
    return n, h.hexdigest()


def format_control(
    data_name: str,
    records: int,
    nbytes: int,
    md5: str,
    encoding: str,
    period: str,
    generated_at: datetime | None = None,
    interface_version: str = INTERFACE_VERSION,
) -> str:
    if encoding not in ENCODINGS:
        raise ValueError(f"encoding must be one of {ENCODINGS}, not {encoding!r}")
    ts = (generated_at or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%S%z")
    values = {
        "file": data_name,
        "records": records,
        "bytes": nbytes,
        "md5": md5,
        "encoding": encoding,
        "period": period,
        "interface_version": interface_version,
        "generated_at": ts,
    }
    return "".join(f"{k}={values[k]}\n" for k in CONTROL_KEYS)


def write_control(
    data_path: Path, records: int, encoding: str, period: str, generated_at: datetime | None = None
) -> Path:
    """Write the ``.chk`` beside a finished data file (bytes and md5 of the file as written)."""
    name = ExtractName.parse(data_path.name)
    nbytes, md5 = file_digest(data_path)
    chk = data_path.with_name(name.control_name)
    tmp = chk.with_suffix(".chk.tmp")
    tmp.write_text(
        format_control(data_path.name, records, nbytes, md5, encoding, period, generated_at),
        encoding="ascii",
    )
    tmp.replace(chk)
    return chk


def parse_control(text: str) -> dict[str, str]:
    """``key=value`` lines; blank lines and ``#`` comments ignored. Raises ValueError naming the
    line that is not ``key=value``."""
    out: dict[str, str] = {}
    for i, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if "=" not in line:
            raise ValueError(f"line {i} of the control file is not key=value: {line!r}")
        k, v = line.split("=", 1)
        out[k.strip()] = v.strip()
    return out
