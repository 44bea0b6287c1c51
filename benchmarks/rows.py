"""One benchmark result row and the table that prints a list of them."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from rich.console import Console
from rich.table import Table


class BenchRow(BaseModel):
    """A measured number against its target. ``met`` is None when there is no target or no number."""

    model_config = ConfigDict(frozen=True)

    name: str
    value: float | None = None
    unit: str = ""
    target: str = ""
    met: bool | None = None
    note: str = ""

    @classmethod
    def skipped(cls, name: str, reason: str) -> BenchRow:
        return cls(name=name, note=f"skipped: {reason}")


def _value(row: BenchRow) -> str:
    if row.value is None:
        return "-"
    return (
        f"{row.value:.3g} {row.unit}".strip()
        if abs(row.value) < 1000
        else f"{row.value:,.0f} {row.unit}".strip()
    )


def print_rows(rows: list[BenchRow], *, title: str, console: Console | None = None) -> None:
    table = Table(title=title, title_justify="left")
    for column in ("benchmark", "value", "target", "met", "note"):
        table.add_column(column, overflow="fold")
    for row in rows:
        met = {True: "[green]yes[/green]", False: "[red]no[/red]", None: ""}[row.met]
        table.add_row(row.name, _value(row), row.target, met, row.note)
    (console or Console()).print(table)
