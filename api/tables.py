"""How the command line shows a table: boxed and fitted to a terminal, plain lines in a pipe.

On a terminal a table is drawn by rich, with its title above it: keys and numbers keep their
width, text wraps between words (a column is never narrower than its longest word, up to
`LONGEST_WORD`), and a column marked `cut` stays on one line and ends with '…' when it does not
fit (the full text is in --format csv or json), or is left out, saying so, when the table
would not fit the terminal otherwise; headers show `_` as a space so that they wrap
between words. Anywhere else (a pipe, a file) the same table
is written as plain text, for `grep`, `less -S` or a file: the title on its own line, then the
header and one line per row, columns aligned with two spaces and never wrapped nor cut, a
cell's several lines joined with '; ', no box characters and no colours.

Every cell, title and header is written as text, never read as rich markup or emoji codes:
data such as `[draft]` or a message naming `rdfs:label` comes out as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from api.i18n import Ui
from queries.sentences import DEFAULT

LONGEST_WORD = 24
"""A text column on a terminal is at least as wide as its longest word, up to this."""

CUT_WIDTH = 40
"""A column kept to one line on a terminal is at most this wide."""

KEY_WIDTH = 14
"""Keys and numbers keep their width on a terminal, up to this (then they wrap too)."""


@dataclass
class Grid:
    """A table to show: a title, named columns and rows of text (one cell per column).

    `cut`: columns that stay on one line on a terminal (long titles in a summary table).
    `caption`: a line under the table (a row count); None for none.
    `lang`: the language of the table's own note (which columns were left out to fit).
    """

    title: str
    columns: Sequence[str]
    rows: list[list[str]]
    caption: str | None = None
    cut: frozenset[str] = field(default_factory=frozenset)
    lang: str = DEFAULT


def rows_caption(count: int) -> str:
    """`1 row`, `13 rows`."""
    return f"{count} row{'s' if count != 1 else ''}"


def show(grid: Grid, console: Console) -> None:
    """Print a table on `console`: drawn when it is a terminal, else as plain lines."""
    if console.is_terminal:
        table, left_out = _drawn(grid, console.width)
        console.print(table)
        caption = [grid.caption] if grid.caption is not None else []
        if left_out:
            caption.append(Ui(grid.lang)("cli.left_out", columns=", ".join(left_out)))
        if caption:
            console.print(Text("; ".join(caption), style="dim"))
    else:
        console.file.write(plain(grid))
        console.file.flush()


def plain(grid: Grid) -> str:
    """The table as plain text: title, header, one line per row, a caption; columns aligned."""
    cells = [["; ".join(_lines(cell)) for cell in row] for row in grid.rows]
    widths = [cell_len(name) for name in grid.columns]
    for row in cells:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], cell_len(cell))

    def line(values: Sequence[str]) -> str:
        padded = [v + " " * (w - cell_len(v)) for v, w in zip(values, widths, strict=True)]
        return "  ".join(padded).rstrip()

    out = [grid.title, line(grid.columns), *(line(row) for row in cells)]
    if grid.caption is not None:
        out.append(grid.caption)
    return "\n".join(out) + "\n"


def _lines(cell: str) -> list[str]:
    return [part.strip() for part in cell.splitlines() if part.strip()] or [""]


def _drawn(grid: Grid, width: int) -> tuple[Table, list[str]]:
    """The table for a terminal `width` wide, and the `cut` columns left out to fit it."""
    specs = [_spec(grid, i, name) for i, name in enumerate(grid.columns)]
    needed = sum(minimum for _, minimum, _ in specs) + GAP * (len(specs) - 1)
    left_out = [] if needed <= width else [n for n in grid.columns if n in grid.cut]
    multiline = any("\n" in cell for row in grid.rows for cell in row)
    table = Table(
        title=Text(grid.title, style="bold"),
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        padding=(0, 1, 0, 0),
        show_lines=multiline,
    )
    kept = [i for i, name in enumerate(grid.columns) if name not in left_out]
    for i in kept:
        header, minimum, kind = specs[i]
        if kind == "cut":
            table.add_column(header, no_wrap=True, overflow="ellipsis", max_width=CUT_WIDTH)
        elif kind == "key":
            table.add_column(header, min_width=minimum, max_width=minimum)
        else:
            table.add_column(header, min_width=minimum, ratio=1)
    for row in grid.rows:
        table.add_row(*(Text(row[i]) for i in kept))
    return table, left_out


GAP = 2
"""Characters between two columns of a drawn table (padding and the blank rule)."""


def _spec(grid: Grid, index: int, name: str) -> tuple[Text, int, str]:
    """A column's header (its `_` shown as spaces, so that it wraps between words rather
    than widening a column of short numbers), its least width and its kind (cut, key, text)."""
    texts = [row[index] for row in grid.rows]
    longest = max((cell_len(line) for t in texts for line in t.splitlines()), default=0)
    word = max((cell_len(w) for t in texts for w in t.split()), default=0)
    header = Text(name.replace("_", " "))
    head = max((cell_len(w) for w in header.plain.split()), default=0)
    if name in grid.cut:
        return header, max(head, min(longest, CUT_WIDTH)), "cut"
    if longest <= KEY_WIDTH:
        return header, max(longest, head), "key"
    return header, min(max(word, head), LONGEST_WORD), "text"
