"""The upload package (上报包): naming rule, data file, control file and HMAC signature.

A package is three files with one stem, ``IND_{PROV}_{PERIOD}_{SEQ}``:

| file | content |
|---|---|
| ``IND_44_202610_001.dat`` | the data: UTF-8, no header, ``|``-separated, one indicator value per line |
| ``IND_44_202610_001.chk`` | the control file: ASCII ``key=value`` lines (``CONTROL_KEYS``) |
| ``IND_44_202610_001.sig`` | HMAC-SHA256 with the province's key over the control file's bytes, a NUL byte, and the data file's bytes |

``PERIOD`` is ``YYYYMM`` for a monthly package and ``YYYYMMDD`` for a daily one; ``SEQ`` counts the
province's packages for that period from ``001``; a resubmission takes the next number and
supersedes the earlier one. The data file and control file are written first and the signature
last: a package without its ``.sig`` is incomplete and HQ leaves it in the inbox.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

FORMAT_VERSION = "1.0"
STEM_RE = re.compile(r"^IND_(?P<prov>[0-9]{2})_(?P<period>[0-9]{6}|[0-9]{8})_(?P<seq>[0-9]{3})$")
FILE_RE = re.compile(
    r"^(?P<stem>IND_[0-9]{2}_(?:[0-9]{6}|[0-9]{8})_[0-9]{3})\.(?P<ext>dat|chk|sig)$"
)
FIELDS = (
    "indicator_code",
    "period",
    "region_level",
    "region_code",
    "value",
    "numerator",
    "denominator",
    "unit",
)
CONTROL_KEYS = (
    "file",
    "province",
    "period",
    "grain",
    "seq",
    "catalogue_version",
    "records",
    "bytes",
    "md5",
    "encoding",
    "format_version",
    "generated_at",
)
_NUMBER = re.compile(r"^-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$")


class PackageNameError(ValueError):
    """A name that does not follow IND_{PROV}_{PERIOD}_{SEQ}."""


@dataclass(frozen=True)
class PackageName:
    prov: str
    period: str
    seq: int

    @property
    def stem(self) -> str:
        return f"IND_{self.prov}_{self.period}_{self.seq:03d}"

    @property
    def grain(self) -> str:
        return "day" if len(self.period) == 8 else "month"

    @property
    def data_name(self) -> str:
        return self.stem + ".dat"

    @property
    def control_name(self) -> str:
        return self.stem + ".chk"

    @property
    def sig_name(self) -> str:
        return self.stem + ".sig"

    @classmethod
    def parse(cls, stem: str) -> PackageName:
        m = STEM_RE.match(stem)
        if not m:
            raise PackageNameError(
                f"package name {stem!r} does not follow the rule IND_{{PROV}}_{{PERIOD}}_{{SEQ}} "
                "(e.g. IND_44_202610_001)"
            )
        period = m["period"]
        try:
            datetime.strptime(period, "%Y%m%d" if len(period) == 8 else "%Y%m")
        except ValueError:
            raise PackageNameError(
                f"package name {stem!r}: PERIOD {period!r} is not a real date"
            ) from None
        return cls(m["prov"], period, int(m["seq"]))


def check_period(period: str) -> str:
    """``YYYYMM`` or ``YYYYMMDD``, a real date; returns it."""
    ok = re.fullmatch(r"[0-9]{6}|[0-9]{8}", period or "")
    if ok:
        try:
            datetime.strptime(period, "%Y%m%d" if len(period) == 8 else "%Y%m")
            return period
        except ValueError:
            pass
    raise ValueError(f"period {period!r} must be YYYYMM (monthly) or YYYYMMDD (daily), a real date")


@dataclass(frozen=True)
class Record:
    indicator_code: str
    period: str
    region_level: str  # 'province' | 'city'
    region_code: str
    value: float | None
    numerator: float | None
    denominator: float | None
    unit: str

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.indicator_code, self.region_level, self.region_code)


def format_number(x: float | None) -> str:
    """Shortest text that reads back as the same double; integers without a decimal point."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    x = float(x)
    if x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    return repr(x)


def format_data(records: list[Record]) -> bytes:
    """The data file's bytes; rows sorted so the same figures always give the same file."""
    lines = sorted(
        "|".join(
            (
                r.indicator_code,
                r.period,
                r.region_level,
                r.region_code,
                format_number(r.value),
                format_number(r.numerator),
                format_number(r.denominator),
                r.unit,
            )
        )
        for r in records
    )
    return "".join(line + "\n" for line in lines).encode("utf-8")


def _num(text: str) -> float | None:
    if text == "":
        return None
    if not _NUMBER.match(text):
        raise ValueError(f"{text!r} is not a number")
    return float(text)


def parse_data(data: bytes, name: str) -> tuple[list[Record], list[str]]:
    """Records and, for lines that cannot be read, sentences naming the file and line."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        return [], [f"{name}: the data file is not valid UTF-8 (byte {e.start})"]
    records: list[Record] = []
    errors: list[str] = []
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    elif lines:
        errors.append(f"{name}:{len(lines)}: the last line has no line end (truncated file?)")
    for n, line in enumerate(lines, start=1):
        parts = line.split("|")
        if len(parts) != len(FIELDS):
            errors.append(
                f"{name}:{n}: {len(parts)} fields where {len(FIELDS)} are expected ({'|'.join(FIELDS)})"
            )
            continue
        try:
            value, numerator, denominator = (_num(parts[4]), _num(parts[5]), _num(parts[6]))
        except ValueError as e:
            errors.append(f"{name}:{n}: {e}")
            continue
        records.append(
            Record(parts[0], parts[1], parts[2], parts[3], value, numerator, denominator, parts[7])
        )
    return records, errors


def format_control(values: dict[str, str]) -> bytes:
    return "".join(f"{k}={values[k]}\n" for k in CONTROL_KEYS).encode("ascii")


def parse_control(data: bytes) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in data.decode("ascii", errors="replace").splitlines():
        if "=" in line:
            k, v = line.split("=", 1)
            out[k.strip()] = v.strip()
    return out


def signature(key: bytes, control: bytes, data: bytes) -> str:
    return hmac.new(key, control + b"\0" + data, hashlib.sha256).hexdigest()


def format_sig(prov: str, sig: str) -> bytes:
    return f"algorithm=HMAC-SHA256\nprovince={prov}\nsignature={sig}\n".encode("ascii")


def verify(key: bytes, control: bytes, data: bytes, sig_file: bytes) -> bool:
    claimed = parse_control(sig_file).get("signature", "")
    return hmac.compare_digest(claimed, signature(key, control, data))


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".part")
    with tmp.open("wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    tmp.replace(path)


@dataclass(frozen=True)
class Package:
    """A package on disk: ``directory/stem.{dat,chk,sig}``."""

    directory: Path
    name: PackageName

    @property
    def files(self) -> tuple[Path, Path, Path]:
        """In delivery order: data, control, signature (the signature marks it complete)."""
        d = self.directory
        return (d / self.name.data_name, d / self.name.control_name, d / self.name.sig_name)

    @property
    def complete(self) -> bool:
        return all(p.exists() for p in self.files)


def write_package(
    directory: Path,
    name: PackageName,
    data: bytes,
    records: int,
    catalogue_version: str,
    key: bytes,
    generated_at: datetime | None = None,
) -> Package:
    directory.mkdir(parents=True, exist_ok=True)
    control = format_control(
        {
            "file": name.data_name,
            "province": name.prov,
            "period": name.period,
            "grain": name.grain,
            "seq": f"{name.seq:03d}",
            "catalogue_version": catalogue_version,
            "records": str(records),
            "bytes": str(len(data)),
            "md5": hashlib.md5(data).hexdigest(),
            "encoding": "UTF-8",
            "format_version": FORMAT_VERSION,
            "generated_at": (generated_at or datetime.now(UTC)).isoformat(timespec="microseconds"),
        }
    )
    pkg = Package(directory, name)
    dat, chk, sig = pkg.files
    _atomic_write(dat, data)
    _atomic_write(chk, control)
    _atomic_write(sig, format_sig(name.prov, signature(key, control, data)))
    return pkg


def complete_packages(directory: Path) -> tuple[list[Package], list[str]]:
    """Complete packages in a folder (oldest stem first) and the names of stray/incomplete files."""
    stems: dict[str, set[str]] = {}
    strays: list[str] = []
    if not directory.exists():
        return [], []
    for p in sorted(directory.iterdir()):
        if not p.is_file():
            continue
        m = FILE_RE.match(p.name)
        if not m:
            if not p.name.endswith(".part"):
                strays.append(p.name)
            continue
        stems.setdefault(m["stem"], set()).add(m["ext"])
    packages = []
    for stem, exts in sorted(stems.items()):
        try:
            name = PackageName.parse(stem)
        except PackageNameError:
            name = None
        if name is not None and exts == {"dat", "chk", "sig"}:
            packages.append(Package(directory, name))
        else:
            strays.extend(f"{stem}.{e}" for e in sorted(exts))
    return packages, strays
