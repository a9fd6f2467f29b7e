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
        """Read the decoded UTF-8 file one line per row and compute every row rule (and, if
        asked, the fingerprint of its rows: the same lines in any order, encoding or
        compression give the same one).

        Leaves temp tables ``_lines`` and ``_chk`` for ``rejects()`` and ``write_parquet()``.
        """
        con = self.con
        k = len(iface.columns)
        # One VARCHAR per line: the U+0001 delimiter never occurs (decode replaced it), quoting
        # and escaping are off, so the CSV reader just splits on LF.
        con.execute(
            "create or replace temp table _lines as select coalesce(line, '') as line "
            f"from read_csv({sql_str(str(text_path))}, columns={{'line': 'VARCHAR'}}, "
            "delim=chr(1), quote='', escape='', header=false, auto_detect=false, "
            "new_line='\\n', skip=0, max_line_size=16777216)"
        )
        if control_char_lines:
            con.execute("create or replace temp table _cc (line_no bigint, ch varchar)")
            con.executemany("insert into _cc values (?, ?)", list(control_char_lines.items()))
            cc_join, cc_col = "left join _cc as cc on cc.line_no = s.line_no", "cc.ch"
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
            f"from (select line_no, len(p) as nf, {cols} from "
            "      (select rowid + 1 as line_no, string_split(line, '|') as p from _lines)) as s "
            f"{cc_join} {' '.join(joins)}"
        )
        any_err = " or ".join(
            [f"nf <> {k}", "cc is not null"] + [f"e{i} is not null" for i in range(1, k + 1)]
        )
        row = con.execute(
            f"select count(*), count(*) filter (where {any_err}), "
            f"count(*) filter (where nf <> {k}), min(line_no) filter (where nf <> {k}), "
            "mode(nf) from _chk"
        ).fetchall()[0]
        counts = (
            {}
            if not row[1]
            else dict(
                con.execute(
                    "select rule, count(*) from ("
                    + " union all ".join(
                        [
                            f"select 'field_count' as rule from _chk where nf <> {k}",
                            "select 'control_char' from _chk where cc is not null",
                        ]
                        + [f"select e{i} from _chk where e{i} is not null" for i in range(1, k + 1)]
                    )
                    + ") group by rule"
                ).fetchall()
            )
        )
        rows_fingerprint = None
        if fingerprint:
            # DuckDB's own 64-bit hash: ten times faster than md5 here, but only promised
            # within a version, hence the version in the fingerprint (after an upgrade an older
            # file's rows are no longer recognised: a missed duplicate, never a false one).
            n, total = con.execute(
                "select count(*), coalesce(sum(hash(line)::hugeint), 0) from _lines"
            ).fetchall()[0]
            rows_fingerprint = f"duckdb{duckdb.__version__}:{n}:{total}"
        return RowCheck(
            lines=row[0],
            bad_lines=row[1],
            field_count_lines=row[2],
            first_field_count_line=row[3],
            common_field_count=row[4],
            rule_counts=counts,
            rows_fingerprint=rows_fingerprint,
        )

    def rejects(self, iface: Interface, limit: int | None = None) -> pa.Table:
        """Row rejects of the last ``check``: (line_no, rule, column, value, message), ordered
        by line then column; PII values masked."""
        k = len(iface.columns)
        parts = [
            f"select line_no, 0 as ord, 'field_count' as rule, null as column_name, "
            f"nf::varchar || ' fields' as value, "
            f"'the line has ' || nf || ' fields; interface {iface.code} has {k}' as message "
            f"from _chk where nf <> {k}",
            "select line_no, 0, 'control_char', null, cc, "
            "'the line contains the control character ' || cc || ', which the format does not "
            "allow' from _chk where cc is not null",
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
                f"from _chk where e{i} is not null"
            )
        sql = (
            "select line_no, rule, column_name, value, message from ("
            + " union all ".join(parts)
            + ") order by line_no, ord"
            + (f" limit {int(limit)}" if limit is not None else "")
        )
        return self.con.sql(sql).to_arrow_table()

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
    ) -> int:
        """Write the good rows of the last ``check`` as typed Parquet to ``dest``; return rows."""
        k = len(iface.columns)
        typed = ", ".join(
            f'{_typed_sql(col, f"c{i}")} as "{col.name}"'
            for i, col in enumerate(iface.columns, start=1)
        )
        ok = " and ".join([f"nf = {k}", "cc is null"] + [f"e{i} is null" for i in range(1, k + 1)])
        meta = (
            f"{sql_str(file_name)} as _file, {sql_str(md5)} as _md5, "
            f"{sql_str(load_id)} as _load_id, "
            f"cast({sql_str(loaded_at.isoformat(sep=' '))} as timestamp) as _loaded_at, "
            f"line_no as _line, {sql_str(period)} as _period"
        )
        copied = self.con.execute(
            f"copy (select {typed}, {meta} from _chk where {ok} order by line_no) "
            f"to {sql_str(str(dest))} (format parquet, compression zstd)"
        ).fetchall()
        return int(copied[0][0])  # COPY returns the rows it wrote

    def reset(self) -> None:
        for t in ("_lines", "_chk", "_cc"):
            self.con.execute(f"drop table if exists {t}")
