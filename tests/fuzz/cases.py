"""Generators of bad and edge-case inputs for ``benchmarks/fuzz_inputs.py``.

Each generator takes a seeded :class:`random.Random` and returns an :class:`Input`:
the files to write in a fresh working folder and the ``sim111`` arguments. Runs
are kept short (one day, one or two replications) unless the input is about size.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import tomli_w

from tests.fuzz.harness import erlang, typical
from tests.fuzz.strategies import EXTREMES, base_documents, paths

SHORT = ["-n", "1"]
RAW_VALUES = [
    "1" + "0" * 400, "1e999", "-inf", "nan", "[[[[[[1]]]]]]", "{a = 1}", '"0²:00"', '"０８:００"',
    "2015-02-30", "true", "[]", '"$x$"', "x" * 500, "-1", "0", "1e308", "2147483648", "'",
    '"/../../x"', "1_000", "0x10", "[1, 2, 3]", '"08:00"', "1979-05-27T07:32:00Z",
]  # fmt: skip
NAMES = [
    "/../../x", "../../../escaped", "a/b", "..", ".", "", " ", "$x^{$", "$\\frac$", "a$b$c",
    "x" * 300, "🙂", "con", "nul\u0000", "tab\tname", "new\nline", "ümlaut", "-rf", "~",
]  # fmt: skip


@dataclass
class Input:
    """One input: files (name -> bytes) in the working folder and the command's args."""

    kind: str
    args: list[str]
    files: dict[str, bytes] = field(default_factory=dict)
    fifos: tuple[str, ...] = ()
    links: dict[str, str] = field(default_factory=dict)


def toml(data: dict[str, Any]) -> bytes:
    return tomli_w.dumps(data).encode("utf-8")


def small(rng: random.Random) -> dict[str, Any]:
    return erlang() if rng.random() < 0.5 else typical()


def mutate(doc: dict[str, Any], rng: random.Random, times: int) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    for _ in range(times):
        every = paths(doc)
        if not every:
            break
        where = rng.choice(every)
        parent: Any = doc
        for part in where[:-1]:
            parent = parent[part]
        last = where[-1]
        how = rng.choice(["delete", "replace", "replace", "rename", "nest", "add"])
        if how == "delete" and isinstance(parent, dict):
            del parent[last]
        elif how == "rename" and isinstance(parent, dict):
            parent[str(last)[::-1] + rng.choice(["", "s", "_", "ı"])] = parent.pop(last)
        elif how == "nest":
            parent[last] = rng.choice([{"x": parent[last]}, [parent[last]]])
        elif how == "add" and isinstance(parent, dict):
            parent[rng.choice(["x", "ümlaut", "a.b", " "])] = rng.choice(EXTREMES)
        else:
            parent[last] = copy.deepcopy(rng.choice(EXTREMES))
    return doc


def scenario_mutation(rng: random.Random) -> Input:
    doc = mutate(rng.choice(base_documents()), rng, rng.randint(1, 4))
    if isinstance(doc.get("run"), dict) and rng.random() < 0.8:
        doc["run"].update(days=1, replications=1)
        doc["run"].pop("hours", None)
    return Input("", ["run", "x.toml", *SHORT], {"x.toml": toml(doc)})


def damaged_bytes(rng: random.Random) -> Input:
    text = toml(small(rng))
    how = rng.choice(["truncate", "insert", "latin1", "utf16", "bom", "nul", "long", "random"])
    if how == "truncate":
        text = text[: rng.randint(0, len(text))]
    elif how == "insert":
        at = rng.randint(0, len(text))
        text = text[:at] + bytes(rng.randrange(256) for _ in range(rng.randint(1, 8))) + text[at:]
    elif how == "latin1":
        text = text.replace(b'name = "', b'name = "caf\xe9 ')
    elif how == "utf16":
        text = text.decode().encode(rng.choice(["utf-16", "utf-32", "utf-16-be"]))
    elif how == "bom":
        text = b"\xef\xbb\xbf" + text
    elif how == "nul":
        text = text.replace(b"\n", b"\n\x00", 1)
    elif how == "long":
        text += b'description = "' + b"x" * rng.choice([10**4, 10**6]) + b'"\n'
    else:
        text = bytes(rng.randrange(256) for _ in range(rng.randint(0, 4000)))
    return Input("", ["run", "x.toml", *SHORT], {"x.toml": text})


def nesting(rng: random.Random) -> Input:
    depth = rng.choice([10, 100, 1000, 3000, 10000])
    form = rng.choice(["array", "inline", "header", "override"])
    base = toml(small(rng))
    if form == "array":
        text = base + b"x = " + b"[" * depth + b"]" * depth + b"\n"
    elif form == "inline":
        text = base + b"x = " + b"{a = " * depth + b"1" + b"}" * depth + b"\n"
    elif form == "header":
        text = base + b"[demand." + b".".join([b"a"] * depth) + b"]\nb = 1\n"
    else:
        return Input(
            "", ["run", "x.toml", "--set", "demand." + "a." * depth + "b=1"], {"x.toml": base}
        )
    return Input("", ["run", "x.toml", *SHORT], {"x.toml": text})


def extends(rng: random.Random) -> Input:
    files = {"base.toml": toml(small(rng))}
    how = rng.choice(
        ["chain", "chain", "fifo", "zero", "abs", "missing", "loop", "nul", "dir", "up"]
    )
    top = 'extends = "base.toml"\n'
    fifos: tuple[str, ...] = ()
    links: dict[str, str] = {}
    if how == "chain":
        n = rng.choice([2, 10, 100, 900, 1500])
        files.update({f"f{i}.toml": f'extends = "f{i + 1}.toml"\n'.encode() for i in range(n)})
        files[f"f{n}.toml"] = files["base.toml"]
        top = 'extends = "f0.toml"\n'
    elif how == "fifo":
        del files["base.toml"]
        fifos = ("base.toml",)
    elif how == "zero":
        del files["base.toml"]
        links = {"base.toml": "/dev/zero"}
    elif how in ("abs", "missing", "nul", "up"):
        target = {"abs": rng.choice(["/etc/passwd", "/proc/self/environ", "/etc/hostname"]),
                  "missing": "no-such.toml", "nul": "a\\u0000b.toml",
                  "up": "../../../base.toml"}[how]  # fmt: skip
        top = f'extends = "{target}"\n'
    elif how == "loop":
        files["base.toml"] = b'extends = "x.toml"\n'
    else:
        del files["base.toml"]
        files["base.toml/keep"] = b""
    return Input("", ["run", "x.toml", *SHORT], {"x.toml": top.encode()} | files, fifos, links)


def override(rng: random.Random) -> Input:
    doc = small(rng)
    sets: list[str] = []
    for _ in range(rng.randint(1, 3)):
        key = ".".join(str(p) for p in rng.choice(paths(doc)))
        if rng.random() < 0.2:
            key = rng.choice(["clinicians.²", "advisors.shifts.０", "clinical.priorities.-1", "x"])
        sets += ["--set", f"{key}={rng.choice(RAW_VALUES)}"]
    return Input("", ["run", "x.toml", *SHORT, *sets], {"x.toml": toml(doc)})


def _csv_rows(rng: random.Random, header: str, good: list[str]) -> bytes:
    rows = list(good)
    for _ in range(rng.randint(1, 3)):
        i = rng.randrange(len(rows))
        cells = rows[i].split(",")
        j = rng.randrange(len(cells))
        cells[j] = rng.choice(["", "-1", "nan", "inf", "1" + "0" * 400, "x", "２０", "1e308",
                               "2015-02-30", "0²", '"', "\x00", "9" * 30])  # fmt: skip
        rows[i] = ",".join(cells)
    if rng.random() < 0.3:
        rows = rows[: rng.randint(0, len(rows))]
    text = "\n".join([header, *rows]) + "\n"
    return text.encode(rng.choice(["utf-8", "utf-8", "utf-8-sig", "utf-16", "latin-1"]), "replace")


def history_csv(rng: random.Random) -> Input:
    good = [f"2015-03-{d:02d},{1000 + 10 * d}" for d in range(2, 16)]
    data = csv = _csv_rows(rng, "date,calls", good)
    doc = typical()
    doc["demand"]["history"] = {"file": "h.csv"}
    if rng.random() < 0.3:
        return Input("", ["fit-demand", "h.csv"], {"h.csv": data})
    return Input("", ["run", "x.toml", *SHORT], {"x.toml": toml(doc), "h.csv": csv})


def values_csv(rng: random.Random) -> Input:
    good = [f"{rng.uniform(1, 20):.2f}" for _ in range(20)]
    doc = erlang()
    doc["advisors"]["handle_time"] = {"kind": "empirical", "file": "v.csv"}
    return Input(
        "",
        ["run", "x.toml", *SHORT],
        {"x.toml": toml(doc), "v.csv": _csv_rows(rng, "minutes", good)},
    )


def observed_csv(rng: random.Random) -> Input:
    header = "period_start,period_end,calls_offered,population,answered_within_60s_pct"
    good = ["2015-03-02,2015-03-02,3000,1000000,95", "2015-03-03,2015-03-03,2800,1000000,94"]
    files = {"x.toml": toml(typical()), "o.csv": _csv_rows(rng, header, good)}
    return Input("", ["backtest", "x.toml", "o.csv", *SHORT], files)


def sweep(rng: random.Random) -> Input:
    spec: dict[str, Any] = {"name": "s", "scenario": "x.toml", "replications": 1, "seed": 1}
    spec["grid"] = {"run.days": [1], "demand.scale": [1.0, 1.1]}
    how = rng.choice(["name", "scenario", "grid", "points", "count", "mutate"])
    if how == "name":
        spec["name"] = rng.choice([n for n in NAMES if not n.startswith("/")])
    elif how == "scenario":
        spec["scenario"] = rng.choice(["/etc/passwd", "../../../x.toml", "missing.toml", "", "."])
    elif how == "grid":
        key = rng.choice(
            ["advisors.count", "x.y", "demand.scale", "run.days", "clinicians.².count"]
        )
        spec["grid"] = {"run.days": [1], key: [rng.choice(EXTREMES) for _ in range(2)]}
    elif how == "points":
        spec.pop("grid")
        spec["points"] = [{"demand.scale": rng.choice(EXTREMES)}, {}]
    elif how == "count":
        spec["grid"] = {
            "run.days": [1],
            "demand.scale": [1.0 + i / 1000 for i in range(rng.choice([50, 10**5]))],
        }
    else:
        spec = mutate(spec, rng, 2)
    files = {"x.toml": toml(erlang()), "s.toml": toml(spec)}
    return Input("", ["sweep", "s.toml", "--store", "store"], files)


def names(rng: random.Random) -> Input:
    doc = typical()
    name = rng.choice(NAMES)
    where = rng.choice(["name", "clinicians", "priority", "shift"])
    if where == "name":
        doc["name"] = name
    elif where == "clinicians":
        doc["clinicians"][0]["name"] = name
    elif where == "priority":
        doc["clinical"]["priorities"][0]["name"] = name
    else:
        doc["advisors"]["shifts"][0]["name"] = name
    command = rng.choice([["run", "x.toml", *SHORT, "--out", "out"], ["price", "x.toml", *SHORT]])
    if where == "name" and rng.random() < 0.3:
        command = ["staff", "x.toml", "-n", "1", "--max-iterations", "1"]
    return Input("", command, {"x.toml": toml(doc)})


def options(rng: random.Random) -> Input:
    option = rng.choice([
        ["-n", rng.choice(["0", "-1", "x", "99999999999999999999", "1000000"])],
        ["--seed", rng.choice(["-1", "18446744073709551616", "1e3", "x"])],
        ["--workers", rng.choice(["0", "-1", "100000000000", "x"])],
        ["--dask", rng.choice(["not an address", "127.0.0.1:99999", "local:0", "local:x", "", "tcp://"])],
        ["--out", rng.choice(["/sys/x", "/proc/x", "x.toml", "x.toml/sub", ".", "..", "", "\x01"])],
        ["--store", rng.choice(["/sys/x", "x.toml", "x.toml/sub", "", ".", "bad-store"])],
        ["--by", rng.choice(["year", "", "day"])], ["--format", rng.choice(["xml", "", "json"])],
        ["--set", rng.choice(["", "=", "x", "=1", "run.days", "run.days=", " = "])],
    ])  # fmt: skip
    files = {"x.toml": toml(erlang()), "bad-store/results.sqlite": b"not sqlite" * 50}
    return Input("", ["run", "x.toml", "-n", "1", *option], files)


def store(rng: random.Random) -> Input:
    header = b"SQLite format 3\x00"
    damage = rng.choice(
        [b"", header + bytes(rng.randrange(256) for _ in range(3000)), b"x" * 1400, bytes(4096)]
    )
    files = {"x.toml": toml(erlang()), "st/results.sqlite": damage}
    return Input("", ["run", "x.toml", *SHORT, "--store", "st"], files)


GENERATORS: list[tuple[str, int, Callable[[random.Random], Input]]] = [
    ("scenario mutation", 26, scenario_mutation),
    ("damaged bytes", 9, damaged_bytes),
    ("nesting", 3, nesting),
    ("extends", 6, extends),
    ("--set override", 18, override),
    ("history CSV", 6, history_csv),
    ("values CSV", 4, values_csv),
    ("observed CSV", 3, observed_csv),
    ("sweep file", 8, sweep),
    ("names", 5, names),
    ("CLI options", 8, options),
    ("store", 4, store),
]
