"""What a shopper's typed reply means inside a flow, where the intent model alone is not enough:
"oui annulez" is a yes (not a new cancellation), "il en manque un" is a missing item, "le 2e"
is the second article of the list, "je peux pas plutôt l'échanger ?" is a question, not a
reason. Pure standard-library functions, used by the action server's forms and, for
questions about what is possible, by the Rasa server's NLU annotator.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Dict, List, Sequence


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", (text or "").lower().replace("\u2019", "'"))
    return "".join(c for c in text if not unicodedata.combining(c))


# -- yes / no ----------------------------------------------------------------------------------
_NO = re.compile(
    r"\b(non|nan|no|nope|pas du tout|surtout pas|finalement (?:je|non|pas)|je (?:la |le |les )?"
    r"(?:garde|conserve)|laisse[rz]? (?:tomber|comme ca)|on laisse|je prefere (?:attendre|pas)|"
    r"pas (?:maintenant|la peine|besoin)|annule[rz]? (?:pas|rien)|n'annule[rz]? pas|"
    r"ne (?:faites|fais) rien|c'est bon (?:je|merci)?\s*(?:garde|non)|oubliez?)\b"
)
_YES = re.compile(
    r"\b(oui|ouais|ouai|ui|yes|yep|ok|okay|oki|d'accord|dac|dacc|daccord|ca marche|ca me va|"
    r"parfait|exact|exactement|c'est (?:ca|bon|correct|parfait|exact)|tout a fait|bien sur|"
    r"volontiers|allez[- ]y|vas[- ]y|go|je confirme|confirme[rz]?|valide[rz]?|absolument|"
    r"carrement|evidemment|avec plaisir|s'il vous plait|svp|stp)\b"
)


def yes_or_no(text: str, intent: str | None = None) -> bool | None:
    """True for a yes, False for a no, None when the reply is neither (or a question)."""
    if intent == "deny" or intent == "stop":
        return False
    folded = fold(text)
    if is_question(text) and not _YES.match(folded.strip()):
        return None
    if _NO.search(folded):
        return False
    if intent == "affirm" or _YES.search(folded):
        return True
    return None


# -- questions ---------------------------------------------------------------------------------
_INTERROGATIVE = re.compile(
    r"^\s*(?:et\s+)?(?:est[- ]ce|est[- ]il|est[- ]elle|peut[- ]on|puis[- ]je|pourquoi|comment|"
    r"combien|quand|quel(?:le)?s?|ou\b|qui\b|que\b|qu'est|c'est quoi|c'est possible|"
    r"je peux|on peut|il faut|faut[- ]il|vous (?:faites|acceptez|proposez|livrez|pouvez)|"
    r"y a[- ]t[- ]il|il y a)\b"
)


def is_question(text: str) -> bool:
    folded = fold(text).strip()
    return folded.endswith("?") or bool(_INTERROGATIVE.match(folded))


_HYPOTHETICAL = re.compile(r"(?:^|\W)(?:et\s+)?si\s+(?!vous\s+plait)")
_GENERAL = re.compile(
    r"\b(?:on peut|peut[- ]on|peut on|est[- ]il possible|est[- ]ce (?:qu'on|que l'on|possible)|"
    r"c'est possible|il est possible|possible d[e'])\b.*\b(?:une commande|un article|un produit|"
    r"un colis|une adresse|les commandes|les articles|un achat|un cadeau)\b"
)
_HOW_LONG = re.compile(
    r"\b(?:(?:en |dans )?combien de (?:temps|jours)|quels? (?:sont les )?"
    r"delais?|sous combien|ca prend combien|il faut combien)\b"
)


def asks_how_long(text: str) -> bool:
    return bool(
        _HOW_LONG.search(fold(text))
        or re.search(r"\b(?:delai|delais|rapide|vite|(?:24|48|72) ?h|jours?|quand)\b", fold(text))
    )


_MAY_I = re.compile(
    r"^\W*(?:et\s+)?(?:(?:est[- ]ce que )?(?:je|on) (?:peux|peut|pourrais|pourrait|"
    r"pourra)|puis[- ]je|peut[- ]on|il est possible)\b"
)
_SOMEONE_ELSE = re.compile(
    r"\b(?:elle|il|ils|elles|mon (?:mari|fils|pere|frere)|ma (?:femme|"
    r"fille|mere|soeur)|la personne|le destinataire)\s+(?:peut|peuvent|"
    r"pourra|pourrait|pourront)\b"
)


def asks_what_is_possible(text: str, has_order_number: bool = False) -> bool:
    """A question about the shop's rule ("et si ça n'arrive pas à temps, je peux annuler ?",
    "on peut annuler une commande ?", "elle peut le renvoyer elle-même ?", "en combien de temps
    vous remboursez ?"), as opposed to a request to do it now ("annulez ma commande CM…",
    "est-il possible de l'annuler ?" after naming the order)."""
    if has_order_number or not is_question(text):
        return False
    folded = fold(text)
    return bool(
        _HYPOTHETICAL.search(folded)
        or _GENERAL.search(folded)
        or _SOMEONE_ELSE.search(folded)
        or _HOW_LONG.search(folded)
        or _MAY_I.search(folded)
    )


# -- claim kinds -------------------------------------------------------------------------------
_CLAIM_KINDS = (
    (
        "wrong_item",
        re.compile(
            r"\b(?:pas (?:le|la|les) bon(?:ne)?s?|mauvais(?:e)?s? "
            r"(?:article|produit|taille|couleur|modele|reference)"
            r"|(?:article|produit|taille|couleur) (?:errone|incorrect)|erreur "
            r"(?:d'article|de produit|de taille|de couleur|dans (?:ma|la) commande)"
            r"|autre (?:article|produit|chose)"
            r"|pas (?:ce que|celui|celle) (?:que )?j'ai commande|inverse|echange)\b"
        ),
    ),
    (
        "missing",
        re.compile(
            r"\b(?:manqu\w*|il (?:en )?manque|incomplet\w*|jamais (?:arrive|recu|eu)|pas (?:arrive|"
            r"recu)|rien recu|non recu|toujours rien|colis vide|(?:vide|perdu)\b|pas tout|"
            r"qu'un seul|que la moitie)"
        ),
    ),
    (
        "damaged",
        re.compile(
            r"\b(?:cass\w*|abim\w*|endommag\w*|fissur\w*|bris\w*|ecras\w*|rayure\w*|raye\w*|"
            r"dechir\w*|tache\w*|fuit|fuite|coule|ouvert|troue\w*|tordu\w*|defectu\w*|en morceaux|"
            r"hs\b|ne (?:marche|fonctionne|s'allume) (?:pas|plus))"
        ),
    ),
)


def claim_kind(text: str) -> str | None:
    """damaged / missing / wrong_item from the shopper's words, or None."""
    folded = fold(text)
    for kind, pattern in _CLAIM_KINDS:
        if pattern.search(folded):
            return kind
    return None


def parcel_not_received(text: str) -> bool:
    """The whole parcel never reached the shopper (as opposed to one item missing from it)."""
    folded = fold(text)
    return bool(
        re.search(
            r"\b(?:jamais (?:arrive|recu)|rien recu|pas (?:recu|arrive)|non recu|"
            r"toujours rien|ou est (?:mon|le) colis|colis perdu)\b",
            folded,
        )
    ) and not re.search(
        r"\b(?:il (?:en )?manque|manqu\w* (?:un|une|des|le|la)|un article)\b", folded
    )


# -- items from a list -------------------------------------------------------------------------
_ORDINALS = {
    "premier": 1,
    "premiere": 1,
    "1er": 1,
    "1ere": 1,
    "deuxieme": 2,
    "second": 2,
    "seconde": 2,
    "2e": 2,
    "2eme": 2,
    "2nd": 2,
    "troisieme": 3,
    "3e": 3,
    "3eme": 3,
    "quatrieme": 4,
    "4e": 4,
    "4eme": 4,
    "cinquieme": 5,
    "5e": 5,
    "5eme": 5,
    "dernier": -1,
    "derniere": -1,
}
_ALL = re.compile(
    r"\b(?:tou[ts]|toutes?|l'ensemble|la totalite|les deux|les trois|"
    r"toute la commande)\b"
)
_STOPWORDS = {
    "le",
    "la",
    "les",
    "de",
    "des",
    "du",
    "en",
    "et",
    "un",
    "une",
    "pour",
    "avec",
    "mon",
    "ma",
    "mes",
    "l",
    "d",
    "a",
    "au",
    "aux",
}


def _words(text: str) -> List[str]:
    return [w for w in re.findall(r"[a-z0-9]+", fold(text)) if w not in _STOPWORDS]


def choose_items(text: str, items: Sequence[Dict[str, str]]) -> List[str]:
    """SKUs the shopper picked among `items` (each with sku and name): "tous", positions
    ("1", "1 et 3", "le 2e", "le premier", "le dernier"), or names in part ("la théière")."""
    folded = fold(text)
    if not items or re.search(r"\b(?:rien|aucun|aucune)\b", folded):
        return []
    if _ALL.search(folded):
        return [item["sku"] for item in items]
    picked: List[str] = []
    for token in re.findall(r"[a-z0-9]+", folded):
        position = _ORDINALS.get(token)
        if position is None and token.isdigit() and len(token) <= 2:
            position = int(token)
        if position == -1:
            position = len(items)
        if position and 1 <= position <= len(items):
            picked.append(items[position - 1]["sku"])
    said = set(_words(text))
    scored = []
    for item in items:
        name_words = [w for w in _words(item["name"]) if len(w) > 2]
        shared = sum(
            1
            for w in name_words
            if w in said or (len(w) > 4 and any(s.startswith(w[:5]) for s in said if len(s) > 4))
        )
        if item["sku"].lower() in folded or (name_words and shared):
            scored.append((shared, item["sku"]))
    if scored and not picked:
        best = max(score for score, _ in scored)
        picked = [sku for score, sku in scored if score == best]
    return list(dict.fromkeys(picked))


# -- ratings -----------------------------------------------------------------------------------
_RATING_WORDS = (
    (5, r"excellent|parfait|genial|top|super|tres bien|tres satisfait|au top|nickel|5 ?/ ?5"),
    (1, r"nul|horrible|catastroph\w*|tres mauvais|inadmissible|lamentable|zero"),
    (2, r"mauvais|pas terrible|decevant|decu|pas satisfait|bof bof"),
    (3, r"moyen|bof|correct|passable|mitige"),
    (4, r"bien|satisfait|content|pas mal|efficace"),
)


def rating_from_text(text: str) -> int | None:
    """A 1–5 rating typed in words or digits ("5", "4 étoiles", "bof", "très bien")."""
    folded = fold(text)
    digit = re.search(r"(?<!\d)([1-5])(?!\d)", folded)
    if digit:
        return int(digit.group(1))
    stars = folded.count("⭐")
    if 1 <= stars <= 5:
        return stars
    for rating, words in _RATING_WORDS:
        if re.search(rf"\b(?:{words})\b", folded):
            return rating
    return None
