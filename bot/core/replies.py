"""Every French sentence and button title the bot composes in code, in one catalogue.

The fixed answers that need no data and no logic are `domain.yml` responses (`utter_…`): Rasa
sends them by name, and so do the actions (`dispatcher.utter_message(response="utter_…")`).
Everything else the shopper (or an agent) reads is here, grouped by flow:
- a constant for a fixed sentence;
- a `str.format` template for a sentence with data in it; its placeholders are named for what
  fills them, and tests/dialogue/test_replies.py checks that every caller fills exactly those;
- a small function when the wording itself depends on the data (plurals, optional parts).
Formatting of shop data (dates, amounts, which lines a tracking summary has) stays with the
code that knows the data: bot/dialogue/texts.py and bot/dialogue/handoff.py.

Text is plain: nothing here is escaped, and nothing a shopper wrote may be escaped before it is
put into a template. A channel that renders markup escapes at its edge (none does today: the
widget inserts text as text, Telegram is sent without parse_mode, Messenger shows characters).

Standard library only: the action server (Python 3.11) and the Rasa server's channels
(Python 3.10) both load it.
"""

from __future__ import annotations

from typing import Dict, List

from bot.core import order_numbers

Button = Dict[str, str]


def button(title: str, payload: str) -> Button:
    return {"title": title, "payload": payload}


# -- Buttons ------------------------------------------------------------------------------------
# Each title and payload written once. domain.yml's menus (utter_greet, utter_default) repeat a
# few of them, because Rasa reads its responses from there; the test checks that they agree.
TRACK_ORDER = button("Suivre ma commande", "/track_order")
DELIVERY_DATE = button("Date de livraison de ma commande", "/track_order")
HUMAN = button("Parler à un conseiller", "/human_handoff")
RETURN_ITEM = button("Retourner un article", "/return_item")
CANCEL_MY_ORDER = button("Annuler ma commande", "/cancel_order")
CHANGE_ADDRESS = button("Changer l'adresse", "/change_order")
OPEN_CLAIM = button("Ouvrir une réclamation", "/problem_report")
WAIT = button("Je patiente", "/wait")
YES = button("Oui", "/affirm")
NO = button("Non", "/deny")
HELPFUL = button("👍 Utile", '/faq_feedback{"helpful": "yes"}')
NOT_HELPFUL = button("👎 Pas utile", '/faq_feedback{"helpful": "no"}')
ALL_ITEMS = button("Tous ces articles", "tous")  # after the list of articles to return
# After an agent resolved the case: 5 stars first.
RATINGS: List[Button] = [
    button("⭐" * stars, f'/rate{{"rating": "{stars}"}}') for stars in range(5, 0, -1)
]


# -- Channels (Rasa server) ---------------------------------------------------------------------
# Said when a shopper sends something the assistant cannot read (photo, sticker, voice...).
NOT_TEXT = (
    "Je ne sais lire que les messages écrits : pouvez-vous me décrire votre "
    "demande en quelques mots ?"
)
# The greeting the turn composer puts before an answer, after a shopper who greeted.
HELLO = "Bonjour"
GOOD_EVENING = "Bonsoir"


# -- Proof of ownership (actions/verification.py) -----------------------------------------------
# One answer whether the number is unknown or the proof is wrong: which numbers exist is the
# shop's business, not a guesser's.
NO_MATCH = (
    "Je ne trouve aucune commande qui corresponde à ce numéro et à cette adresse "
    "e-mail ou ce code postal. Vérifiez les deux : le numéro figure dans l'e-mail de "
    "confirmation, envoyé à l'adresse utilisée pour l'achat."
)
PROVE_AGAIN = (
    "Pour protéger vos informations, je dois vérifier à nouveau que la commande est bien la vôtre."
)
# The shop refuses proofs for this order for a while (its own counter).
SHOP_THROTTLED = (
    "Je ne peux pas vérifier cette commande pour le moment : trop d'essais ont "
    "échoué. Réessayez dans quelques minutes, ou demandez un conseiller."
)


def not_an_order_number() -> str:
    """Said when what was typed as the number cannot be one, with the shop's format."""
    return (
        f"Ce numéro ne ressemble pas à un numéro de commande : {order_numbers.current().described}."
    )


NO_CONTACT_FOUND = "Je n'ai pas reconnu d'adresse e-mail ni de code postal dans votre réponse."
ORDER_PROVED = "Merci {first_name}, c'est bien votre commande."
# Third failed proof: a person takes over.
VERIFICATION_LOCKED = (
    "Je n'ai pas pu vérifier cette commande après plusieurs essais : pour protéger les "
    "données de nos clients, je ne peux pas aller plus loin moi-même."
)


def minutes(seconds: float) -> str:
    """'1 minute', '12 minutes' (rounded, never less than one)."""
    count = max(1, round(seconds / 60))
    return f"{count} minute{'s' if count > 1 else ''}"


def throttled(wait_seconds: float) -> str:
    """Too many wrong proofs from this client (bot/dialogue/proof_throttle.py)."""
    return (
        "Il y a eu trop d'essais de vérification infructueux : pour protéger les commandes "
        f"de nos clients, je ne peux pas en vérifier d'autre avant {minutes(wait_seconds)}. "
        "Un conseiller peut vous aider entre-temps."
    )


# -- What a form still needs (actions/faq.py, when the answer was not understood) ---------------
# Said plainly; the form then asks its question again.
SLOT_HINTS = {
    "order_contact": (
        "Pour vérifier la commande, il me faut l'adresse e-mail utilisée pour "
        "l'achat, ou le code postal de livraison (5 chiffres)."
    ),
    "return_skus": "Indiquez l'article à retourner : son numéro dans la liste, ou son nom.",
    "return_reason": (
        "Dites-moi en quelques mots pourquoi vous le retournez : taille, couleur, ne convient pas…"
    ),
    "claim_type": (
        "Dites-moi quel est le problème : un article abîmé, un article manquant, ou "
        "pas le bon article."
    ),
    "new_address": (
        "Écrivez la nouvelle adresse sur une ligne : numéro et rue, code postal, ville."
    ),
    "confirmed": "Répondez simplement par oui ou par non.",
}
NOT_UNDERSTOOD_IN_FORM = "Je n'ai pas bien compris votre réponse."  # any other slot


def slot_hint(slot: str | None) -> str:
    """What the form still needs, said plainly (the order number in the shop's format)."""
    if slot == "order_number":
        return (
            f"Il me faut le numéro de la commande : {order_numbers.current().described}. "
            "Il figure dans l'e-mail de confirmation."
        )
    return SLOT_HINTS.get(slot or "", NOT_UNDERSTOOD_IN_FORM)


# -- Confirmation before anything irreversible (actions/confirmation.py) ------------------------
CANCEL_SUMMARY = (
    "La commande {number} n'est pas encore expédiée, je peux donc l'annuler : elle sera "
    "remboursée sur votre moyen de paiement d'origine. Confirmez-vous l'annulation de "
    "toute la commande ?"
)
RETURN_SUMMARY = (
    "Je récapitule : retour de {items} (commande {number}), motif : "
    "« {reason} ». L'étiquette de retour est gratuite. Je crée le retour ?"
)
QUOTED_ITEM = "« {name} »"  # items are joined with ", "
CHOSEN_ITEM = "l'article choisi"  # when the chosen items are no longer in the order's facts
NO_REASON_GIVEN = "non précisé"  # "motif : « non précisé »"
# A whole parcel marked delivered but not received, after the checks were given.
CLAIM_SUMMARY_NOT_RECEIVED = (
    "Je récapitule : réclamation « colis non reçu » pour la commande {number}. Je l'ouvre ?"
)
# ... before the checks were given: the checks first.
CLAIM_CHECKS_FIRST = (
    "Avant d'ouvrir une réclamation « colis non reçu », vérifiez auprès de vos "
    "voisins, dans votre boîte aux lettres et, si vous l'aviez choisi, au point "
    "relais : un colis marqué livré s'y trouve souvent. Toujours rien ? Je peux "
    "ouvrir la réclamation pour la commande {number}. Je l'ouvre ?"
)
CLAIM_SUMMARY = (
    "Je récapitule : réclamation « {kind} » pour la commande {number} : "
    "« {words} ». Je l'enregistre ?"
)
CLAIM_KINDS = {
    "damaged": "article abîmé",
    "missing": "article manquant",
    "wrong_item": "article non conforme",
}
CLAIM_KIND_UNKNOWN = "problème"
ADDRESS_SUMMARY = (
    "Je récapitule : la commande {number} sera livrée au {address}. Je fais la modification ?"
)
CONFIRM = "Je confirme ?"  # a form without a summary of its own


# -- Leaving a request mid-way (actions/conversation.py) ----------------------------------------
# What was kept, per form: nothing irreversible happens without a yes.
KEPT = {
    "cancel_order_form": "Votre commande est conservée, rien n'a été annulé.",
    "return_item_form": "Aucun retour n'a été créé.",
    "problem_report_form": "Aucune réclamation n'a été ouverte.",
    "change_order_form": "L'adresse de livraison n'est pas modifiée.",
}
# Thanks or goodbye before the request was finished.
CLOSING = {
    "thank": "Je vous en prie !",
    "goodbye": "Au revoir et bonne journée !",
}
COME_BACK = "Revenez quand vous voulez."
STOPPED = "C'est noté, j'arrête là."
ANYTHING_ELSE = "Puis-je vous aider pour autre chose ?"


def leaving(form: str, intent: str | None) -> str:
    """'C'est noté, j'arrête là. <what was kept> Puis-je vous aider pour autre chose ?', or,
    after thanks or a goodbye, the closing formula, what was kept and an invitation."""
    kept = KEPT.get(form, "")
    if intent in CLOSING:
        parts = (CLOSING[intent], kept, COME_BACK)
    else:
        parts = (STOPPED, kept, ANYTHING_ELSE)
    return " ".join(part for part in parts if part)


# -- Tracking (actions/orders.py, bot/dialogue/texts.py) ----------------------------------------
# Keyed by OrderStatus's value ("Votre commande CM… est <label>.").
ORDER_STATUSES = {
    "paid": "payée, en attente de préparation",
    "preparing": "en cours de préparation",
    "shipped": "expédiée",
    "out_for_delivery": "en cours de livraison aujourd'hui",
    "delivered": "livrée",
    "delayed": "en retard de livraison",
    "cancelled": "annulée",
    "returned": "retournée",
}
# The lines of a tracking summary, each present when the shop gave what it needs.
TRACKING_STATUS = "Votre commande {number} est {status}."
TRACKING_CARRIER = "Transporteur : {carrier}, n° de suivi {tracking_number}."
TRACKING_LAST_EVENT = "Dernier événement ({date} à {time}) : {description} – {place}."
TRACKING_DELIVERED = "Livrée le {date}."
TRACKING_PLANNED = "Expédition prévue le {shipping}, livraison prévue le {delivery}."
TRACKING_DUE = "La livraison est prévue le {date}."
TRACKING_WAS_DUE = "La livraison était prévue le {date}."  # a delayed parcel
TRACKING_LINK = "Suivi détaillé : {url}"
# Marked delivered, yet the shopper has nothing: where such parcels usually are, then a claim.
PARCEL_NOT_FOUND_CHECKS = (
    "Le transporteur l'indique comme livré. Un colis marqué livré se trouve "
    "souvent chez un voisin, dans la boîte aux lettres ou à l'accueil de "
    "l'immeuble, ou au point relais choisi. Si vous ne le trouvez toujours pas, "
    "j'ouvre une réclamation « colis non reçu »."
)
DELAY_APOLOGY = (
    "Je suis sincèrement désolé pour ce retard. Que préférez-vous : patienter "
    "encore un peu, ouvrir une réclamation auprès du transporteur, ou parler à "
    "un conseiller ?"
)


# -- Delivery times (actions/delivery.py, bot/dialogue/texts.py) --------------------------------
EXPECTED_ON = "Votre commande {number} est attendue le {date}."
SHIPPING_METHODS_TITLE = "Nos délais de livraison (jours ouvrés, après expédition) :"
SHIPPING_METHOD = "• {name} : {days}, {price}{free}"
ONE_DAY = "{days} jour"
DAYS_RANGE = "{min_days} à {max_days} jours"
SOME_DAYS = "{days} jours"
FREE_ABOVE = ", offerte dès {amount}"
SAME_DAY_SHIPPING = "Les commandes passées avant 14 h sont expédiées le jour même (hors week-end)."


# -- Refunds (actions/refunds.py, actions/cancellations.py, bot/dialogue/texts.py) --------------
REFUND_STATUSES = {"pending": "en attente", "processing": "en cours", "refunded": "effectué"}
REFUND_LINE = "• Remboursement {reference} de {amount} ({reason}) : {status}"
REFUNDED_ON = " le {date}"  # appended to a refund line
REFUND_BY = ", au plus tard le {date}"  # appended to a refund line
REFUNDS_OF_ORDER = "Pour la commande {number} :\n{refunds}"
NO_REFUND_YET = (
    "Aucun remboursement n'est en cours pour la commande {number}. Si vous "
    "avez renvoyé un article, le remboursement est lancé dès réception du "
    "retour dans notre entrepôt (comptez 14 jours au plus)."
)
NO_REFUND = "Aucun remboursement n'est prévu pour la commande {number}."


# -- Cancellation (actions/cancellations.py) ----------------------------------------------------
ALREADY_CANCELLED = "La commande {number} est déjà annulée."
CANNOT_CANCEL = (
    "La commande {number} est déjà partie de notre entrepôt : je ne peux plus "
    "l'annuler. Une fois le colis reçu, vous pourrez la retourner gratuitement "
    "sous 14 jours et être remboursé(e)."
)
CANCELLED = "C'est fait : la commande {number} est annulée."
CANCEL_REFUND = (
    " Vous serez remboursé(e) de {amount} sur votre moyen de "
    "paiement d'origine sous 14 jours au plus."
)  # appended to CANCELLED when the order was paid


# -- Address change (actions/changes.py) --------------------------------------------------------
ASK_NEW_ADDRESS = (
    "Votre commande n'est pas encore expédiée : je peux changer l'adresse de "
    "livraison. Quelle est la nouvelle adresse (numéro et rue, code postal, "
    "ville) ?"
)
ADDRESS_CANNOT_CHANGE = (
    "La commande {number} est déjà expédiée (ou clôturée) : je ne peux plus "
    "modifier son adresse. Pour un autre changement (facturation, contenu), "
    "un conseiller peut vous aider."
)
ADDRESS_KEPT = "C'est noté : l'adresse de livraison n'est pas modifiée."
ADDRESS_CHANGED = "C'est noté : la commande {number} sera livrée au {line1}, {postcode} {city}."
ADDRESSEE = "Client"  # the name on the new address when the order has no first name


# -- Returns (actions/returns.py) ---------------------------------------------------------------
RETURN_ITEMS_INTRO = "Voici les articles de votre commande :"
RETURN_ITEM_LINE = "{position}. {name}"
RETURN_ITEM_BLOCKED = "– {name} : ne peut pas être retourné ({reason})"
RETURN_WHICH = "Quel article souhaitez-vous retourner ?"
RETURN_KEPT = "C'est noté : aucun retour n'a été créé."
RETURN_REASON_UNKNOWN = "non précisée"  # the reason sent to the shop when none was given
RETURN_CREATED = (
    "Votre retour est enregistré sous le numéro {rma}.\n"
    "Étiquette de retour gratuite : {label_url}\n{instructions}\n"
    "Vous serez remboursé(e) sous {refund_days} jours après réception "
    "du colis dans notre entrepôt."
)
# A request the shop approves first (Shopify): no label yet, the shop's own instructions.
RETURN_REQUESTED = (
    "Votre demande de retour est enregistrée sous le numéro {rma}.\n{instructions}\n"
    "Vous serez remboursé(e) sous {refund_days} jours après réception du colis."
)
RETURN_NOT_YET_DELIVERED = (
    "La commande {number} n'est pas encore livrée : vous pourrez retourner ses "
    "articles dans les 14 jours suivant la réception."
)
RETURN_CANCELLED = "La commande {number} a été annulée : il n'y a rien à retourner."
NOTHING_RETURNABLE = "Aucun article de la commande {number} ne peut être retourné :\n{reasons}"
BLOCKED_ITEM = "– {name} : {reason}"  # one line of NOTHING_RETURNABLE's reasons


# -- Problem reports (actions/claims.py) --------------------------------------------------------
CLAIM_NOT_SHIPPED = (
    "La commande {number} n'a pas encore été expédiée, il n'y a donc pas "
    "de colis à signaler. Voulez-vous suivre sa préparation ?"
)
CLAIM_KEPT = "C'est noté : aucune réclamation n'a été ouverte."
CLAIM_CREATED = (
    "Je suis désolé pour ce désagrément. Votre réclamation est enregistrée sous "
    "la référence {reference}. {resolution}"
)
# What the shop decided (Claim.resolution); otherwise the shop's own message is said.
CLAIM_RESOLUTIONS = {
    "reship": "Nous vous renvoyons l'article sans frais dès aujourd'hui.",
    "refund": "Nous vous remboursons l'article sous 14 jours au plus.",
    "investigation": (
        "Nous ouvrons une enquête auprès du transporteur ; réponse sous 48 h ouvrées par e-mail."
    ),
}


# -- "Can I…?" questions (actions/possibility.py) -----------------------------------------------
# The shop's general rule, per request, when no verified order says more.
RULES = {
    "cancel_order": (
        "Une commande peut être annulée tant qu'elle n'est pas expédiée : elle est "
        "alors remboursée sous 14 jours. Une fois partie, elle ne peut plus être "
        "annulée, mais vous pourrez la retourner gratuitement dans les 14 jours "
        "suivant la réception."
    ),
    "return_item": (
        "Vous pouvez retourner un article dans les 14 jours suivant la réception, "
        "gratuitement (étiquette prépayée), s'il n'a pas été porté et, pour un "
        "cosmétique ou un parfum, s'il n'a pas été ouvert. Pour un cadeau, la "
        "personne qui l'a reçu peut faire le retour elle-même avec le numéro de "
        "commande et le code postal de livraison ; le remboursement va à "
        "l'acheteur."
    ),
    "change_order": (
        "L'adresse de livraison peut être modifiée tant que la commande n'est pas "
        "expédiée ; ensuite, le transporteur propose souvent de choisir un autre "
        "lieu ou jour de livraison depuis son lien de suivi."
    ),
}
# The button that does it, offered with a rule that allows it.
DO_IT = {
    "cancel_order": CANCEL_MY_ORDER,
    "return_item": RETURN_ITEM,
    "change_order": CHANGE_ADDRESS,
}
# The rule applied to the shopper's verified order.
CAN_CANCEL = (
    "Oui : la commande {number} n'est pas encore expédiée, vous pouvez "
    "l'annuler à tout moment d'ici là, et elle sera remboursée sous 14 jours."
)
CANNOT_CANCEL_SHIPPED = (
    "La commande {number} est déjà expédiée : elle ne peut plus être annulée. "
    "Si elle arrive trop tard, vous pourrez la retourner gratuitement dans les "
    "14 jours suivant la réception, et elle vous sera remboursée."
)
CAN_RETURN = (
    "Oui : des articles de la commande {number} peuvent encore être "
    "retournés, gratuitement, dans les 14 jours suivant la réception."
)
CANNOT_RETURN = "Les articles de la commande {number} ne peuvent plus être retournés ({reasons})."
ITEM_REASON = "{name} : {reason}"  # CANNOT_RETURN's reasons, joined with "; "
CAN_CHANGE_ADDRESS = (
    "Oui : la commande {number} n'est pas encore expédiée, son adresse de "
    "livraison peut encore être changée."
)
CANNOT_CHANGE_ADDRESS = (
    "La commande {number} est déjà expédiée : son adresse ne peut plus être changée chez nous."
)


# -- Products (actions/products.py, actions/product_texts.py) ---------------------------------
PRODUCTS_FOUND = "Voici ce que j'ai trouvé :"
PRODUCTS_NEAREST = "Je n'ai pas exactement cela ({missing}), mais voici le plus proche :"
PRODUCT_NOT_FOUND = (
    "Je ne trouve pas ce produit dans notre catalogue. Pouvez-vous me donner son nom exact "
    "ou sa marque ?"
)
PRODUCT_LINE = "• {name} – {brand} ({variant}) : {price}, {availability}\n  {url}"
PRODUCT_IN_STOCK = "en stock, livré en {days}"
PRODUCT_FEW_LEFT = "plus que {count} en stock, livré en {days}"
PRODUCT_OUT_OF_STOCK = "en rupture de stock"
PRODUCT_BACK_ON = "en rupture, de retour vers le {date}"
PRODUCT_ALTERNATIVE = "En attendant, celui-ci est disponible tout de suite :"
PRODUCT_MISSES = {  # what a near product does not meet, after "Je n'ai pas exactement cela ("
    "size": "pas dans cette taille",
    "colour": "pas dans cette couleur",
    "volume_ml": "pas dans cette contenance",
    "capacity": "pas dans cette capacité",
    "max_price": "pas dans ce budget",
    "brand": "pas de cette marque",
    "recipient": "pas pour cette personne",
    "type": "pas ce modèle",
}
PRODUCT_DETAILS = "{name} – {brand}\n{description}\n{variants}\n{url}"
PRODUCT_VARIANT_LINE = "• {variant} : {price}, {availability}"
PRODUCT_VARIANT_FITS = "Oui, {name} existe en {variant} : {price}, {availability}."
PRODUCT_VARIANT_GONE = "{name} en {variant} ({price}) est {availability}."
PRODUCT_VARIANT_MISSING = "{name} n'existe pas {asked}. Il existe en : {options}."
PRODUCT_PRICE = "{name} est à {price} en {variant}, {availability}."
PRODUCT_SAME_PRICE = "Oui, c'est le même prix en {variant} : {price}."
PRODUCT_OTHER_PRICE = "En {variant}, c'est {price} (contre {previous} en {previous_variant})."
# What a follow-up asked for, after "n'existe pas "
PRODUCT_ASKED_SIZE = "en taille {value}"
PRODUCT_ASKED_IN = "en {value}"  # a colour, a capacity
PRODUCT_ASKED_VOLUME = "en {value} ml"
PRODUCT_ASKED_BELOW = "à moins de {value}"
PRODUCT_GONE = "Ce produit n'est plus vendu par la boutique."
CATALOGUE_UNAVAILABLE = (
    "Je ne peux pas consulter le catalogue pour le moment. Un conseiller peut vous renseigner."
)


# -- Knowledge base (actions/knowledge.py, actions/faq.py, actions/feedback.py) -----------------
KB_CHOOSE = (
    "Je ne suis pas certain de bien comprendre. Votre question est-elle l'une de celles-ci ?"
)
KB_NEAREST = (
    "Je n'ai pas de réponse sûre à cette question. Voici les questions les plus "
    "proches que je connais ; sinon, reformulez-la ou demandez un conseiller."
)
KB_NOTHING = (
    "Je n'ai pas trouvé de réponse sûre à votre question. Pouvez-vous la "
    "formuler autrement, ou voulez-vous parler à un conseiller ?"
)
FEEDBACK_THANKS = "Merci pour votre retour !"  # feedback without an entry to attach it to
FEEDBACK_HELPFUL = "Merci pour votre retour ! Autre chose ?"
FEEDBACK_UNHELPFUL = (
    "Merci, je le signale à l'équipe pour améliorer cette réponse. "
    "Voulez-vous poser la question autrement, ou parler à un conseiller ?"
)


# -- Hand-off to a person (actions/handoff.py, actions/failures.py, bot/dialogue/handoff.py) ------
# The shop's API is failing (actions/failures.py): said before the hand-off.
SHOP_DOWN = "Toutes mes excuses : notre système de commandes ne répond pas pour le moment."
# The back office cannot take the case: how to reach the team instead of promising a person.
CONTACT_DETAILS = (
    "Je ne peux pas vous transférer à un conseiller pour le moment. Notre équipe vous "
    "répond par e-mail à {email} ou par téléphone au {phone}, {hours}. Indiquez votre "
    "numéro de commande, cela ira plus vite."
)
SORRY_UPSET = "Je suis désolé pour ce désagrément, je comprends votre mécontentement. "
# Someone is there: the expected wait.
HANDED_OVER = (
    "Je vous mets en relation avec un conseiller, qui a déjà le résumé de notre "
    "échange : il vous répond ici {eta}. Vous pouvez continuer à écrire, il lira tout."
)
ETA_NOW = "dans un instant"
ETA_MINUTES = "dans {minutes} minutes environ"
# Nobody is there: when.
CLOSED_NOW = "Notre service client est fermé pour le moment"
NOBODY_AVAILABLE = "Aucun conseiller n'est disponible pour le moment"
LEAVE_A_MESSAGE = (
    "{why}. Laissez-nous votre message ici, avec tous les détails utiles : un "
    "conseiller vous répondra dans cette conversation {when}."
)
AS_SOON_AS_POSSIBLE = "dès que possible"
AT_DAY_AND_HOUR = "{day} à {hour}"  # "lundi 30 novembre à 9 h"
HOUR = "{hour} h"
HOUR_MINUTES = "{hour} h {minutes:02d}"
# A question the knowledge base answered while the case waits for an agent.
AGENT_WILL_FOLLOW_UP = "Un conseiller reprendra aussi votre demande dès que possible."
AGENT_SAYS = "{name} (service client) : {text}"
AGENT = "Conseiller"  # when the back office sent no name
# Before an agent's first reply in a case (the widget shows it as a note, not a bubble).
AGENT_JOINED = "{name}, du service client, a rejoint la conversation."
# A damaged-item claim sent with the shopper's photo (actions/claims.py).
PHOTO_FORWARDED = "Votre photo a été transmise à la boutique avec votre réclamation."
# For the agent (HandoffRequest): the shopper's mood, and their request by intent.
UPSET_MOOD = "mécontent"
REQUESTS = {
    "track_order": "Suivi de commande",
    "delivery_time": "Délais de livraison",
    "cancel_order": "Annulation de commande",
    "return_item": "Retour d'article",
    "refund_status": "Suivi de remboursement",
    "problem_report": "Problème sur une commande (colis abîmé, article manquant…)",
    "change_order": "Modification de commande",
    "faq": "Question générale",
}
REQUEST_QUOTED = "{request} — « {words} »"
# After hours, the reply also by e-mail (actions/handoff.py, bot/backoffice/mail): offered once
# per conversation, with what the address is for and how long it is kept.
EMAIL_OFFER = (
    "Voulez-vous aussi recevoir sa réponse par e-mail, avec un lien pour revenir à cette "
    "conversation ? Votre adresse ne servira qu'à cela ; elle est effacée avec la conversation, "
    "au plus tard {kept} après votre dernier message."
)
EMAIL_YES = button("Oui, par e-mail", "/affirm")
EMAIL_NO = button("Non merci", "/deny")
EMAIL_ASK = "Très bien : quelle est votre adresse e-mail ?"
EMAIL_ASK_AGAIN = (
    "Je n'ai pas reconnu d'adresse e-mail dans votre message. Pouvez-vous l'écrire à nouveau, "
    "par exemple : prenom.nom@exemple.fr ?"
)
EMAIL_GIVEN = (
    "C'est noté : la réponse du conseiller vous sera aussi envoyée à {email}, avec un lien "
    "pour revenir à cette conversation."
)
EMAIL_DECLINED = "Entendu : le conseiller vous répondra ici, dans cette conversation."
EMAIL_GIVEN_UP = (
    "Je ne reconnais toujours pas d'adresse e-mail, désolé. Le conseiller vous répondra ici, "
    "dans cette conversation : vous la retrouverez en revenant sur le site."
)
EMAIL_NOT_SAVED = (
    "Je n'ai pas pu enregistrer votre adresse pour le moment, désolé. Le conseiller vous "
    "répondra ici, dans cette conversation : vous la retrouverez en revenant sur le site."
)


# -- Delay notices: the bot writes first (actions/notices.py) ----------------------------------
STOP_NOTICES = button("Ne plus me prévenir", "/stop_notices")
DELAY_NOTICE = (
    "Bonjour, je reviens vers vous au sujet de votre commande {number} : elle a pris du "
    "retard, et nous en sommes sincèrement désolés. {when} Vous pouvez patienter, ouvrir une "
    "réclamation ou parler à un conseiller."
)
DELAY_NEW_DATE = "Elle devrait maintenant vous être livrée le {date}."
DELAY_NO_DATE = "Le transporteur ne nous a pas encore communiqué de nouvelle date."
NOTICES_STOPPED = (
    "C'est noté : je ne vous écrirai plus de moi-même au sujet de vos commandes. Vous pouvez "
    "toujours me poser vos questions ici."
)
NOTICES_NOT_STOPPED = (
    "Je n'ai pas pu enregistrer votre demande pour le moment : réessayez dans quelques "
    "minutes, ou écrivez-nous à {email}."
)
