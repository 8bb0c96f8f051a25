"""Reading the packaged data files (transforms/resources/...): the one place that opens
them, so a missing or malformed file always fails the same clear way."""
from __future__ import annotations

from importlib import resources
from typing import Any

import yaml

from .errors import ResourceError

# libyaml's parser when PyYAML was built with it (the wheels are): the same documents,
# 5-8x faster, which is most of a worker's start on a small run (outlets.yaml and the
# loaded-language lexicon are ~160 KB of YAML).
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(text: str) -> Any:
    """yaml.safe_load, with libyaml when available; raises yaml.YAMLError."""
    return yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader


def resource_path(*parts: str):
    return resources.files("transforms").joinpath("resources", *parts)


def load_yaml(*parts: str) -> Any:
    """Parse transforms/resources/<parts...> as YAML; ResourceError if missing or invalid."""
    path = resource_path(*parts)
    name = "/".join(parts)
    try:
        return parse_yaml(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ResourceError(f"packaged data file transforms/resources/{name} is missing") from exc
    except yaml.YAMLError as exc:
        raise ResourceError(f"transforms/resources/{name}: invalid YAML: {exc}") from exc
