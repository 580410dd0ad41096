"""``sim111 schema``: the JSON Schema of scenario files, for editors that check TOML."""

from __future__ import annotations

import click

from sim111.cli.options import out_file_option
from sim111.outputs.atomic import write_text_file
from sim111.scenario.json_schema import schema_text


@click.command("schema")
@out_file_option("Write the schema to this file (default: print it).")
def schema_command(out: str | None) -> None:
    """Write the JSON Schema (draft 2020-12) of scenario files, generated from the
    validator's own declarations: types, units, ranges, choices and defaults.

    Point a TOML-aware editor (Taplo, Even Better TOML) at it with a first line
    '#:schema <path to the schema>' in a scenario file; the library's scenarios
    point at the copy in the repository, docs/sim111-scenario.schema.json."""
    text = schema_text()
    if out is None:
        click.echo(text, nl=False)
        return
    write_text_file(out, text)
    click.echo(f"Wrote {out}")
