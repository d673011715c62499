"""Cross-validated intent accuracy of the served intent model (TF-IDF + sentence embedding,
linear SVM) on the project's own training examples.

    python -m bot.tools.nlu.crossval [--folds 5] [--no-embedding]

Prints one JSON line. Reads data/nlu/*.yml directly (entity markup removed), so it runs in the
Python 3.11 environment without Rasa. Other candidates: `python -m bot.tools.nlu.compare`.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from pathlib import Path

import numpy as np
import yaml
from sklearn.model_selection import StratifiedKFold

from bot.nlu import framing
from bot.nlu.embedding import SentenceEmbedder
from bot.nlu.intent_model import Embed, IntentModel

ROOT = Path(__file__).resolve().parents[3]
MARKUP = re.compile(r"\[([^\]]*)\](?:\{[^}]*\}|\([^)]*\))")


def load_examples(folder: Path = ROOT / "data" / "nlu") -> list[tuple[str, str]]:
    examples = []
    for path in sorted(folder.glob("*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            for line in (block.get("examples") or "").splitlines():
                text = MARKUP.sub(r"\1", line.strip().removeprefix("- ").strip())
                if text and "intent" in block:
                    examples.append((text, block["intent"]))
    return examples


def crossval(
    examples: list[tuple[str, str]], folds: int = 5, embed: Embed | None = None
) -> dict[str, float]:
    texts = np.array([text for text, _ in examples], dtype=object)
    intents = np.array([intent for _, intent in examples], dtype=object)
    correct, start = 0, time.perf_counter()
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=0).split(texts, intents):
        model = IntentModel(embed=embed).fit(list(zip(texts[train], intents[train], strict=True)))
        correct += sum(
            framing.rank(model, text)[0][0] == intent  # as the Rasa component ranks
            for text, intent in zip(texts[test], intents[test], strict=True)
        )
    return {
        "examples": len(examples),
        "folds": folds,
        "embedding": embed is not None,
        "accuracy": round(correct / len(examples), 4),
        "seconds": round(time.perf_counter() - start, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--no-embedding", action="store_true", help="TF-IDF alone")
    args = parser.parse_args()
    embed = None if args.no_embedding else SentenceEmbedder()
    print(json.dumps(crossval(load_examples(), args.folds, embed)))


if __name__ == "__main__":
    main()
