"""The IATI sample bundled with the reference data: only activities whose licence is verified open.

The shared sample (shared/data/iati: one file per publisher and IATI version, and
`activities.csv`, whose `licence_note` says each activity's licence) holds 37 activities whose
licence nobody has verified. Those must not be redistributed, so the bundle (data/iati, loaded
by `sic serve` beside the reference workbook) is made by `python -m loaders.iati_sample SAMPLE
OUT`: every kept `<iati-activity>` element is copied byte for byte, inside its file's own
prologue and `<iati-activities>` wrapper, and the manifest keeps the rows of the kept activities,
so that each file's provenance still names its publisher, licence and source (loaders.iati).
A file left with no activity is not written.
"""

from __future__ import annotations

import csv
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from loaders.iati import MANIFEST

UNVERIFIED = "not verified"
"""How the manifest's `licence_note` starts for an activity whose licence is not known open."""
_ACTIVITY = re.compile(rb"<iati-activity[\s>].*?</iati-activity>", re.DOTALL)
_IDENTIFIER = re.compile(rb"<iati-identifier>\s*(.*?)\s*</iati-identifier>", re.DOTALL)
_CLOSE = b"</iati-activities>"


def is_open(licence_note: str) -> bool:
    """Whether a manifest row's licence is verified (every verified one in the sample is open:
    cc-zero, odc-pddl, other-pd, cc-by, other-at)."""
    note = licence_note.strip().lower()
    return bool(note) and not note.startswith(UNVERIFIED)


@dataclass(frozen=True)
class Bundled:
    """What a bundle holds: files written, activities kept and left out."""

    files: int
    kept: int
    left_out: int


def bundle(sample: Path, out: Path) -> Bundled:
    """Copy the open activities of `sample` into `out` (files and manifest), see the module."""
    with (sample / MANIFEST).open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields = list(reader.fieldnames or [])
        rows = list(reader)
    open_ids = {r["iati_identifier"] for r in rows if is_open(r.get("licence_note", ""))}
    out.mkdir(parents=True, exist_ok=True)
    files = kept = left_out = 0
    for path in sorted(sample.glob("*.xml")):
        data = path.read_bytes()
        spans = list(_ACTIVITY.finditer(data))
        if not spans:
            continue
        chosen = []
        for span in spans:
            found = _IDENTIFIER.search(span.group(0))
            identifier = found.group(1).decode("utf-8") if found else ""
            if identifier in open_ids:
                chosen.append(span.group(0))
            else:
                left_out += 1
        if not chosen:
            continue
        head = data[: spans[0].start()]
        tail = data[data.rindex(_CLOSE) :] if _CLOSE in data else _CLOSE + b"\n"
        (out / path.name).write_bytes(head + b"\n".join(chosen) + b"\n" + tail)
        files += 1
        kept += len(chosen)
    with (out / MANIFEST).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(r for r in rows if r["iati_identifier"] in open_ids)
    return Bundled(files, kept, left_out)


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m loaders.iati_sample SAMPLE OUT`."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 2:
        sys.stderr.write("usage: python -m loaders.iati_sample SAMPLE_DIR OUT_DIR\n")
        return 2
    done = bundle(Path(args[0]), Path(args[1]))
    sys.stdout.write(f"{done.kept} activities in {done.files} files; {done.left_out} left out\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
