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
MAX_TEXT_BYTES = 50 * 1024 * 1024      # one article (txt/html/json), after decompression
MAX_RECORDS_BYTES = 1024 * 1024 * 1024  # a JSONL file of many records
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
    """UTF-16 without BOM: one byte lane holds the few 'high' bytes of one script
    (0x00 for Latin, 0x04 for Cyrillic, ...), the other lane varies freely."""
    sample = data[: 4096 - 4096 % 2]
    if len(sample) < 8 or len(data) % 2:
        return None
    even, odd = sample[0::2], sample[1::2]

    def narrow(lane: bytes) -> bool:
        top = sorted((lane.count(b) for b in set(lane)), reverse=True)[:3]
        return sum(top) >= 0.95 * len(lane) and (0 in lane or 4 in lane or 5 in lane or 6 in lane)

    for enc, hi, lo in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if narrow(hi) and len(set(lo)) > len(set(hi)) + 2:
            try:
                text = data.decode(enc)
            except UnicodeDecodeError:
                continue
            if _control_share(text) < 0.02:
                return enc
    return None


def _control_share(text: str) -> float:
    if not text:
        return 0.0
    sample = text[:20000]
    bad = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\t\n\r\f") or ch == "\ufffd")
    return bad / len(sample)


def _cyrillic_codepage(data: bytes) -> str | None:
    """cp1251 or KOI8-R for single-byte Russian text, else None.

    In such text most letters are non-ASCII bytes >= 0xC0. Lowercase letters sit at
    0xE0-0xFF in cp1251 but at 0xC0-0xDF in KOI8-R, and text is mostly lowercase."""
    sample = data[:100_000]
    high = sum(1 for b in sample if b >= 0xC0)
    ascii_letters = sum(1 for b in sample if 65 <= b <= 90 or 97 <= b <= 122)
    if high < 20 or high < 0.5 * (high + ascii_letters):
        return None
    upper_half = sum(1 for b in sample if b >= 0xE0)
    return "cp1251" if upper_half > high - upper_half else "koi8-r"


def decode_bytes(data: bytes, limit: int = MAX_TEXT_BYTES, repair: bool = True) -> Decoded | Rejected:
    """Decode raw bytes to text, or say why they cannot be used.

    repair=True (pages): ftfy repairs mojibake and newlines are normalised.
    repair=False (JSON): the text is left exactly as decoded; JSON parsing and
    per-field newline normalisation come later (ftfy would turn U+2028 inside a
    JSON string into a line break and split a JSONL record)."""
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
            cyrillic = _cyrillic_codepage(data)
            best = None if cyrillic else from_bytes(data[:200_000]).best()
            if cyrillic:
                encoding = cyrillic
            elif best is None or best.encoding is None:
                return Rejected("undecodable", "no text encoding fits these bytes")
            else:
                encoding = best.encoding
            try:
                text = data.decode(encoding)
            except (UnicodeDecodeError, LookupError) as exc:
                return Rejected("undecodable", f"{encoding}: {exc}")
    share = _control_share(text)
    if share > 0.05:
        return Rejected("binary", f"{share:.0%} control characters after {encoding} decoding")
    if not repair:
        return Decoded(text, encoding, False)
    fixed = ftfy.fix_text(text, normalization="NFC", unescape_html=False, uncurl_quotes=False)
    fixed = normalize_newlines(fixed)
    if not fixed.strip():
        return Rejected("empty", "no visible text after decoding")
    return Decoded(fixed, encoding, fixed != normalize_newlines(text))


def normalize_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")
