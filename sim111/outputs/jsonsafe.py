"""JSON that is JSON: NaN and infinities written as ``null``, never ``NaN`` or ``Infinity``.

Python's :mod:`json` writes ``float("inf")`` as ``Infinity``, which JSON has no
word for (``jq`` and browsers refuse it). Every JSON document sim111 writes goes
through :func:`json_text`: non-finite numbers become ``null``, dates ISO strings,
NumPy scalars plain numbers, and ``allow_nan=False`` makes any value missed a
loud error rather than a file others cannot read.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping
from typing import Any

import numpy as np


def finite(data: Any) -> Any:
    """``data`` with every NaN or infinite number (in dicts, lists, tuples) as ``None``."""
    if isinstance(data, np.generic):
        data = data.item()
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, Mapping):
        return {k: finite(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [finite(v) for v in data]
    return data


def _default(obj: Any) -> Any:
    if isinstance(obj, dt.date):
        return obj.isoformat()
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def json_text(data: Any, indent: int | None = 2) -> str:
    """``data`` as JSON text (non-finite numbers ``null``, dates ISO strings)."""
    return json.dumps(finite(data), indent=indent, allow_nan=False, default=_default)
