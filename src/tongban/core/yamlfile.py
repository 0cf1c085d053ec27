"""YAML content files read with the line of every mapping and key, for error messages,
and a reader that checks their records and collects every error with its line."""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

MAX_FILE_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class ContentError:
    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


class ContentErrors(Exception):
    def __init__(self, errors: list[ContentError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


class Mapping(dict):
    """A YAML mapping that remembers its own line and each key's line (1-based)."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


# libyaml's parser when PyYAML was built with it: several times faster, same marks.
class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    pass


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> Mapping:
    loader.flatten_mapping(node)
    mapping = Mapping()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in mapping:
            raise yaml.MarkedYAMLError(
                "while reading a mapping",
                node.start_mark,
                f"duplicate key {key!r}",
                key_node.start_mark,
            )
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[str(key)] = key_node.start_mark.line + 1
    return mapping


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read(path: Path, label: str | None = None) -> Any:
    """Parse one file; raise ContentErrors naming the file and line on any problem."""
    name = label or str(path)
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ContentErrors(
            [
                ContentError(
                    name,
                    0,
                    "",
                    f"file is {size:,} bytes; content files are at most {MAX_FILE_BYTES:,}",
                )
            ]
        )
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise ContentErrors(
            [ContentError(name, 0, "", f"not UTF-8 text ({error.reason})")]
        ) from None
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a (C)SafeLoader
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 0
        raise ContentErrors(
            [ContentError(name, line, "", f"invalid YAML: {error.problem}")]
        ) from None
    except yaml.YAMLError as error:
        raise ContentErrors([ContentError(name, 0, "", f"invalid YAML: {error}")]) from None


CODE_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class Reader:
    """Checks the records of one file field by field and collects every error it finds.

    Subclasses add the checks of their own formats (catalogue matters, guidance).
    """

    def __init__(self, file: str):
        self.file = file
        self.errors: list[ContentError] = []

    def error(self, node: Any, field: str, message: str) -> None:
        line = node.line_of(field) if isinstance(node, Mapping) else 0
        self.errors.append(ContentError(self.file, line, field, message))

    def record(self, node: Any, what: str, required: set[str], optional: set[str]) -> bool:
        if not isinstance(node, Mapping):
            self.errors.append(ContentError(self.file, 0, "", f"each {what} must be a mapping"))
            return False
        for key in node:
            if key not in required | optional:
                self.error(node, str(key), f"unknown key in {what}")
        for key in sorted(required - set(node)):
            self.error(node, key, f"missing in {what}")
        return not any(k not in node for k in required)

    def text(self, node: Mapping, field: str, *, max_length: int = 300) -> str:
        value = node.get(field, "")
        if value is None:
            return ""
        if not isinstance(value, str | int):
            self.error(node, field, "must be text")
            return ""
        value = str(value).strip()
        if len(value) > max_length:
            self.error(node, field, f"longer than {max_length} characters")
        return value

    def bilingual(
        self, node: Mapping, field: str, *, required: bool, max_length: int = 300
    ) -> tuple[str, str]:
        value = node.get(field)
        if value is None:
            if required:
                self.error(node, field, "missing")
            return "", ""
        if not isinstance(value, Mapping):
            self.error(node, field, "must give 'en' and 'zh'")
            return "", ""
        for key in value:
            if key not in ("en", "zh"):
                self.error(value, f"{field}.{key}", "unknown language (use en and zh)")
        texts = []
        for lang in ("en", "zh"):
            text = value.get(lang)
            if not isinstance(text, str | int | float | None):
                self.error(value, f"{field}.{lang}", "must be text")
                text = ""
            text = "" if text is None else str(text).strip()
            if not text:
                self.error(value, f"{field}.{lang}", "missing translation")
            elif len(text) > max_length:
                self.error(value, f"{field}.{lang}", f"longer than {max_length} characters")
            texts.append(text)
        return texts[0], texts[1]

    def code(self, node: Mapping, field: str, seen: dict[str, int]) -> str:
        value = self.text(node, field, max_length=60)
        if value and not CODE_RE.match(value):
            self.error(node, field, "use lower-case letters, digits and hyphens")
        elif value in seen:
            self.error(node, field, f"duplicate code {value!r} (first on line {seen[value]})")
        else:
            seen[value] = node.line_of(field)
        return value

    def unverified(self, node: Mapping, fields: Iterable[str]) -> list[str]:
        value = node.get("unverified", [])
        if value is True:
            return ["*"]
        if value is False:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.error(node, "unverified", "must be true or a list of field names")
            return []
        for name in value:
            if name not in fields:
                self.error(node, "unverified", f"names no field of this record: {name!r}")
        return value
