"""One streaming pass over a delivered data file: bytes, md5, decoding, line count.

DuckDB cannot decode GBK offline, so every file is decoded here, in chunks, with ``errors='strict'``
and written as UTF-8 to a temp file that DuckDB then reads one line per row.  Chunks are cut at
``\\n`` so a decoding error can name its line exactly (``\\n`` is never part of a multi-byte
character in UTF-8 or GBK).  The md5 and byte count are of the file as delivered (compressed, for
``.dat.gz``) and are computed to the end even after a decoding error, so the control-file checks
can still be reported.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

CHUNK = 4 << 20  # 4 MiB of delivered bytes per read

# Python codec names for the encodings a control file may declare (jingfen.interfaces.ENCODINGS).
CODECS = {"UTF-8": "utf-8", "GBK": "gbk"}

# Characters the line reader cannot take as data: NUL, the column-splitting sentinel (U+0001) and
# a carriage return that is not part of CRLF.  A line holding one is rejected (rule control_char).
_FORBIDDEN = re.compile("[\x00\x01\r]")


@dataclass
class DecodeResult:
    """What the streaming pass learned about one data file."""

    nbytes: int = 0
    md5: str = ""
    lines: int = 0  # lines in the decoded text (a last line without a newline counts)
    decoded: bool = False  # the whole file decoded in the declared encoding
    error: str | None = None  # a sentence naming the line, when it did not
    error_code: str | None = None  # encoding_error | bad_gzip
    bad_lines: dict[int, str] = field(default_factory=dict)  # line_no -> forbidden char found


def _raw_chunks(path: Path, gz: bool, md5: hashlib._Hash, counter: list[int]) -> Iterator[bytes]:
    """Delivered bytes are hashed and counted; the (decompressed) content is yielded."""
    inflate = zlib.decompressobj(wbits=31) if gz else None
    with path.open("rb") as fh:
        while block := fh.read(CHUNK):
            md5.update(block)
            counter[0] += len(block)
            if inflate is None:
                yield block
                continue
            out = inflate.decompress(block)
            # Concatenated gzip members are legal; start a new member when one ends.
            while inflate.eof and inflate.unused_data:
                rest = inflate.unused_data
                inflate = zlib.decompressobj(wbits=31)
                out += inflate.decompress(rest)
            if out:
                yield out
        if inflate is not None:
            tail = inflate.flush()
            if tail:
                yield tail
            if not inflate.eof:
                raise zlib.error("the gzip stream ends before its end marker (truncated)")


def decode_to_utf8(path: Path, encoding: str, out: Path | None, gz: bool = False) -> DecodeResult:
    """Hash, decode (strictly) and count ``path``; write the UTF-8 text to ``out`` (LF line ends).

    ``encoding`` is one of ``CODECS``; ``out`` may be None to only check.  CRLF line ends become
    LF.  Lines with a forbidden control character are noted in ``bad_lines`` and the character
    is replaced by U+FFFD in ``out`` so the reader keeps line numbers right.
    """
    res = DecodeResult()
    md5 = hashlib.md5()
    counter = [0]
    decoder = codecs.getincrementaldecoder(CODECS[encoding])(errors="strict")
    carry = b""
    last_char_nl = True
    decoding = True
    sink = out.open("w", encoding="utf-8", newline="") if out is not None else None

    def emit(block: bytes, final: bool) -> None:
        nonlocal decoding, last_char_nl
        try:
            text = decoder.decode(block, final)
        except UnicodeDecodeError as e:
            decoding = False
            line = res.lines + block[: e.start].count(b"\n") + 1
            bad = block[e.start : e.end].hex(" ")
            res.error_code = "encoding_error"
            res.error = (
                f"line {line} is not valid {encoding}: byte(s) {bad} cannot be decoded "
                f"(the control file declares encoding={encoding})"
            )
            return
        if not text:
            return
        if "\r" in text:
            text = text.replace("\r\n", "\n")
        if _FORBIDDEN.search(text):
            text = _mark_forbidden(text, res)
        res.lines += text.count("\n")
        last_char_nl = text.endswith("\n")
        if sink is not None:
            sink.write(text)

    try:
        try:
            for data in _raw_chunks(path, gz, md5, counter):
                if not decoding:
                    continue  # keep hashing to the end
                data = carry + data
                cut = data.rfind(b"\n") + 1
                carry = data[cut:]  # an unfinished line (and a CR waiting for its LF)
                if cut:
                    emit(data[:cut], False)
            if decoding:
                emit(carry, True)
                if decoding and not last_char_nl:
                    res.lines += 1  # a last line without a newline
        except (zlib.error, EOFError) as e:
            decoding = False
            res.error_code = "bad_gzip"
            res.error = f"the file is not a readable gzip stream ({e})"
            # Finish hashing the delivered bytes for the control-file checks.
            with path.open("rb") as fh:
                fh.seek(counter[0])
                while block := fh.read(CHUNK):
                    md5.update(block)
                    counter[0] += len(block)
    finally:
        if sink is not None:
            sink.close()
    res.nbytes = counter[0]
    res.md5 = md5.hexdigest()
    res.decoded = decoding
    return res


def _mark_forbidden(text: str, res: DecodeResult) -> str:
    """Slow path for the rare chunk holding a forbidden character: note the lines, replace it."""
    line, pos = res.lines + 1, 0
    for m in _FORBIDDEN.finditer(text):
        line += text.count("\n", pos, m.start())
        pos = m.start()
        res.bad_lines.setdefault(line, f"U+{ord(m.group()):04X}")
    return _FORBIDDEN.sub("\ufffd", text)
