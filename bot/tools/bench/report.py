"""bench.json (comptoir, vanilla, ratios, meta), bench.md and its PNG plots."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

# Figures whose ratio comptoir / vanilla is reported (lower is better for all but throughput).
NOT_FIGURES = {
    "n",
    "concurrency",
    "turns",
    "errors",
    "seconds",
    "depth",
    "comparable",
    "training_cached",
    "expected_reply_rate",
    "mean_ms",
}


def ratios(a: Any, b: Any) -> Any:
    """comptoir / vanilla for every numeric figure present in both, same nesting."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = {}
        for key in a:
            if key in b and key not in NOT_FIGURES:
                value = ratios(a[key], b[key])
                if value not in (None, {}):
                    out[key] = value
        return out
    if isinstance(a, bool) or isinstance(b, bool):
        return None
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and b:
        return round(a / b, 3)
    return None


def assemble(results: dict[str, dict[str, Any]], meta: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "comptoir": results.get("comptoir", {}),
        "vanilla": results.get("vanilla", {}),
    }
    out["ratios"] = ratios(out["comptoir"], out["vanilla"])
    if out["vanilla"] and not out["vanilla"].get("comparable", True):
        out["ratios"]["warning"] = "vanilla is the smoke stand-in: NOT comparable"
    extra = {k: v for k, v in results.items() if k not in ("comptoir", "vanilla")}
    if extra:
        out["variants"] = extra
        out["variant_ratios"] = {
            k: {"vs_comptoir": ratios(v, out["comptoir"]), "vs_vanilla": ratios(v, out["vanilla"])}
            for k, v in extra.items()
        }
    out["meta"] = meta
    return out


def _get(d: dict[str, Any], *path: str) -> Any:
    for key in path:
        if not isinstance(d, dict) or key not in d:
            return None
        d = d[key]
    return d


def _names(out: dict[str, Any]) -> list[str]:
    """The stacks measured, in report order: comptoir, vanilla, then the variants."""
    return [n for n in ("comptoir", "vanilla") if out.get(n)] + list(out.get("variants", {}))


def _of(out: dict[str, Any], name: str) -> dict[str, Any]:
    """One stack's results, whether it is comptoir, vanilla or a variant."""
    return dict(out.get(name) or out.get("variants", {}).get(name, {}))


def summary(out: dict[str, Any]) -> dict[str, Any]:
    def brief(r: dict[str, Any]) -> dict[str, Any]:
        lat = {
            f"{when}.{kind}": [
                _get(r, "latency", when, kind, "median_ms"),
                _get(r, "latency", when, kind, "p95_ms"),
            ]
            for when in ("fresh", "deep")
            for kind in ("static", "order", "kb")
        }
        return {
            "training_s": r.get("training_s"),
            "startup_s": _get(r, "startup_s", "all"),
            "rss_mb": _get(r, "rss_mb", "after_load", "total"),
            "latency_median_p95_ms": lat,
            "throughput_turns_per_s": {
                c: row.get("turns_per_s") for c, row in (r.get("throughput") or {}).items()
            },
            "throughput_p95_ms": {
                c: row.get("p95_ms") for c, row in (r.get("throughput") or {}).items()
            },
        }

    result = {name: brief(out[name]) for name in ("comptoir", "vanilla") if out.get(name)}
    for name, r in (out.get("variants") or {}).items():
        result[name] = brief(r)
    result["smoke"] = out["meta"]["smoke"]
    if out.get("vanilla"):
        result["vanilla_comparable"] = out["vanilla"].get("comparable")
    return result


def _rows(out: dict[str, Any], names: list[str]) -> list[str]:
    def cell(name: str, *path: str) -> str:
        value = _get(_of(out, name), *path)
        return "–" if value is None else f"{value:g}" if isinstance(value, float) else str(value)

    extra = list(out.get("variant_ratios", {})) if out.get("vanilla") else []

    def ratio(name: str, *path: str) -> str:
        source = out["ratios"] if name == "comptoir" else out["variant_ratios"][name]["vs_vanilla"]
        value = _get(source, *path)
        return "–" if value is None else f"{value:.2f}"

    lines = [
        "| figure | "
        + " | ".join(names)
        + " | comptoir / vanilla |"
        + "".join(f" {n} / vanilla |" for n in extra),
        "|---|" + "---|" * (len(names) + 1 + len(extra)),
    ]

    def row(label: str, *path: str) -> None:
        lines.append(
            f"| {label} | "
            + " | ".join(cell(n, *path) for n in names)
            + " | "
            + " | ".join(ratio(n, *path) for n in ["comptoir", *extra])
            + " |"
        )

    row("training (s)", "training_s")
    row("start-up until all ready (s)", "startup_s", "all")
    for proc in ("shop", "actions", "rasa"):
        row(f"start-up {proc} (s)", "startup_s", proc)
    for proc in ("shop", "actions", "rasa", "total"):
        row(f"RSS after load, {proc} (MB)", "rss_mb", "after_load", proc)
    depth = _get(out, "comptoir", "latency", "deep", "depth") or 200
    for when, label in (("fresh", "fresh conversation"), ("deep", f"after turn {depth}")):
        for kind in ("static", "order", "kb"):
            for stat in ("median_ms", "p95_ms"):
                row(
                    f"{kind} turn, {label}, {stat.replace('_ms', '')} (ms)",
                    "latency",
                    when,
                    kind,
                    stat,
                )
    levels = sorted(
        {
            c
            for n in names
            for c in (_get(out.get(n) or out.get("variants", {}).get(n, {}), "throughput") or {})
        },
        key=int,
    )
    for level in levels:
        row(f"throughput at {level} concurrent (turns/s)", "throughput", level, "turns_per_s")
        row(f"p95 at {level} concurrent (ms)", "throughput", level, "p95_ms")
        for who, label in (
            ("rasa", "rasa"),
            ("total", "all its processes"),
            ("machine", "whole machine, load generator included"),
        ):
            row(
                f"cores busy at {level} concurrent: {label}", "throughput", level, "cores_used", who
            )
    return lines


def plots(out: dict[str, Any], folder: Path, names: list[str], stem: str = "bench") -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    files = []
    fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
    kinds = ("static", "order", "kb")
    width = 0.8 / max(1, len(names))
    for ax, when, title in (
        (axes[0], "fresh", "fresh conversation"),
        (axes[1], "deep", "deep in one long conversation"),
    ):
        for i, name in enumerate(names):
            med = [_get(_of(out, name), "latency", when, k, "median_ms") or 0 for k in kinds]
            p95 = [_get(_of(out, name), "latency", when, k, "p95_ms") or 0 for k in kinds]
            xs = [j + i * width for j in range(len(kinds))]
            ax.bar(xs, med, width, label=f"{name} median")
            ax.scatter(
                xs, p95, marker="_", s=200, color="black", label="p95" if i == 0 else None, zorder=3
            )
        ax.set_xticks([j + width * (len(names) - 1) / 2 for j in range(len(kinds))], kinds)
        ax.set_title(title)
        ax.set_ylabel("ms per turn (REST)")
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(folder / f"{stem}_latency.png", dpi=110)
    plt.close(fig)
    files.append(f"{stem}_latency.png")

    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for name in names:
        rows = sorted(
            (_of(out, name).get("throughput") or {}).values(), key=lambda r: r["concurrency"]
        )
        if not rows:
            continue
        xs = [r["concurrency"] for r in rows]
        axes[0].plot(xs, [r["turns_per_s"] for r in rows], marker="o", label=name)
        axes[1].plot(xs, [r.get("p95_ms", 0) for r in rows], marker="o", label=name)
    for ax, label in ((axes[0], "turns / s"), (axes[1], "p95 ms per turn")):
        ax.set_xscale("log", base=2)
        ax.set_xlabel("concurrent conversations")
        ax.set_ylabel(label)
        ax.legend()
    fig.tight_layout()
    fig.savefig(folder / f"{stem}_throughput.png", dpi=110)
    plt.close(fig)
    files.append(f"{stem}_throughput.png")

    fig, ax = plt.subplots(figsize=(11, 3.5))
    for name in names:
        growth = _of(out, name).get("growth_ms") or []
        if growth:
            ax.plot(range(1, len(growth) + 1), growth, label=name, linewidth=0.8)
    ax.set_xlabel("turn of one long conversation")
    ax.set_ylabel("ms")
    ax.set_yscale("log")
    ax.legend()
    fig.tight_layout()
    fig.savefig(folder / f"{stem}_growth.png", dpi=110)
    plt.close(fig)
    files.append(f"{stem}_growth.png")
    return files


def markdown(out: dict[str, Any], images: list[str]) -> str:
    meta = out["meta"]
    names = _names(out)
    m = meta["machine"]
    kind = "SMOKE — tiny, not for comparison" if meta["smoke"] else "full"
    lines = [
        f"# Speed benchmark ({kind})",
        "",
        f"{meta['date']}, commit {meta['git_commit']}, {m['cpu']}, {m['cores']} cores, "
        f"{m['memory_gb']} GB, load average at start {m['load_avg_at_start']}; "
        f"run took {meta.get('seconds')} s. Command: `python -m bot.tools.bench"
        f"{' --smoke' if meta['smoke'] else ''}`.",
        "",
    ]
    if out.get("vanilla") and not out["vanilla"].get("comparable", True):
        lines += [
            f"**{out['vanilla'].get('note', 'vanilla is not the real one')}: the ratios "
            "mean nothing.**",
            "",
        ]
    lines += [
        "vanilla = same domain, data, actions, shop and knowledge base; config.yml replaced "
        "by the one `rasa init` writes (configs/vanilla.yml). Latency is measured at the "
        "client over the REST channel; 'order' is the turn that answers with the order's "
        "status (shop API called), 'kb' a knowledge-base answer.",
        "",
    ]
    lines += _rows(out, names)
    for name in names:
        note = _of(out, name).get("note")
        if note:
            lines += ["", f"*{name}*: {note}"]
    lines += ["", "Share of measured turns that got the expected kind of answer:", ""]
    for name in names:
        lat = _of(out, name).get("latency", {})
        rates = {
            f"{w}.{k}": v.get("expected_reply_rate")
            for w, d in lat.items()
            for k, v in d.items()
            if isinstance(v, dict)
        }
        lines.append(f"- {name}: {rates}")
    kb = (out.get("comptoir") or {}).get("kb")
    if kb and "query_latency" in kb:
        lines += [
            "",
            "## Knowledge base (`python -m bot.tools.kb bench`)",
            "",
            f"encoder {kb.get('encoder')}; search {kb['query_latency']['search']}; "
            f"embedding only {kb['query_latency']['embedding_only']}; publish-to-answer "
            f"{kb.get('publish_to_answer', {}).get('publish_to_answer_s')} s",
            "",
            "| vectors | exact median ms | HNSW median ms | HNSW recall@5 | HNSW build s |",
            "|---|---|---|---|---|",
        ]
        for row in kb.get("ann", []):
            hnsw = [row["hnsw"].get(key, "–") for key in ("median_ms", "recall@5", "build_s")]
            if "skipped" in row["hnsw"]:
                hnsw[0] = row["hnsw"]["skipped"]
            lines.append(
                f"| {row['size']} | {row['flat'].get('median_ms')} | "
                + " | ".join(map(str, hnsw))
                + " |"
            )
    if out.get("dashboard"):
        from .dashboard import markdown as dashboard_markdown

        lines += ["", *dashboard_markdown(out["dashboard"])]
    if out.get("catalogue"):
        from .catalogue import markdown as catalogue_markdown

        lines += ["", *catalogue_markdown(out["catalogue"])]
    lines += [""] + [f"![{img}]({img})" for img in images]
    return "\n".join(lines) + "\n"


def write(out: dict[str, Any], out_json: Path, out_md: Path, log: Callable[[str], None]) -> None:
    out_json.parent.mkdir(parents=True, exist_ok=True)
    out_json.write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n")
    log(f"wrote {out_json}")
    out_md.parent.mkdir(parents=True, exist_ok=True)
    images = plots(out, out_md.parent, _names(out), out_md.stem)
    out_md.write_text(markdown(out, images))
    log(f"wrote {out_md} and {', '.join(images)}")
