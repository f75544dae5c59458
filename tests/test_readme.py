"""The README's Python examples run as written."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_the_from_python_section_runs() -> None:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## From Python") :]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)
    assert blocks
    namespace: dict[str, object] = {}
    exec(compile(blocks[0], str(README), "exec"), namespace)
    executed = namespace["executed"]
    assert executed.max_abs_log_deviation < 0.05  # type: ignore[attr-defined]
    assert 0.0 <= namespace["scored"].overall < 3.0  # type: ignore[attr-defined]
