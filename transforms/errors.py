"""framewatch's exception hierarchy. Bad *input data* never raises (it becomes a
reject row); these are for broken resources and wrong calls, which must stop."""


def one_line(error: BaseException) -> str:
    """`Type: message` with every run of whitespace made one space: an error told in one
    line (a CLI message, a reject's detail, an artifact)."""
    return " ".join(f"{type(error).__name__}: {error}".split())


class FramewatchError(Exception):
    """Base class: catch this to handle any framewatch error."""


class ResourceError(FramewatchError):
    """A packaged data file (lexicon, outlet registry) is missing or invalid."""


class WarehouseError(FramewatchError):
    """The warehouse is missing, locked or inconsistent."""


class PublishRefused(WarehouseError):
    """Another run published to the warehouse URL while this one ran: this run's commit stays
    in its local copy (the next run pulls the URL's state). Retrying cannot change that."""


class DbFileNotRebuilt(WarehouseError):
    """The run was committed (its tables and manifest are in), but the DuckDB file beside the
    tables (framewatch.duckdb, for the duckdb CLI) could not be rebuilt, a full disk say: it
    still shows the previous run (if there was one) until a later run rebuilds it. `summary` is the run's
    summary, as the commit returns it."""

    def __init__(self, message: str, summary: object):
        super().__init__(message)
        self.summary = summary

    def __reduce__(self):   # (pickled by Prefect with the failed task's state)
        return type(self), (str(self), self.summary)


class RunnerError(FramewatchError):
    """The task runner a run was given cannot be used (a Dask scheduler out of reach)."""


class ManifestError(FramewatchError):
    """A user-supplied sidecar manifest is malformed."""


class RawInputError(FramewatchError):
    """The raw location given to a run does not exist (bad files inside it are rejects)."""


class VersionMismatchError(FramewatchError):
    """Rows made by another installation (a Dask worker with other code or lexicons) reached
    a run: the warehouse would mix two versions and re-analyse them every night."""


class BatchesFailed(FramewatchError):
    """Some batches of a run failed (their files are `batch_failed` rejects, retried by the
    next run); the rest was committed. `result` is the run's summary, as a run returns it."""

    def __init__(self, message: str, result: dict):
        super().__init__(message)
        self.result = result

    def __reduce__(self):   # (pickled by Prefect with the flow's final state)
        return type(self), (str(self), self.result)
