"""What the long-running commands that print a JSON summary share (`python -m bot.tools.bench`,
`python -m bot.tools.eval`): SIGTERM unwinds like Ctrl-C, so the servers they started are stopped;
an expected failure is one line on stderr and exit status 2; the last stdout line is JSON."""

from __future__ import annotations

import json
import signal
from typing import Any, Callable


def _terminate(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def run_json_command(
    work: Callable[[], dict[str, Any]],
    expected: tuple[type[Exception], ...],
    log: Callable[[str], None],
) -> int:
    signal.signal(signal.SIGTERM, _terminate)
    try:
        result = work()
    except expected as error:
        log(str(error))
        return 2
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    print(json.dumps(result, ensure_ascii=False))
    return 0
