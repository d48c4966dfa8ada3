"""Precision and recall of joiner (ZWNJ/space) repairs against a labelled set.

A labelled case is ``{"input", "expected"}`` where the two differ only in ZWNJ, space or nothing between
letters. Every boundary between two non-space characters has a state: ``""`` (glued), ZWNJ or space. A
*site* is a boundary whose expected state differs from the input; a *change* is a boundary the normaliser
changed. Precision = right changes / changes; recall = repaired sites / sites.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from mahalle_news.errors import InputError, Location
from mahalle_news.text.lexicon import ZWNJ
from mahalle_news.text.normalize import normalize


def boundary_states(text: str) -> tuple[str, list[str]]:
    """(the characters without separators, the separator state after each character but the last)."""
    chars: list[str] = []
    states: list[str] = []
    pending = ""
    for ch in text:
        if ch in (" ", ZWNJ):
            pending = " " if (ch == " " or pending == " ") else ZWNJ
            continue
        if chars:
            states.append(pending)
        chars.append(ch)
        pending = ""
    return "".join(chars), states


@dataclass
class JoinerScore:
    sites: int = 0
    repaired: int = 0
    changes: int = 0
    right_changes: int = 0
    failures: list[dict[str, str]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.right_changes / self.changes if self.changes else 1.0

    @property
    def recall(self) -> float:
        return self.repaired / self.sites if self.sites else 1.0


def score_joiners(cases: Iterable[dict[str, str]]) -> JoinerScore:
    score = JoinerScore()
    for case in cases:
        src, expected = case["input"], case["expected"]
        out = normalize(src).text
        base_i, s_in = boundary_states(src)
        base_e, s_exp = boundary_states(expected)
        base_o, s_out = boundary_states(out)
        if not (base_i == base_e == base_o):
            score.failures.append({"input": src, "expected": expected, "output": out, "why": "letters differ"})
            continue
        wrong = False
        for a, e, o in zip(s_in, s_exp, s_out, strict=True):
            if a != e:
                score.sites += 1
                score.repaired += o == e
                wrong |= o != e
            if o != a:
                score.changes += 1
                score.right_changes += o == e
                wrong |= o != e
        if wrong:
            score.failures.append({"input": src, "expected": expected, "output": out})
    return score


def load_cases(path: Path) -> list[dict[str, str]]:
    cases: list[dict[str, str]] = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                case = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"invalid JSON: {exc.msg}", location=Location(str(path), n)) from None
            for key in ("input", "expected"):
                if not isinstance(case.get(key), str):
                    raise InputError("missing or not a string", location=Location(str(path), n, key))
            cases.append(case)
    return cases
