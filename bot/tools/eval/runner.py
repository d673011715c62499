"""The three evaluations behind `python -m bot.tools.eval report`: routes on a labelled file,
knowledge-base retrieval (bot.tools.kb.eval) and Rasa's story tests; plus the Markdown rendering."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Mapping

from .rasa_server import MODEL, RASA, ROOT, rasa_env
from .routing import Gold, KBVerdict, predict_routes, score

SHOPPERS_FILE = ROOT.parent / "shared" / "eval" / "shoppers_fr.jsonl"
STORIES = ROOT / "tests" / "stories"
SMOKE_STORIES = STORIES / "test_smalltalk.yml"
REPORTS = ROOT / "reports"


def load_labelled(path: Path, limit: int | None = None) -> tuple[list[str], list[Gold]]:
    texts, golds = [], []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        if not isinstance(row.get("text"), str) or not isinstance(row.get("route"), str):
            raise ValueError(f"{path}:{number}: needs string fields 'text' and 'route'")
        texts.append(row["text"])
        golds.append(Gold(row["route"], row.get("alt") or None))
        if limit is not None and len(texts) >= limit:
            break
    return texts, golds


def kb_verdict(text: str) -> KBVerdict:
    from bot import kb

    result = kb.search(text)
    top = result.top
    return result.outcome, top.topic if top else None


def evaluate_routes(
    path: Path,
    parse: Callable[[str], Mapping[str, Any]],
    limit: int | None = None,
    kb_search: Callable[[str], KBVerdict] = kb_verdict,
) -> tuple[dict[str, Any], list[str]]:
    """Routes re-derived from the NLU parse (routing.py): (scores, predicted routes)."""
    texts, golds = load_labelled(path, limit)
    started = time.perf_counter()
    rows = predict_routes(texts, parse, kb_search)
    predicted = [r["route"] for r in rows]
    result = score(golds, predicted)
    # Only aggregate counts: which items fail is not looked at (held-out data).
    result["kb_searched"] = sum(r["kb"] is not None for r in rows)
    result["mood"] = mood_counts(golds, [r["upset"] for r in rows])
    result["seconds"] = round(time.perf_counter() - started, 1)
    result["file"] = str(path)
    result["mode"] = "nlu"
    return result, predicted


def evaluate_routes_e2e(
    path: Path,
    route: Callable[[str, int], str],
    limit: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """Routes read from the tracker of a real conversation per message (end_to_end.py)."""
    texts, golds = load_labelled(path, limit)
    started = time.perf_counter()
    predicted = []
    for number, text in enumerate(texts):
        predicted.append(route(text, number))
        if progress and (number + 1) % 50 == 0:
            progress(f"{number + 1}/{len(texts)} messages")
    result = score(golds, predicted)
    result["seconds"] = round(time.perf_counter() - started, 1)
    result["file"] = str(path)
    result["mode"] = "end-to-end"
    return result, predicted


def agreement(first: list[str], second: list[str]) -> float:
    """Share of messages both modes route the same way."""
    same = sum(a == b for a, b in zip(first, second, strict=True))
    return round(same / len(first), 4) if first else 0.0


def mood_counts(golds: list[Gold], upset: list[bool]) -> dict[str, Any]:
    """How the mood annotator's "upset" lines up with the items labelled `handoff`: measured,
    never tuned on (bot/core/mood.py)."""
    handoff = [u for g, u in zip(golds, upset, strict=True) if g.accepts("handoff")]
    others = [u for g, u in zip(golds, upset, strict=True) if not g.accepts("handoff")]
    return {
        "handoff_items": len(handoff),
        "upset_among_handoff": sum(handoff),
        "recall_on_handoff": round(sum(handoff) / len(handoff), 3) if handoff else None,
        "other_items": len(others),
        "upset_among_others": sum(others),
        "false_upset_rate": round(sum(others) / len(others), 3) if others else None,
    }


def kb_metrics(
    dev_path: Path | None = None, shoppers_path: Path | None = None, with_latency: bool = True
) -> dict[str, Any]:
    """hit@1/hit@3/MRR per method from bot.tools.kb.eval (a throw-away index of data/faq)."""
    from bot.tools.kb import eval as kb_eval

    report = kb_eval.evaluate(
        dev_path=dev_path or kb_eval.DEV_FILE,
        shoppers_path=shoppers_path or kb_eval.SHOPPERS_FILE,
        with_latency=with_latency,
    )
    return report


def story_tests(stories: Path = STORIES, model: Path = MODEL) -> subprocess.Popen[str]:
    """Start `rasa test core` in the background (it takes a while); see `story_result`."""
    out = Path(tempfile.mkdtemp(prefix="eval-stories-"))
    process = subprocess.Popen(
        [
            str(RASA),
            "test",
            "core",
            "--stories",
            str(stories),
            "--model",
            str(model),
            "--out",
            str(out),
        ],
        cwd=ROOT,
        env=rasa_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    process.out_dir = out  # type: ignore[attr-defined]
    return process


def story_result(process: subprocess.Popen[str], timeout: float = 900) -> dict[str, Any]:
    out: Path = process.out_dir  # type: ignore[attr-defined]
    try:
        output, _ = process.communicate(timeout=timeout)
        return _read_story_report(out, output, process.returncode)
    finally:
        shutil.rmtree(out, ignore_errors=True)


def _read_story_report(out: Path, output: str, returncode: int) -> dict[str, Any]:
    report_file = out / "story_report.json"
    if not report_file.is_file():
        return {"error": f"rasa test core exited {returncode}", "log": output[-1500:]}
    report = json.loads(report_file.read_text())
    failed_file = out / "failed_test_stories.yml"
    failed = failed_file.read_text() if failed_file.is_file() else ""
    conversation = report.get("conversation_accuracy", {})
    return {
        "conversation_accuracy": conversation.get("accuracy"),
        "conversations_correct": conversation.get("correct"),
        "conversations_total": conversation.get("total"),
        "action_accuracy": report.get("accuracy"),
        "failed_stories": failed.count("- story:"),
        "returncode": returncode,
    }


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def _routes_markdown(routes: Mapping[str, Any] | None, title: str) -> list[str]:
    if not routes:
        return []
    searched = (
        f" {routes['kb_searched']} went to the knowledge base." if "kb_searched" in routes else ""
    )
    lines = [
        f"## {title}",
        "",
        f"File `{routes['file']}`: {routes['n']} messages, "
        f"**accuracy {routes['accuracy']:.3f}** (correct = `route` or `alt`).{searched}",
        "",
        "| route | precision | recall | support |",
        "|---|---|---|---|",
    ]
    for name, row in routes["per_route"].items():
        lines.append(
            f"| `{name}` | {_fmt(row['precision'])} | {_fmt(row['recall'])} | {row['support']} |"
        )
    mood = routes.get("mood")
    if mood:
        lines += [
            "",
            f"Mood annotator (upset → hand-off): {mood['upset_among_handoff']} of "
            f"{mood['handoff_items']} `handoff` items found upset "
            f"(recall {_fmt(mood['recall_on_handoff'])}); "
            f"{mood['upset_among_others']} of {mood['other_items']} other items "
            f"(false-upset rate {_fmt(mood['false_upset_rate'])}).",
        ]
    lines += ["", "Biggest confusions (gold → predicted, counts only):", ""]
    lines += [
        f"- `{c['gold']}` → `{c['predicted']}`: {c['count']}" for c in routes["top_confusions"][:10]
    ] or ["- none"]
    return [*lines, ""]


def markdown(summary: Mapping[str, Any]) -> str:
    lines = ["# Comptoir — quality evaluation", ""]
    lines += [
        f"Generated {summary['generated']} by `python -m bot.tools.eval report"
        f"{' --smoke' if summary.get('smoke') else ''}`.",
        "",
    ]
    for key, title in (
        (
            "routes_e2e",
            "Routes, end to end (what the product does with a first "
            "message: forms, actions, hand-offs, answers)",
        ),
        ("routes", "Routes re-derived from the NLU parse (routing.py)"),
    ):
        lines += _routes_markdown(summary.get(key), title)
    if summary.get("agreement") is not None:
        lines += [
            f"The two modes route {summary['agreement']:.1%} of the messages the same way.",
            "",
        ]
    kb = summary.get("kb")
    if kb:
        lines += [
            "## Knowledge-base retrieval",
            "",
            f"Encoder `{kb.get('encoder')}`, {kb.get('version_entries')} entries, "
            f"{kb.get('dev_questions')} questions of `{kb.get('dev_file')}`.",
            "",
            "| method | hit@1 | hit@3 | MRR | held-out FAQ topic acc. |",
            "|---|---|---|---|---|",
        ]
        for method, row in kb.get("methods", {}).items():
            lines.append(
                f"| {method} | {_fmt(row.get('hit@1'))} | {_fmt(row.get('hit@3'))} | "
                f"{_fmt(row.get('mrr'))} | {_fmt(row.get('shoppers_faq_topic_acc'))} |"
            )
        if kb.get("latency_hybrid"):
            lat = kb["latency_hybrid"]
            lines += [
                "",
                f"Hybrid search latency: median {lat['median_ms']} ms, p95 {lat['p95_ms']} ms.",
            ]
        lines.append("")
    products = summary.get("products_e2e")
    if products:
        lines += [
            "## Product questions, end to end",
            "",
            f"{products['n']} questions of `{products['file']}` (written for this project), each "
            "the first message of a fresh conversation; the products listed are read from the "
            f"bot's reply. **hit@3 {_fmt(products['hit@3'])}**, hit@1 "
            f"{_fmt(products['hit@1'])}; routed to the catalogue: "
            f"{_fmt(products['product_route'])}.",
            "",
            "hit@3 by kind: "
            + ", ".join(f"{k} {_fmt(v)}" for k, v in products["hit@3_by_kind"].items()),
            "",
        ]
    stories = summary.get("stories")
    if stories:
        lines += ["## Story tests (`rasa test core`)", ""]
        if "error" in stories:
            lines.append(f"Failed to run: {stories['error']}")
        else:
            lines.append(
                f"Conversation accuracy **{_fmt(stories['conversation_accuracy'])}** "
                f"({stories['conversations_correct']}/{stories['conversations_total']}"
                f" stories), action accuracy {_fmt(stories['action_accuracy'])}."
            )
        lines.append("")
    return "\n".join(lines)
