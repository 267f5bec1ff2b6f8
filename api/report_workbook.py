"""A report as an XLSX workbook (openpyxl): the same figures as the printable page.

One sheet per table of the page, in the same order, each titled in the reader's language (a
title row above the header), amounts and counts written as numbers (never as text), so a
funder can sum and chart them. Built from the same queries.reports.Report as the page.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from api.i18n import Ui
from queries.reports import Report
from queries.trajectory import Trajectory

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_BAD = str.maketrans({c: " " for c in "[]:*?/\\"})


def _sheet_name(text: str) -> str:
    """A sheet name Excel accepts: at most 31 characters, none of []:*?/\\."""
    return text.translate(_BAD)[:31]


def _table(
    sheet: Worksheet, title: str, header: Sequence[str], rows: Sequence[Sequence[object]]
) -> None:
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(list(header))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(list(row))
    for column in sheet.columns:
        width = max(len(str(c.value or "")) for c in column[1:]) if len(column) > 1 else 10
        sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 10), 60)


def workbook(report: Report, ui: Ui, as_of: str, trajectories: Sequence[Trajectory] = ()) -> bytes:
    """The report's workbook: summary, coverage, activities, stages, projects, money, partners,
    and for an objective its indicators (the page's trajectory charts as figures)."""
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = _sheet_name(ui("reports.sheet.summary"))
    _table(
        summary,
        ui(f"reports.{report.kind}.title", code=report.key, title=report.title),
        [ui("reports.col.item"), ui("reports.col.value")],
        [
            [ui(f"reports.kind.{report.kind}"), report.key],
            [ui("reports.col.title"), report.title],
            [ui("reports.as_of"), as_of],
            [ui("reports.col.activities"), len(report.activities)],
            [ui("reports.col.projects"), len(report.projects)],
            [ui("reports.col.partners"), len(report.partners)],
        ],
    )
    sheets: list[tuple[str, Sequence[str], Sequence[Sequence[object]]]] = [
        (
            "coverage",
            [ui("reports.col.coverage"), ui("reports.col.activities")],
            [[ui("level." + level), n] for level, n in report.coverage],
        ),
        (
            "activities",
            [
                ui("reports.col.activity"),
                ui("reports.col.title"),
                ui("reports.col.objective"),
                ui("reports.col.coverage"),
            ],
            [
                [a.activity, a.title, a.objective, ui("level." + a.coverage)]
                for a in report.activities
            ],
        ),
        (
            "stages",
            [ui("reports.col.stage"), ui("reports.col.projects")],
            [[label, n] for _, label, n in report.stages],
        ),
        (
            "projects",
            [
                ui("reports.col.project"),
                ui("reports.col.title"),
                ui("reports.col.stage"),
                ui("reports.col.lead"),
                ui("reports.col.partners"),
            ],
            [
                [p.project, p.title, p.stage_label, p.lead_name, ", ".join(p.partners)]
                for p in report.projects
            ],
        ),
        (
            "money",
            [
                ui("reports.col.currency"),
                ui("reports.status.pledged"),
                ui("reports.status.committed"),
                ui("reports.status.disbursed"),
                ui("reports.status.secured"),
            ],
            [[m.currency, m.pledged, m.committed, m.disbursed, m.secured] for m in report.money],
        ),
        (
            "partners",
            [
                ui("reports.col.organisation"),
                ui("reports.col.name"),
                ui("reports.col.roles"),
                ui("reports.col.projects"),
            ],
            [
                [
                    p.organisation,
                    p.name,
                    ", ".join(ui("reports.role." + r) for r in p.roles),
                    p.projects,
                ]
                for p in report.partners
            ],
        ),
    ]
    if trajectories:
        sheets.append(
            (
                "indicators",
                [
                    ui("reports.col.indicator"),
                    ui("reports.col.name"),
                    ui("reports.col.unit"),
                    ui("reports.col.baseline"),
                    ui("reports.col.latest"),
                    ui("reports.col.target_2030"),
                    ui("reports.col.projected_2030"),
                    ui("reports.col.status"),
                ],
                [_indicator_row(t, ui) for t in trajectories],
            )
        )
    for name, header, rows in sheets:
        title = ui(f"reports.section.{name}")
        _table(book.create_sheet(_sheet_name(title)), title, header, rows)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _indicator_row(t: Trajectory, ui: Ui) -> list[object]:
    """One indicator: its first and last values, its 2030 target and where the straight line
    through its values ends in 2030 (numbers as numbers; blank where there is none)."""
    first = t.points[0].value if t.points else None
    last = t.points[-1].value if t.points else None
    projected = t.projected_2030
    # a name the data has only in English is marked as the pages' badge marks it: "… (EN)"
    name = t.name if t.name_lang == ui.lang else f"{t.name} ({t.name_lang.upper()})"
    return [
        t.indicator,
        name,
        t.unit,
        first,
        last,
        t.target_2030,
        round(projected, 3) if projected is not None else None,
        ui("reports.status." + t.status),
    ]
