import codecs
import gzip

import pytest

from transforms.decode import Decoded, Rejected, decode_bytes, gunzip

TEXT = (
    "Протесты в Казахстане начались 2 января. Протестующие выступили против роста цен на сжиженный газ. "
    "Вскоре протесты переросли в беспорядки. Ситуация стала особенно напряжённой в крупнейшем городе страны."
)


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"", "empty"),
        (b"   \n\t ", "empty"),
        (b"\x00\x01\x02\x03binary\x00\xff" * 50, "binary"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "binary"),
    ],
)
def test_rejects_unusable_bytes(data, reason):
    result = decode_bytes(data)
    assert isinstance(result, Rejected)
    assert result.reason == reason
    assert not result


@pytest.mark.parametrize(
    "data, encoding",
    [
        ("plain ascii".encode(), "utf-8"),
        (TEXT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), "utf-16-le"),
        (TEXT.encode("utf-16-le"), "utf-16-le"),
        (TEXT.encode("utf-16-be"), "utf-16-be"),
        (TEXT.encode("cp1251"), None),
        (TEXT.encode("koi8-r"), None),
    ],
)
def test_decodes_encodings(data, encoding):
    result = decode_bytes(data)
    assert isinstance(result, Decoded), result
    assert result.text in (TEXT, "plain ascii")
    if encoding:
        assert result.encoding == encoding


def test_latin1_and_cp1252():
    text = "Café déjà vu — “quoted” in São Paulo, naïve façade."
    for enc in ("cp1252", "latin-1"):
        data = text.encode(enc, errors="ignore")
        result = decode_bytes(data)
        assert isinstance(result, Decoded)
        assert "Café" in result.text and "São Paulo" in result.text


def test_repairs_mojibake_and_newlines():
    broken = "The Embassyâ€™s ability\r\nto provide".encode("utf-8")
    result = decode_bytes(broken)
    assert isinstance(result, Decoded)
    assert result.text == "The Embassy’s ability\nto provide"
    assert result.repaired


def test_gzip_roundtrip_and_bomb():
    assert gunzip(gzip.compress(b"hello")) == b"hello"
    bomb = gzip.compress(b"\0" * (30 * 1024 * 1024))
    result = gunzip(bomb)
    assert isinstance(result, Rejected) and result.reason in ("gzip_bomb", "too_large")
    bad = gunzip(b"\x1f\x8b\x08\x00garbage")
    assert isinstance(bad, Rejected) and bad.reason == "bad_gzip"


def test_too_large():
    result = decode_bytes(b"a" * 101, limit=100)
    assert isinstance(result, Rejected) and result.reason == "too_large"
