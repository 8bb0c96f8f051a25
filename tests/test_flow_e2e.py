"""End to end: the real Prefect flow on the five seeds, checked through DuckDB and the CSVs."""
import csv

import pytest
import yaml

from flows.nightly import nightly
from flows.warehouse import connect

from .conftest import REPO, copy_seeds

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def run(prefect_harness, tmp_path_factory):
    base = tmp_path_factory.mktemp("e2e")
    raw = copy_seeds(base / "raw")
    before = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in raw.iterdir()}
    result = nightly(str(raw), str(base / "wh"), str(base / "reports"), batch_size=2)
    assert {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in raw.iterdir()} == before  # raw is never touched
    return base, result


def test_flow_summary(run):
    base, result = run
    assert (result["files_seen"], result["articles_written"], result["rejected"], result["articles_total"]) == (5, 5, 0, 5)
    assert set(result["reports"]) >= {"mart_story_outlets", "mart_term_rates"}


def test_izvestiya_delegitimises_where_afp_does_not(run):
    con = connect(run[0] / "wh")
    labels = lambda voice: {r[0] for r in con.execute(
        "select term from mart_term_rates where voice = ? and category = 'actor_label' and frame = 'delegitimising'",
        [voice]).fetchall()}
    assert {"militants", "criminals", "terrorist"} <= labels("izvestiya")
    assert labels("afp") == set()
    assert "rioters" in labels("rt")


def test_alma_ata_only_in_the_izvestiya_text(run):
    con = connect(run[0] / "wh")
    voices = {r[0] for r in con.execute("select distinct voice from mart_term_rates where term = 'alma-ata'").fetchall()}
    assert voices == {"izvestiya"}


def test_all_seeds_are_one_story(run):
    con = connect(run[0] / "wh")
    assert con.execute("select count(distinct story_id) from mart_articles").fetchone()[0] == 1


def test_csv_report_has_a_row_per_outlet(run):
    base, result = run
    rows = list(csv.DictReader(open(result["reports"]["mart_story_outlets"], encoding="utf-8", newline="")))
    assert sorted(r["voice"] for r in rows) == sorted(["rt", "globalhappenings", "afp", "izvestiya", "politico"])


def _readme_table(header_start: str) -> tuple[list[str], list[list[str]]]:
    """The README's markdown table whose header row starts with `header_start`: its column
    names and its rows, as cell strings."""
    lines = (REPO / "README.md").read_text(encoding="utf-8").splitlines()
    at = next(i for i, ln in enumerate(lines) if ln.startswith(header_start))
    cells = lambda ln: [c.strip() for c in ln.strip().strip("|").split("|")]
    rows = []
    for ln in lines[at + 2:]:
        if not ln.startswith("|"):
            break
        rows.append(cells(ln))
    return cells(lines[at]), rows


@pytest.mark.parametrize("header_start, sql", [
    ("| voice | provenance |", "select {cols} from mart_story_outlets order by voice"),
    ("| kind | subject | who_says_what |",
     "select {cols} from mart_figure_disagreement where voices > 1 order by kind, subject"),
])
def test_the_readme_shows_what_a_run_of_the_seeds_gives(run, header_start, sql):
    """The sample tables at the top of README.md are this run's rows, cell for cell (the
    headers are the marts' column names, so the query is the one the README shows)."""
    columns, rows = _readme_table(header_start)
    con = connect(run[0] / "wh")
    got = [["" if v is None else str(v) for v in r] for r in con.execute(sql.format(cols=", ".join(columns))).fetchall()]
    assert got == rows


def test_rerun_adds_nothing(run):
    base, _ = run
    again = nightly(str(base / "raw"), str(base / "wh"), str(base / "reports"))
    assert (again["files_processed"], again["articles_written"], again["articles_total"]) == (0, 0, 5)


def test_prefect_yaml_parses_and_entrypoint_imports():
    doc = yaml.safe_load((REPO / "prefect.yaml").read_text(encoding="utf-8"))
    (dep,) = [d for d in doc["deployments"] if d["name"] == "nightly"]
    assert dep["schedules"][0]["cron"] == "0 2 * * *" and dep["schedules"][0]["timezone"] == "UTC"
    path, func = dep["entrypoint"].split(":")
    from prefect.flows import load_flow_from_entrypoint

    flow = load_flow_from_entrypoint(str(REPO / path) + ":" + func)
    assert flow.name == "framewatch-nightly"
    assert set(dep["parameters"]) <= set(flow.parameters.properties)


def test_flow_publishes_to_a_warehouse_url(prefect_harness, tmp_path):
    """The flow with an fsspec URL as its warehouse: it works on a local copy, publishes,
    and a run from another (fresh) copy pulls the published state (flows/remote.py)."""
    import fsspec

    url = f"memory://fw-e2e-{tmp_path.name}"
    raw = copy_seeds(tmp_path / "raw")
    first = nightly(str(raw), url, str(tmp_path / "reports"), warehouse_cache=str(tmp_path / "copy1"))
    assert (first["warehouse_url"], first["articles_written"], first["warehouse"]) == (
        url, 5, str((tmp_path / "copy1").resolve()))
    fs = fsspec.filesystem("memory")
    assert fs.cat_file(f"/{url.split('://')[1]}/_CURRENT").decode().strip() in {
        p.rsplit("/", 1)[-1] for p in fs.ls(f"/{url.split('://')[1]}/_manifests", detail=False)}
    again = nightly(str(raw), url, str(tmp_path / "reports2"), warehouse_cache=str(tmp_path / "copy2"))
    assert (again["files_processed"], again["articles_total"], again["files_published"]) == (0, 5, 1)
    con = connect(tmp_path / "copy2")
    assert con.execute("select count(*) from mart_articles").fetchone()[0] == 5
    fs.rm(f"/{url.split('://')[1]}", recursive=True)


def test_a_refused_publish_fails_at_once(prefect_harness, tmp_path):
    """Another run published to the URL while this one ran: the publish task fails on its
    first attempt (a retry would be refused again), other errors keep their retries."""
    import fsspec
    from prefect import flow
    from prefect.client.orchestration import get_client

    from flows.nightly import publish_task
    from flows.remote import RemoteWarehouse
    from transforms.errors import PublishRefused

    from .conftest import run_once

    url = f"memory://fw-e2e-{tmp_path.name}"
    raw = copy_seeds(tmp_path / "raw")
    nightly(str(raw), url, str(tmp_path / "reports"), warehouse_cache=str(tmp_path / "copy1"))
    slow = RemoteWarehouse(url, tmp_path / "copy2")
    with slow.local.lock():
        pulled = slow.pull()
    (raw / "extra.txt").write_text("Police detained 40 protesters in Almaty on Monday, officials said. " * 5,
                                   encoding="utf-8")
    nightly(str(raw), url, str(tmp_path / "reports2"), warehouse_cache=str(tmp_path / "copy1"))  # the URL moves on
    run_once(raw, slow.local.root)

    @flow
    def publish_only():
        state = publish_task(slow, pulled, return_state=True)
        return type(state.result(raise_on_failure=False)), state.state_details.task_run_id

    error, task_run_id = publish_only()
    assert error is PublishRefused
    with get_client(sync_client=True) as client:
        assert client.read_task_run(task_run_id).run_count == 1
    fsspec.filesystem("memory").rm(f"/{url.split('://')[1]}", recursive=True)
