"""Rewrite the golden KPI files: ``python -m tests.regression.regenerate``."""

from __future__ import annotations

import json

from tests.regression.cases import GOLDEN, cases, run_case

if __name__ == "__main__":
    GOLDEN.mkdir(exist_ok=True)
    for name in cases():
        path = GOLDEN / f"{name}.json"
        path.write_text(json.dumps(run_case(name), indent=1, sort_keys=True) + "\n")
        print(f"wrote {path}")
