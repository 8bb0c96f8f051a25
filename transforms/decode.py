"""Bytes to text: byte-order marks, UTF-8/16, legacy code pages, mojibake repair.

Returns either text or a `Rejected` reason; never raises on bad bytes.
"""
from __future__ import annotations

import codecs
import gzip
import io
import zlib
from dataclasses import dataclass

import ftfy
from charset_normalizer import from_bytes

DECODE_VERSION = "decode-1"

# Limits that keep one hostile file from stalling a batch.
MAX_TEXT_BYTES = 50 * 1024 * 1024      # after decompression
MAX_GZIP_RATIO = 200                    # expanded / compressed; beyond is a zip bomb


@dataclass(frozen=True)
class Rejected:
    reason: str      # short, stable, machine-readable: "empty", "binary", ...
    detail: str = ""  # human explanation

    def __bool__(self) -> bool:  # a rejection is never truthy text
        return False


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    repaired: bool   # ftfy changed something (mojibake, bad quotes)


def gunzip(data: bytes, limit: int = MAX_TEXT_BYTES) -> bytes | Rejected:
    """Decompress gzip data with a hard output limit (gzip bombs are rejected)."""
    out = io.BytesIO()
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as fh:
            while True:
                chunk = fh.read(1 << 20)
                if not chunk:
                    break
                out.write(chunk)
                if out.tell() > limit:
                    return Rejected("too_large", f"gzip expands beyond {limit} bytes")
                if out.tell() > max(len(data), 1) * MAX_GZIP_RATIO and out.tell() > (1 << 20):
                    return Rejected("gzip_bomb", f"expansion ratio above {MAX_GZIP_RATIO}")
    except (OSError, EOFError, zlib.error) as exc:
        return Rejected("bad_gzip", str(exc))
    return out.getvalue()


_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def _looks_utf16(data: bytes) -> str | None:
    """UTF-16 without BOM: every other byte NUL in ASCII-heavy text."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even = sample[0::2].count(0) / (len(sample) / 2)
    odd = sample[1::2].count(0) / (len(sample) / 2)
    if odd > 0.4 and even < 0.05:
        return "utf-16-le"
    if even > 0.4 and odd < 0.05:
        return "utf-16-be"
    return None


def _control_share(text: str) -> float:
    if not text:
        return 0.0
    sample = text[:20000]
    bad = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\t\n\r\f") or ch == "\ufffd")
    return bad / len(sample)


def decode_bytes(data: bytes, limit: int = MAX_TEXT_BYTES) -> Decoded | Rejected:
    """Decode raw bytes to text, or say why they cannot be used."""
    if len(data) > limit:
        return Rejected("too_large", f"{len(data)} bytes exceeds the {limit}-byte limit")
    if not data.strip():
        return Rejected("empty", "file has no content" if not data else "file is only whitespace")
    encoding = None
    for bom, enc in _BOMS:
        if data.startswith(bom):
            encoding, data = enc, data[len(bom):]
            break
    if encoding is None:
        encoding = _looks_utf16(data)
    if encoding is None and b"\x00" in data[:65536]:
        return Rejected("binary", "NUL bytes in a file that is not UTF-16/32")
    text: str | None = None
    if encoding:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            return Rejected("undecodable", f"{encoding}: {exc.reason} at byte {exc.start}")
    else:
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            best = from_bytes(data[:200_000]).best()
            if best is None or best.encoding is None:
                return Rejected("undecodable", "no text encoding fits these bytes")
            encoding = best.encoding
            try:
                text = data.decode(encoding)
            except (UnicodeDecodeError, LookupError) as exc:
                return Rejected("undecodable", f"{encoding}: {exc}")
    if _control_share(text) > 0.05:
        return Rejected("binary", f"{_control_share(text):.0%} control characters after {encoding} decoding")
    fixed = ftfy.fix_text(text, normalization="NFC", unescape_html=False, uncurl_quotes=False)
    fixed = normalize_newlines(fixed)
    if not fixed.strip():
        return Rejected("empty", "no visible text after decoding")
    return Decoded(fixed, encoding, fixed != normalize_newlines(text))


def normalize_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")
