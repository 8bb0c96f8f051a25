"""The packaged data files parse the same with libyaml as with PyYAML's pure loader."""
from __future__ import annotations

import pytest
import yaml

from transforms.resource_files import parse_yaml, resource_path


def _packaged_yaml():
    root = resource_path()
    stack = [root]
    while stack:
        for entry in stack.pop().iterdir():
            if entry.is_dir():
                stack.append(entry)
            elif entry.name.endswith(".yaml"):
                yield entry


def test_every_packaged_file_parses_as_with_the_pure_loader():
    files = list(_packaged_yaml())
    assert len(files) >= 20
    for f in files:
        text = f.read_text(encoding="utf-8")
        assert parse_yaml(text) == yaml.load(text, Loader=yaml.SafeLoader), f.name


@pytest.mark.parametrize("text", ["a: [", "a: b: c", "\t- x"])
def test_invalid_yaml_raises_yaml_error(text):
    with pytest.raises(yaml.YAMLError):
        parse_yaml(text)


def test_parse_yaml_is_safe():
    with pytest.raises(yaml.YAMLError):
        parse_yaml("!!python/object/apply:os.system ['true']")
