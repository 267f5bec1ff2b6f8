"""`sic --help` in plain words: each option followed by what it takes, never by a Python type.

typer 0.2x shows a parameter's annotation as its type: `--replace <bool>`, `--param
<list[str]>`, `paths... <list[Path]>`, even `--help <bool>`. The command and group classes
here give every parameter a readable metavar before the help is written: none for a flag, the
choices for a choice (`asyncio|uvloop`), else the one its declaration gives (`--store DIR`)
or a word for its type (PATH, TEXT, INTEGER, NUMBER); an argument shows its metavar once
(`PATH...`), not beside its name. The help itself is click's plain layout (the app sets
`rich_markup_mode=None`): it reads the same on a terminal and in a pipe and takes no markup.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, get_args

from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

_WORDS: dict[type, str] = {Path: "PATH", str: "TEXT", int: "INTEGER", float: "NUMBER"}


def _word(param: Any) -> str:
    """The metavar for a parameter's type: its choices, or a word for its element type."""
    descriptor = param.type_descriptor
    if descriptor.is_choice:
        return "|".join(str(getattr(c, "value", c)) for c in descriptor.choices or ())
    annotation = descriptor.annotation
    args = [a for a in get_args(annotation) if a is not type(None)]
    for candidate in [annotation, *args]:
        inner = get_args(candidate) or (candidate,)
        for kind in inner:
            if kind in _WORDS:
                return _WORDS[kind]
    return "VALUE"


class _Option(TyperOption):
    """An option shown by its metavar alone; a flag by nothing."""

    def display_type_rich(self, ctx: Any) -> str | None:
        if self.is_flag or self.count:
            return None
        return self.metavar or _word(self)


class _Argument(TyperArgument):
    """An argument shown by its metavar (`PATH...`), once."""

    def display_type_rich(self, ctx: Any) -> str | None:
        return None

    def _usage_display_name(self) -> str:
        name = self._rich_display_name()
        return name if self.required else f"[{name}]"

    def _rich_display_name(self) -> str:
        name = self.metavar or _word(self)
        return name + "..." if self.nargs != 1 and not name.endswith("...") else name


def tidy(params: list[Any]) -> list[Any]:
    """The parameters, each of the class above that shows it (changed in place, once)."""
    for param in params:
        if type(param) is TyperOption:
            param.__class__ = _Option
        elif type(param) is TyperArgument:
            param.__class__ = _Argument
    return params


class HelpCommand(TyperCommand):
    """A command whose help shows readable metavars (see the module)."""

    def get_params(self, ctx: Any) -> list[Any]:
        return tidy(super().get_params(ctx))


class HelpGroup(TyperGroup):
    """The `sic` group, with readable metavars in its own help too."""

    def get_params(self, ctx: Any) -> list[Any]:
        return tidy(super().get_params(ctx))
