"""Progress for long CLI work: a rich progress bar on an interactive terminal, nothing
otherwise (under a Prefect worker, in CI, piped). FRAMEWATCH_PROGRESS=0 turns it off."""
from __future__ import annotations

import contextlib
import os
import sys
from typing import Callable, Iterator


@contextlib.contextmanager
def progress(description: str, total: int) -> Iterator[Callable[[int], None]]:
    """Yields advance(n). Shows a bar only when stderr is a terminal."""
    if not sys.stderr.isatty() or os.environ.get("FRAMEWATCH_PROGRESS") == "0" or total <= 0:
        yield lambda n=1: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n=1: bar.advance(task, n)
