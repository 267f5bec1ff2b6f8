"""Every seed of the generator writes a workbook the loader accepts."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.generate import SIZES, generate_workbook
from loaders.source import read_source
from sic.vocab import DEFAULT_BASE


@pytest.mark.parametrize("seed", [1, 2, 5, 7])
def test_generated_workbooks_load(tmp_path: Path, seed: int) -> None:
    """Seeds that once drew one person twice as a regional representative of a Task Force."""
    generate_workbook(SIZES["XS"], tmp_path, seed=seed)
    source = read_source(tmp_path, base=DEFAULT_BASE)
    assert source.size > 1_000
