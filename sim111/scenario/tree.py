"""Which files a scenario may name: ``extends``, a sweep's ``scenario``, a history or
values CSV. Each is read relative to the file naming it, and only from the
scenario's own tree or a scenario library, unless the user allows more
(``--allow-outside-files``), so a scenario file from elsewhere cannot read, or
report on, files it has no business with.

The tree is the folder of the file the user named, with its sub-folders. A
library is a folder holding a :data:`LIBRARY_MARKER` file, with its
sub-folders: sim111's ``scenarios/`` is one, so any scenario may extend
``typical-area.toml`` and ``providers/nhs-direct.toml`` may extend
``../typical-area.toml``.
"""

from __future__ import annotations

from pathlib import Path

from sim111.errors import ScenarioError, shown_text

LIBRARY_MARKER = ".sim111-library"  # a folder holding a file of this name is a library
ALLOW_OUTSIDE = "pass --allow-outside-files (allow_outside=True) to read it"


def scenario_tree(path: Path) -> Path:
    """The folder whose files (sub-folders too) the scenario or sweep file ``path``
    may name: its own folder."""
    return path.resolve().parent


def in_library(path: Path) -> bool:
    """Whether ``path`` is under a folder holding a :data:`LIBRARY_MARKER` file."""
    return any((folder / LIBRARY_MARKER).is_file() for folder in path.parents)


def named_file(source: Path | str, key: str, name: str, tree: Path | None) -> Path:
    """The file ``name`` that ``key`` of the file ``source`` names, relative to
    ``source``'s folder, symbolic links followed.

    Refused, in one line that says nothing of the file itself (whether it exists,
    what it holds), when ``name`` holds a NUL byte, or the file is neither in
    ``tree`` (``None``: anywhere is allowed) nor in a library.
    """
    if "\0" in name:
        raise ScenarioError(
            f"{shown_text(source)}: '{key}' is not a file name (it holds a NUL byte)"
        )
    target = (Path(source).parent / name).resolve()
    if tree is not None and not target.is_relative_to(tree) and not in_library(target):
        raise ScenarioError(
            f"{shown_text(source)}: '{key}' = {shown_text(repr(name))} is outside this "
            f"scenario's folder and not in a scenario library (docs/inputs.md); {ALLOW_OUTSIDE}"
        )
    return target
