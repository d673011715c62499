"""The two trained models side by side, and how long each takes to train.

- comptoir: `models/comptoir.tar.gz`, built by `make model` from config.yml.
- vanilla: the same domain and data trained with `configs/vanilla.yml` (what `rasa init` writes),
  cached in `models/vanilla.tar.gz`; retrained only when the domain, data or config change
  (hash stamp in `models/bench-training.json`, which also keeps each training's duration).
- smoke: no vanilla model at all (training one takes 45 minutes and loading it two): the vanilla
  leg runs Comptoir's model on Rasa as shipped, which exercises every step of the vanilla leg
  but the model in seconds, and is labelled as not comparable."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any, Callable

import yaml

from .stack import ROOT
from .variants import COMPTOIR_MODEL

RASA = ROOT / ".venv-rasa" / "bin" / "rasa"
MODELS = ROOT / "models"
STAMP = MODELS / "bench-training.json"
VANILLA_CONFIG = ROOT / "configs" / "vanilla.yml"
COMPTOIR_CONFIG = ROOT / "config.yml"


SMOKE_NOTE = (
    "smoke: Comptoir's model on Rasa as shipped (no speed-ups, Rasa's SQL store, one "
    "action worker), not the default config — NOT comparable"
)


def training_inputs(config: Path) -> list[Path]:
    files = [ROOT / "domain.yml", config]
    for folder in (
        "data/nlu",
        "data/rules",
        "data/stories",
        "bot/nlu",
        "bot/core",
        "bot/rasa/nlu",
        "bot/rasa/policies",
    ):
        files += sorted(
            p
            for p in (ROOT / folder).rglob("*")
            if p.is_file() and p.suffix in (".yml", ".yaml", ".py")
        )
    return files


def inputs_hash(config: Path) -> str:
    digest = hashlib.sha256()
    for path in training_inputs(config):
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def read_stamp() -> dict[str, Any]:
    try:
        return dict(json.loads(STAMP.read_text()))
    except (OSError, ValueError):
        return {}


def write_stamp(name: str, record: dict[str, Any]) -> None:
    stamp = read_stamp()
    stamp[name] = record
    MODELS.mkdir(exist_ok=True)
    STAMP.write_text(json.dumps(stamp, indent=2) + "\n")


def train(config: Path, out: Path, name: str, log: Callable[[str], None], nice: int = 0) -> float:
    """`rasa train` with its own empty cache (so the time is a cold training); seconds."""
    out.mkdir(parents=True, exist_ok=True)
    cache = out / f".cache-{name}"
    shutil.rmtree(cache, ignore_errors=True)
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "RASA_TELEMETRY_ENABLED": "false",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "RASA_CACHE_DIRECTORY": str(cache),
    }
    command = [
        str(RASA),
        "train",
        "--config",
        str(config),
        "--fixed-model-name",
        name,
        "--out",
        str(out),
    ]
    if nice:
        command = ["nice", "-n", str(nice), *command]
    log(f"training {name}: {' '.join(command[-7:])}")
    started = time.monotonic()
    with open(out / f"train-{name}.log", "wb") as logfile:
        done = subprocess.run(command, cwd=ROOT, env=env, stdout=logfile, stderr=subprocess.STDOUT)
    seconds = round(time.monotonic() - started, 1)
    shutil.rmtree(cache, ignore_errors=True)
    if done.returncode != 0:
        tail = (out / f"train-{name}.log").read_text(errors="replace")[-2000:]
        raise RuntimeError(f"training {name} failed:\n{tail}")
    log(f"trained {name} in {seconds} s")
    return seconds


def vanilla_model(smoke: bool, log: Callable[[str], None]) -> dict[str, Any]:
    """Path of the vanilla model, training time, and whether it is the real (comparable) one."""
    if smoke:
        log("vanilla (smoke): Comptoir's model on Rasa as shipped — NOT comparable")
        return {
            "model": COMPTOIR_MODEL,
            "training_s": None,
            "comparable": False,
            "training_cached": False,
            "note": SMOKE_NOTE,
        }
    digest = inputs_hash(VANILLA_CONFIG)
    cached = MODELS / "vanilla.tar.gz"
    record = read_stamp().get("vanilla", {})
    if cached.is_file() and record.get("hash") == digest:
        log(f"vanilla: cached model {cached.relative_to(ROOT)} (trained {record.get('date')})")
        return {
            "model": cached,
            "training_s": record.get("seconds"),
            "comparable": True,
            "training_cached": True,
        }
    log(
        "vanilla: no up-to-date cached model; training it (DIET/TED 100 epochs: "
        "can take an hour on 2 cores)"
    )
    seconds = train(VANILLA_CONFIG, MODELS, "vanilla", log)
    write_stamp(
        "vanilla", {"hash": digest, "seconds": seconds, "date": time.strftime("%Y-%m-%d %H:%M:%S")}
    )
    return {"model": cached, "training_s": seconds, "comparable": True, "training_cached": False}


def sparse_nlu_model(log: Callable[[str], None]) -> Path:
    """Comptoir's model without the sentence embeddings in its intent classifier (TF-IDF
    only, as before issue 12): the same run then shows what embedding each message costs.
    Its config is config.yml with `embedding: false`; cached by hash like vanilla's."""
    config = yaml.safe_load(COMPTOIR_CONFIG.read_text())
    for component in config["pipeline"]:
        if component["name"].endswith("LinearIntentClassifier"):
            component["embedding"] = False
    path = MODELS / "config-sparse-nlu.yml"
    MODELS.mkdir(exist_ok=True)
    path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True))
    digest, cached = inputs_hash(path), MODELS / "sparse-nlu.tar.gz"
    if cached.is_file() and read_stamp().get("sparse-nlu", {}).get("hash") == digest:
        log(f"sparse-nlu: cached model {cached.relative_to(ROOT)}")
        return cached
    seconds = train(path, MODELS, "sparse-nlu", log)
    write_stamp(
        "sparse-nlu",
        {"hash": digest, "seconds": seconds, "date": time.strftime("%Y-%m-%d %H:%M:%S")},
    )
    return cached


def comptoir_training(smoke: bool, tmp: Path, log: Callable[[str], None]) -> dict[str, Any]:
    """Cold training time of config.yml (in a temporary folder: models/comptoir.tar.gz, which
    `make model` builds, is the one measured). Cached by hash like vanilla's; smoke only
    reuses a cached figure."""
    digest = inputs_hash(COMPTOIR_CONFIG)
    record = read_stamp().get("comptoir", {})
    if record.get("hash") == digest:
        return {"training_s": record.get("seconds"), "training_cached": True}
    if smoke:
        return {"training_s": None, "training_cached": False}
    seconds = train(COMPTOIR_CONFIG, tmp, "comptoir", log)
    write_stamp(
        "comptoir", {"hash": digest, "seconds": seconds, "date": time.strftime("%Y-%m-%d %H:%M:%S")}
    )
    return {"training_s": seconds, "training_cached": False}
