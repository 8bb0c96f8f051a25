"""Reading the packaged data files (transforms/resources/...): the one place that opens
them, so a missing or malformed file always fails the same clear way."""
from __future__ import annotations

from importlib import resources
from typing import Any

import yaml

from .errors import ResourceError


def resource_path(*parts: str):
    return resources.files("transforms").joinpath("resources", *parts)


def load_yaml(*parts: str) -> Any:
    """Parse transforms/resources/<parts...> as YAML; ResourceError if missing or invalid."""
    path = resource_path(*parts)
    name = "/".join(parts)
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ResourceError(f"packaged data file transforms/resources/{name} is missing") from exc
    except yaml.YAMLError as exc:
        raise ResourceError(f"transforms/resources/{name}: invalid YAML: {exc}") from exc
