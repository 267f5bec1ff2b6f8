"""Where the bundled resources are: the ontology, the shapes and the reference workbook.

In a checkout they are the folders at the repository root; in an installed wheel they are
copied under `sic/_resources/`. Nothing is read here, only located.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _resource(name: str) -> Path:
    installed = _PACKAGE / "_resources" / name
    if installed.exists():
        return installed
    return _PACKAGE.parent / name


def ontology_dir() -> Path:
    """The folder of ontology Turtle files (modules in core/, the aggregate sic.ttl)."""
    return _resource("ontology")


def shapes_dir() -> Path:
    """The folder of SHACL shapes (data shapes and ontology shapes)."""
    return _resource("shapes")


def reference_workbook() -> Path:
    """The bundled reference workbook (a folder of CSV files)."""
    return _resource("data/reference")


def iati_sample() -> list[Path]:
    """The bundled IATI activity files (data/iati: the open-licence part of the real sample,
    see loaders.iati_sample), loaded with the reference workbook; none when not bundled."""
    return sorted(_resource("data/iati").glob("*.xml"))
