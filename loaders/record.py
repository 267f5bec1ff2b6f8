"""One record that is not a workbook (a JSON body, a form) read as one row of a sheet.

A project idea submitted through the API must become exactly the RDF that the same row of
projects.csv would: so it is read by the workbook's own mapping, as a one-row table, with the
references it makes (lead, partners, alliance, activities) taken as existing keys. The shapes
then check against the store that those keys name real things.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from loaders import mapping
from loaders.builder import Builder
from loaders.sheets import BY_NAME, PROJECTS
from loaders.table import Row, Table, Tables
from loaders.workbook import Workbook


def project_record(
    cells: Mapping[str, str],
    referenced: Mapping[str, Sequence[str]],
    base: str,
    source: str,
) -> tuple[Builder, Workbook]:
    """The RDF of one projects row given as `cells` (column -> text), named `source` in errors.

    `referenced` maps a sheet ("organisations", "alliances", "activities") to the keys the row
    refers to, which are resolved as IRIs as given.
    """
    table = Table("projects", source, tuple(cells), (Row(1, dict(cells)),))
    tables = Tables(name="api", checksum="", tables={"projects": table})
    builder = Builder(tables, base)
    builder.collect_keys(PROJECTS)
    for sheet, keys in referenced.items():
        builder.keys[sheet] = {key: 0 for key in keys}
    for row in builder.rows(BY_NAME["projects"]):
        mapping._project(row)
    workbook = Workbook(
        triples=builder.triples, origins=builder.origins, about={}, columns=builder.columns
    )
    return builder, workbook
