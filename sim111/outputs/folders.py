"""Output folders: ``--out DIR`` replaced as a whole, and never a folder sim111 did not write.

A command writes every file into a staging folder beside ``DIR`` and, only when
all are complete, swaps it for ``DIR``: the old results go as one, so no file of
an earlier run (a ``calls.csv.gz`` the new run did not write) is left beside the
new ones, and a failure leaves the old folder as it was and no staging folder.

A folder sim111 writes holds a marker file (:data:`MARKER`). ``DIR`` is replaced
only if it is missing, empty or holds that marker: a user's own folder named by
mistake is refused (:func:`check_out_folder`), never deleted.

Folders written by sim111 before the marker existed are replaced too, so scripts
that re-run into them keep working after an upgrade, but only when nothing in them
could be the user's (:func:`older_output`): sim111's own signature files with their
contents (a run's ``summary.json`` and ``scenario.json``, a comparison's
``comparison.csv``, a sweep's four CSVs), and every other entry a plain file with a
name those versions wrote (:data:`OLDER_NAMES`, the exact list, not any ``*.csv``):
a user's notes or own CSV added beside them would be deleted with the folder, so
such a folder is refused with a message saying it looks like older sim111 output.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path

import pandas as pd

from sim111.errors import ScenarioError
from sim111.outputs.swap import new_folder, remove_stale, signals_held, swap_in
from sim111.version import __version__

MARKER = ".sim111-output"
MARKER_TEXT = (
    f"Written by sim111 {__version__}. A command given --out this folder replaces all of it.\n"
)

Writers = dict[str, Callable[[Path], object]]
log = logging.getLogger(__name__)

# Every file `sim111 run`, `compare` and `sweep --out` wrote before the marker (0.1.0
# up to the commit that added it; later versions write MARKER), and the files desktops
# leave in a folder someone looked at.
OLDER_NAMES = frozenset(
    {
        *("summary.json", "scenario.json", "summary.csv", "kpis_by_replication.csv"),
        *("intervals.csv", "failures.csv", "areas.csv", "calls.csv.gz", "report.html"),
        *("comparison.csv", "comparison.png"),
        *(f"{name}.png" for name in ("calls_by_interval", "service_level", "answer_times")),
        *(f"{name}.png" for name in ("callback_queue", "staff", "costs")),
        *(".DS_Store", "Thumbs.db"),
    }
)
SWEEP_FILES = ("summary.csv", "kpis_by_replication.csv", "intervals.csv", "failures.csv")


SLUG_MAX = 64
PROBE = "sim111-probe"  # check_writable's folders: .sim111-probe.staging-PID-HEX


def slug(name: str, fallback: str = "scenario") -> str:
    """``name`` as one safe file name: letters, digits, ``.``, ``_`` and ``-`` only
    (others become ``-``), no leading dot or dash, at most :data:`SLUG_MAX` characters.

    A scenario's or sweep's name is text from a file, not a path the user typed:
    ``/../../x`` must not decide where files go (``staffed-x``, not ``../../x``).
    """
    text = re.sub(r"[^A-Za-z0-9._-]+", "-", name).lstrip(".-")[:SLUG_MAX].rstrip(".-")
    return text or fallback


def _first_line(path: Path) -> str:
    with path.open(encoding="utf-8", errors="replace") as f:
        return f.readline()


def _is_run(folder: Path) -> bool:
    if not (folder / "scenario.json").is_file():
        return False
    try:
        data = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and {"scenario", "seed", "kpis"} <= data.keys()


def _is_comparison(folder: Path) -> bool:
    path = folder / "comparison.csv"
    return path.is_file() and _first_line(path).startswith("scenario,kpi,baseline,mean,difference")


def _is_sweep(folder: Path) -> bool:
    return all((folder / name).is_file() for name in SWEEP_FILES) and _first_line(
        folder / "kpis_by_replication.csv"
    ).startswith("point,")


def older_output(folder: Path) -> list[str] | None:
    """``None`` if ``folder`` is not sim111 output from before :data:`MARKER`; else the
    entries in it sim111 did not write (``[]``: it may be replaced)."""
    if not (_is_run(folder) or _is_comparison(folder) or _is_sweep(folder)):
        return None
    return sorted(
        p.name
        for p in folder.iterdir()
        if p.name not in OLDER_NAMES or p.is_symlink() or not p.is_file()
    )


def check_out_folder(out: str | Path, keep: Iterable[str | Path | None] = ()) -> Path:
    """The resolved ``--out`` folder, if sim111 may replace it; else :class:`ScenarioError`.

    Refused: a file (or a path under one); the current folder or one holding it; a non-empty folder
    without :data:`MARKER` (not written by sim111), unless it is older sim111 output
    holding nothing else (:func:`older_output`); a folder holding one of
    ``keep`` (e.g. the ``--store``), which replacing it would delete.
    """
    given = Path(out)
    if given.exists() and not given.is_dir():
        raise ScenarioError(f"--out {out}: exists and is not a folder")
    target = given.resolve()
    existing = next(p for p in target.parents if p.exists())
    if not existing.is_dir():
        raise ScenarioError(f"--out {out}: {existing} is a file, not a folder")
    cwd = Path.cwd().resolve()
    if target == cwd or target in cwd.parents:
        raise ScenarioError(
            f"--out {out}: is the current folder or holds it; name a folder of its own"
        )
    for other in keep:
        if other is not None and target in (Path(other).resolve(), *Path(other).resolve().parents):
            raise ScenarioError(
                f"--out {out}: holds {other}, which replacing the folder would delete; "
                "keep them apart"
            )
    if target.is_dir() and not (target / MARKER).is_file() and any(target.iterdir()):
        _check_unmarked(out, target)
    check_writable(existing, f"--out {out}")
    return target


def check_folder_writable(path: str | Path, what: str) -> None:
    """:class:`ScenarioError` unless ``path`` is (or could be made) a folder sim111 can
    write in: an existing folder is tried, else its nearest existing parent."""
    folder = Path(path).absolute()
    if folder.exists() and not folder.is_dir():
        raise ScenarioError(f"{what}: exists and is not a folder")
    existing = next(p for p in (folder, *folder.parents) if p.exists())
    if not existing.is_dir():
        raise ScenarioError(f"{what}: {existing} is a file, not a folder")
    check_writable(existing, what)


def check_writable(folder: Path, what: str) -> None:
    """:class:`ScenarioError` unless a folder can be made in ``folder`` (tried: permissions
    alone do not tell, e.g. ``/sys`` or a read-only mount).

    The probe is a staging folder named for this process (``.sim111-probe.staging-PID-HEX``),
    made and removed with SIGINT and SIGTERM held; one left by a SIGKILLed run is removed
    by the next check of the same folder (:func:`~sim111.outputs.swap.remove_stale`).
    """
    try:
        remove_stale(folder / PROBE)
        with signals_held():
            new_folder(folder / PROBE, "staging").rmdir()
    except OSError as err:
        raise ScenarioError(f"{what}: cannot write in {folder}: {err.strerror or err}") from None


def _check_unmarked(out: str | Path, target: Path) -> None:
    """Accept older sim111 output holding only sim111's files; refuse anything else."""
    foreign = older_output(target)
    if foreign is None:
        raise ScenarioError(
            f"--out {out}: is a non-empty folder sim111 did not write (no {MARKER} file); "
            "name a new or empty folder, or remove this one yourself"
        )
    if foreign:
        raise ScenarioError(
            f"--out {out}: looks like older sim111 output but also holds "
            f"{', '.join(foreign[:3])}{' ...' if len(foreign) > 3 else ''}, which sim111 did "
            "not write: delete the folder or choose a new one"
        )
    log.info("--out %s: older sim111 output (before %s): replacing it", out, MARKER)


def replace_folder(out: str | Path, writers: Writers) -> list[Path]:
    """Write each ``name`` with ``writers[name](path)``, then swap the lot in as ``out``.

    All or nothing: the files and :data:`MARKER` are written to a staging folder
    beside ``out`` (:func:`~sim111.outputs.swap.new_folder`), which is then swapped
    in for ``out`` (checked by :func:`check_out_folder`) in one step
    (:func:`~sim111.outputs.swap.swap_in`) and the old folder deleted. On any
    failure, SIGINT or SIGTERM the old folder stays and the staging folder is
    removed; folders left beside ``out`` by killed runs are removed first
    (:func:`~sim111.outputs.swap.remove_stale`). A folder that cannot be written
    is a :class:`ScenarioError`. Returns the paths written (without the marker).
    """
    target = check_out_folder(out)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        remove_stale(target)
    except OSError as err:
        raise ScenarioError(f"--out {out}: cannot write: {err.strerror or err}") from None
    staging: Path | None = None
    old: Path | None = None
    try:
        with signals_held():  # a Ctrl-C during mkdir comes once `staging` is known
            staging = new_folder(target, "staging")
        for name, write in writers.items():
            write(staging / name)
        (staging / MARKER).write_text(MARKER_TEXT)
        with signals_held():  # swapped and tidied as one: a Ctrl-C comes after
            old = swap_in(staging, target)
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
            staging = old = None
        return [target / name for name in writers]
    finally:
        with signals_held():
            if staging is not None and old != staging:
                shutil.rmtree(staging, ignore_errors=True)  # already gone after the swap
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)


def csv_writer(frame: pd.DataFrame, columns: list[str]) -> Callable[[Path], object]:
    """A writer of ``frame`` as CSV (no index); with no columns, a header of ``columns``.

    An empty frame without columns (no failures in a sweep) would be written as a
    lone newline that ``pandas.read_csv`` cannot read; this writes its header row.
    """
    shown = frame if len(frame.columns) else pd.DataFrame(columns=columns)
    return lambda path: shown.to_csv(path, index=False)
