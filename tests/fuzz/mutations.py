"""Hypothesis strategies that damage YAML text: the shipped configs, mutated.

A mutation works on the text of a scenario file (``configs/*.yaml``, ``configs/reshoring``):
delete, duplicate or swap lines, swap two keys, change a number into a huge, tiny, negative,
NaN or string value, insert a control, bidi or BOM character, nest a value deeply, add an
anchor and an alias, re-indent a line, truncate the file, or change its encoding.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from hypothesis import strategies as st

from tests.fuzz.harness import ROOT

CONFIGS = ROOT / "configs"
SHIPPED = sorted(CONFIGS.glob("*.yaml")) + sorted((CONFIGS / "reshoring").glob("*.yaml"))

#: Values a number may become (YAML text).
VALUES = (
    "1e308",
    "-1e308",
    "1e-308",
    "1e-300",
    "5e-324",
    "-1",
    "0",
    "-0.0",
    ".nan",
    ".inf",
    "-.inf",
    "9223372036854775807",
    "9223372036854775808",
    "99999999999999999999999",
    "1e9",
    "1e12",
    "2",
    "0.5",
    "'7'",
    '"x"',
    "true",
    "null",
    "~",
    "[]",
    "{}",
    "[1, 2]",
    "!!str 5",
    "0x10",
    "1_000",
    "12:30",
    "2024-01-01",
    "'\u202e1'",
    '"\\e[31m"',
    "inf",
    "NaN",
    "1e",
    "--1",
)
#: The same without the values that legitimately make a run take very long (tiny durations):
#: what the run fuzz uses, with a short run forced on the command line.
RUN_VALUES = tuple(v for v in VALUES if v not in ("1e-308", "1e-300", "5e-324", "0.5"))
#: Characters a mutation may insert.
CHARACTERS = (
    "\x00",
    "\x1b",
    "\x07",
    "\x7f",
    "\x85",
    "\u202e",
    "\u2066",
    "\ufeff",
    "\t",
    "\r",
    "\ud800",
    ":",
    "#",
    "&",
    "*",
    "!",
    "|",
    ">",
    "'",
    '"',
    "{",
    "[",
    "%",
    "@",
    "`",
)

_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\w.:])")
_KEY_VALUE = re.compile(r"^(\s*)([\w-]+):(\s+)(\S.*)$")


@dataclass(frozen=True)
class Mutant:
    """A damaged config: where it came from, the mutations, its bytes."""

    source: Path
    steps: tuple[str, ...]
    data: bytes

    def __repr__(self) -> str:
        return f"Mutant({self.source.name}, {list(self.steps)}, {len(self.data)} bytes)"

    def write(self, top: Path) -> Path:
        """Write it under ``top`` as the source sits under ``configs/`` (its site is a name)."""
        path = top / self.source.relative_to(CONFIGS)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(self.data)
        return path


def _mutate(draw: st.DrawFn, lines: list[str], values: tuple[str, ...]) -> str:
    """Apply one mutation to ``lines`` in place; return its description."""
    n = len(lines)
    i = draw(st.integers(0, n - 1))
    kind = draw(
        st.sampled_from(
            [
                "delete",
                "duplicate",
                "swap",
                "swapkeys",
                "number",
                "number",
                "number",
                "char",
                "nest",
                "alias",
                "indent",
                "value",
            ]
        )
    )
    if kind == "delete":
        del lines[i]
        return f"delete line {i + 1}"
    if kind == "duplicate":
        lines.insert(i, lines[i])
        return f"duplicate line {i + 1}"
    if kind == "swap":
        j = draw(st.integers(0, n - 1))
        lines[i], lines[j] = lines[j], lines[i]
        return f"swap lines {i + 1} and {j + 1}"
    if kind == "swapkeys":
        keyed = [k for k, line in enumerate(lines) if _KEY_VALUE.match(line)]
        if len(keyed) < 2:
            return "no keys to swap"
        a, b = draw(st.lists(st.sampled_from(keyed), min_size=2, max_size=2, unique=True))
        ma, mb = _KEY_VALUE.match(lines[a]), _KEY_VALUE.match(lines[b])
        assert ma and mb
        lines[a] = f"{ma[1]}{mb[2]}:{ma[3]}{ma[4]}"
        lines[b] = f"{mb[1]}{ma[2]}:{mb[3]}{mb[4]}"
        return f"swap keys {ma[2]!r} and {mb[2]!r}"
    if kind == "number":
        numbered = [k for k, line in enumerate(lines) if _NUMBER.search(line.split("#")[0])]
        if not numbered:
            return "no number"
        k = draw(st.sampled_from(numbered))
        spans = list(_NUMBER.finditer(lines[k].split("#")[0]))
        m = draw(st.sampled_from(spans))
        value = draw(st.sampled_from(values))
        lines[k] = lines[k][: m.start()] + value + lines[k][m.end() :]
        return f"line {k + 1}: {m[0]} -> {value}"
    if kind == "value":
        keyed = [k for k, line in enumerate(lines) if _KEY_VALUE.match(line)]
        if not keyed:
            return "no value"
        k = draw(st.sampled_from(keyed))
        kv = _KEY_VALUE.match(lines[k])
        assert kv
        value = draw(st.sampled_from(values))
        lines[k] = f"{kv[1]}{kv[2]}:{kv[3]}{value}"
        return f"line {k + 1}: {kv[2]} -> {value}"
    if kind == "char":
        ch = draw(st.sampled_from(CHARACTERS))
        pos = draw(st.integers(0, len(lines[i])))
        lines[i] = lines[i][:pos] + ch + lines[i][pos:]
        return f"line {i + 1}: insert U+{ord(ch):04X} at {pos}"
    if kind == "nest":
        keyed = [k for k, line in enumerate(lines) if _KEY_VALUE.match(line)]
        if not keyed:
            return "nothing to nest"
        k = draw(st.sampled_from(keyed))
        kv = _KEY_VALUE.match(lines[k])
        assert kv
        depth = draw(st.sampled_from([2, 10, 100, 999, 1001, 5000]))
        flow = draw(st.booleans())
        inner = kv[4].split("#")[0].strip() or "1"
        nested = "[" * depth + inner + "]" * depth if flow else "{a: " * depth + inner + "}" * depth
        lines[k] = f"{kv[1]}{kv[2]}:{kv[3]}{nested}"
        return f"line {k + 1}: nest {kv[2]} {depth} deep"
    if kind == "alias":
        keyed = [k for k, line in enumerate(lines) if _KEY_VALUE.match(line)]
        if len(keyed) < 2:
            return "no alias"
        a, b = draw(st.lists(st.sampled_from(keyed), min_size=2, max_size=2, unique=True))
        ma, mb = _KEY_VALUE.match(lines[a]), _KEY_VALUE.match(lines[b])
        assert ma and mb
        lines[a] = f"{ma[1]}{ma[2]}:{ma[3]}&fz {ma[4]}"
        lines[b] = f"{mb[1]}{mb[2]}:{mb[3]}*fz"
        return f"anchor line {a + 1}, alias line {b + 1}"
    # indent
    delta = draw(st.sampled_from([-2, -1, 1, 2, 4]))
    if delta < 0:
        lines[i] = lines[i][min(-delta, len(lines[i]) - len(lines[i].lstrip(" "))) :]
    else:
        lines[i] = " " * delta + lines[i]
    return f"line {i + 1}: indent {delta:+d}"


@st.composite
def mutants(draw: st.DrawFn, values: tuple[str, ...] = VALUES, max_steps: int = 3) -> Mutant:
    """A shipped config with one to ``max_steps`` mutations."""
    source = draw(st.sampled_from(SHIPPED))
    lines = source.read_text(encoding="utf-8").split("\n")
    steps = [_mutate(draw, lines, values) for _ in range(draw(st.integers(1, max_steps)))]
    text = "\n".join(lines)
    ending = draw(st.sampled_from(["utf-8"] * 8 + ["truncate", "utf-16", "utf-16-le", "latin-1"]))
    if ending == "truncate":
        cut = draw(st.integers(0, max(0, len(text) - 1)))
        data = text[:cut].encode("utf-8", "surrogatepass")
        steps.append(f"truncate at {cut}")
    else:
        data = text.encode(
            ending if ending != "latin-1" else "latin-1",
            "surrogatepass" if ending.startswith("utf") else "replace",
        )
        if ending != "utf-8":
            steps.append(f"encode {ending}")
    return Mutant(source, tuple(steps), data)
