"""A generated corpus of hostile and careless input, mixed with good articles.

`build(root, heavy=False)` writes the files under `root` and returns what each one
must become: `OK` (processed: at least one article, no reject) or the set of reject
reasons allowed for its single reject row. JSONL files with some bad lines list the
good record count and the bad line numbers instead.

Light (the test in make test): >= 1,000 bad files, all small but one 51 MB text file.
Heavy (bench/hostile_corpus.py): adds a 200 MB text file, a gzip bomb of 4 GB, a JSONL
file of a million records and one with 10 MB lines.
"""
from __future__ import annotations

import gzip
import json
import os
import random
from dataclasses import dataclass, field
from pathlib import Path

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"
SECRET = "FRAMEWATCH-SECRET-MARKER-7f3a"   # text of files outside the raw folder: must never be read


@dataclass
class Expect:
    ok: bool = False                       # must be processed
    reasons: frozenset[str] = frozenset()  # else: exactly one file-level reject with one of these
    records: int | None = None             # JSONL: this many good records ...
    bad_lines: dict[int, frozenset[str]] = field(default_factory=dict)   # ... and these bad ones


OK = Expect(ok=True)


def reject(*reasons: str) -> Expect:
    return Expect(reasons=frozenset(reasons))


def _seed_texts() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(RAW.glob("*.txt"))]


def _article(rng: random.Random, texts: list[str], i: int) -> str:
    """A good article: a seed with a unique last paragraph (distinct bodies)."""
    return rng.choice(texts) + f"\n\nThe ministry said on Monday that {i} further inquiries had been opened into the unrest.\n"


def _record(i: int, body: str | None = None) -> dict:
    return {"title": f"Protests in Almaty, report {i}",
            "content": body or (f"Report {i}: protesters and police clashed in Almaty on Wednesday, and {i + 3} "
                                "people were detained, officials said. Witnesses said the crowd was peaceful."),
            "source": "Reuters", "date": "2022-01-07"}


class Corpus:
    def __init__(self, root: Path):
        self.root = root
        self.expect: dict[str, Expect] = {}
        root.mkdir(parents=True, exist_ok=True)

    def put(self, rel: str, data: bytes, expect: Expect) -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self.expect[rel] = expect

    def link(self, rel: str, target: str, expect: Expect) -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, path)
        self.expect[rel] = expect


def _deep_html(levels: int, inner: str) -> bytes:
    return ("<html><body>" + "<div>" * levels + inner + "</div>" * levels + "</body></html>").encode()


XXE = """<?xml version="1.0"?>
<!DOCTYPE html [
  <!ENTITY xxe SYSTEM "file://{secret}">
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<html><head><title>Unrest in Almaty {i}</title></head><body><article>
<h1>Unrest in Almaty {i}</h1>
<p>Entity test: &xxe; and &lol9; end.</p>
<p>Protesters gathered in the main square of Almaty on Wednesday, and police used tear gas against them, witnesses said.</p>
<p>The government declared a state of emergency and a curfew in the city, and said order would be restored within days.</p>
<p>Officials said {i} people had been detained, while rights groups said the real number of arrests was far higher.</p>
</article></body></html>"""


def build(root: Path, heavy: bool = False, copies: int = 32, seed: int = 11) -> dict[str, Expect]:
    """Write the corpus under root/raw (files outside the raw folder go to root/outside).
    Returns rel path -> Expect. With copies=32 there are >1,000 bad files."""
    rng = random.Random(seed)
    texts = _seed_texts()
    raw, outside = root / "raw", root / "outside"
    outside.mkdir(parents=True, exist_ok=True)
    (outside / "secret.txt").write_text(f"{SECRET}\n" * 200, encoding="utf-8")
    c = Corpus(raw)
    n = 0

    def good(i: int) -> str:
        nonlocal n
        n += 1
        return _article(rng, texts, 1000 * i + n)

    for i in range(copies):
        d = f"batch{i:03d}"
        # ---- good files, in every encoding and form a user has
        c.put(f"{d}/good.txt", good(i).encode(), OK)
        c.put(f"{d}/good bom.txt", b"\xef\xbb\xbf" + good(i).encode(), OK)
        c.put(f"{d}/good-utf16le-bom.txt", good(i).encode("utf-16"), OK)
        c.put(f"{d}/good-utf16le-nobom.txt", good(i).encode("utf-16-le"), OK)
        c.put(f"{d}/good-utf16be-nobom.txt", good(i).encode("utf-16-be"), OK)
        c.put(f"{d}/good-latin1.txt", good(i).replace("—", "-").encode("latin-1", errors="replace"), OK)
        c.put(f"{d}/good.txt.gz", gzip.compress(good(i).encode()), OK)
        c.put(f"{d}/новости {i}.txt", good(i).encode(), OK)                  # non-ASCII name with a space
        c.put(f"{d}/line\nbreak {i}.txt", good(i).encode(), OK)              # newline in the name
        c.put(f"{d}/truncated-utf8.txt", good(i).encode()[:-1] + "é".encode()[:1], OK)   # cut mid-character
        c.put(f"{d}/ru-cp1251.txt", ("Протестующие вышли на площадь в Алма-Ате. " * 12 +
                                     f"Полиция задержала {i + 40} человек, сообщили власти.").encode("cp1251"), OK)
        c.put(f"{d}/ru-koi8r.txt", ("Митингующие собрались у здания акимата в Алматы. " * 12 +
                                    f"По данным МВД, задержаны {i + 7} человек.").encode("koi8-r"), OK)
        c.put(f"{d}/good.json", json.dumps(_record(i)).encode(), OK)
        c.put(f"{d}/xxe.html", XXE.format(secret=outside / "secret.txt", i=i).encode(), OK)
        # ---- bad files: each must become exactly one reject row
        c.put(f"{d}/empty.txt", b"", reject("empty"))
        c.put(f"{d}/blank.txt", b" \n\t\r\n" * rng.randint(1, 50), reject("empty"))
        c.put(f"{d}/binary.txt", rng.randbytes(rng.randint(100, 5000)), reject("binary", "undecodable"))
        c.put(f"{d}/nul.txt", b"Protesters\x00 gathered\x00" * 40, reject("binary"))
        c.put(f"{d}/png-named.txt", b"\x89PNG\r\n\x1a\n" + rng.randbytes(2000), reject("binary", "undecodable"))
        c.put(f"{d}/invalid-utf8.txt", bytes(rng.choice([0x80, 0x81, 0x8d, 0x8f, 0x90, 0x9d]) for _ in range(800)),
              reject("binary", "undecodable"))
        c.put(f"{d}/control.txt", bytes(rng.randint(1, 8) for _ in range(3000)), reject("binary"))
        c.put(f"{d}/too-short.txt", b"Breaking news.", reject("no_article_text"))
        c.put(f"{d}/furniture.txt", ("Home\nNews\nSport\nLogin\nSubscribe\nCookie settings\n" * 20).encode(),
              reject("no_article_text"))
        c.put(f"{d}/bomb.txt.gz", gzip.compress(b"A" * (60 << 20), 9), reject("gzip_bomb", "too_large"))
        c.put(f"{d}/broken.txt.gz", gzip.compress(good(i).encode())[:-30] + b"garbage", reject("bad_gzip"))
        c.put(f"{d}/not-gzip.txt.gz", good(i).encode(), reject("bad_gzip"))
        c.put(f"{d}/deep.html", _deep_html(100_000, "<p>deep</p>"), reject("no_article_text", "too_deep"))
        c.put(f"{d}/deep-article.html", _deep_html(100_000, "<p>" + good(i)[:3000] + "</p>"),
              reject("no_article_text", "too_deep"))
        c.put(f"{d}/script-only.html", b"<html><script>" + b"var a=1;" * 500 + b"</script></html>", reject("no_article_text"))
        c.put(f"{d}/truncated.html", XXE.format(secret="/nonexistent", i=i).encode()[:-260], OK)   # cut mid-paragraph
        c.put(f"{d}/bad.json", b'{"title": "x", "content": ', reject("bad_json"))
        c.put(f"{d}/deep.json", b"[" * 200_000 + b"]" * 200_000, reject("bad_json"))
        c.put(f"{d}/number.json", b"42", reject("not_an_object"))
        c.put(f"{d}/string.json", b'"just a string"', reject("not_an_object"))
        c.put(f"{d}/no-body.json", json.dumps({"title": "only a title"}).encode(), reject("no_text_field"))
        c.put(f"{d}/wrong-type.json", json.dumps({"content": 12345, "title": ["a"]}).encode(), reject("wrong_type"))
        c.put(f"{d}/empty-array.json", b"[]", reject("no_records"))
        c.put(f"{d}/report.pdf", b"%PDF-1.4\n" + rng.randbytes(500), reject("unsupported_format"))
        c.put(f"{d}/notes.docx", rng.randbytes(500), reject("unsupported_format"))
        c.link(f"{d}/escape.txt", str(outside / "secret.txt"), reject("outside_raw_dir"))
        c.link(f"{d}/escape-rel.txt", "../../outside/secret.txt", reject("outside_raw_dir"))
        c.link(f"{d}/dangling.txt", "does-not-exist.txt", reject("broken_symlink"))
        c.link(f"{d}/loop-a.txt", "loop-b.txt", reject("symlink_loop"))
        c.link(f"{d}/loop-b.txt", "loop-a.txt", reject("symlink_loop"))
        c.link(f"{d}/self.txt", "self.txt", reject("symlink_loop"))
        c.link(f"{d}/dir-link", str(outside), reject("symlinked_directory"))
        c.link(f"{d}/dir-loop", ".", reject("symlinked_directory"))
        os.mkfifo(raw / d / "fifo.txt")
        c.expect[f"{d}/fifo.txt"] = reject("not_a_file")
        # ---- JSONL with good and bad lines: good records kept, each bad line one reject
        lines, bad = [], {}
        for j in range(20):
            kind = j % 5
            if kind == 1:
                lines.append(b'{"content": "broken')
                bad[j] = frozenset({"bad_json"})
            elif kind == 3:
                lines.append(json.dumps({"content": {"nested": True}, "title": 7}).encode())
                bad[j] = frozenset({"wrong_type"})
            else:   # raw UTF-8 text (not \u escapes): must survive the broken line below intact
                rec = dict(_record(1000 * i + j), title=f"Протесты в Алма-Ате — «{j}»")
                lines.append(json.dumps(rec, ensure_ascii=False).encode())
        lines.append(b"\xff\xfe not utf-8 \x80")
        bad[len(lines) - 1] = frozenset({"undecodable"})
        c.put(f"{d}/mixed.jsonl", b"\n".join(lines) + b"\n", Expect(records=12, bad_lines=bad))
    # ---- single large ones
    c.put("big/51mb.txt", b"Protesters gathered in the square. " * (51 * (1 << 20) // 35 + 1), reject("too_large"))
    if heavy:
        with open(raw / "big" / "200mb.txt", "wb") as fh:
            block = ("Police and protesters clashed again in Almaty, officials said. " * 16000).encode()
            for _ in range(200 * (1 << 20) // len(block) + 1):
                fh.write(block)
        c.expect["big/200mb.txt"] = reject("too_large")
        with gzip.open(raw / "big" / "bomb-4gb.txt.gz", "wb", compresslevel=9) as fh:
            zero = b"\0" * (1 << 24)
            for _ in range(256):
                fh.write(zero)
        c.expect["big/bomb-4gb.txt.gz"] = reject("gzip_bomb", "too_large")
        long_line = json.dumps(_record(0, "Protesters marched. " * (10 * (1 << 20) // 20))).encode()
        c.put("big/10mb-lines.jsonl", b"\n".join([long_line, json.dumps(_record(1)).encode(), long_line]) + b"\n",
              Expect(records=1, bad_lines={0: frozenset({"too_large"}), 2: frozenset({"too_large"})}))
        with open(raw / "big" / "million.jsonl", "wb") as fh:
            for j in range(1_000_000):
                fh.write(json.dumps({"title": f"Item {j}", "content": f"Brief {j}: protesters and police in Almaty, "
                                     f"{j % 97} detained, officials said.", "source": "Reuters"}).encode() + b"\n")
        c.expect["big/million.jsonl"] = Expect(records=1_000_000)
    return c.expect


def bad_name(raw: Path) -> str:
    """A file whose name is not valid UTF-8 (its rel path as the warehouse shows it)."""
    name = b"bad-\xff\xfe-name.txt"
    with open(os.path.join(os.fsencode(raw), name), "wb") as fh:
        fh.write(b"Protesters gathered in Almaty. " * 20)
    return "bad-\\xff\\xfe-name.txt"
