"""Stacks the benchmark can measure. `comptoir` and `vanilla` always; the others are proposed
deployments (files in configs/) measured with `--variant NAME` against the same baseline."""

from __future__ import annotations

from pathlib import Path

from .stack import ROOT, Variant

COMPTOIR_MODEL = ROOT / "models" / "comptoir.tar.gz"
CONFIGS = ROOT / "configs"
VANILLA_ENDPOINTS = CONFIGS / "endpoints-vanilla.yml"  # Rasa's own SQL tracker store


def comptoir() -> Variant:
    return Variant("comptoir", COMPTOIR_MODEL)


def vanilla(model: Path, comparable: bool, note: str = "") -> Variant:
    # Rasa as shipped, whatever Comptoir's own deployment turns on (speed-ups, workers).
    env = {
        "COMPTOIR_RASA_SPEEDUPS": "none",
        "COMPTOIR_ACTION_WORKERS": "1",
        "ACTION_SERVER_SANIC_WORKERS": "1",
        "SANIC_WORKERS": "1",
    }
    return Variant(
        "vanilla", model, endpoints=VANILLA_ENDPOINTS, env=env, comparable=comparable, note=note
    )


SPEEDUPS = {"COMPTOIR_RASA_SPEEDUPS": "validate,events,states,rulelog"}

# name -> (description, endpoints file, extra environment, needs a private redis-server)
EXTRA: dict[str, tuple[str, Path, dict[str, str], bool]] = {
    "workers2": (
        "2 Sanic workers of one Rasa server (SANIC_WORKERS=2), Redis lock store, same SQLite "
        "tracker store",
        CONFIGS / "endpoints-redis.yml",
        {"SANIC_WORKERS": "2"},
        True,
    ),
    "fastvalidate": (
        "action-server responses validated with a validator built once (bot/rasa/speedups)"
        " instead of jsonschema.validate(), which re-checks Rasa's schema on every call",
        ROOT / "endpoints.yml",
        {**SPEEDUPS, "COMPTOIR_RASA_SPEEDUPS": "validate"},
        False,
    ),
    "speedups": (
        "fastvalidate + event classes looked up once, not per event of the tracker "
        "(bot/rasa/speedups)",
        ROOT / "endpoints.yml",
        SPEEDUPS,
        False,
    ),
    "fast-workers2": (
        "fastvalidate + 2 Sanic workers (SANIC_WORKERS=2) + Redis lock store",
        CONFIGS / "endpoints-redis.yml",
        {**SPEEDUPS, "COMPTOIR_RASA_SPEEDUPS": "validate", "SANIC_WORKERS": "2"},
        True,
    ),
    "speedups-workers2": (
        "speedups + 2 Sanic workers (SANIC_WORKERS=2) + Redis lock store",
        CONFIGS / "endpoints-redis.yml",
        {**SPEEDUPS, "SANIC_WORKERS": "2"},
        True,
    ),
    "speedups-actions2": (
        "speedups + 2 action-server workers (ACTION_SERVER_SANIC_WORKERS=2, rasa-sdk's own "
        "setting); one Rasa process, so no lock store change",
        ROOT / "endpoints.yml",
        {**SPEEDUPS, "ACTION_SERVER_SANIC_WORKERS": "2"},
        False,
    ),
    "speedups-all2": (
        "speedups + 2 Rasa workers (Redis lock store) + 2 action-server workers",
        CONFIGS / "endpoints-redis.yml",
        {**SPEEDUPS, "SANIC_WORKERS": "2", "ACTION_SERVER_SANIC_WORKERS": "2"},
        True,
    ),
    "no-state-memo": (
        "Comptoir without the resumable dialogue states (bot/rasa/speedups/state_memo.py)",
        ROOT / "endpoints.yml",
        {"COMPTOIR_RASA_SPEEDUPS": "validate,events,rulelog"},
        False,
    ),
    "rasa-sql": (
        "Comptoir with Rasa's own SQL tracker store instead of bot/rasa/tracker_store.py",
        VANILLA_ENDPOINTS,
        {},
        False,
    ),
    "before-flat": (
        "Comptoir as of 2026-11-24, before the two changes above (Rasa's SQL store, no state memo)",
        VANILLA_ENDPOINTS,
        {"COMPTOIR_RASA_SPEEDUPS": "validate,events"},
        False,
    ),
    "sparse-nlu": (
        "Comptoir with the intent classifier's TF-IDF features only, no sentence embeddings "
        "(the model as before issue 12): what embedding each message costs",
        ROOT / "endpoints.yml",
        {},
        False,
    ),
    "nlu-threads1": (
        "Comptoir with the intent classifier's sentence embedding on 1 thread "
        "(COMPTOIR_NLU_THREADS=1) instead of 2",
        ROOT / "endpoints.yml",
        {"COMPTOIR_NLU_THREADS": "1"},
        False,
    ),
    "redis1": (
        "1 Rasa worker with the Redis lock store (isolates the lock store's cost)",
        CONFIGS / "endpoints-redis.yml",
        {},
        True,
    ),
}


def extra(name: str, model: Path = COMPTOIR_MODEL) -> Variant:
    if name not in EXTRA:
        raise SystemExit(f"unknown variant {name!r}; known: {', '.join(EXTRA)}")
    description, endpoints, env, redis = EXTRA[name]
    return Variant(
        name, model, endpoints=endpoints, env=dict(env), needs_redis=redis, note=description
    )
