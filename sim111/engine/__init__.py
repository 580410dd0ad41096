"""One replication of a scenario: arrivals, callers, rosters and the SimPy model.

The engine reads a :class:`~sim111.scenario.Scenario` and writes per-call
records (:mod:`sim111.engine.records`); it never imports measures,
experiments or outputs. :func:`simulate` is the entry point.
"""

from sim111.engine.centre import simulate

__all__ = ["simulate"]
