"""Reading YAML with the line of every key and item.

:func:`read_yaml` returns the plain data (dicts, lists, scalars) and a table from each path
inside it, a tuple such as ``("stations", "saw", "buffer")`` or ``("products", "a",
"routing", 2)``, to the 1-based line where that key or item stands, so errors can point at it.

The YAML is read by the rules of YAML 1.2's core schema, the way editors and most other tools
read it: only ``true``/``false`` are booleans (``country: NO`` is Norway), ``14:00`` is a
string (not 840, YAML 1.1's base-60 number) and ``2024-01-01`` is a string. Duplicate keys
are errors; anchors, aliases and merge keys (``<<``) work.

Scenario files are untrusted input (they are shared between firms), so reading one is
bounded: a file holds at most :data:`MAX_FILE_BYTES`, lists and mappings nest at most
:data:`MAX_DEPTH` deep and aliases and merge keys copy at most :data:`MAX_ALIAS_NODES` values
(a "billion laughs" file is refused in a fraction of a second, not after gigabytes). Only
regular files are read (a named pipe or ``/dev/zero`` is refused before it is opened) and
every problem, from a NUL byte or UTF-16 text to a key PyYAML cannot read, is a
:class:`~simline.errors.ConfigError` naming the file and line. PyYAML's C parser (libyaml) is
used when it is installed, about five times faster than the pure-Python one, which is the
fallback and also reads a file the C parser refuses, for the message and line.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import Any, ClassVar

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.error import Mark
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from simline.config._files import MAX_FILE_BYTES, file_problem, read_text
from simline.errors import ConfigError

__all__ = [
    "MAX_ALIAS_NODES",
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_KEY_LENGTH",
    "Lines",
    "Loc",
    "file_problem",
    "format_path",
    "line_of",
    "parse_yaml",
    "read_yaml",
]

#: A path inside a config: keys and list indices.
Loc = tuple[str | int, ...]
#: Line of each path.
Lines = dict[Loc, int]

#: The deepest nesting of lists and mappings, counting the top-level mapping and the value at
#: the bottom. Scenarios need 7; 64 leaves room for any layout while the recursive reading of
#: a node tree stays far from Python's recursion limit.
MAX_DEPTH = 64
#: How many values aliases (``*name``) and merge keys (``<<``) may copy. A scenario that reuses
#: a station template 100 times copies a few thousand; a "billion laughs" file is refused here
#: in 0.3 s and 50 MB. Values written out in the file count against :data:`MAX_FILE_BYTES`.
MAX_ALIAS_NODES = 100_000
#: The longest key (a "simple key" of YAML): PyYAML and libyaml read no longer one.
MAX_KEY_LENGTH = 1024

_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_VALUE_TAG = "tag:yaml.org,2002:value"
#: Tags whose scalars are built by calling their constructor directly (the rest go through
#: PyYAML's ``construct_object``, which also reports unknown tags).
_PLAIN_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null")
)
#: What YAML text may not hold: the complement of YAML's printable characters.
_NOT_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
_CONTROL_NAMES = {0x00: "NUL", 0x08: "backspace", 0x0B: "vertical tab", 0x0C: "form feed",
                  0x1B: "ESC", 0x7F: "DEL"}  # fmt: skip


class _LimitError(yaml.YAMLError):
    """A limit of this module was crossed while composing or flattening: ``message`` at ``mark``."""

    def __init__(self, message: str, mark: Mark | None) -> None:
        super().__init__(message)
        self.message = message
        self.mark = mark


def _too_deep() -> str:
    return (
        f"lists and mappings are nested more than {MAX_DEPTH} levels deep; "
        f"simline reads at most {MAX_DEPTH}"
    )


def _too_many_copies() -> str:
    return (
        f"aliases and merge keys copy more than {MAX_ALIAS_NODES:,} values "
        f"(at most {MAX_ALIAS_NODES:,} are built; is this a 'billion laughs' file?)"
    )


class _Bounded:
    """What both loaders add to PyYAML: merges counted against :data:`MAX_ALIAS_NODES`."""

    copied = 0

    def flatten_mapping(self, node: MappingNode) -> None:
        """Resolve the merge keys of ``node`` as PyYAML 6.0.2 does, counting what they copy.

        A merged key hides the same key merged later (compared as PyYAML does, by the
        identity of the key's text); the merged pairs come first, so the mapping's own keys
        win. Every merged pair counts as a copy; the count is checked before the pair is
        added, so no list grows past the limit.
        """
        merge: list[tuple[Any, Any]] = []
        merge_key_ids: set[int] = set()
        index = 0
        while index < len(node.value):
            key_node, value_node = node.value[index]
            if key_node.tag == _MERGE_TAG:
                del node.value[index]
                if isinstance(value_node, MappingNode):
                    sources = [value_node]
                elif isinstance(value_node, SequenceNode):
                    sources = []
                    for subnode in value_node.value:
                        if not isinstance(subnode, MappingNode):
                            raise ConstructorError(
                                "while constructing a mapping",
                                node.start_mark,
                                f"expected a mapping for merging, but found {subnode.id}",
                                subnode.start_mark,
                            )
                        sources.append(subnode)
                else:
                    raise ConstructorError(
                        "while constructing a mapping",
                        node.start_mark,
                        "expected a mapping or list of mappings for merging, "
                        f"but found {value_node.id}",
                        value_node.start_mark,
                    )
                for source in sources:
                    self.flatten_mapping(source)
                    for pair in source.value:
                        if (key_id := id(pair[0].value)) not in merge_key_ids:
                            self.copied += 1
                            if self.copied > MAX_ALIAS_NODES:
                                raise _LimitError(_too_many_copies(), key_node.start_mark)
                            merge_key_ids.add(key_id)
                            merge.append(pair)
            elif key_node.tag == _VALUE_TAG:
                key_node.tag = "tag:yaml.org,2002:str"
                index += 1
            else:
                index += 1
        if merge:
            node.value = merge + node.value


class _Loader(_Bounded, yaml.SafeLoader):
    """A safe loader with YAML 1.2 core-schema scalars (pure Python, nesting bounded)."""

    yaml_implicit_resolvers: dict[Any, Any] = {}  # noqa: RUF012 (PyYAML's class tables)
    yaml_constructors: ClassVar[dict[Any, Any]] = dict(yaml.SafeLoader.yaml_constructors)

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = 0

    def construct_core_int(self, node: ScalarNode) -> int:
        text = str(self.construct_scalar(node)).replace("_", "")
        sign = -1 if text.startswith("-") else 1
        text = text.lstrip("+-")
        if text[:2] in ("0x", "0o"):
            return sign * int(text, 0)
        return sign * int(text, 10)

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        """Compose a node, refusing one deeper than :data:`MAX_DEPTH` before recursing."""
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                event = self.peek_event()  # type: ignore[no-untyped-call]
                raise _LimitError(_too_deep(), event.start_mark if event is not None else None)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


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

_DEFAULT_TAGS = {
    ScalarNode: Resolver.DEFAULT_SCALAR_TAG,
    SequenceNode: Resolver.DEFAULT_SEQUENCE_TAG,
    MappingNode: Resolver.DEFAULT_MAPPING_TAG,
}


#: The loader on libyaml's parser, when PyYAML has it (about five times faster).
_FAST_LOADER: Callable[[str], Any] | None = None

if yaml.__with_libyaml__:  # pragma: no branch
    from yaml._yaml import CParser

    class _CLoader(_Bounded, CParser, SafeConstructor, Resolver):
        """The same loader on libyaml's parser and composer (which nest at most 1,000 deep)."""

        yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers
        yaml_constructors = _Loader.yaml_constructors

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)

        def resolve(self, kind: type[Node], value: Any, implicit: Any) -> str:
            """PyYAML's ``Resolver.resolve`` without path resolvers (simline has none)."""
            if kind is ScalarNode and implicit[0]:
                for tag, regexp in self.yaml_implicit_resolvers.get(value[:1], ()):
                    if regexp.match(value):
                        return str(tag)
            return _DEFAULT_TAGS[kind]

    _FAST_LOADER = _CLoader


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
    """Turns a composed node tree into plain data, noting lines.

    Nesting is checked before each recursion (the path's length is the depth), and every node
    built again through an alias counts, with the loader's merges, against
    :data:`MAX_ALIAS_NODES`.
    """

    def __init__(self, loader: _Bounded, file: str) -> None:
        self.loader: Any = loader
        self.file = file
        self.lines: Lines = {}
        self._checked: set[int] = set()
        self._stack: set[int] = set()
        self._built: set[int] = set()
        self._copying = 0
        self._copy_loc: Loc = ()

    def error(self, message: str, loc: Loc, node: Node) -> ConfigError:
        return ConfigError(
            message, file=self.file, path=format_path(loc) or None, line=node.start_mark.line + 1
        )

    def key(self, node: Node, loc: Loc) -> str:
        if not isinstance(node, ScalarNode):
            raise self.error("a key must be a plain name, not a list or mapping", loc, node)
        return str(node.value)

    def build(self, node: Node, loc: Loc) -> Any:
        if len(loc) >= MAX_DEPTH:
            raise self.error(_too_deep(), (), node)
        if self._copying:
            self.loader.copied += 1
            if self.loader.copied > MAX_ALIAS_NODES:
                line = line_of(self._copy_loc, self.lines)
                raise ConfigError(
                    _too_many_copies(),
                    file=self.file,
                    path=format_path(self._copy_loc) or None,
                    line=line,
                )
        if isinstance(node, ScalarNode):
            try:
                if node.tag in _PLAIN_TAGS:
                    return self.loader.yaml_constructors[node.tag](self.loader, node)
                return self.loader.construct_object(node, deep=True)
            except yaml.YAMLError as exc:
                raise self.error(f"invalid value: {_one_line(exc)}", loc, node) from None
            except (ArithmeticError, AttributeError, KeyError, TypeError, ValueError) as exc:
                raise self.error(_unreadable(node, exc), loc, node) from None
        if id(node) in self._stack:
            raise self.error("an alias refers to the node that contains it", loc, node)
        copy = id(node) in self._built
        if copy:
            if not self._copying:
                self._copy_loc = loc
            self._copying += 1
        self._built.add(id(node))
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
            if copy:
                self._copying -= 1

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
            except _LimitError as exc:
                raise self.error(exc.message, loc, node) from None
            except yaml.YAMLError as exc:
                raise self.error(f"invalid merge: {_one_line(exc)}", loc, node) from None
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = self.key(key_node, loc)
            self.lines[(*loc, key)] = key_node.start_mark.line + 1
            result[key] = self.build(value_node, (*loc, key))
        return result


_TAG_MEANINGS = {"int": "a whole number", "float": "a number", "bool": "true or false",
                 "null": "null", "timestamp": "a date"}  # fmt: skip


def _unreadable(node: ScalarNode, exc: Exception) -> str:
    """Say that a scalar's text is not what its tag (e.g. ``!!int``) needs."""
    name = str(node.tag).removeprefix("tag:yaml.org,2002:")
    meaning = _TAG_MEANINGS.get(name, f"!!{name}")
    text = str(node.value)
    shown = repr(text) if len(text) <= 40 else f"{text[:30]!r}... ({len(text):,} characters)"
    limit = " (at most 4,300 digits)" if "digits" in str(exc) else ""
    return f"invalid value: cannot read {shown} as {meaning}{limit}"


def _one_line(exc: yaml.YAMLError) -> str:
    if isinstance(exc, yaml.MarkedYAMLError):
        parts = [p for p in (exc.context, exc.problem) if p]
        text = ": ".join(parts) if parts else "cannot parse"
    else:
        text = str(exc)
    return " ".join(text.split())


_KEY_PROBLEMS = frozenset(
    (
        "could not find expected ':'",
        "mapping values are not allowed here",
        "expected ',' or '}', but got ':'",
        "expected ',' or ']', but got ':'",
    )
)
_KEY_COLON = re.compile(r":(?:[ \t]|$)", re.MULTILINE)
_KEY_LEAD = re.compile(r"[ \t]*(?:[-?][ \t]+)*")


def _key_span(text: str, exc: yaml.MarkedYAMLError) -> tuple[int, int] | None:
    """Find where the key before the ``:`` that ``exc`` is about starts and ends in ``text``."""
    problem, context = exc.problem_mark, exc.context_mark
    if problem is not None and text.startswith(":", problem.index):
        colon = problem.index
    elif context is not None:  # a simple key that went stale: its ':' is further on its line
        found = _KEY_COLON.search(text, context.index)
        if found is None or "\n" in text[context.index : found.start()]:
            return None
        colon = found.start()
    else:
        return None
    line_start = text.rfind("\n", 0, colon) + 1
    start = line_start
    for mark in ("{", "[", ",", ": "):
        found_at = text.rfind(mark, line_start, colon)
        if found_at >= 0:
            start = max(start, found_at + len(mark))
    lead = _KEY_LEAD.match(text, start)
    start = lead.end() if lead is not None else start
    end = colon
    while end > start and text[end - 1] in " \t":
        end -= 1
    return start, end


def _long_key(text: str, exc: yaml.MarkedYAMLError) -> tuple[int, int] | None:
    """Find the key too long for PyYAML that ``exc`` is about: its line and length.

    The key is found on the line of the error; that it is the cause is checked by reading
    the text again with a one-letter key in its place (the error must leave that line).
    """
    if exc.problem not in _KEY_PROBLEMS:
        return None
    span = _key_span(text, exc)
    if span is None or span[1] - span[0] <= MAX_KEY_LENGTH:
        return None
    start, end = span
    line = text.count("\n", 0, start)
    loader = _Loader(text[:start] + "k" + text[end:])
    try:
        loader.get_single_node()
    except yaml.MarkedYAMLError as again:
        mark = again.problem_mark or again.context_mark
        if mark is None or mark.line == line:
            return None
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()
    return line + 1, end - start


def _syntax_error(exc: yaml.MarkedYAMLError, text: str, file: str) -> ConfigError:
    long_key = _long_key(text, exc)
    if long_key is not None:
        key_line, length = long_key
        return ConfigError(
            f"a key longer than {MAX_KEY_LENGTH:,} characters is not allowed "
            f"(a key here has {length:,})",
            file=file,
            line=key_line,
        )
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark is not None else None
    return ConfigError(f"invalid YAML: {_one_line(exc)}", file=file, line=line)


def _check_text(text: str, file: str) -> None:
    """Refuse text that is too long or holds a character YAML does not allow."""
    if len(text) > MAX_FILE_BYTES:
        raise ConfigError(
            f"the YAML text has {len(text):,} characters; at most {MAX_FILE_BYTES:,} are read",
            file=file,
        )
    bad = _NOT_PRINTABLE.search(text)
    if bad is None:
        return
    pos = bad.start()
    line_start = text.rfind("\n", 0, pos) + 1
    code = ord(text[pos])
    what = f"U+{code:04X}"
    if code in _CONTROL_NAMES:
        what = f"a control character ({what} {_CONTROL_NAMES[code]})"
    elif code < 0x20 or 0x7F <= code <= 0x9F:
        what = f"a control character ({what})"
    else:
        what = f"the character {what}"
    raise ConfigError(
        f"{what} at column {pos - line_start + 1} is not allowed in YAML text",
        file=file,
        line=text.count("\n", 0, pos) + 1,
    )


def _compose(text: str, file: str) -> tuple[_Bounded, Node | None]:
    """Compose the single document of ``text``: with libyaml, or else (or on error) in Python.

    A file libyaml refuses is composed again by the pure-Python loader, which gives the
    messages and lines simline has always given (and takes the file if it reads it).
    """
    if _FAST_LOADER is not None:
        fast = _FAST_LOADER(text)
        try:
            return fast, fast.get_single_node()
        except yaml.YAMLError:
            fast.dispose()
    loader = _Loader(text)
    try:
        return loader, loader.get_single_node()
    except _LimitError as exc:
        line = exc.mark.line + 1 if exc.mark is not None else None
        raise ConfigError(exc.message, file=file, line=line) from None
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc, text, file) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"invalid YAML: {_one_line(exc)}", file=file) from None
    except RecursionError:  # pragma: no cover (MAX_DEPTH keeps the composer far from it)
        raise ConfigError(_too_deep(), file=file) from None
    finally:
        loader.dispose()


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
        When the text is not valid YAML (with its line), has several documents, repeats a
        key, holds a character YAML does not allow, or crosses one of the limits
        (:data:`MAX_FILE_BYTES`, :data:`MAX_DEPTH`, :data:`MAX_ALIAS_NODES`,
        :data:`MAX_KEY_LENGTH`).
    """
    _check_text(text, file)
    loader, node = _compose(text, file)
    try:
        if node is None:
            return None, {}
        builder = _Builder(loader, file)
        builder.lines[()] = node.start_mark.line + 1
        return builder.build(node, ()), builder.lines
    except RecursionError:  # pragma: no cover (MAX_DEPTH keeps the builder far from it)
        raise ConfigError(_too_deep(), file=file) from None
    finally:
        loader.dispose()  # type: ignore[attr-defined]


def read_yaml(path: str | os.PathLike[str]) -> tuple[Any, Lines]:
    """Read a UTF-8 YAML file into plain data and the line of every path.

    Raises
    ------
    ConfigError
        When the file is missing, unreadable, not a regular file, larger than
        :data:`MAX_FILE_BYTES`, not UTF-8 text (UTF-16 and UTF-32 are named), or not valid
        YAML; see :func:`parse_yaml`.
    """
    return parse_yaml(read_text(path), str(path))
