"""The documented way to plug a countryside of one's own into the simulator runs as written."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from _simulation import assert_goods_balance

DOC = Path(__file__).resolve().parents[1] / "docs" / "households.md"


def test_the_mesa_village_of_the_docs_runs_and_keeps_the_balance() -> None:
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index("## A countryside of your own") :]
    (block,) = re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)
    namespace: dict[str, object] = {"__name__": "village_example"}
    exec(compile(block, str(DOC), "exec"), namespace)
    result = namespace["result"]
    shares = result.variable("village_sell_share").to_numpy()  # type: ignore[attr-defined]
    assert shares.size == 25 and np.all((shares >= 0.05) & (shares <= 0.6))
    assert len(set(np.round(shares, 12))) > 1  # the agents respond month by month
    assert_goods_balance(result.history)  # type: ignore[attr-defined]
    again = namespace["run"](  # type: ignore[operator]
        namespace["scenario"],
        months=24,
        seed=1,
        farms=namespace["Village"](  # type: ignore[operator]
            namespace["farm"],
            households=200,
            seed=int(namespace["streams"](1).households.generate_state(1)[0]),  # type: ignore[operator]
        ),
    )
    np.testing.assert_array_equal(again.history["output"], result.history["output"])  # type: ignore[attr-defined]
