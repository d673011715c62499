"""A named section of the speed report that another command measures (the dashboard, the
product index at scale): written into reports/bench.{json,md} between its markers, leaving
the rest of the report alone, so each command can be re-run on its own.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, List


def markers(name: str) -> tuple[str, str]:
    return f"<!-- {name}:start -->", f"<!-- {name}:end -->"


def merge(name: str, data: dict[str, Any], lines: List[str], out_json: Path, out_md: Path) -> None:
    """Put the section (`data` under key `name`, `lines` of markdown between its markers)
    into an existing report, or start one."""
    report = json.loads(out_json.read_text()) if out_json.exists() else {}
    report[name] = data
    out_json.parent.mkdir(parents=True, exist_ok=True)
    out_json.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    start, end = markers(name)
    text = out_md.read_text() if out_md.exists() else "# Speed benchmark\n"
    block = "\n".join(lines)
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    out_md.write_text(text)
