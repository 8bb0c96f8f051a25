"""Real data must not crash the transforms: every article of a corpus sample goes
through the whole per-article pipeline (extraction, framing, quotes, figures, tone,
lineage) without an exception."""
import gzip
import itertools

import pytest

from transforms.extract import Reject
from transforms.lineage import StoryInput, assign_stories, find_links
from transforms.pipeline import default_context, process_file

from .conftest import corpus

pytestmark = pytest.mark.corpus


def test_allsides_sample_analyses_without_errors():
    path = corpus("allsides", "articles.jsonl.gz")
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        lines = list(itertools.islice(fh, 0, 12000, 12))   # 1,000 articles spread over the file
    out = process_file("sample.jsonl", "".join(lines).encode(), default_context())
    assert len(out) == 1000
    assert sum(isinstance(o, Reject) for o in out) <= 10
    items = [StoryInput(o.article_id, o.article.title, o.article.body, o.article.published)
             for o in out if not isinstance(o, Reject)]
    assert len(set(assign_stories(items).values())) > 100
    find_links(items)


def test_real_pages_in_both_modes_without_errors():
    from transforms.htmlpage import page_text

    folder = corpus("trafilatura-eval", "html")
    pages = sorted(folder.glob("*.html.gz"))[::15]
    ctx = default_context()
    for page in pages:
        data = page.read_bytes()
        process_file(page.name, data, ctx)                                       # HTML mode
        dump = page_text(gzip.decompress(data).decode("utf-8", errors="replace"))
        process_file(page.name.replace(".html.gz", ".txt"), dump.encode(), ctx)  # text mode
