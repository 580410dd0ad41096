"""The documented limits of scenario values, and what a name may be.

The engine keeps per-call records in narrow types (:mod:`sim111.engine.columns`):
priority and downstream classes, clinician groups, providers and downstream
services are ``int8`` indices (at most 127, -1 meaning none); call-back attempts
and area indices are ``int16`` (at most 32,767); a caller redials at most
:data:`MAX_REDIALS` times, then gives up. A scenario whose values would
not fit, or would make every replication fail (a population or head-count no
computer can simulate, a duration past any run, a spread that overflows), is
refused when it is loaded, with the limit in the message. Each limit is
generous for real use: the largest NHS 111 contract served 5.8 million people.

Names (of a scenario, a class, a group, an area) are names, not paths: letters
(any alphabet), digits 0-9, spaces and ``-_.,()&'+£$%:!?#^{}``, at most
:data:`MAX_NAME_CHARS` characters (an area's label :data:`MAX_LABEL_CHARS`), and never ``..``.
"""

from __future__ import annotations

import difflib
import unicodedata
from typing import TYPE_CHECKING

from sim111.errors import FieldError, shown
from sim111.kpi_keys import COST_KEYS, penalty_kpis

if TYPE_CHECKING:
    from sim111.scenario.top import Scenario

MAX_NUMBER = 1e12  # any number without a tighter limit of its own
MAX_POPULATION = 100_000_000  # people served by one area (England: 56 million)
MAX_HEADCOUNT = 10_000  # people on one shift line, or a constant count, after scaling
MAX_ROSTER_SCALE = 100.0  # a roster multiplier
MAX_SHIFT_LINES = 1_000  # shift lines of one staff group
MAX_DURATION_MIN = 1e9  # any duration or time limit (~1,900 years: a patience that long never ends)
MAX_DURATION_S = MAX_DURATION_MIN * 60
MAX_CV = 100.0  # sd_min / mean_min of a lognormal or gamma duration
MAX_CALLS_PER_DAY = 10_000_000  # expected calls on the busiest day (England: ~60,000)
MAX_CLASSES = 100  # priority or downstream classes, groups, providers, services (int8)
MAX_AREAS = 1_000  # contract areas (int16 indices)
MAX_CALLBACK_ATTEMPTS = 1_000  # call-back attempts per call (int16 counts)
# Redials per caller (the int16 ``attempt``): past it the caller gives up. Without it, a
# redial probability of 1 with no one answering redials until the run ends, millions
# of calls when patience and redial delay are short (2 days: 1.4 million, 5 minutes).
MAX_REDIALS = 100
MAX_NAME_CHARS = 80
MAX_LABEL_CHARS = 200  # a name shown in tables in place of an identifier (an area's label)
NAME_PUNCTUATION = " -_.,()&'+£$%:!?#^{}"  # no / \\ (paths), < > " (markup), control
# the default upper bound of a field by its unit (spec() applies it when none is given)
UNIT_MAX: dict[str, float] = {
    "min": MAX_DURATION_MIN,
    "s": MAX_DURATION_S,
    "people": MAX_HEADCOUNT,
}


def _name_char(c: str) -> bool:
    return (
        c.isalpha()
        or "0" <= c <= "9"
        or c in NAME_PUNCTUATION
        or unicodedata.category(c) in ("Mn", "Mc")  # accents written as combining marks
    )


def check_name(key: str, name: str, limit: int = MAX_NAME_CHARS) -> None:
    """Raise :class:`FieldError` on ``key`` unless ``name`` is a name (see the module).

    Names appear in tables, file contents and plots, never as paths.
    """
    bad = next((c for c in name if not _name_char(c)), None)
    if bad is not None:
        what = f"{bad!r}" if bad.isprintable() else f"U+{ord(bad):04X}"
        raise FieldError(
            key,
            f"must be a name: letters, digits 0-9, spaces and {NAME_PUNCTUATION.strip()} "
            f"only; got {shown(name)}, which has {what}",
        )
    if ".." in name:
        raise FieldError(key, f"must be a name, not a path: no '..', got {shown(name)}")
    if not any(c.isalnum() for c in name):
        raise FieldError(key, f"must have a letter or digit, got {shown(name)}")
    if len(name) > limit:
        raise FieldError(key, f"must be at most {limit} characters, got {len(name)}: {shown(name)}")


def check_count(key: str, items: tuple[object, ...], limit: int, what: str) -> None:
    """Raise unless ``items`` has at most ``limit`` entries (``what``: why the limit)."""
    if len(items) > limit:
        raise FieldError(key, f"may list at most {limit} {what}, got {len(items)}")


def unknown_kpi(kpi: str, allowed: tuple[str, ...]) -> str:
    """Why ``kpi`` cannot be penalised, with the close matches among ``allowed``."""
    if kpi in COST_KEYS:
        return (
            f"must be a KPI key of the service, not a cost: penalties are judged before "
            f"costs, got {kpi!r}"
        )
    close = difflib.get_close_matches(kpi, allowed, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}?" if close else "the KPI keys are listed in README.md (KPIs)"
    return f"must be a KPI key the scenario produces, got {shown(kpi)}; {hint}"


def check_scenario(scenario: Scenario) -> None:
    """The limits of a whole scenario: its name, how many groups, providers, services and
    areas it lists, and that each penalty names a KPI it will produce."""
    check_name("name", scenario.name)
    byte = "(per-call records index them in a byte)"
    check_count("clinicians", scenario.clinicians, MAX_CLASSES, f"groups {byte}")
    check_count("providers", scenario.providers, MAX_CLASSES, f"providers {byte}")
    check_count("downstream", scenario.downstream, MAX_CLASSES, f"services {byte}")
    check_count("areas", scenario.areas, MAX_AREAS, "areas")
    allowed = penalty_kpis(
        [p.name for p in scenario.clinical.priorities],
        [p.name for p in scenario.providers],
        [d.name for d in scenario.downstream],
    )
    for k, penalty in enumerate(scenario.costs.penalties):
        if penalty.kpi not in allowed:
            raise FieldError(f"costs.penalties.{k}.kpi", unknown_kpi(penalty.kpi, allowed))
