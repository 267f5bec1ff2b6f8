"""A destructive write through the real service leaves a record that brings the data back.

`DROP ALL` with the write token empties every data graph (issue 12 found it did so with
nothing to bring it back). Now the store first writes what goes to `{store}.recovered/`, and
`sic load --replace` of that file restores every source with its provenance: here the dump
of the restored store equals the dump taken before the drop.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

SIC = Path(sys.executable).parent / "sic"


def test_drop_all_is_kept_and_restored(sic_service: Callable[..., Any]) -> None:
    live = sic_service()
    with httpx.Client(base_url=live.url, timeout=60) as client:
        before = client.get("/dump.nq.gz")
        assert before.status_code == 200
        dropped = client.post(
            "/update",
            content="DROP ALL",
            headers={
                "Authorization": f"Bearer {live.token}",
                "Content-Type": "application/sparql-update",
            },
        )
        assert dropped.status_code == 204, dropped.text
        count = client.get(
            "/sparql",
            params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"},
            headers={"Accept": "application/sparql-results+json"},
        )
        assert count.json()["results"]["bindings"][0]["n"]["value"] == "0"
    live.stop()
    kept = sorted(live.store.parent.glob(f"{live.store.name}.recovered/*.nq.gz"))
    assert len(kept) == 1, kept
    assert "DROP-ALL" in kept[0].name or "update" in kept[0].name, kept[0].name
    restored = subprocess.run(
        [str(SIC), "load", "--store", str(live.store), "--replace", str(kept[0])],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert restored.returncode == 0, restored.stderr
    again = sic_service(store=live.store)
    after = httpx.get(f"{again.url}/dump.nq.gz", timeout=60)
    assert after.status_code == 200
    assert after.content == before.content
