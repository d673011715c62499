"""One throw-away stack (shop API + action server + Rasa) started from the Procfile's own
commands, on free ports, with databases in a temporary folder; start-up time and resident
memory of each process. Same recipe as tests/e2e/conftest.py, without pytest."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from bot.tools.processes import free_port, procfile, stop_group

ROOT = Path(__file__).resolve().parents[3]
STARTUP_TIMEOUT = 600.0  # seconds; a default-config Rasa takes about a minute on 2 cores
PROCESSES = ("shop", "actions", "rasa")
PAGE = os.sysconf("SC_PAGE_SIZE")


class StackError(RuntimeError):
    pass


@dataclass
class Variant:
    """What differs between the stacks measured side by side."""

    name: str
    model: Path
    endpoints: Path = ROOT / "endpoints.yml"
    env: dict[str, str] = field(default_factory=dict)  # e.g. SANIC_WORKERS
    needs_redis: bool = False
    comparable: bool = True
    note: str = ""


def rasa_command(variant: Variant) -> str:
    """The Procfile's rasa line, pointed at the variant's model and endpoints."""
    command = procfile()["rasa"]
    for old, new in (
        ("--model models/comptoir.tar.gz", f"--model {variant.model}"),
        ("--endpoints endpoints.yml", f"--endpoints {variant.endpoints}"),
    ):
        if old not in command:
            raise StackError(f"the Procfile's rasa line no longer contains {old!r}")
        command = command.replace(old, new)
    return command


def tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants (read from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            total += int(Path(f"/proc/{current}/statm").read_text().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            pass
        todo.extend(children.get(current, []))
    return total


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and its live descendants."""
    ticks = os.sysconf("SC_CLK_TCK")
    parent: dict[int, int] = {}
    cpu: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parent[int(entry)] = int(fields[1])
        cpu[int(entry)] = (int(fields[11]) + int(fields[12])) / ticks
    total = 0.0
    for proc, seconds in cpu.items():
        current, seen = proc, 0
        while current > 1 and seen < 64:
            if current == pid:
                total += seconds
                break
            current, seen = parent.get(current, 0), seen + 1
    return total


def machine_busy_seconds() -> float:
    """CPU seconds spent by all cores of the machine outside idle and I/O wait (/proc/stat)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


class Stack:
    def __init__(self, variant: Variant, tmp: Path, log: Any = None) -> None:
        self.variant = variant
        self.tmp = tmp
        self.log = log or (lambda message: None)
        self.token = "bench-" + variant.name
        ports = {name: free_port() for name in ("SHOP", "ACTIONS", "RASA", "NOBODY")}
        self.ports = ports
        self.env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "RASA_TELEMETRY_ENABLED": "false",
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "COMPTOIR_SHOP_PORT": str(ports["SHOP"]),
            "COMPTOIR_ACTIONS_PORT": str(ports["ACTIONS"]),
            "COMPTOIR_RASA_PORT": str(ports["RASA"]),
            "COMPTOIR_RASA_TOKEN": self.token,
            "COMPTOIR_RASA_URL": f"http://127.0.0.1:{ports['RASA']}",
            "COMPTOIR_RASA_CREDENTIALS": str(tmp / "credentials.yml"),
            "COMPTOIR_SHOP_API_URL": f"http://127.0.0.1:{ports['SHOP']}",
            "COMPTOIR_SHOP_DB_URL": f"sqlite:///{tmp / 'shop.db'}",
            "COMPTOIR_ACTION_URL": f"http://127.0.0.1:{ports['ACTIONS']}/webhook",
            "COMPTOIR_TRACKER_DB": str(tmp / "tracker.db"),
            "COMPTOIR_FAQ_FEEDBACK_FILE": str(tmp / "faq_feedback.jsonl"),
            "COMPTOIR_PROOF_THROTTLE_DB_URL": f"sqlite:///{tmp / 'proof_throttle.db'}",
            # Hand-offs must not reach a back office someone else runs on this machine.
            "COMPTOIR_BACKOFFICE_URL": f"http://127.0.0.1:{ports['NOBODY']}",
            "COMPTOIR_BACKOFFICE_DB_URL": f"sqlite:///{tmp / 'backoffice.db'}",
            **variant.env,
        }
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.launched: dict[str, float] = {}
        self.startup_s: dict[str, float] = {}

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['RASA']}"

    def readiness(self) -> dict[str, str]:
        return {
            "shop": f"http://127.0.0.1:{self.ports['SHOP']}/health",
            "actions": f"http://127.0.0.1:{self.ports['ACTIONS']}/health",
            "rasa": f"{self.rasa_url}/status?token={self.token}",
        }

    def start(self) -> None:
        commands = {**procfile(), "rasa": rasa_command(self.variant)}
        for name in PROCESSES:
            log = open(self.tmp / f"{name}.log", "ab")
            self.launched[name] = time.monotonic()
            self.processes[name] = subprocess.Popen(
                commands[name],
                shell=True,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_until_ready(self) -> dict[str, float]:
        """Seconds from launch until each readiness URL answers 200; `all` = the slowest."""
        pending = dict(self.readiness())
        deadline = time.monotonic() + STARTUP_TIMEOUT
        session = requests.Session()
        while pending:
            for name, url in list(pending.items()):
                if self.processes[name].poll() is not None:
                    raise StackError(
                        f"{self.variant.name}: {name} exited at start-up:\n" + self.tail(name)
                    )
                try:
                    ok = session.get(url, timeout=2).status_code == 200
                except requests.RequestException:
                    ok = False
                if ok:
                    self.startup_s[name] = round(time.monotonic() - self.launched[name], 2)
                    del pending[name]
            if time.monotonic() > deadline:
                raise StackError(f"{self.variant.name}: not ready: {sorted(pending)}")
            time.sleep(0.1)
        self.startup_s["all"] = max(self.startup_s[name] for name in PROCESSES)
        self.log(f"{self.variant.name}: ready in {self.startup_s['all']} s {self.startup_s}")
        return dict(self.startup_s)

    def tail(self, name: str, chars: int = 3000) -> str:
        path = self.tmp / f"{name}.log"
        return path.read_text(errors="replace")[-chars:] if path.exists() else ""

    def rss_mb(self) -> dict[str, float]:
        out = {name: round(tree_rss(p.pid) / 2**20, 1) for name, p in self.processes.items()}
        out["total"] = round(sum(out.values()), 1)
        return out

    def cpu_seconds(self) -> dict[str, float]:
        return {name: tree_cpu_seconds(p.pid) for name, p in self.processes.items()}

    def stop(self) -> None:
        for name in list(self.processes):
            stop_group(self.processes.pop(name))


class Redis:
    """A private redis-server on a free port (lock store for several Rasa workers)."""

    def __init__(self, tmp: Path) -> None:
        self.port = free_port()
        self.tmp = tmp
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if not binary:
            raise StackError("redis-server not found (apt-get install redis-server)")
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.tmp),
            ],
            stdout=open(self.tmp / "redis.log", "ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise StackError("redis-server did not start")

    def rss_mb(self) -> float:
        return round(tree_rss(self.process.pid) / 2**20, 1) if self.process else 0.0

    def stop(self) -> None:
        if self.process is not None:
            stop_group(self.process, timeout=10)
            self.process = None
