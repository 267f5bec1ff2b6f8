"""`--lang` for the commands that report SHACL results (`sic validate`, `sic load`).

A rule's sentence is written in English, French and Spanish in the shapes (issue 17); the
reports say it in the language asked, English for a shape that lacks it (a user's own shapes),
as `sic queries --lang` does for the questions' words.
"""

from __future__ import annotations

from typing import Annotated

import typer

from api.cli_options import EXIT_USAGE, err
from api.i18n import Ui
from queries.sentences import DEFAULT, LANGUAGES

ReportLangOpt = Annotated[
    str,
    typer.Option(
        "--lang",
        metavar="LANG",
        envvar="SIC_LANG",
        help="en, fr or es: the language of the rules' messages in the report; English where"
        " a shape has none in that language (default: SIC_LANG, else en).",
    ),
]


def check_lang(lang: str) -> Ui:
    """The table words of `lang`, or a usage error (exit 2) for a language not spoken."""
    if lang not in LANGUAGES:
        err.print(
            Ui(DEFAULT)("cli.bad_lang", choices=", ".join(LANGUAGES), given=lang), highlight=False
        )
        raise typer.Exit(EXIT_USAGE)
    return Ui(lang)


def report_language(lang: str) -> str:
    """`lang` when spoken, else a usage error (exit 2) naming the choices."""
    check_lang(lang)
    return lang
