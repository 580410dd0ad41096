"""The execution keywords are the settings' fields (declared twice only because typing needs it)."""

from __future__ import annotations

import dataclasses

from sim111.experiments.settings import ExecutionKeywords, ExecutionSettings


def test_execution_keywords_are_exactly_the_settings_fields():
    fields = [f.name for f in dataclasses.fields(ExecutionSettings)]
    assert list(ExecutionKeywords.__annotations__) == fields
