"""The bundled IATI sample (data/iati) holds only activities whose licence is verified open."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from loaders.iati_sample import bundle, is_open
from sic.paths import iati_sample

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "iati"


def test_every_bundled_activity_is_in_the_manifest_with_an_open_licence() -> None:
    files = iati_sample()
    assert files, "data/iati is bundled"
    with (files[0].parent / "activities.csv").open(encoding="utf-8", newline="") as handle:
        rows = {r["iati_identifier"]: r for r in csv.DictReader(handle)}
    found = [
        (path.name, identifier)
        for path in files
        for identifier in re.findall(
            r"<iati-identifier>\s*(.*?)\s*</iati-identifier>", path.read_text(encoding="utf-8")
        )
    ]
    assert len(found) == len(rows) == 276
    for name, identifier in found:
        assert rows[identifier]["sample_xml_file"] == name
        assert is_open(rows[identifier]["licence_note"]), identifier


def test_bundle_leaves_out_unverified_activities_and_empty_files(tmp_path: Path) -> None:
    sample = tmp_path / "sample"
    sample.mkdir()
    xml = (FIXTURES / "linking.xml").read_bytes()
    (sample / "linking.xml").write_bytes(xml)
    (sample / "other.xml").write_bytes(xml.replace(b"XX-LINK-", b"XX-OTHER-"))
    notes = {"XX-LINK-SECTOR": "cc-zero (registry)", "XX-LINK-COUNTRY": "other-at (publisher)"}
    with (sample / "activities.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["iati_identifier", "licence_note", "sample_xml_file"])
        for identifier in ("XX-LINK-SECTOR", "XX-LINK-KEYWORDS", "XX-LINK-COUNTRY"):
            note = notes.get(identifier, "not verified (check publisher dataset)")
            writer.writerow([identifier, note, "linking.xml"])
    done = bundle(sample, tmp_path / "out")
    assert (done.files, done.kept, done.left_out) == (1, 2, 6)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["activities.csv", "linking.xml"]
    kept = (tmp_path / "out" / "linking.xml").read_bytes()
    assert b"XX-LINK-SECTOR" in kept and b"XX-LINK-COUNTRY" in kept
    assert b"XX-LINK-KEYWORDS" not in kept and kept.startswith(xml[: xml.index(b"<iati-activity ")])
