"""Every reproducer of issue 20, run through the ``sim111`` command as a user would.

Each case asserts behaviour, not wording, so it holds whatever message a fix
chooses: bad input is a clear error (exit status 2, one ``error:`` line of at most
300 characters naming the file, key or option, no traceback) within a time
bound; good input is accepted (exit 0). Files are written, folders searched and
processes killed only under pytest's temporary folder. Most cases run in this
process (:func:`~tests.fuzz.harness.invoke`); those that hang, eat memory, are
killed or interrupted run ``python -m sim111`` in a child
(:func:`~tests.fuzz.harness.spawn`) with a time limit.

Process-level reproducers (signals, kills, pool workers, outputs left behind by
a kill) are in ``test_process_reproducers.py``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.fuzz.harness import (
    assert_accepted,
    assert_clear_error,
    assert_clear_or_accepted,
    erlang,
    invoke,
    spawn,
    strict_json,
    typical,
    write_toml,
)

CASES: dict[str, Callable[[Path], None]] = {}
SMALL = ("-n", "2", "--set", "run.days=1")


def case(f: Callable[[Path], None]) -> Callable[[Path], None]:
    """Register a reproducer: a function of a fresh temporary folder."""
    CASES[f.__name__] = f
    return f


def scenario_file(folder: Path, data: dict | None = None, name: str = "x.toml") -> Path:
    return write_toml(folder / name, data or erlang())


# 1. Encodings ---------------------------------------------------------------------------


@case
def latin1_scenario(tmp: Path) -> None:
    path = tmp / "x.toml"
    path.write_bytes(b'name = "caf\xe9"\n')
    assert_clear_error(invoke("run", str(path)), "x.toml")


@case
def utf16_scenario(tmp: Path) -> None:
    path = tmp / "x.toml"
    text = scenario_file(tmp).read_text(encoding="utf-8")
    path.write_bytes(text.encode("utf-16"))
    assert_clear_error(invoke("run", str(path)), "x.toml")


@case
def binary_scenario(tmp: Path) -> None:
    path = tmp / "x.toml"
    path.write_bytes(bytes(range(256)) * 8)
    assert_clear_error(invoke("run", str(path)), "x.toml")


@case
def utf8_bom_scenario_is_accepted(tmp: Path) -> None:
    path = scenario_file(tmp)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert_accepted(invoke("run", str(path), *SMALL))


@case
def latin1_extends_target(tmp: Path) -> None:
    (tmp / "base.toml").write_bytes(b'description = "caf\xe9"\n')
    path = tmp / "x.toml"
    path.write_text('extends = "base.toml"\n', encoding="utf-8")
    assert_clear_error(invoke("run", str(path)), "base.toml")


@case
def latin1_sweep_file(tmp: Path) -> None:
    scenario_file(tmp)
    sweep = tmp / "s.toml"
    sweep.write_bytes(b'name = "caf\xe9"\nscenario = "x.toml"\n[grid]\n"run.days" = [1]\n')
    assert_clear_error(invoke("sweep", str(sweep), "--store", str(tmp / "st")), "s.toml")


# 2. Overflow and size -------------------------------------------------------------------


@case
def huge_integer_in_set(tmp: Path) -> None:
    path = scenario_file(tmp)
    out = invoke("run", str(path), "--set", "demand.calls_per_hour=1" + "0" * 400)
    assert_clear_error(out, "demand.calls_per_hour", "x.toml")


@case
def huge_integer_in_file(tmp: Path) -> None:
    data = erlang()
    data["demand"]["calls_per_hour"] = 10**400
    assert_clear_error(invoke("run", str(scenario_file(tmp, data))), "calls_per_hour")


@case
def huge_integer_scale_in_set(tmp: Path) -> None:
    path = write_toml(tmp / "x.toml", typical())
    out = invoke("run", str(path), "--set", "demand.scale=1" + "0" * 400)
    assert_clear_error(out, "demand.scale")


@case
def value_of_200000_characters_in_set(tmp: Path) -> None:
    path = scenario_file(tmp)
    assert_clear_error(invoke("run", str(path), "--set", "demand.kind=" + "x" * 200_000), "demand")


@case
def value_of_200000_characters_in_file(tmp: Path) -> None:
    data = erlang()
    data["demand"]["kind"] = "x" * 200_000
    assert_clear_error(invoke("run", str(scenario_file(tmp, data))), "demand.kind")


@case
def key_of_200000_characters_in_set(tmp: Path) -> None:
    assert_clear_error(invoke("run", str(scenario_file(tmp)), "--set", "k" * 200_000 + "=1"))


# 3. Non-ASCII digits --------------------------------------------------------------------


def _shift_start(tmp: Path, start: str) -> None:
    data = typical()
    data["advisors"]["shifts"][0]["start"] = start
    assert_clear_error(invoke("run", str(write_toml(tmp / "x.toml", data))), "start", "x.toml")


@case
def superscript_digit_in_clock(tmp: Path) -> None:
    _shift_start(tmp, "0²:00")


@case
def full_width_digits_in_clock_are_refused(tmp: Path) -> None:
    _shift_start(tmp, "０８:００")


@case
def superscript_digit_as_list_index_in_set(tmp: Path) -> None:
    path = write_toml(tmp / "x.toml", typical())
    assert_clear_error(
        invoke("run", str(path), "--set", "clinicians.².roster_scale=1"), "clinicians"
    )


@case
def superscript_digit_as_list_index_in_file(tmp: Path) -> None:
    path = write_toml(tmp / "base.toml", typical())
    (tmp / "x.toml").write_text(
        f'extends = "{path.name}"\n[clinicians."²"]\nroster_scale = 1\n', encoding="utf-8"
    )
    assert_clear_error(invoke("run", str(tmp / "x.toml")), "clinicians")


# 4. Files that are not regular files ----------------------------------------------------


@case
def fifo_as_scenario(tmp: Path) -> None:
    os.mkfifo(tmp / "x.toml")
    assert_clear_error(spawn("run", str(tmp / "x.toml"), timeout_s=10), "x.toml")


@case
def fifo_as_extends_target(tmp: Path) -> None:
    os.mkfifo(tmp / "base.toml")
    (tmp / "x.toml").write_text('extends = "base.toml"\n', encoding="utf-8")
    out = spawn("run", str(tmp / "x.toml"), timeout_s=10)
    assert_clear_error(out, "base.toml", "x.toml")


@case
def dev_zero_as_extends_target(tmp: Path) -> None:
    (tmp / "x.toml").write_text('extends = "/dev/zero"\n', encoding="utf-8")
    assert_clear_error(spawn("run", str(tmp / "x.toml")), "zero", "x.toml")


@case
def symlink_to_dev_zero_as_extends_target(tmp: Path) -> None:
    (tmp / "base.toml").symlink_to("/dev/zero")
    (tmp / "x.toml").write_text('extends = "base.toml"\n', encoding="utf-8")
    assert_clear_error(spawn("run", str(tmp / "x.toml")), "base.toml", "x.toml")


@case
def folder_as_extends_target(tmp: Path) -> None:
    (tmp / "base.toml").mkdir()
    (tmp / "x.toml").write_text('extends = "base.toml"\n', encoding="utf-8")
    assert_clear_error(invoke("run", str(tmp / "x.toml")), "base.toml")


# 5. Recursion, NUL bytes, --dask --------------------------------------------------------


@case
def deeply_nested_arrays(tmp: Path) -> None:
    (tmp / "x.toml").write_text("x = " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    assert_clear_error(invoke("run", str(tmp / "x.toml")), "x.toml")


@case
def deeply_nested_inline_tables(tmp: Path) -> None:
    text = "x = " + "{a = " * 3000 + "1" + "}" * 3000 + "\n"
    (tmp / "x.toml").write_text(text, encoding="utf-8")
    assert_clear_error(invoke("run", str(tmp / "x.toml")), "x.toml")


@case
def deeply_nested_table_header_over_a_base(tmp: Path) -> None:
    write_toml(tmp / "base.toml", erlang())
    header = ".".join(["demand"] + ["a"] * 3000)
    (tmp / "x.toml").write_text(f'extends = "base.toml"\n[{header}]\nb = 1\n', encoding="utf-8")
    assert_clear_error(invoke("run", str(tmp / "x.toml")), "x.toml", "demand")


@case
def deeply_dotted_key_in_set(tmp: Path) -> None:
    out = invoke("run", str(scenario_file(tmp)), "--set", "demand." + "a." * 3000 + "b=1")
    assert_clear_error(out, "demand")


@case
def long_extends_chain(tmp: Path) -> None:
    write_toml(tmp / "f1500.toml", erlang())
    for n in range(1500):
        (tmp / f"f{n}.toml").write_text(f'extends = "f{n + 1}.toml"\n', encoding="utf-8")
    assert_clear_error(invoke("run", str(tmp / "f0.toml")), "extends", ".toml")


@case
def nul_byte_in_extends_path(tmp: Path) -> None:
    (tmp / "x.toml").write_text('extends = "a\\u0000b.toml"\n', encoding="utf-8")
    assert_clear_error(invoke("run", str(tmp / "x.toml")), "x.toml", "extends")


@case
def dask_not_an_address(tmp: Path) -> None:
    out = invoke("run", str(scenario_file(tmp)), *SMALL, "--dask", "not an address")
    assert_clear_error(out, "--dask")


@case
def dask_port_out_of_range(tmp: Path) -> None:
    out = spawn("run", str(scenario_file(tmp)), *SMALL, "--dask", "127.0.0.1:99999", timeout_s=10)
    assert_clear_error(out, "--dask")


@case
def workers_past_a_c_int(tmp: Path) -> None:  # found by benchmarks/fuzz_inputs.py --seed 7
    for workers in ("100000000000", "257", "0"):
        out = invoke("run", str(scenario_file(tmp)), *SMALL, "--workers", workers)
        assert_clear_error(out, "--workers", "1<=x<=256")


# 6. Unwritable --out and --store: refused before simulating -----------------------------


def _long_run(tmp: Path) -> list[str]:
    """A run of a minute or more: a refusal within seconds cannot have simulated it."""
    return ["run", str(write_toml(tmp / "x.toml", typical(days=60, replications=10)))]


@case
def unwritable_out_is_refused_before_simulating(tmp: Path) -> None:
    out = spawn(*_long_run(tmp), "--out", "/sys/x", timeout_s=15)
    assert_clear_error(out, "/sys/x", "--out")


@case
def out_below_a_file_is_refused_before_simulating(tmp: Path) -> None:
    (tmp / "file").write_text("a file\n", encoding="utf-8")
    out = spawn(*_long_run(tmp), "--out", str(tmp / "file" / "x"), timeout_s=15)
    assert_clear_error(out, "file", "--out")


@case
def unwritable_store_is_refused_before_simulating(tmp: Path) -> None:
    out = spawn(*_long_run(tmp), "--store", "/sys/x", timeout_s=15)
    assert_clear_error(out, "/sys/x", "--store")


# 7. Text reaching matplotlib ------------------------------------------------------------


@case
def mathtext_in_names_with_out(tmp: Path) -> None:
    data = typical()
    data["name"] = "a $x_$ b"  # no backslash: names may not hold one
    data["clinicians"][0]["name"] = "$x^{$"
    data["clinical"]["priorities"][0]["name"] = "$x^{0$"
    path = write_toml(tmp / "x.toml", data)
    assert_accepted(invoke("run", str(path), *SMALL, "--out", str(tmp / "out")))
    assert (tmp / "out" / "report.html").is_file()


# 9. Validation matches the engine -------------------------------------------------------


def _run_json(tmp: Path, data: dict, *keys: str) -> dict | None:
    """Run ``data`` for JSON: None if refused clearly (naming one of ``keys``), else the
    parsed output (strict JSON)."""
    out = spawn("run", str(write_toml(tmp / "x.toml", data)), "--format", "json", timeout_s=20)
    if not assert_clear_or_accepted(out, *keys):
        return None
    return strict_json(out.stdout)


@case
def huge_head_count(tmp: Path) -> None:
    data = erlang()
    data["advisors"]["count"] = 2**40
    _run_json(tmp, data, "advisors.count")


@case
def huge_shift_head_count(tmp: Path) -> None:
    data = typical()
    data["advisors"]["shifts"][0]["count"] = 2**40
    _run_json(tmp, data, "advisors.shifts", "count")


@case
def huge_population(tmp: Path) -> None:
    data = typical()
    data["demand"]["population"] = 10**15
    _run_json(tmp, data, "demand.population", "--yes", "population")


@case
def sd_min_1e308(tmp: Path) -> None:
    data = erlang()
    data["advisors"]["handle_time"] = {"kind": "lognormal", "mean_min": 8, "sd_min": 1e308}
    _run_json(tmp, data, "advisors.handle_time.sd_min", "sd_min")


@case
def callback_attempts_beyond_int16(tmp: Path) -> None:
    data = typical()
    data["clinical"]["callback_max_attempts"] = 40_000
    _run_json(tmp, data, "clinical.callback_max_attempts", "callback_max_attempts")


@case
def priority_classes_beyond_int8(tmp: Path) -> None:
    """130 classes; only the last has calls: its per-class KPI must be its own."""
    data = typical()
    classes = [{"name": f"p{n}", "share": 0.0, "target_min": 60} for n in range(130)]
    classes[-1].update(share=1.0, target_min=1e6, warm_transfer=False)
    data["clinical"]["priorities"] = classes
    result = _run_json(tmp, data, "clinical.priorities", "priorities")
    if result is not None:
        kpis = result["kpis"]
        assert kpis["callback_within_target_p129"]["mean"] == 1.0
        assert kpis["callback_within_target_p1"]["mean"] is None  # no calls in class 1


@case
def downstream_services_beyond_int8(tmp: Path) -> None:
    """130 services; only the last takes referrals: its cases must be its own."""
    data = typical()
    services = [
        {"name": f"s{n}", "takes": "pharmacy", "count": 1, "handle_time": {"mean_min": 10}}
        for n in range(130)
    ]
    services[-1]["takes"] = "primary_care"
    data["downstream"] = services
    result = _run_json(tmp, data, "downstream")
    if result is not None:
        kpis = result["kpis"]
        assert kpis["downstream_s129_cases"]["mean"] > 0
        assert kpis["downstream_s1_cases"]["mean"] == 0  # pharmacy: share 0 in this scenario


@case
def misspelt_per_class_penalty_kpi(tmp: Path) -> None:
    data = typical()
    data["costs"]["penalties"] = [
        {"kpi": "callback_within_target_urgnet", "threshold": 0.5, "amount_gbp": 1000}
    ]
    out = invoke("run", str(write_toml(tmp / "x.toml", data)))
    assert_clear_error(out, "penalties", "urgnet")


# 10. JSON is JSON; sweep failures name their keys ---------------------------------------


@case
def infinity_in_json_output(tmp: Path) -> None:
    path = write_toml(tmp / "x.toml", typical())
    out = invoke(
        "run", str(path), *SMALL, "--set", "costs.price_per_call_gbp=1e308", "--format", "json"
    )
    if assert_clear_or_accepted(out, "price_per_call_gbp"):
        strict_json(out.stdout)


@case
def infinity_in_summary_json(tmp: Path) -> None:
    path = write_toml(tmp / "x.toml", typical())
    folder = tmp / "out"
    out = invoke(
        "run", str(path), *SMALL, "--set", "costs.price_per_call_gbp=1e308", "--out", str(folder)
    )
    if assert_clear_or_accepted(out, "price_per_call_gbp"):
        for written in folder.glob("*.json"):
            strict_json(written.read_text(encoding="utf-8"))


@case
def sweep_failure_lines_name_the_swept_keys(tmp: Path) -> None:
    write_toml(tmp / "x.toml", erlang())
    sweep = tmp / "s.toml"
    sweep.write_text(
        'name = "s"\nscenario = "x.toml"\nreplications = 2\n'
        '[grid]\n"advisors.handle_time.sd_min" = [1e308]\n'
        '"advisors.handle_time.kind" = ["lognormal"]\n',
        encoding="utf-8",
    )
    out = invoke("sweep", str(sweep), "--store", str(tmp / "st"))
    assert "Traceback" not in out.stderr, out.stderr
    assert out.code in (0, 1, 2), out.stderr
    failures = [line for line in out.stderr.splitlines() if "failed" in line]
    for line in failures:
        assert "advisors.handle_time.sd_min" in line and "'_1'" not in line, line
    if out.code == 2:
        assert_clear_error(out, "sd_min", "s.toml", "x.toml")


# 11. Stores -----------------------------------------------------------------------------


def _corrupt(tmp: Path, damage: Callable[[Path], None]) -> None:
    path = scenario_file(tmp)
    store = tmp / "store"
    first = invoke("run", str(path), "--format", "json", "--store", str(store))
    assert_accepted(first)
    damage(store / "results.sqlite")
    again = invoke("run", str(path), "--format", "json", "--store", str(store))
    if assert_clear_or_accepted(again, "store"):
        assert strict_json(again.stdout)["kpis"] == strict_json(first.stdout)["kpis"]


def _sql(statement: str) -> Callable[[Path], None]:
    def damage(path: Path) -> None:
        import sqlite3

        with sqlite3.connect(path) as db:
            db.execute(statement)
        db.close()

    return damage


@case
def store_of_garbage(tmp: Path) -> None:
    _corrupt(tmp, lambda p: p.write_bytes(b"not a database\x00" * 100))


@case
def store_truncated(tmp: Path) -> None:
    _corrupt(tmp, lambda p: p.write_bytes(p.read_bytes()[: p.stat().st_size // 3]))


@case
def store_empty_file(tmp: Path) -> None:
    _corrupt(tmp, lambda p: p.write_bytes(b""))


@case
def store_table_dropped(tmp: Path) -> None:
    _corrupt(tmp, _sql("drop table kpis"))


@case
def store_kpi_of_wrong_type(tmp: Path) -> None:
    _corrupt(tmp, _sql("update kpis set value = 'x' where position = 0"))


@case
def store_rows_missing(tmp: Path) -> None:
    _corrupt(tmp, _sql("delete from intervals where row % 2 = 0"))


@case
def store_tampered_but_well_formed(tmp: Path) -> None:
    """A stored number changed: the run must recompute (or refuse), never reuse it."""
    _corrupt(tmp, _sql("update kpis set value = value + 1000 where position < 3"))


@pytest.mark.parametrize("name", sorted(CASES))
def test_reproducer(name: str, tmp_path: Path) -> None:
    CASES[name](tmp_path)
