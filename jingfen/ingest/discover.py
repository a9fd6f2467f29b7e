"""What is waiting in landing/: deliveries in a fixed order, badly named files, stray controls."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import groupby
from pathlib import Path

from jingfen.extracts import ExtractName, ExtractNameError
from jingfen.ingest.audit import stem_of


@dataclass(frozen=True)
class Delivery:
    path: Path
    name: ExtractName

    @property
    def sort_key(self) -> tuple[str, str, str, str, bool]:
        n = self.name
        return (n.interface, n.period, n.prov, n.seq, n.gz)


@dataclass
class Discovery:
    deliveries: list[Delivery] = field(default_factory=list)
    bad_names: list[Path] = field(default_factory=list)  # *.dat / *.dat.gz breaking the rule
    stray_controls: list[Path] = field(default_factory=list)  # *.chk with no data file
    ignored: list[Path] = field(default_factory=list)  # anything else (uploads in progress...)

    @property
    def files(self) -> int:
        return len(self.deliveries) + len(self.bad_names) + len(self.stray_controls)

    def by_interface(self) -> list[tuple[str, list[Delivery]]]:
        """Deliveries grouped by interface, in processing order."""
        return [
            (code, list(group))
            for code, group in groupby(self.deliveries, key=lambda d: d.name.interface)
        ]


def is_data_name(name: str) -> bool:
    return name.endswith(".dat") or name.endswith(".dat.gz")


def discover(landing: Path) -> Discovery:
    """Scan ``landing`` (not recursively).  Hidden files (``.name``, e.g. an upload in progress)
    and names without ``.dat``/``.dat.gz``/``.chk`` are ignored, not touched."""
    found = Discovery()
    if not landing.is_dir():
        return found
    entries = sorted(p for p in landing.iterdir() if p.is_file())
    data_stems = {stem_of(p.name) for p in entries if is_data_name(p.name)}
    for p in entries:
        if p.name.startswith("."):
            found.ignored.append(p)
        elif is_data_name(p.name):
            try:
                found.deliveries.append(Delivery(p, ExtractName.parse(p.name)))
            except ExtractNameError:
                found.bad_names.append(p)
        elif p.name.endswith(".chk"):
            if stem_of(p.name) not in data_stems:
                found.stray_controls.append(p)
        else:
            found.ignored.append(p)
    found.deliveries.sort(key=lambda d: d.sort_key)
    return found
