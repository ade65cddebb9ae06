"""Reading YAML with the line of every key and item.

:func:`read_yaml` returns the plain data (dicts, lists, scalars) and a table from each path
inside it, a tuple such as ``("stations", "saw", "buffer")`` or ``("products", "a",
"routing", 2)``, to the 1-based line where that key or item stands, so errors can point at it.

The YAML is read by the rules of YAML 1.2's core schema, the way editors and most other tools
read it: only ``true``/``false`` are booleans (``country: NO`` is Norway), ``14:00`` is a
string (not 840, YAML 1.1's base-60 number) and ``2024-01-01`` is a string. Duplicate keys
are errors; anchors, aliases and merge keys (``<<``) work.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, ClassVar

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from simline.errors import ConfigError

__all__ = ["Lines", "Loc", "format_path", "line_of", "parse_yaml", "read_yaml"]

#: A path inside a config: keys and list indices.
Loc = tuple[str | int, ...]
#: Line of each path.
Lines = dict[Loc, int]

_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MERGE_TAG = "tag:yaml.org,2002:merge"


class _Loader(yaml.SafeLoader):
    """A safe loader with YAML 1.2 core-schema scalars."""

    yaml_implicit_resolvers: dict[Any, Any] = {}  # noqa: RUF012 (PyYAML's class tables)
    yaml_constructors: ClassVar[dict[Any, Any]] = dict(yaml.SafeLoader.yaml_constructors)

    def construct_core_int(self, node: ScalarNode) -> int:
        text = str(self.construct_scalar(node)).replace("_", "")
        sign = -1 if text.startswith("-") else 1
        text = text.lstrip("+-")
        if text[:2] in ("0x", "0o"):
            return sign * int(text, 0)
        return sign * int(text, 10)


_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?[0-9][0-9_]*|0x[0-9a-fA-F]+|0o[0-7]+)$"),
    list("-+0123456789"),
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)
_Loader.add_implicit_resolver(_MERGE_TAG, re.compile(r"^(?:<<)$"), ["<"])
_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_core_int)


def format_path(loc: Loc) -> str:
    """``("products", "a", "routing", 2)`` -> ``"products.a.routing[2]"``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def line_of(loc: Loc, lines: Lines) -> int | None:
    """Find the line of ``loc``, or of its nearest ancestor that has one."""
    for end in range(len(loc), -1, -1):
        line = lines.get(loc[:end])
        if line is not None:
            return line
    return None


class _Builder:
    """Turns a composed node tree into plain data, noting lines."""

    def __init__(self, loader: _Loader, file: str) -> None:
        self.loader = loader
        self.file = file
        self.lines: Lines = {}
        self._checked: set[int] = set()
        self._stack: set[int] = set()

    def error(self, message: str, loc: Loc, node: Node) -> ConfigError:
        return ConfigError(
            message, file=self.file, path=format_path(loc) or None, line=node.start_mark.line + 1
        )

    def key(self, node: Node, loc: Loc) -> str:
        if not isinstance(node, ScalarNode):
            raise self.error("a key must be a plain name, not a list or mapping", loc, node)
        return str(node.value)

    def build(self, node: Node, loc: Loc) -> Any:
        if isinstance(node, ScalarNode):
            try:
                return self.loader.construct_object(node, deep=True)
            except yaml.YAMLError as exc:
                raise self.error(f"invalid value: {_one_line(exc)}", loc, node) from None
        if id(node) in self._stack:
            raise self.error("an alias refers to the node that contains it", loc, node)
        self._stack.add(id(node))
        try:
            if isinstance(node, SequenceNode):
                if node.tag != _SEQ_TAG:
                    raise self.error(f"unsupported YAML tag {node.tag!r}", loc, node)
                items = []
                for i, item in enumerate(node.value):
                    self.lines[(*loc, i)] = item.start_mark.line + 1
                    items.append(self.build(item, (*loc, i)))
                return items
            if isinstance(node, MappingNode):
                return self.mapping(node, loc)
            raise self.error("unsupported YAML node", loc, node)  # pragma: no cover
        finally:
            self._stack.discard(id(node))

    def mapping(self, node: MappingNode, loc: Loc) -> dict[str, Any]:
        if node.tag != _MAP_TAG:
            raise self.error(f"unsupported YAML tag {node.tag!r}", loc, node)
        if id(node) not in self._checked:
            self._checked.add(id(node))
            seen: dict[str, int] = {}
            for key_node, _ in node.value:
                if key_node.tag == _MERGE_TAG:
                    continue
                key = self.key(key_node, loc)
                line = key_node.start_mark.line + 1
                if key in seen:
                    raise self.error(
                        f"duplicate key {key!r} (first given at line {seen[key]})",
                        (*loc, key),
                        key_node,
                    )
                seen[key] = line
            try:
                self.loader.flatten_mapping(node)
            except yaml.YAMLError as exc:
                raise self.error(f"invalid merge: {_one_line(exc)}", loc, node) from None
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = self.key(key_node, loc)
            self.lines[(*loc, key)] = key_node.start_mark.line + 1
            result[key] = self.build(value_node, (*loc, key))
        return result


def _one_line(exc: yaml.YAMLError) -> str:
    if isinstance(exc, yaml.MarkedYAMLError):
        parts = [p for p in (exc.context, exc.problem) if p]
        text = ": ".join(parts) if parts else "cannot parse"
    else:
        text = str(exc)
    return " ".join(text.split())


def parse_yaml(text: str, file: str) -> tuple[Any, Lines]:
    """Parse YAML text into plain data and the line of every path.

    Parameters
    ----------
    text
        The YAML document.
    file
        The file name for messages.

    Returns
    -------
    tuple
        The data (``None`` for an empty document) and the line table.

    Raises
    ------
    ConfigError
        When the text is not valid YAML (with its line), has several documents, or repeats a key.
    """
    loader = _Loader(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark is not None else None
            raise ConfigError(f"invalid YAML: {_one_line(exc)}", file=file, line=line) from None
        except yaml.YAMLError as exc:
            raise ConfigError(f"invalid YAML: {_one_line(exc)}", file=file) from None
        if node is None:
            return None, {}
        builder = _Builder(loader, file)
        builder.lines[()] = node.start_mark.line + 1
        return builder.build(node, ()), builder.lines
    finally:
        loader.dispose()


def read_yaml(path: str | os.PathLike[str]) -> tuple[Any, Lines]:
    """Read a UTF-8 YAML file into plain data and the line of every path.

    Raises
    ------
    ConfigError
        When the file is missing or unreadable, not UTF-8, or not valid YAML.
    """
    file = str(path)
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise ConfigError("file not found", file=file) from None
    except IsADirectoryError:
        raise ConfigError("is a directory, not a file", file=file) from None
    except OSError as exc:
        raise ConfigError(f"cannot read the file: {exc.strerror}", file=file) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(
            f"not UTF-8 text (byte 0x{raw[exc.start]:02x})", file=file, line=line
        ) from None
    return parse_yaml(text, file)
