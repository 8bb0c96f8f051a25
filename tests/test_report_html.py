"""The HTML report: self-contained, every number linked to its sentences, and it
really renders its charts in a browser (headless Chromium)."""
import datetime as dt
import os
import re
import shutil
import subprocess

import pytest

from flows import runs
from flows.report_html import _slug, render, write_html_report
from flows.storage import Warehouse
from flows.warehouse import connect

from .conftest import copy_seeds, run_once


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    base = tmp_path_factory.mktemp("html")
    raw = copy_seeds(base / "raw")
    (raw / "evil.json").write_text('{"title": "<script>alert(1)</script>", "content": "The <b>rioters</b> came."}', encoding="utf-8")
    run_once(raw, base / "wh")
    con = connect(base / "wh")
    path = write_html_report(con, base / "report.html")
    return path, path.read_text(encoding="utf-8")


def test_self_contained_and_escaped(report):
    _, html = report
    assert "<script" not in html.replace("&lt;script", "")
    assert not re.search(r"""(src|href)=["']https?:""", html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_every_cell_links_to_its_sentences(report):
    _, html = report
    targets = set(re.findall(r'<a href="#([^"]+)">', html))
    ids = set(re.findall(r'id="([^"]+)"', html))
    assert targets and targets <= ids
    assert 'id="ev-' in html and "<mark>militants</mark>" in html


def test_each_story_shows_its_own_rows_only(report):
    """The sections' rows are fetched for all shown stories at once and grouped by story."""
    _, html = report
    sections = re.findall(r'<section id="([^"]+)">(.*?)</section>', html, re.S)
    assert len(sections) >= 2
    for sid, body in sections:
        evidence = re.findall(r'<details id="(ev-[^"]+)"', body)
        assert evidence and all(e.startswith(_slug(sid) + "-") for e in evidence)
    evil = [body for _, body in sections if "came." in body]
    assert len(evil) == 1 and "<mark>rioters</mark>" in evil[0]
    assert "militants" not in evil[0] and "Figures given" not in evil[0] and "Whose words" not in evil[0]
    seeds = [body for _, body in sections if "<mark>militants</mark>" in body]
    assert len(seeds) == 1 and "Figures given" in seeds[0] and "came." not in seeds[0]


def test_empty_warehouse_renders(tmp_path):
    wh = Warehouse(tmp_path / "wh")
    wh.init()
    with wh.lock():
        plan = runs.plan_run(tmp_path, wh)
        runs.commit_run(wh, plan, [], dt.datetime.now(dt.timezone.utc))
    html = render(connect(tmp_path / "wh"))
    assert "0 articles" in html


def _chromium():
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        if os.environ.get("FRAMEWATCH_REQUIRE_CHROMIUM"):
            pytest.fail("chromium is required here (FRAMEWATCH_REQUIRE_CHROMIUM is set) but not installed")
        pytest.skip("chromium is not installed (.ci/run installs it)")
    return exe


def test_renders_its_charts_in_headless_chromium(report, tmp_path):
    from PIL import Image

    path, _ = report
    png = tmp_path / "shot.png"
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1000,1400", "--hide-scrollbars"]
    dom = subprocess.run([_chromium(), *flags, "--dump-dom", path.as_uri()], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert dom.stdout.count('class="cell"') >= 10 and "<svg" in dom.stdout
    shot = subprocess.run([_chromium(), *flags, f"--screenshot={png}", path.as_uri()], capture_output=True, text=True, timeout=120)
    assert shot.returncode == 0 and png.exists(), shot.stderr[-2000:]
    img = Image.open(png).convert("RGB")
    raw = img.tobytes()
    pixels = list(zip(raw[0::3], raw[1::3], raw[2::3]))
    red = sum(1 for r, g, b in pixels if r > 180 and g < 190 and b < 190 and r - g > 40)   # delegitimising cells
    grey = sum(1 for r, g, b in pixels if 90 < r < 200 and abs(r - g) < 12 and b - r > 3)   # neutral cells
    assert red > 2000, f"only {red} red pixels: the heat map did not render"
    assert grey > 2000, f"only {grey} grey-blue pixels"
