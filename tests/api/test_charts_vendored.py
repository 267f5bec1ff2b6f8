"""uPlot, the charts' library, vendored like YASGUI and cytoscape (scripts/vendor): its licence,
a SOURCE note naming the package, version and registry integrity that the script pins, only
the distributed files it lists, and no source map pointing elsewhere."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FOLDER = ROOT / "api" / "static" / "vendor" / "uplot"
SCRIPT = ROOT / "scripts" / "vendor"


def test_uplot_says_where_it_comes_from() -> None:
    note = (FOLDER / "SOURCE").read_text(encoding="utf-8")
    assert re.search(r"^package:\s+uplot$", note, re.M)
    version = re.search(r"^version:\s+(\S+)$", note, re.M)
    integrity = re.search(r"^integrity:\s+(sha512-\S+)$", note, re.M)
    assert version and integrity
    script = SCRIPT.read_text(encoding="utf-8")
    assert f"UPLOT_VERSION={version.group(1)}" in script
    assert f"UPLOT_INTEGRITY={integrity.group(1)}" in script
    assert (FOLDER / "LICENSE").read_text(encoding="utf-8").startswith("The MIT License")
    listed = set(re.findall(r"^  (\S+)$", note, re.M))
    assert listed == {p.name for p in FOLDER.iterdir()} - {"SOURCE"}
    assert listed == {"LICENSE", "uPlot.iife.min.js", "uPlot.min.css"}


def test_uplot_stays_small_and_self_contained() -> None:
    library = (FOLDER / "uPlot.iife.min.js").read_text(encoding="utf-8")
    assert len(library.encode()) < 60_000  # what it was chosen for
    assert "sourceMappingURL" not in library
    # the one address in it names the project in its licence header: nothing is fetched
    assert set(re.findall(r"https?://[\w./-]+", library)) <= {
        "https://github.com/leeoniya/uPlot",
        "http://www.w3.org/2000/svg",
    }
