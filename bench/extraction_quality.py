"""Extraction quality benchmark on the trafilatura evaluation set (../shared/corpora).

    python bench/extraction_quality.py [--limit N] [--out bench/out/extraction.md]

(a) HTML mode: transforms.htmlpage.extract_html vs plain trafilatura.extract (defaults).
(b) Text mode: each page is first flattened to a page-text dump that keeps ALL visible
    text (transforms.htmlpage.page_text: script/style/head dropped, block elements become
    line breaks, nav/footer/comments kept).  Then transforms.textdump.extract_text_dump
    vs jusText on the same dump: every dump line becomes one <p> (so jusText sees exactly
    our units, with no link or heading information, like us), with the jusText stoplist
    that covers most words of the page (the same automatic choice text mode makes;
    jusText itself needs a language to be named).

Scores per system, over all snippets of all pages, after whitespace normalisation:
  with-found   = `with` snippets present in the output / all `with` snippets  (recall-like)
  without-absent = `without` snippets absent / all `without` snippets        (precision-like)
  F = harmonic mean of the two.
Reported for all pages, and for the even / odd file-id halves (text mode was tuned on
pages with even ids only; odd ids are the held-out half).
Timing: text mode mean milliseconds per 6 KB of dump (total CPU time / total size * 6 KB),
one process, one core.
"""

from __future__ import annotations

import argparse
import gzip
import html as html_lib
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpora" / "trafilatura-eval"
sys.path.insert(0, str(ROOT))

import justext  # noqa: E402
import trafilatura  # noqa: E402
from trafilatura.utils import decode_file  # noqa: E402

from transforms import textdump  # noqa: E402
from transforms.htmlpage import HTMLPAGE_VERSION, extract_html, page_text  # noqa: E402
from transforms.textdump import TEXTDUMP_VERSION, extract_text_dump  # noqa: E402

SYSTEMS = ("trafilatura.extract", "extract_html", "jusText on dump", "extract_text_dump, rules only", "extract_text_dump")


@dataclass
class Score:
    """Snippet counts for one system over a set of pages."""

    with_found: int = 0
    with_total: int = 0
    without_absent: int = 0
    without_total: int = 0

    def add(self, text: str, with_: list[str], without: list[str]) -> tuple[int, int]:
        norm = " ".join(text.split())
        found = sum(" ".join(s.split()) in norm for s in with_)
        leaked = sum(" ".join(s.split()) in norm for s in without)
        self.with_found += found
        self.with_total += len(with_)
        self.without_absent += len(without) - leaked
        self.without_total += len(without)
        return found, leaked

    @property
    def recall(self) -> float:
        return self.with_found / self.with_total if self.with_total else 0.0

    @property
    def precision(self) -> float:
        return self.without_absent / self.without_total if self.without_total else 0.0

    @property
    def f(self) -> float:
        r, p = self.recall, self.precision
        return 2 * r * p / (r + p) if r + p else 0.0


@dataclass
class Results:
    scores: dict[tuple[str, str], Score] = field(default_factory=dict)  # (split, system)
    text_seconds: float = 0.0
    rules_seconds: float = 0.0
    text_bytes: int = 0
    text_calls: int = 0
    html_seconds: float = 0.0
    baseline_seconds: float = 0.0

    def score(self, split: str, system: str) -> Score:
        return self.scores.setdefault((split, system), Score())


def justext_on_dump(dump: str) -> str:
    """jusText on a dump: one <p> per line, stoplist chosen by word coverage."""
    lines = dump.splitlines()
    if not lines:
        return ""
    stoplist = textdump._detect_stoplist(lines)
    doc = "<html><body>" + "".join(f"<p>{html_lib.escape(ln)}</p>" for ln in lines) + "</body></html>"
    try:
        paras = justext.justext(doc.encode("utf-8"), stoplist, encoding="utf-8")
    except Exception:  # noqa: BLE001 - a baseline failure counts as empty output
        return ""
    return "\n".join(p.text for p in paras if not p.is_boilerplate)


def run(limit: int | None, pages_out: Path | None) -> Results:
    evaldata = json.loads((CORPUS / "evaldata.json").read_text(encoding="utf-8"))
    names = sorted(evaldata)[:limit] if limit else sorted(evaldata)
    res = Results()
    per_page = []
    for name in names:
        meta = evaldata[name]
        raw = gzip.open(CORPUS / "html" / name, "rb").read()
        html = decode_file(raw)
        if isinstance(html, bytes):
            html = html.decode("utf-8", "replace")
        split = "even" if int(name.split(".")[0]) % 2 == 0 else "odd"
        with_, without = meta.get("with", []), meta.get("without", [])

        t0 = time.perf_counter()
        base = trafilatura.extract(html, url=meta.get("url")) or ""
        t1 = time.perf_counter()
        ours_html = extract_html(html, url=meta.get("url")).body
        t2 = time.perf_counter()
        res.baseline_seconds += t1 - t0
        res.html_seconds += t2 - t1

        dump = page_text(html)
        jt = justext_on_dump(dump)
        t3 = time.process_time()  # CPU time: robust to other jobs sharing the machine
        rules_text = extract_text_dump(dump, line_model=False).body
        t4 = time.process_time()
        ours_text = extract_text_dump(dump).body
        t5 = time.process_time()
        res.rules_seconds += t4 - t3
        res.text_seconds += t5 - t4
        res.text_bytes += len(dump.encode("utf-8"))
        res.text_calls += 1

        row = {"page": name, "split": split}
        for system, out in zip(SYSTEMS, (base, ours_html, jt, rules_text, ours_text)):
            for sp in ("all", split):
                found, leaked = res.score(sp, system).add(out, with_, without)
            row[system] = [found, len(with_), leaked, len(without)]
        per_page.append(row)
    if pages_out:
        pages_out.parent.mkdir(parents=True, exist_ok=True)
        pages_out.write_text("\n".join(json.dumps(r) for r in per_page) + "\n", encoding="utf-8")
    return res


ALLSIDES = ROOT.parent / "shared" / "corpora" / "allsides" / "articles.jsonl.gz"


def clean_text_check(n: int = 1000) -> str:
    """Text mode on clean article text (title, blank line, the paragraphs: what a user's
    own .txt files look like, no page around it): the share of paragraph characters
    kept and the bodies left empty, with and without the line model."""
    if not ALLSIDES.exists():
        return "(clean-text check skipped: AllSides corpus not found)"
    arts = []
    with gzip.open(ALLSIDES, "rt", encoding="utf-8") as f:
        for i, line in enumerate(f):
            if i % 12 == 0:  # every 12th article: spread over the file
                r = json.loads(line)
                if (r.get("content_original") or "").strip():
                    arts.append(r)
            if len(arts) >= n:
                break
    rows = []
    for label, use_model in (("rules only", False), ("with line model", True)):
        total = kept = empty = 0
        for r in arts:
            paras = [" ".join(p.split()) for p in r["content_original"].split("\n") if p.strip()]
            body = " ".join(extract_text_dump((r.get("title") or "") + "\n\n" + r["content_original"],
                                              line_model=use_model).body.split())
            empty += not body
            total += sum(map(len, paras))
            kept += sum(len(p) for p in paras if p in body)
        rows.append(f"| {label} | {len(arts)} | {kept / max(total, 1):.4f} | {empty} |")
    return "\n".join([
        "Clean article text (AllSides, every 12th article, title + paragraphs as a .txt):",
        "",
        "| text mode | articles | paragraph characters kept | empty bodies |",
        "| --- | --- | --- | --- |",
        *rows,
    ])


def table(res: Results, n_pages: int, command: str) -> str:
    lines = [
        f"Extraction quality on trafilatura-eval ({n_pages} pages; {TEXTDUMP_VERSION}, {HTMLPAGE_VERSION}, "
        f"trafilatura {trafilatura.__version__}, jusText {getattr(justext, '__version__', '?')})",
        "",
        f"Command: `{command}`",
        "",
        "| mode | system | pages | with found (recall-like) | without absent (precision-like) | F |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    modes = {"trafilatura.extract": "HTML", "extract_html": "HTML", "jusText on dump": "text",
             "extract_text_dump, rules only": "text", "extract_text_dump": "text"}
    for split in ("all", "even", "odd"):
        for system in SYSTEMS:
            s = res.scores.get((split, system))
            if s is None:
                continue
            label = {"all": "all", "even": "even ids (tuning)", "odd": "odd ids (held out)"}[split]
            lines.append(
                f"| {modes[system]} | {system} | {label} | {s.recall:.3f} ({s.with_found}/{s.with_total}) "
                f"| {s.precision:.3f} ({s.without_absent}/{s.without_total}) | {s.f:.3f} |"
            )
    ms_6kb = res.text_seconds / res.text_bytes * 6144 * 1000 if res.text_bytes else 0.0
    rules_6kb = res.rules_seconds / res.text_bytes * 6144 * 1000 if res.text_bytes else 0.0
    lines += [
        "",
        f"Text mode speed (CPU): {ms_6kb:.2f} ms per 6 KB of dump, rules only {rules_6kb:.2f} ms in the same run "
        f"(ratio {ms_6kb / max(rules_6kb, 1e-9):.2f}; mean over {res.text_calls} dumps, "
        f"{res.text_bytes / max(res.text_calls, 1) / 1024:.1f} KB mean dump size); "
        f"HTML mode {res.html_seconds / max(res.text_calls, 1) * 1000:.0f} ms/page, "
        f"trafilatura.extract {res.baseline_seconds / max(res.text_calls, 1) * 1000:.0f} ms/page.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--limit", type=int, default=None, help="only the first N pages (by id)")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "extraction.md")
    args = ap.parse_args(argv)
    if not (CORPUS / "evaldata.json").exists():
        print(f"corpus not found: {CORPUS}", file=sys.stderr)
        return 2
    command = "python bench/extraction_quality.py" + (f" --limit {args.limit}" if args.limit else "")
    res = run(args.limit, args.out.with_name(args.out.stem + "_pages.jsonl"))
    md = table(res, res.text_calls, command) + "\n\n" + clean_text_check()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(md + "\n", encoding="utf-8")
    print(md)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
