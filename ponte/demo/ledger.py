"""What the demo has already seeded in this data directory (``{data_dir}/demo/seeded.json``),
so that a restart reuses it and never creates anything twice."""
from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any


class Ledger:
    """Step name → what the step made (ids the later steps need). A step recorded here is done."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "seeded.json"
        self.steps: dict[str, Any] = (json.loads(self.path.read_text())
                                      if self.path.exists() else {})

    def __contains__(self, step: str) -> bool:
        return step in self.steps

    def __getitem__(self, step: str) -> Any:
        return self.steps[step]

    def once(self, step: str, make: Callable[[], Any]) -> Any:
        """What ``step`` made: from the ledger when it already ran, else run it and record it."""
        if step not in self.steps:
            self.steps[step] = make()
            self._save()
        return self.steps[step]

    def _save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(".json.tmp")
        partial.write_text(json.dumps(self.steps, indent=2, ensure_ascii=False) + "\n")
        partial.replace(self.path)
