from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CONFORMANCE = SHARED / "conformance"


def load_conformance(name: str) -> list[dict[str, Any]]:
    """Cases from ../shared/conformance/NAME; the test is skipped with a reason where that folder is absent."""
    path = CONFORMANCE / name
    if not path.exists():
        pytest.skip(f"{path} is absent: the conformance cases live in ../shared beside the checkout")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
