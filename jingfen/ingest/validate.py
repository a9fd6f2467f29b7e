"""Validation of one extract: the control file, and the rows (vectorised, in DuckDB SQL).

Structural rules (any one rejects the whole file): ``bad_name``, ``missing_control``,
``bad_control``, ``control_file_mismatch``, ``unsupported_encoding``, ``unsupported_version``,
``period_mismatch``, ``bytes_mismatch``, ``checksum_mismatch``, ``bad_gzip``, ``encoding_error``,
``empty_file``, ``record_count_mismatch``, ``field_count`` (on most lines), ``too_many_bad_rows``,
``no_good_rows``.

Row rules (a bad line is left out and recorded in ``load_rejects``): ``field_count``,
``control_char``, ``mandatory``, ``format_int``, ``format_dec``, ``format_date``,
``format_month``, ``format_ts``, ``format_flag``, ``maxlen``, ``unknown_code``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from jingfen.extracts import CONTROL_KEYS, ExtractName, parse_control
from jingfen.ingest.decode import CODECS
from jingfen.ingest.model import Reason
from jingfen.ingest.refs import register_ref
from jingfen.interfaces import INTERFACE_VERSION, Column, Interface

SUPPORTED_VERSIONS = frozenset({INTERFACE_VERSION})

# A file is structurally broken (not just a few bad rows) when more than this share of its lines
# have the wrong number of fields.
FIELD_COUNT_STRUCTURAL_SHARE = 0.5

ROW_RULES = (
    "field_count",
    "control_char",
    "mandatory",
    "format_int",
    "format_dec",
    "format_date",
    "format_month",
    "format_ts",
    "format_flag",
    "maxlen",
    "unknown_code",
)


# ---------------------------------------------------------------- control file


@dataclass(frozen=True)
class Control:
    values: dict[str, str]

    @property
    def encoding(self) -> str | None:
        """The declared encoding in its canonical spelling, if supported."""
        raw = self.values.get("encoding", "").strip().upper().replace("_", "-")
        canon = {"UTF-8": "UTF-8", "UTF8": "UTF-8", "GBK": "GBK"}
        return canon.get(raw)

    def int_value(self, key: str) -> int | None:
        try:
            return int(self.values[key])
        except (KeyError, ValueError):
            return None


def read_control(
    chk: Path, data_name: str, name: ExtractName
) -> tuple[Control | None, list[Reason]]:
    """Parse and check the control file on its own (before the data file is read)."""
    if not chk.is_file():
        return None, [
            Reason(
                "missing_control",
                f"the control file {chk.name} is missing; every data file needs a "
                f"{{IF}}_{{PROV}}_{{PERIOD}}_{{SEQ}}.chk beside it",
            )
        ]
    try:
        values = parse_control(chk.read_bytes().decode("utf-8"))
    except UnicodeDecodeError:
        return None, [Reason("bad_control", f"the control file {chk.name} is not ASCII/UTF-8 text")]
    except ValueError as e:
        return None, [Reason("bad_control", f"the control file {chk.name}: {e}")]
    reasons: list[Reason] = []
    missing = [k for k in CONTROL_KEYS if not values.get(k)]
    if missing:
        reasons.append(
            Reason(
                "bad_control",
                f"the control file {chk.name} lacks the key(s) {', '.join(missing)}; "
                f"it must have {', '.join(CONTROL_KEYS)}",
            )
        )
    ctl = Control(values)
    if values.get("file") and values["file"] != data_name:
        reasons.append(
            Reason(
                "control_file_mismatch",
                f"the control file names file={values['file']}, not {data_name}",
            )
        )
    for key in ("records", "bytes"):
        count = ctl.int_value(key)
        if values.get(key) and (count is None or count < 0):
            reasons.append(
                Reason("bad_control", f"the control file's {key}={values[key]} is not a count")
            )
    if values.get("encoding") and ctl.encoding is None:
        reasons.append(
            Reason(
                "unsupported_encoding",
                f"encoding={values['encoding']} is not supported; the rule is "
                f"{' or '.join(CODECS)}",
            )
        )
    if values.get("period") and values["period"] != name.period:
        reasons.append(
            Reason(
                "period_mismatch",
                f"the control file says period={values['period']} but the file name's PERIOD "
                f"is {name.period}",
            )
        )
    ver = values.get("interface_version")
    if ver and ver not in SUPPORTED_VERSIONS:
        reasons.append(
            Reason(
                "unsupported_version",
                f"interface_version={ver} is not supported; supported: "
                f"{', '.join(sorted(SUPPORTED_VERSIONS))}",
            )
        )
    return ctl, reasons


# ---------------------------------------------------------------- rows, in SQL


def sql_str(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


_FORMAT = {
    # field type -> (rule, full-match regex, a parse that must succeed, human rule)
    "int": ("format_int", r"-?[0-9]+", "try_cast({v} as bigint)", "an integer (-?[0-9]+)"),
    "dec": (
        "format_dec",
        r"-?[0-9]+(\.[0-9]+)?",
        "try_cast({v} as double)",
        "a decimal number (-?[0-9]+(.[0-9]+)?)",
    ),
    "date": ("format_date", r"[0-9]{8}", "try_strptime({v}, '%Y%m%d')", "a valid date YYYYMMDD"),
    "month": (
        "format_month",
        r"[0-9]{6}",
        "try_strptime({v} || '01', '%Y%m%d')",
        "a valid month YYYYMM",
    ),
    "ts": (
        "format_ts",
        r"[0-9]{14}",
        "try_strptime({v}, '%Y%m%d%H%M%S')",
        "a valid timestamp YYYYMMDDHHMMSS",
    ),
}


def _mask_sql(v: str) -> str:
    """Masked text of a PII value: its first 3 and last 2 characters at most (never in clear)."""
    return (
        f"case when length({v}) <= 4 then repeat('*', length({v})) "
        f"else left({v}, 3) || repeat('*', length({v}) - 5) || right({v}, 2) end"
    )


def _typed_sql(col: Column, v: str) -> str:
    n = f"nullif({v}, '')"
    match col.type:
        case "int":
            return f"cast({n} as bigint)"
        case "dec":
            return f"cast({n} as double)"
        case "date":
            return f"cast(strptime({n}, '%Y%m%d') as date)"
        case "month":
            return f"cast(strptime({n} || '01', '%Y%m%d') as date)"
        case "ts":
            return f"cast(strptime({n}, '%Y%m%d%H%M%S') as timestamp)"
        case "flag":
            return f"({n} = '1')"
        case _:
            return n


@dataclass
class RowCheck:
    lines: int
    bad_lines: int
    field_count_lines: int
    first_field_count_line: int | None
    common_field_count: int | None
    rule_counts: dict[str, int]
    # "duckdb<version>:<lines>:<sum of a 64-bit hash per line>": the same lines in any order
    rows_fingerprint: str | None = None


@dataclass(frozen=True)
class ParquetItem:
    """One file of a checked batch to write: its place ``f`` and where its Parquet goes."""

    f: int
    dest: Path
    file_name: str
    md5: str
    period: str


class RowValidator:
    """Row checks for a batch of files on one in-memory DuckDB connection (reference tables are
    loaded once per batch).  Not thread-safe; one per task."""

    def __init__(self, seeds_dir: Path, tmp_dir: Path, threads: int | None = None) -> None:
        self.seeds_dir = seeds_dir
        tmp_dir.mkdir(parents=True, exist_ok=True)
        self.con = duckdb.connect()
        self._refs: dict[str, str] = {}  # ref -> its table, created once per validator
        self.con.execute(f"set temp_directory = {sql_str(str(tmp_dir))}")
        if threads:
            self.con.execute(f"set threads = {int(threads)}")

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> RowValidator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def check(
        self,
        text_path: Path,
        iface: Interface,
        control_char_lines: dict[int, str],
        fingerprint: bool = False,
    ) -> RowCheck:
        """The row rules of one decoded file (``check_batch`` of one)."""
        return self.check_batch([(text_path, control_char_lines)], iface, fingerprint)[0]

    def check_batch(
        self,
        files: Sequence[tuple[Path, dict[int, str]]],
        iface: Interface,
        fingerprint: bool = False,
    ) -> list[RowCheck]:
        """Read decoded UTF-8 files of one interface, one line per row, and compute every row
        rule for all of them in one pass (and, if asked, each file's fingerprint: the same
        lines in any order, encoding or compression give the same one).  File ``i`` of the
        batch is ``f = i`` in the temp table ``_chk``, which stays for ``rejects()`` and the
        Parquet writes.

        One pass per batch rather than per file: a small file's own checks cost far less than
        a query's fixed cost, which is what kept the ingest ~30x from the engine.
        """
        con = self.con
        k = len(iface.columns)
        paths = [str(p) for p, _ in files]
        con.execute("create or replace temp table _files (f integer, path varchar)")
        con.executemany("insert into _files values (?, ?)", list(enumerate(paths)))
        # One VARCHAR per line: the U+0001 delimiter never occurs (decode replaced it), quoting
        # and escaping are off, so the CSV reader just splits on LF.  A multi-file scan keeps
        # the files' order and each file's line order (preserve_insertion_order, the default),
        # so a line's number is its place among its file's rows.
        con.execute(
            "create or replace temp table _read as select filename, coalesce(line, '') as line "
            f"from read_csv([{', '.join(sql_str(p) for p in paths)}], "
            "columns={'line': 'VARCHAR'}, delim=chr(1), quote='', escape='', header=false, "
            "auto_detect=false, new_line='\\n', skip=0, max_line_size=16777216, filename=true)"
        )
        con.execute(
            "create or replace temp table _lines as select fl.f, "
            "row_number() over (partition by r.filename order by r.rowid) as line_no, r.line "
            "from _read as r join _files as fl on fl.path = r.filename order by fl.f, line_no"
        )
        con.execute("drop table _read")
        cc_rows = [(f, n, ch) for f, (_, lines) in enumerate(files) for n, ch in lines.items()]
        if cc_rows:
            con.execute("create or replace temp table _cc (f integer, line_no bigint, ch varchar)")
            con.executemany("insert into _cc values (?, ?, ?)", cc_rows)
            cc_join = "left join _cc as cc on cc.f = s.f and cc.line_no = s.line_no"
            cc_col = "cc.ch"
        else:
            cc_join, cc_col = "", "cast(null as varchar)"
        cols = ", ".join(f"p[{i + 1}] as c{i + 1}" for i in range(k))
        joins, errs = [], []
        for i, col in enumerate(iface.columns, start=1):
            v = f"s.c{i}"
            whens = []
            if col.mandatory:
                whens.append(f"when {v} = '' then 'mandatory'")
            else:
                whens.append(f"when {v} = '' then null")
            if col.type in _FORMAT:
                rule, rx, parse, _ = _FORMAT[col.type]
                whens.append(
                    f"when not regexp_full_match({v}, {sql_str(rx)}) "
                    f"or {parse.format(v=v)} is null then '{rule}'"
                )
            elif col.type == "flag":
                whens.append(f"when {v} not in ('0', '1') then 'format_flag'")
            if col.maxlen:
                whens.append(f"when length({v}) > {col.maxlen} then 'maxlen'")
            if col.ref:
                if col.ref not in self._refs:
                    self._refs[col.ref] = register_ref(con, self.seeds_dir, col.ref)
                t = self._refs[col.ref]
                joins.append(f"left join {t} as r{i} on r{i}.code = s.c{i}")
                whens.append(f"when r{i}.code is null then 'unknown_code'")
            errs.append(f"case when s.nf = {k} then case {' '.join(whens)} end end as e{i}")
        con.execute(
            "create or replace temp table _chk as "
            f"select s.*, {cc_col} as cc, {', '.join(errs)} "
            f"from (select f, line_no, len(p) as nf, {cols} from "
            "      (select f, line_no, string_split(line, '|') as p from _lines)) as s "
            f"{cc_join} {' '.join(joins)} order by s.f, s.line_no"
        )
        any_err = " or ".join(
            [f"nf <> {k}", "cc is not null"] + [f"e{i} is not null" for i in range(1, k + 1)]
        )
        stats = {
            r[0]: r[1:]
            for r in con.execute(
                f"select f, count(*), count(*) filter (where {any_err}), "
                f"count(*) filter (where nf <> {k}), min(line_no) filter (where nf <> {k}), "
                "mode(nf) from _chk group by f"
            ).fetchall()
        }
        bad_files = sorted(f for f, st in stats.items() if st[1])
        counts: dict[int, dict[str, int]] = {f: {} for f in range(len(files))}
        if bad_files:
            bad = f"f in ({', '.join(str(f) for f in bad_files)})"
            union = " union all ".join(
                [
                    f"select f, 'field_count' as rule from _chk where {bad} and nf <> {k}",
                    f"select f, 'control_char' from _chk where {bad} and cc is not null",
                ]
                + [
                    f"select f, e{i} from _chk where {bad} and e{i} is not null"
                    for i in range(1, k + 1)
                ]
            )
            for f, rule, n in con.execute(
                f"select f, rule, count(*) from ({union}) group by f, rule"
            ).fetchall():
                counts[f][rule] = n
        prints: dict[int, str] = {}
        if fingerprint:
            # DuckDB's own 64-bit hash: ten times faster than md5 here, but only promised
            # within a version, hence the version in the fingerprint (after an upgrade an older
            # file's rows are no longer recognised: a missed duplicate, never a false one).
            sums = {
                f: (n, total)
                for f, n, total in con.execute(
                    "select f, count(*), coalesce(sum(hash(line)::hugeint), 0) from _lines "
                    "group by f"
                ).fetchall()
            }
            for f in range(len(files)):
                n, total = sums.get(f, (0, 0))
                prints[f] = f"duckdb{duckdb.__version__}:{n}:{total}"
        out = []
        for f in range(len(files)):
            lines, bad_lines, fc_lines, first_fc, common = stats.get(f, (0, 0, 0, None, None))
            out.append(
                RowCheck(
                    lines=lines,
                    bad_lines=bad_lines,
                    field_count_lines=fc_lines,
                    first_field_count_line=first_fc,
                    common_field_count=common,
                    rule_counts=counts[f],
                    rows_fingerprint=prints.get(f),
                )
            )
        return out

    def rejects(self, iface: Interface, limit: int | None = None, f: int = 0) -> pa.Table:
        """Row rejects of file ``f`` of the last check: (line_no, rule, column, value,
        message), ordered by line then column; PII values masked."""
        k = len(iface.columns)
        this = f"f = {int(f)}"
        parts = [
            f"select line_no, 0 as ord, 'field_count' as rule, null as column_name, "
            f"nf::varchar || ' fields' as value, "
            f"'the line has ' || nf || ' fields; interface {iface.code} has {k}' as message "
            f"from _chk where {this} and nf <> {k}",
            "select line_no, 0, 'control_char', null, cc, "
            "'the line contains the control character ' || cc || ', which the format does not "
            f"allow' from _chk where {this} and cc is not null",
        ]
        for i, col in enumerate(iface.columns, start=1):
            v = f"c{i}"
            shown = _mask_sql(v) if col.pii else v
            what = f"'column {col.name} value ''' || {shown} || ''''"
            fmt_msg = (
                f"{what} || ' is not {_FORMAT[col.type][3]}'"
                if col.type in _FORMAT
                else f"{what} || ' is not a flag (0 or 1)'"
            )
            msg = (
                f"case e{i} "
                f"when 'mandatory' then 'column {col.name} is mandatory but empty' "
                f"when 'maxlen' then 'column {col.name} is ' || length({v}) || "
                f"' characters long; the maximum is {col.maxlen}' "
                f"when 'unknown_code' then {what} || ' is not a code of {col.ref}' "
                f"else {fmt_msg} end"
            )
            parts.append(
                f"select line_no, {i}, e{i}, '{col.name}', "
                f"case when e{i} = 'mandatory' then null else {shown} end, {msg} "
                f"from _chk where {this} and e{i} is not null"
            )
        sql = (
            "select line_no, rule, column_name, value, message from ("
            + " union all ".join(parts)
            + ") order by line_no, ord"
            + (f" limit {int(limit)}" if limit is not None else "")
        )
        return self.con.sql(sql).to_arrow_table()

    def _typed(self, iface: Interface) -> tuple[str, str]:
        """The typed column list and the good-row condition over ``_chk``."""
        k = len(iface.columns)
        typed = ", ".join(
            f'{_typed_sql(col, f"c{i}")} as "{col.name}"'
            for i, col in enumerate(iface.columns, start=1)
        )
        ok = " and ".join([f"nf = {k}", "cc is null"] + [f"e{i} is null" for i in range(1, k + 1)])
        return typed, ok

    def write_parquet(
        self,
        iface: Interface,
        dest: Path,
        *,
        file_name: str,
        md5: str,
        load_id: str,
        loaded_at: datetime,
        period: str,
        f: int = 0,
    ) -> int:
        """Write the good rows of file ``f`` of the last check as typed Parquet to ``dest``, in
        line order; return the rows written."""
        typed, ok = self._typed(iface)
        meta = (
            f"{sql_str(file_name)} as _file, {sql_str(md5)} as _md5, "
            f"{sql_str(load_id)} as _load_id, "
            f"cast({sql_str(loaded_at.isoformat(sep=' '))} as timestamp) as _loaded_at, "
            f"line_no as _line, {sql_str(period)} as _period"
        )
        copied = self.con.execute(
            f"copy (select {typed}, {meta} from _chk where f = {int(f)} and {ok} "
            f"order by line_no) to {sql_str(str(dest))} (format parquet, compression zstd)"
        ).fetchall()
        return int(copied[0][0])  # COPY returns the rows it wrote

    def write_parquet_batch(
        self,
        iface: Interface,
        items: Sequence[ParquetItem],
        *,
        load_id: str,
        loaded_at: datetime,
        work_dir: Path,
    ) -> list[int]:
        """Write the good rows of several files of the last check, each to its own Parquet
        (``item.dest``), in one partitioned COPY under ``work_dir``; return the rows written
        per item.

        Rows inside such a file are in no particular order (a partitioned write does not keep
        it); ``_line`` is the line each came from.  A file the COPY did not write as exactly
        one part (no good rows) is written on its own."""
        if len(items) <= 1:
            return [self._write_one(iface, it, load_id, loaded_at) for it in items]
        typed, ok = self._typed(iface)
        con = self.con
        con.execute(
            "create or replace temp table _meta "
            "(f integer, _file varchar, _md5 varchar, _period varchar)"
        )
        con.executemany(
            "insert into _meta values (?, ?, ?, ?)",
            [(it.f, it.file_name, it.md5, it.period) for it in items],
        )
        work_dir.mkdir(parents=True, exist_ok=True)
        con.execute(
            f"copy (select {typed}, m._file, m._md5, {sql_str(load_id)} as _load_id, "
            f"cast({sql_str(loaded_at.isoformat(sep=' '))} as timestamp) as _loaded_at, "
            "line_no as _line, m._period, c.f as _part "
            f"from _chk as c join _meta as m on m.f = c.f where {ok}) "
            f"to {sql_str(str(work_dir))} "
            "(format parquet, compression zstd, partition_by (_part), filename_pattern 'rows_{i}', "
            "overwrite_or_ignore)"
        )
        good = dict(
            con.execute(
                f"select f, count(*) from _chk where f in (select f from _meta) and {ok} group by f"
            ).fetchall()
        )
        rows = []
        for it in items:
            parts = list((work_dir / f"_part={it.f}").glob("*.parquet"))
            if len(parts) == 1:
                os.replace(parts[0], it.dest)
                rows.append(int(good.get(it.f, 0)))
            else:
                for part in parts:
                    part.unlink()
                rows.append(self._write_one(iface, it, load_id, loaded_at))
        # The part folders stay (empty) for the next batch: creating and removing thousands
        # of folders cost more than the writes.  The load removes them at its end.
        return rows

    def _write_one(
        self, iface: Interface, it: ParquetItem, load_id: str, loaded_at: datetime
    ) -> int:
        return self.write_parquet(
            iface,
            it.dest,
            file_name=it.file_name,
            md5=it.md5,
            load_id=load_id,
            loaded_at=loaded_at,
            period=it.period,
            f=it.f,
        )

    def reset(self) -> None:
        for t in ("_lines", "_chk", "_cc", "_files", "_meta"):
            self.con.execute(f"drop table if exists {t}")
