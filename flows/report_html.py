"""A static HTML report: per story, outlets side by side, every number linked to the
sentences that produced it. One self-contained file: inline CSS and SVG, no scripts,
nothing fetched."""
from __future__ import annotations

import datetime as dt
import functools
import html
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import duckdb

from .storage import atomic_file

FRAME_COLOURS = {  # hue per frame; intensity comes from the rate
    "delegitimising": (200, 40, 40),
    "legitimising": (30, 140, 60),
    "neutral": (90, 90, 110),
    "current": (110, 80, 160),          # place names: today's official form
    "former": (150, 120, 60),
    "soviet_russian": (220, 120, 20),   # Alma-Ata, Kiev: the Soviet/Russian form
}
DEFAULT_COLOUR = (110, 80, 160)
LABEL_CATEGORIES = ("actor_label", "event_label", "foreign_force_label", "government_label", "place_name")
MAX_STORIES = 40
MAX_SENTENCES = 12

CSS = """
body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#222;padding:0 1rem}
h1{font-size:1.6rem}h2{margin-top:2.5rem;border-bottom:2px solid #ddd;padding-bottom:.3rem}
table{border-collapse:collapse;margin:.8rem 0}td,th{border:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f4f4f4}td.num{text-align:right;font-variant-numeric:tabular-nums}
.meta{color:#666;font-size:.9rem}svg text{font:12px system-ui,sans-serif}
mark{background:#ffe58a;padding:0 .1em}details{margin:.3rem 0}summary{cursor:pointer}
.ev{font-size:.9rem;margin:.2rem 0 .2rem 1rem}.legend span{display:inline-block;margin-right:1rem}
.sw{display:inline-block;width:.9em;height:.9em;vertical-align:middle;margin-right:.3em}
.versions{table-layout:fixed;width:100%;font-size:.8rem}.versions td,.versions th{overflow-wrap:anywhere}
"""


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _slug(*parts: Any) -> str:
    return "ev-" + re.sub(r"[^a-zA-Z0-9]+", "-", "-".join(str(p) for p in parts)).strip("-").lower()


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict[str, Any]]:
    cur = con.execute(sql, params or [])
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def heatmap_svg(story: str, voices: list[str], terms: list[tuple[str, str]], cells: dict[tuple[str, str], dict]) -> str:
    """Outlets (rows) x labels (columns); colour = frame, intensity = rate per 1,000 words.
    Each cell links to the sentences behind it."""
    cw, ch, left, top = 58, 26, 150, 100
    width, height = left + cw * len(terms) + 10, top + ch * len(voices) + 10
    peak = max((c["per_1000_words"] or 0 for c in cells.values()), default=1) or 1
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="heatmap" role="img" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}"><title>{_e(story)}: labels per 1,000 words by outlet</title>']
    for j, (term, frame) in enumerate(terms):
        x = left + j * cw + cw / 2
        out.append(f'<text x="{x}" y="{top - 8}" transform="rotate(-45 {x} {top - 8})">{_e(term)}</text>')
    for i, voice in enumerate(voices):
        y = top + i * ch
        out.append(f'<text x="{left - 8}" y="{y + ch / 2 + 4}" text-anchor="end">{_e(voice)}</text>')
        for j, (term, frame) in enumerate(terms):
            x = left + j * cw
            c = cells.get((voice, term))
            if not c:
                out.append(f'<rect x="{x}" y="{y}" width="{cw - 2}" height="{ch - 2}" fill="#f6f6f6"/>')
                continue
            r, g, b = FRAME_COLOURS.get(frame, DEFAULT_COLOUR)
            alpha = 0.25 + 0.75 * min(1.0, (c["per_1000_words"] or 0) / peak)
            out.append(
                f'<a href="#{_slug(story, voice, term)}"><rect class="cell" x="{x}" y="{y}" width="{cw - 2}" '
                f'height="{ch - 2}" fill="rgb({r},{g},{b})" fill-opacity="{alpha:.2f}">'
                f'<title>{_e(voice)} · {_e(term)}: {c["hits"]} hits, {c["per_1000_words"]} per 1,000 words</title></rect>'
                f'<text x="{x + cw / 2 - 1}" y="{y + ch / 2 + 4}" text-anchor="middle">{c["per_1000_words"]:.1f}</text></a>'
            )
    out.append("</svg>")
    return "".join(out)


def _highlight(sentence: str, term: str) -> str:
    escaped = _e(sentence)
    return re.sub(re.escape(_e(term)), lambda m: f"<mark>{m.group(0)}</mark>", escaped, flags=re.IGNORECASE)


class _StoryRows:
    """The rows of each section for the stories shown, one query per section: each mart
    is a view over the whole warehouse, so a query per story and section recomputed it
    (40 stories x 5 sections took 15 s on 12,000 articles). Each query orders its rows as
    its view does (a filtered view's order is not kept)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, story_ids: list[str]):
        self.con, self.ids = con, story_ids
        self._in = "(" + ", ".join("?" * len(story_ids)) + ")" if story_ids else "(null)"

    def get(self, sql: str) -> dict[str, list[dict[str, Any]]]:
        """`sql` with `{ids}` where the list of story ids goes -> story_id -> its rows."""
        grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in _rows(self.con, sql.format(ids=self._in), list(self.ids)):
            grouped[r["story_id"]].append(r)
        return grouped

    @functools.cached_property
    def outlets(self) -> dict[str, list[dict[str, Any]]]:
        return self.get("select * from mart_story_outlets where story_id in {ids} order by story_id, voice")

    @functools.cached_property
    def rates(self) -> dict[str, list[dict[str, Any]]]:
        return self.get(f"""select story_id, voice, category, frame, label, hits, hits_in_quote, per_1000_words
                            from mart_label_rates where story_id in {{ids}} and category in {LABEL_CATEGORIES}
                            order by story_id, category, frame, label, voice""")

    @functools.cached_property
    def figures(self) -> dict[str, list[dict[str, Any]]]:
        return self.get("select * from mart_figures where story_id in {ids} "
                        "order by story_id, kind, subject, voice, start_offset, article_id")

    @functools.cached_property
    def spread(self) -> dict[str, list[dict[str, Any]]]:
        return self.get("select * from mart_figure_disagreement where story_id in {ids} and voices > 1 and spread > 0 "
                        "order by story_id, kind, subject")

    @functools.cached_property
    def quoted_sides(self) -> dict[str, list[dict[str, Any]]]:
        return self.get("select story_id, voice, side, quotes, speakers from mart_quoted_sides where story_id in {ids} "
                        "order by story_id, voice, quotes desc, side")

    @functools.cached_property
    def evidence(self) -> dict[str, list[dict[str, Any]]]:
        return self.get(f"""
            select a.story_id, a.voice, h.term, h.category, h.sentence, h.in_quote, h.label
            from stg_term_hits h join mart_articles a using (article_id)
            where a.story_id in {{ids}} and h.category in {LABEL_CATEGORIES}
            order by a.story_id, a.voice, label, a.article_id, h.start_offset""")


def render(con: duckdb.DuckDBPyConnection, title: str = "framewatch report") -> str:
    stories = _rows(con, """
        select story_id, count(*) as articles, count(distinct voice) as voices,
               min(published) as first_published, any_value(title) as example_title
        from mart_articles group by story_id
        order by voices desc, articles desc, story_id limit ?""", [MAX_STORIES])
    generated = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    totals = _rows(con, "select count(*) as articles, count(distinct story_id) as stories, "
                        "count(distinct voice) as voices from mart_articles")[0]
    parts = [f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{_e(title)}</title>"
             f"<style>{CSS}</style></head><body><h1>{_e(title)}</h1>"
             f"<p class=meta>Generated {generated}: {totals['articles']} articles, {totals['stories']} stories, "
             f"{totals['voices']} voices (a voice is whose text it is: the origin when known, else the publisher). "
             f"Showing up to {MAX_STORIES} stories with the most voices.</p>",
             "<p class=legend>" + "".join(
                 f'<span><i class=sw style="background:rgb{c}"></i>{_e(f)}</span>' for f, c in FRAME_COLOURS.items()
             ) + "</p>"]
    shown = _StoryRows(con, [s["story_id"] for s in stories])
    for s in stories:
        parts.append(_story_section(shown, s))
    parts.append(_versions(_rows(con, "select * from mart_versions")))
    parts.append("</body></html>")
    return "\n".join(parts)


def _story_section(shown: _StoryRows, s: dict[str, Any]) -> str:
    sid = s["story_id"]
    outlets, rates = shown.outlets.get(sid, []), shown.rates.get(sid, [])
    voices = [o["voice"] for o in outlets]
    by_category: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for r in rates:
        if (r["label"], r["frame"]) not in by_category[r["category"]]:
            by_category[r["category"]].append((r["label"], r["frame"]))
    cells = {(r["voice"], r["label"]): r for r in rates}
    out = [f'<section id="{_e(sid)}"><h2>{_e(s["example_title"])}</h2>'
           f'<p class=meta>story <code>{_e(sid)}</code> · {s["articles"]} articles · {s["voices"]} voices'
           f'{" · from " + _e(s["first_published"]) if s["first_published"] else ""}</p>']
    out.append("<h3>Who wrote it</h3><table><tr><th>voice</th><th>name</th><th>provenance</th><th>published by</th>"
               "<th>words</th><th>quote share</th><th>Flesch reading ease</th><th>FK grade</th></tr>")
    for o in outlets:
        out.append(f"<tr><td>{_e(o['voice'])}</td><td>{_e(o['voice_name'])}</td><td>{_e(o['provenance'])}</td>"
                   f"<td>{_e(o['publishers'])}</td><td class=num>{_e(o['words'])}</td><td class=num>{_e(o['quote_share'])}</td>"
                   f"<td class=num>{_e(o['flesch_reading_ease'])}</td><td class=num>{_e(o['flesch_kincaid_grade'])}</td></tr>")
    out.append("</table>")
    if by_category:
        out.append("<h3>Labels per 1,000 words</h3><p class=meta>Click a cell for the sentences behind it.</p>")
    for category in LABEL_CATEGORIES:
        if category in by_category:
            out.append(f"<h4>{_e(category.replace('_', ' '))}</h4>")
            out.append(heatmap_svg(sid, voices, by_category[category], cells))
    out.append(_figures(shown, sid))
    out.append(_quoted_sides(shown, sid, voices))
    out.append(_evidence(shown, sid))
    out.append("</section>")
    return "\n".join(out)


def _figures(shown: _StoryRows, sid: str) -> str:
    rows = shown.figures.get(sid, [])
    if not rows:
        return ""
    out = ["<h3>Figures given</h3><table><tr><th>kind</th><th>subject</th><th>voice</th><th>figure</th>"
           "<th>hedged</th><th>as of</th><th>sentence</th></tr>"]
    for r in rows:
        out.append(f"<tr><td>{_e(r['kind'])}</td><td>{_e(r['subject'])}</td><td>{_e(r['voice'])}</td>"
                   f"<td class=num>{_e(r['value_text'])}</td><td>{'yes' if r['hedged'] else ''}</td>"
                   f"<td>{_e(r['as_of'])}</td><td class=ev>{_highlight(r['sentence'] or '', r['value_text'])}</td></tr>")
    out.append("</table>")
    spread = shown.spread.get(sid, [])
    if spread:
        out.append("<p class=meta>Where voices disagree: " + "; ".join(
            f"<b>{_e(r['kind'])} ({_e(r['subject'])})</b> {_e(r['who_says_what'])}" for r in spread) + "</p>")
    return "\n".join(out)


SIDE_COLOURS = ["#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860", "#da8bc3", "#8c8c8c"]


def _quoted_sides(shown: _StoryRows, sid: str, voices: list[str]) -> str:
    """Stacked bars: per voice, how many quotes come from each side."""
    rows = shown.quoted_sides.get(sid, [])
    if not rows:
        return ""
    sides = sorted({r["side"] for r in rows})
    colour = {s: SIDE_COLOURS[i % len(SIDE_COLOURS)] for i, s in enumerate(sides)}
    per_voice: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        per_voice[r["voice"]].append(r)
    peak = max(sum(r["quotes"] for r in v) for v in per_voice.values())
    left, bar_h, width = 150, 22, 560
    height = bar_h * len(voices) + 10
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" class="bars" role="img" width="{left + width + 60}" '
           f'height="{height}"><title>quotes per side, by voice</title>']
    for i, voice in enumerate(voices):
        y, x = i * bar_h + 4, left
        svg.append(f'<text x="{left - 8}" y="{y + 14}" text-anchor="end">{_e(voice)}</text>')
        for r in sorted(per_voice.get(voice, []), key=lambda r: r["side"]):
            w = width * r["quotes"] / peak
            svg.append(f'<rect class="bar" x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h - 6}" '
                       f'fill="{colour[r["side"]]}"><title>{_e(voice)} quotes {_e(r["side"])} {r["quotes"]}×: '
                       f'{_e(r["speakers"])}</title></rect>')
            x += w
        total = sum(r["quotes"] for r in per_voice.get(voice, []))
        svg.append(f'<text x="{x + 6:.1f}" y="{y + 14}">{total}</text>')
    svg.append("</svg>")
    legend = "".join(f'<span><i class=sw style="background:{c}"></i>{_e(s)}</span>' for s, c in colour.items())
    return "<h3>Whose words are quoted</h3>" + "".join(svg) + f"<p class=legend>{legend}</p>"


def _evidence(shown: _StoryRows, sid: str) -> str:
    rows = shown.evidence.get(sid, [])
    grouped: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for r in rows:
        grouped[(r["voice"], r["label"])].append(r)
    out = ["<h3>The sentences behind the numbers</h3>"]
    for (voice, term), hits in grouped.items():
        out.append(f'<details id="{_slug(sid, voice, term)}"><summary>{_e(voice)} · <b>{_e(term)}</b> '
                   f'({len(hits)})</summary>')
        for h in hits[:MAX_SENTENCES]:
            q = " <i>(inside a quotation)</i>" if h["in_quote"] else ""
            out.append(f'<p class=ev>{_highlight(h["sentence"], h["term"])}{q}</p>')
        out.append("</details>")
    return "\n".join(out)


def _versions(rows: list[dict[str, Any]]) -> str:
    """What made the numbers above (mart_versions): one row per combination of versions."""
    mixed = (f"<p class=meta><b>The warehouse mixes {len(rows)} combinations of versions</b>: its numbers "
             "were not all made by the same code, lexicons or registry.</p>") if len(rows) > 1 else ""
    out = ["<h2 id=versions>What made these numbers</h2>", mixed,
           "<table class=versions><col style='width:7%'><col style='width:5%'><col style='width:12%'>"
           "<col style='width:20%'><col style='width:38%'><col style='width:10%'><col style='width:8%'>"
           "<tr><th>articles</th><th>runs</th><th>last run</th><th>extractor</th><th>lexicons</th>"
           "<th>outlet registry</th><th>stories</th></tr>"]
    for r in rows:
        out.append("<tr>" + "".join(f"<td>{_e(r[k])}</td>" for k in (
            "articles", "runs", "last_run_id", "extractor_version", "lexicon_version", "registry_version",
            "lineage_version")) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def write_html_report(con: duckdb.DuckDBPyConnection, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = render(con)
    with atomic_file(path, encoding="utf-8") as fh:
        fh.write(text)
    return path
