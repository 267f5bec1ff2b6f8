"""`sic sparql` in French and Spanish (--lang or SIC_LANG): the table's title and row count,
and the note of a table that leaves columns out to fit a terminal (api.tables), in the chosen
language; the columns keep the query's variable names, and English stays the default."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from api.cli import app
from api.tables import Grid, show

QUERY = "SELECT ?n WHERE { VALUES ?n { 1 2 3 } }"


@pytest.mark.parametrize(
    ("lang", "title", "count"),
    [("en", "SPARQL results", "3 rows"), ("fr", "Résultats SPARQL", "3 lignes"),
     ("es", "Resultados SPARQL", "3 filas")],
)  # fmt: skip
def test_the_table_title_and_count_in_the_chosen_language(
    tmp_path: Path, lang: str, title: str, count: str
) -> None:
    store = str(tmp_path / "store")
    runner = CliRunner()
    for args, env in (
        (["sparql", QUERY, "--store", store, "--lang", lang], {}),
        (["sparql", QUERY, "--store", store], {"SIC_LANG": lang}),
    ):
        done = runner.invoke(app, args, env=env)
        assert done.exit_code == 0, done.output
        lines = done.stdout.splitlines()
        assert lines[0] == title and lines[1] == "n"
        assert lines[-1] == count


def test_an_unknown_language_is_a_usage_error(tmp_path: Path) -> None:
    done = CliRunner().invoke(
        app, ["sparql", QUERY, "--store", str(tmp_path / "s"), "--lang", "de"]
    )
    assert done.exit_code == 2


@pytest.mark.parametrize(
    ("lang", "said"),
    [("en", "summary left out to fit the terminal (see --format csv)"),
     ("fr", "summary omis pour tenir dans le terminal (voir --format csv)"),
     ("es", "summary omitidas para caber en la terminal (véase --format csv)")],
)  # fmt: skip
def test_the_left_out_note_in_the_table_language(lang: str, said: str) -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, width=40, force_terminal=True, color_system=None)
    wide = "word " * 30
    grid = Grid("t", ["key", "summary"], [["k" * 30, wide]], cut=frozenset({"summary"}), lang=lang)
    show(grid, console)
    assert said in " ".join(buffer.getvalue().split())  # the note wraps on a narrow terminal


@pytest.mark.parametrize(
    ("lang", "said"),
    [("en", "'SELEC' is not a SPARQL keyword: did you mean SELECT?"),
     ("es", "«SELEC» no es una palabra clave de SPARQL: ¿quiso decir SELECT?")],
)  # fmt: skip
def test_a_syntax_error_is_explained_in_the_chosen_language(
    tmp_path: Path, lang: str, said: str
) -> None:
    done = CliRunner().invoke(
        app, ["sparql", "SELEC ?x WHERE {}", "--store", str(tmp_path / "s"), "--lang", lang]
    )
    assert done.exit_code == 2
    assert said in done.output and "(error at 1:10: expected CONSTRUCT)" in done.output
