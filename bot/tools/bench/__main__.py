"""python -m bot.tools.bench [--smoke] [--variant NAME ...] [--no-vanilla] [--no-kb]

Speed of the whole assistant over the REST channel, Comptoir next to the same bot trained with
Rasa's default config ("vanilla"), measured in the same run: training time, start-up time,
resident memory, turn latency (fresh conversation and deep in a long one), throughput and p95
at several concurrency levels, and the knowledge-base figures (`python -m bot.tools.kb bench`).
Writes reports/bench.json, reports/bench.md and PNG plots; the last line on stdout is a JSON
summary; progress goes to stderr."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bot.tools.cli import run_json_command

from . import catalogue, dashboard, load, models, report, variants
from .stack import ROOT, Redis, Stack, StackError, Variant, machine_busy_seconds

REPORTS = ROOT / "reports"
FULL = {
    "samples": 30,
    "depth": 200,
    "deep_samples": 10,
    "levels": (1, 8, 32),
    "turns": 300,
    "kb_sizes": "10000,100000,1000000",
}
SMOKE = {
    "samples": 2,
    "depth": 6,
    "deep_samples": 1,
    "levels": (1, 2),
    "turns": 6,
    "kb_sizes": None,
}


def log(message: str) -> None:
    print(f"[bot.tools.bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def git_commit() -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    )
    dirty = subprocess.run(
        ["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    return done.stdout.strip() + ("+dirty" if dirty else "")


def machine() -> dict[str, Any]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(mem / 2**20, 1),
        "python": platform.python_version(),
        "kernel": platform.release(),
        "load_avg_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def demo_order(stack: Stack) -> load.Order:
    output = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot.demo_shop",
            "demo-orders",
            "--db",
            stack.env["COMPTOIR_SHOP_DB_URL"],
        ],
        cwd=ROOT,
        env=stack.env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    orders = [json.loads(line) for line in output.splitlines() if line.strip()]
    chosen = next(o for o in orders if o["status"] == "shipped")
    return load.Order(chosen["number"], chosen["email"])


def kb_figures(smoke: bool, sizes: str | None) -> dict[str, Any]:
    command = [sys.executable, "-m", "bot.tools.kb", "bench"]
    command += ["--quick"] if smoke else ["--sizes", sizes or ""]
    log("knowledge base: " + " ".join(command[1:]))
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        return {"error": done.stderr[-1500:]}
    return dict(json.loads(done.stdout))


async def measure(
    stacks: list[Stack], plan: dict[str, Any], results: dict[str, dict[str, Any]]
) -> None:
    """Every phase runs on every stack before the next phase: drift hits them alike."""
    clients = {s.variant.name: load.Client(s.rasa_url) for s in stacks}
    orders = {s.variant.name: demo_order(s) for s in stacks}
    try:
        for s in stacks:  # warm-up: first turns load lazily (action modules, KB, shop pools)
            for i in range(3):
                for kind in load.KINDS:
                    await load.one_turn(
                        clients[s.variant.name],
                        kind,
                        load.new_sender("warm"),
                        i,
                        orders[s.variant.name],
                    )
        for s in stacks:
            name = s.variant.name
            log(f"{name}: latency in fresh conversations ({plan['samples']} per kind)")
            results[name]["latency"] = {
                "fresh": await load.fresh_latency(clients[name], orders[name], plan["samples"])
            }
        for s in stacks:
            name = s.variant.name
            log(f"{name}: one conversation grown to {plan['depth']} turns")
            deep = await load.long_conversation(
                clients[name], orders[name], plan["depth"], plan["deep_samples"]
            )
            results[name]["growth_ms"] = deep.pop("growth_ms")
            results[name]["latency"]["deep"] = deep
        messages = load.first_messages()
        for level in plan["levels"]:
            for s in stacks:
                name = s.variant.name
                log(f"{name}: {plan['turns']} turns at concurrency {level}")
                cpu_before, started = s.cpu_seconds(), time.monotonic()
                machine_before = machine_busy_seconds()
                row = await load.throughput(clients[name], messages, level, plan["turns"])
                wall = time.monotonic() - started
                cpu_after = s.cpu_seconds()
                used = {k: (cpu_after[k] - cpu_before.get(k, 0)) / wall for k in cpu_after}
                used["total"] = sum(used.values())
                used["machine"] = (machine_busy_seconds() - machine_before) / wall
                row["cores_used"] = {k: round(v, 2) for k, v in used.items()}
                results[name].setdefault("throughput", {})[str(level)] = row
        for s in stacks:
            results[s.variant.name]["rss_mb"]["after_load"] = s.rss_mb()
    finally:
        for client in clients.values():
            await client.close()


def ready(stack: Stack, results: dict[str, dict[str, Any]]) -> None:
    name = stack.variant.name
    results[name]["startup_s"] = stack.wait_until_ready()
    results[name]["rss_mb"] = {"ready": stack.rss_mb()}


def run(args: argparse.Namespace) -> dict[str, Any]:
    plan = dict(SMOKE if args.smoke else FULL)
    for key in ("samples", "depth", "turns"):
        if getattr(args, key) is not None:
            plan[key] = getattr(args, key)
    if args.levels:
        plan["levels"] = tuple(int(x) for x in args.levels.split(","))
    started = time.time()
    meta = {
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        "git_commit": git_commit(),
        "smoke": args.smoke,
        "machine": machine(),
        "plan": plan,
    }
    with tempfile.TemporaryDirectory(prefix="bench-", dir=args.logs) as folder:
        tmp = Path(folder)
        chosen: list[Variant] = [variants.comptoir()] if not args.no_comptoir else []
        results: dict[str, dict[str, Any]] = {}
        if chosen:
            results["comptoir"] = models.comptoir_training(args.smoke, tmp, log)
        if not args.no_vanilla:
            info = models.vanilla_model(args.smoke, log)
            chosen.append(
                variants.vanilla(info.pop("model"), info["comparable"], info.get("note", ""))
            )
            results["vanilla"] = info
        for name in args.variant:
            chosen.append(
                variants.extra(name, models.sparse_nlu_model(log))
                if name == "sparse-nlu"
                else variants.extra(name)
            )
            results[name] = {"note": chosen[-1].note}
        for variant in chosen:
            results.setdefault(variant.name, {})["comparable"] = variant.comparable
        stacks: list[Stack] = []
        redis: list[Redis] = []
        try:
            for variant in chosen:  # one after the other: start-up times are not shared
                folder_v = tmp / variant.name
                folder_v.mkdir()
                if variant.needs_redis:
                    server = Redis(folder_v)
                    server.start()
                    redis.append(server)
                    variant.env["COMPTOIR_REDIS_PORT"] = str(server.port)
                stack = Stack(variant, folder_v, log)
                stack.start()
                stacks.append(stack)
                log(f"{variant.name}: starting (model {variant.model.name})")
                if not args.smoke:
                    ready(stack, results)
            if args.smoke:  # started side by side to save time: start-up times overlap
                for stack in stacks:
                    ready(stack, results)
            asyncio.run(measure(stacks, plan, results))
            for stack, server in zip(
                [s for s in stacks if s.variant.needs_redis], redis, strict=True
            ):
                for when in ("ready", "after_load"):  # the shared lock store counts too
                    rss = results[stack.variant.name]["rss_mb"][when]
                    rss["redis"] = server.rss_mb()
                    rss["total"] = round(rss["total"] + rss["redis"], 1)
        finally:
            for stack in stacks:
                stack.stop()
            for server in redis:
                server.stop()
            if args.logs:  # keep the processes' logs for a look afterwards
                kept = Path(args.logs) / f"bench-logs-{time.strftime('%H%M%S')}"
                shutil.copytree(
                    tmp, kept, ignore=shutil.ignore_patterns("*.db", "*.tar.gz", ".cache-*")
                )
                log(f"logs kept in {kept}")
    if not args.no_kb and "comptoir" in results:
        if not args.smoke:  # the 1M-vector part is long: keep what is measured so far
            meta["seconds"] = round(time.time() - started, 1)
            report.write(report.assemble(results, meta), args.out_json, args.out_md, log)
        results["comptoir"]["kb"] = kb_figures(args.smoke, str(plan["kb_sizes"] or ""))
        if "vanilla" in results:
            results["vanilla"]["kb"] = {
                "note": "same action server and knowledge base for both: measured once, "
                "under comptoir"
            }
    meta["seconds"] = round(time.time() - started, 1)
    out = report.assemble(results, meta)
    if not args.no_dashboard:  # the dashboard on PostgreSQL (bench/dashboard.py)
        size, runs = (200, 2) if args.smoke else (dashboard.FULL_SIZE, 7)
        out["dashboard"] = dashboard.measure(size, runs)
    out["catalogue"] = catalogue.section()  # read from make catalogue-bench, not re-measured
    report.write(out, args.out_json, args.out_md, log)
    return report.summary(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.tools.bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="a tiny run for CI (under a minute): few turns, concurrency 1 and 2, "
        "KB bench --quick; the vanilla leg runs Comptoir's model on Rasa "
        "as shipped",
    )
    parser.add_argument(
        "--variant",
        action="append",
        default=[],
        help=f"also measure a proposed deployment: {', '.join(variants.EXTRA)}",
    )
    parser.add_argument("--no-vanilla", action="store_true", help="skip the vanilla stack")
    parser.add_argument("--no-comptoir", action="store_true", help="skip the comptoir stack")
    parser.add_argument("--no-kb", action="store_true", help="skip the knowledge-base figures")
    parser.add_argument(
        "--no-dashboard", action="store_true", help="skip the dashboard at 100,000 conversations"
    )
    parser.add_argument("--samples", type=int, default=None, help="turns per kind, fresh")
    parser.add_argument("--depth", type=int, default=None, help="long conversation's length")
    parser.add_argument("--turns", type=int, default=None, help="turns per concurrency level")
    parser.add_argument("--levels", default=None, help="concurrency levels, e.g. 1,8,32")
    parser.add_argument(
        "--logs", default=None, help="folder where the processes' logs are kept after the run"
    )
    parser.add_argument("--out-json", type=Path, default=REPORTS / "bench.json")
    parser.add_argument("--out-md", type=Path, default=REPORTS / "bench.md")
    args = parser.parse_args(argv)
    return run_json_command(lambda: run(args), (StackError, RuntimeError), log)


if __name__ == "__main__":
    sys.exit(main())
