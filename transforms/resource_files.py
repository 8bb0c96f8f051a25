"""Reading the packaged data files (transforms/resources/...): the one place that opens
them, so a missing or malformed file always fails the same clear way."""
from __future__ import annotations

import functools
import hashlib
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


@functools.cache
def resources_digest() -> str:
    """sha256 (first 12 hex digits) over every packaged data file, names and bytes: any
    edit to a lexicon, attribution list, registry or model changes it, whether or not its
    `version` was raised, so rows made with other data are known to be (see Context.versions)."""
    h = hashlib.sha256()
    stack = [resource_path()]
    files = []
    while stack:
        node = stack.pop()
        for child in node.iterdir():
            if child.is_dir():
                if child.name != "__pycache__":
                    stack.append(child)
            elif child.name.endswith((".yaml", ".yml", ".json", ".csv", ".txt")):
                files.append(child)
    root = str(resource_path())
    for f in sorted(files, key=lambda f: str(f)):
        h.update(str(f)[len(root):].encode("utf-8") + b"\0")
        h.update(f.read_bytes() + b"\0")
    return h.hexdigest()[:12]
