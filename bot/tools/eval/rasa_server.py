"""A Rasa server to parse messages with: the one already answering at a URL, else one started
here (trained model, free port, random token) and stopped afterwards, also on Ctrl-C or errors.
No action server or shop is needed: only /model/parse is called."""

from __future__ import annotations

import os
import secrets
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import requests

from bot.tools.processes import free_port, stop_group

ROOT = Path(__file__).resolve().parents[3]
RASA = ROOT / ".venv-rasa" / "bin" / "rasa"  # `rasa test`: no server, no token
RASA_PYTHON = ROOT / ".venv-rasa" / "bin" / "python"
MODEL = ROOT / "models" / "comptoir.tar.gz"
DEFAULT_URL = "http://127.0.0.1:5005"
STARTUP_TIMEOUT = 300.0


class RasaUnavailable(RuntimeError):
    pass


def default_token() -> str | None:
    token = os.environ.get("COMPTOIR_RASA_TOKEN")
    if token:
        return token
    path = ROOT / "var" / "rasa_token"
    return path.read_text().strip() if path.is_file() else None


def rasa_env() -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "RASA_TELEMETRY_ENABLED": "false",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    }


class Parser:
    """Calls POST /model/parse on one server, reusing the connection."""

    def __init__(self, url: str, token: str | None, timeout: float = 30.0) -> None:
        self.url = url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.session = requests.Session()
        self.model: str | None = None  # the model file the server reports

    def _params(self) -> dict[str, str]:
        return {"token": self.token} if self.token else {}

    def ready(self) -> bool:
        try:
            response = self.session.get(f"{self.url}/status", params=self._params(), timeout=2)
        except requests.RequestException:
            return False
        if response.status_code != 200:
            return False
        self.model = response.json().get("model_file")
        return bool(self.model)

    def __call__(self, text: str) -> dict[str, Any]:
        for attempt in range(3):
            try:
                response = self.session.post(
                    f"{self.url}/model/parse",
                    params=self._params(),
                    json={"text": text},
                    timeout=self.timeout,
                )
                response.raise_for_status()
                return response.json()
            except requests.RequestException:
                if attempt == 2:
                    raise
                time.sleep(0.5)
        raise AssertionError("unreachable")


@contextmanager
def own_server(model: Path = MODEL, log: Any = None) -> Iterator[Parser]:
    """Start `rasa run --enable-api` (through bot.rasa) on a free port with a random token;
    stop it on exit."""
    if not RASA_PYTHON.exists() or not model.exists():
        raise RasaUnavailable(
            f"need {RASA_PYTHON} and a trained model at {model}: run `make model`"
        )
    port, token = free_port(), secrets.token_urlsafe(16)
    with tempfile.TemporaryDirectory(prefix="eval-rasa-") as tmp:
        logfile = open(Path(tmp) / "rasa.log", "wb")
        process = subprocess.Popen(
            [
                str(RASA_PYTHON),
                "-m",
                "bot.rasa",
                "run",
                "--enable-api",
                "-i",
                "127.0.0.1",
                "--port",
                str(port),
                "--model",
                str(model),
            ],
            cwd=tmp,
            env={**rasa_env(), "COMPTOIR_RASA_TOKEN": token},
            stdout=logfile,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # own process group: stopped as a whole
        try:
            parser = Parser(f"http://127.0.0.1:{port}", token)
            deadline = time.monotonic() + STARTUP_TIMEOUT
            while not parser.ready():
                if process.poll() is not None or time.monotonic() > deadline:
                    tail = (Path(tmp) / "rasa.log").read_text(errors="replace")[-2000:]
                    raise RasaUnavailable(f"Rasa did not start:\n{tail}")
                time.sleep(0.5)
            if log:
                log(f"started Rasa on port {port} (pid {process.pid})")
            yield parser
        finally:
            stop_group(process)
            logfile.close()


@contextmanager
def parser_for(
    url: str | None = None, token: str | None = None, model: Path = MODEL, log: Any = None
) -> Iterator[Parser]:
    """The server at `url` (default 127.0.0.1:5005) if it answers, else one started here."""
    existing = Parser(url or DEFAULT_URL, token if token is not None else default_token())
    if existing.ready():
        if log:
            log(f"using the Rasa server at {existing.url}")
        yield existing
        return
    if url and log:
        log(f"no Rasa server answers at {url}; starting one")
    with own_server(model, log) as parser:
        yield parser
