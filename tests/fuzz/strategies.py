"""Hypothesis strategies for bad and edge-case scenario input.

Documents are the library's self-contained scenario files as data, changed by a
few mutations (a key deleted, renamed with a typo, a value replaced by another
type, an extreme, an odd string, or nested one level deeper). Overrides are
``KEY=VALUE`` texts as ``--set`` takes them, over the scenario's own dotted keys
and some it does not have. ``benchmarks/fuzz_inputs.py`` draws from the same
strategies (with ``.example()``-free seeded draws of its own), so the suite and
the long run try the same kinds of input.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import math
from typing import Any

from hypothesis import strategies as st

from sim111.scenario import load_scenario
from tests.fuzz.harness import SCENARIOS, library

RAW = ("typical-area", "validation/erlang-a")  # self-contained files, as written
LOADED = (
    "christmas-2014",
    "easter-2013-backlog-rules",
    "providers/nhs-direct",
    "england-2014/mutual-aid",
)

EXTREMES: tuple[Any, ...] = (
    0,
    -1,
    1,
    2**15,
    2**31,
    2**63,
    10**20,
    -(10**20),
    10**400,
    0.0,
    -0.0,
    1e-300,
    1e308,
    -1e308,
    math.inf,
    -math.inf,
    math.nan,
    True,
    False,
    "",
    " ",
    "0²:00",
    "０８:００",
    "25:00",
    "08:00",
    "$x^{$",
    "/../../x",
    "a\u0000b",
    "\u202e",
    "x" * 400,
    "ümlaut",
    "🙂",
    dt.date(1, 1, 1),
    dt.date(9999, 12, 31),
    dt.datetime(2015, 3, 2, 8, 0),
    [],
    [[]],
    {},
)

ODD_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)


@functools.cache
def _documents() -> tuple[dict[str, Any], ...]:
    raw = [library(name) for name in RAW]
    loaded = [load_scenario(SCENARIOS / f"{name}.toml").to_data() for name in LOADED]
    return tuple(raw + loaded)


def base_documents() -> list[dict[str, Any]]:
    """Library scenarios as data: two files as written, four as loaded (every key set)."""
    return [copy.deepcopy(d) for d in _documents()]


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path (keys and list indices) to a value in ``node``."""
    out: list[tuple[Any, ...]] = []
    items = node.items() if isinstance(node, dict) else enumerate(node)
    for key, value in items:
        out.append((*prefix, key))
        if isinstance(value, dict | list):
            out.extend(paths(value, (*prefix, key)))
    return out


def dotted(path: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in path)


def _parent(doc: Any, path: tuple[Any, ...]) -> Any:
    for part in path[:-1]:
        doc = doc[part]
    return doc


def _typo(key: str, draw: Any) -> str:
    if not key:
        return "x"
    i = draw(st.integers(0, len(key) - 1))
    how = draw(st.sampled_from(["drop", "double", "upper", "swap", "unicode"]))
    if how == "drop":
        return key[:i] + key[i + 1 :] or "x"
    if how == "double":
        return key[:i] + key[i] + key[i:]
    if how == "upper":
        return key.upper()
    if how == "unicode":
        return key[:i] + "ı" + key[i + 1 :]
    return key[::-1]


VALUES = st.one_of(
    st.sampled_from(EXTREMES),
    ODD_TEXT,
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.lists(st.integers(-5, 10**6), max_size=30),
)


@st.composite
def mutated_document(draw: Any, max_mutations: int = 3) -> dict[str, Any]:
    """A library scenario with 1 to ``max_mutations`` mutations."""
    doc = copy.deepcopy(draw(st.sampled_from(base_documents())))
    for _ in range(draw(st.integers(1, max_mutations))):
        where = draw(st.sampled_from(paths(doc)))
        parent, last = _parent(doc, where), where[-1]
        how = draw(st.sampled_from(["delete", "replace", "replace", "rename", "nest", "add"]))
        if how == "delete" and isinstance(parent, dict):
            del parent[last]
        elif how == "rename" and isinstance(parent, dict):
            parent[_typo(last, draw)] = parent.pop(last)
        elif how == "nest":
            parent[last] = draw(st.sampled_from([{"x": parent[last]}, [parent[last]]]))
        elif how == "add" and isinstance(parent, dict):
            parent[draw(ODD_TEXT) or "k"] = draw(VALUES)
        else:
            parent[last] = draw(VALUES)
        if not paths(doc):
            doc["name"] = "emptied"
    return doc


def _raw_value(draw: Any) -> str:
    return draw(
        st.one_of(
            st.sampled_from(
                [
                    "1" + "0" * 400,
                    "1e999",
                    "-inf",
                    "nan",
                    "[[[[[[1]]]]]]",
                    "{a = 1}",
                    '"0²:00"',
                    '"０８:００"',
                    "2015-02-30",
                    "true",
                    "[]",
                    '"$x$"',
                    "x" * 500,
                ]
            ),
            ODD_TEXT,
            st.integers(-(10**25), 10**25).map(str),
            st.floats().map(repr),
        )
    )


@st.composite
def override_text(draw: Any) -> str:
    """A ``--set`` text: a scenario key (real, indexed oddly, typo'd or made up) = a value."""
    doc = draw(st.sampled_from(base_documents()))
    key = dotted(draw(st.sampled_from(paths(doc))))
    how = draw(st.sampled_from(["real", "real", "typo", "index", "deep", "odd"]))
    if how == "typo":
        key = _typo(key, draw)
    elif how == "index":
        key = draw(st.sampled_from(["clinicians", "advisors.shifts", "clinical.priorities"]))
        key += "." + draw(st.sampled_from(["²", "０", "-1", "99", "1_0", " 0", "0x1", ""]))
        key += ".count"
    elif how == "deep":
        key = key + ".a" * draw(st.integers(1, 50))
    elif how == "odd":
        key = draw(ODD_TEXT)
    return f"{key}={_raw_value(draw)}"
