from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def reference() -> Path:
    return ROOT / "data" / "reference"


@pytest.fixture(scope="session")
def reference_store(tmp_path_factory: pytest.TempPathFactory, reference: Path) -> Path:
    """An on-disk store holding the ontology and the reference workbook (read-only in tests)."""
    from typer.testing import CliRunner

    from api.cli import app

    path = tmp_path_factory.mktemp("ref") / "store"
    result = CliRunner().invoke(app, ["load", str(reference), "--store", str(path)])
    assert result.exit_code == 0, result.output
    return path
