"""The password rule, wherever a password is set (users page, own account, CLI).

Ten characters at least, and hard to guess as judged by zxcvbn (Dropbox's estimator, with its
bundled lists of common passwords, names and words, keyboard rows, sequences, repeats and
dates): a score of 3 out of 4 at least, i.e. about 10⁸ guesses. The account's e-mail and name,
and words of the shop itself, count as known words. Its English advice is given in French.
"""

from __future__ import annotations

import re
import secrets
import threading
from typing import Any

from zxcvbn import zxcvbn

MIN_LENGTH = 10
MAX_LENGTH = 1024
MIN_SCORE = 3
ZXCVBN_MAX = 72  # zxcvbn refuses longer input; the first 72 characters are judged
# Words an attacker of this back office tries first, beyond zxcvbn's (English) lists.
SITE_WORDS = (
    "comptoir",
    "boutique",
    "backoffice",
    "admin",
    "administrateur",
    "conseiller",
    "service",
    "client",
    "motdepasse",
    "azerty",
    "bonjour",
    "soleil",
    "france",
    "paris",
)
_lock = threading.Lock()  # zxcvbn keeps the user inputs in a module-level dictionary

FRENCH = {
    "Use a few words, avoid common phrases.": "Utilisez quelques mots, en évitant les expressions courantes.",
    "No need for symbols, digits, or uppercase letters.": "Inutile d'ajouter des symboles, des chiffres ou des majuscules.",
    "Add another word or two. Uncommon words are better.": "Ajoutez un ou deux mots, de préférence peu courants.",
    "Straight rows of keys are easy to guess.": "Les suites de touches du clavier (comme « azerty ») sont faciles à deviner.",
    "Short keyboard patterns are easy to guess.": "Les motifs courts tapés sur le clavier sont faciles à deviner.",
    "Use a longer keyboard pattern with more turns.": "Évitez les motifs tapés sur le clavier.",
    'Repeats like "aaa" are easy to guess.': "Les répétitions comme « aaa » sont faciles à deviner.",
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".': "Les répétitions comme « abcabcabc » sont à peine plus difficiles à deviner que « abc ».",
    "Avoid repeated words and characters.": "Évitez les mots et les caractères répétés.",
    'Sequences like "abc" or "6543" are easy to guess.': "Les suites comme « abc » ou « 6543 » sont faciles à deviner.",
    "Avoid sequences.": "Évitez les suites.",
    "Recent years are easy to guess.": "Les années récentes sont faciles à deviner.",
    "Avoid recent years.": "Évitez les années récentes.",
    "Avoid years that are associated with you.": "Évitez les années qui vous concernent.",
    "Dates are often easy to guess.": "Les dates sont souvent faciles à deviner.",
    "Avoid dates and years that are associated with you.": "Évitez les dates et les années qui vous concernent.",
    "This is a top-10 common password.": "C'est l'un des 10 mots de passe les plus courants.",
    "This is a top-100 common password.": "C'est l'un des 100 mots de passe les plus courants.",
    "This is a very common password.": "C'est un mot de passe très courant.",
    "This is similar to a commonly used password.": "Il ressemble à un mot de passe très courant.",
    "A word by itself is easy to guess.": "Un mot seul est facile à deviner.",
    "Names and surnames by themselves are easy to guess.": "Un prénom ou un nom seul est facile à deviner.",
    "Common names and surnames are easy to guess.": "Les prénoms et les noms courants sont faciles à deviner.",
    "Capitalization doesn't help very much.": "Les majuscules n'aident pas beaucoup.",
    "All-uppercase is almost as easy to guess as all-lowercase.": "Tout en majuscules est presque aussi facile à deviner que tout en minuscules.",
    "Reversed words aren't much harder to guess.": "Un mot écrit à l'envers n'est guère plus difficile à deviner.",
    "Predictable substitutions like '@' instead of 'a' don't help very much.": "Les substitutions prévisibles comme « @ » au lieu de « a » n'aident pas beaucoup.",
}
ADVICE = (
    "Choisissez par exemple trois ou quatre mots sans rapport entre eux, séparés par des tirets."
)


def personal_words(email: str, name: str) -> list[str]:
    """The e-mail, its parts, the name and its words (3 characters or more), lower case."""
    email, name = email.strip().lower(), " ".join(name.lower().split())
    local, _, domain = email.partition("@")
    words = [
        email,
        local,
        domain,
        name,
        name.replace(" ", ""),
        *re.split(r"[._+\-]", local),
        *domain.split("."),
        *name.split(" "),
    ]
    return sorted({w for w in words if len(w) >= 3})


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """None when `password` may be used by this account, else why not (in French)."""
    if len(password) < MIN_LENGTH:
        return f"Mot de passe trop court : {MIN_LENGTH} caractères au moins."
    if len(password) > MAX_LENGTH:
        return f"Mot de passe trop long : {MAX_LENGTH} caractères au plus."
    personal = personal_words(email, name)
    squeezed = re.sub(r"[\s._+\-@]", "", password.lower())
    if squeezed in {re.sub(r"[\s._+\-@]", "", w) for w in personal}:
        return "Le mot de passe ne doit pas être votre e-mail ni votre nom."
    with _lock:
        result = zxcvbn(password[:ZXCVBN_MAX], user_inputs=[*personal, *SITE_WORDS])
    if int(result["score"]) >= MIN_SCORE:
        return None
    return explain(result, set(personal))


def explain(result: dict[str, Any], personal: set[str]) -> str:
    """zxcvbn's verdict as one French message: why it is weak, then what to do."""
    known = [
        str(m.get("matched_word"))
        for m in result.get("sequence", [])
        if m.get("dictionary_name") == "user_inputs"
    ]
    feedback = result.get("feedback") or {}
    suggestions = [FRENCH[s] for s in feedback.get("suggestions") or [] if s in FRENCH]
    if any(word in personal for word in known):
        why = "Il reprend votre e-mail ou votre nom, que l'on essaie en premier."
    elif known:
        why = f"Il contient « {known[0]} », l'un des premiers mots essayés."
    else:
        why = FRENCH.get(str(feedback.get("warning") or ""), "") or (
            suggestions[0] if suggestions else ""
        )
    return " ".join(p for p in ("Mot de passe trop facile à deviner.", why, ADVICE) if p)


# Temporary passwords an admin hands over (users page, "Générer"): four words of this list and
# a two-digit number, e.g. "girafe-piment-lanterne-orage-47" — easy to dictate over the phone,
# 258⁴ × 100 ≈ 4·10¹¹ possibilities (online guessing is throttled, and the colleague
# replaces it at their first login). Plain ASCII: no accent to hunt for on a foreign keyboard.
WORDS = tuple(
    """
    abeille abricot acajou agrume aiguille albatros algue amande ananas ancre antenne
    araignee ardoise argile armoire artichaut asperge atelier aubergine autruche avalanche
    avion badiane baleine balcon bambou banane banquise baobab barque basilic bassin bateau
    betterave biscuit bison blaireau bocal bougie bouleau boussole brioche brochet brouette
    bruyere buisson cactus cadran caillou calendrier canard cannelle canoe capuche caramel
    carotte cartable castor cerise chameau chandelle chardon chataigne chaudron chemin
    cheminee chouette ciboulette cigale citron citrouille clairiere clementine coccinelle
    colibri comete concombre coquelicot corbeau cornichon coton courgette crayon criquet
    crocus cyclone dauphin dentelle dromadaire echelle ecureuil edredon eglantine elan
    encrier epinard erable escargot etoile eventail falaise faucon fenouil figue flamant
    flocon fontaine fougere fraise framboise frelon fusee galet gaufre gazelle girafe
    girouette glacier glycine gorille goyave grenade grenouille griotte guepe guitare hamac
    harpe herisson hibou hirondelle homard horloge houblon iguane jacinthe jardin jonquille
    kayak kiwi koala lagune lampion lanterne lavande libellule lierre limace lionceau loutre
    luciole lupin luzerne lynx macaron magnolia mandarine mangue marmotte marron mascotte
    melon merle mesange meteore mimosa mirabelle moineau montgolfiere morse moufle muguet
    myrtille narcisse navet nenuphar noisette nuage ocean olive orage orchidee ortie otarie
    oursin panda papaye papillon paquebot parapluie pastel pasteque pelican pervenche phare
    phoque piano pieuvre pigeon piment pingouin pinson pistache planete poivron pollen pomme
    potiron poulpe prairie primevere prune puffin quartz radis raisin renard requin rhubarbe
    rivage roseau rossignol ruisseau sablier safran sapin sardine saule sauterelle scarabee
    sequoia silex sirop sorbet souris tambour tamis tartine taupe theiere tilleul tirelire
    tortue toucan tournesol trefle tulipe turbot vague vanille velo verger violette volcan
    wagon yaourt zebre zeste
    """.split()
)


def generate_password(*, email: str = "", name: str = "") -> str:
    """A random temporary password that passes `password_problem` for this account (checked,
    not assumed: a word could be the colleague's name)."""
    usable = [w for w in WORDS if w not in set(personal_words(email, name))]
    while True:
        words = [secrets.choice(usable) for _ in range(4)]
        candidate = "-".join([*words, f"{secrets.randbelow(90) + 10}"])
        if len(set(words)) == 4 and password_problem(candidate, email=email, name=name) is None:
            return candidate
