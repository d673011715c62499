"""Names of the domain's slots that code outside the action that sets them reads: the
actions, the evaluation, the back office. One spelling, so that renaming a slot in domain.yml
has one place to follow it.
"""

from __future__ import annotations

KB_ENTRY = "kb_entry"  # the knowledge-base entry the bot answered with
KB_TOPIC = "kb_topic"  # its topic, or the topic offered; cleared when the catalogue answered
PRODUCT_SHOWN = "product_shown"  # the SKU of the product the last answer was about
PRODUCT_VARIANT = "product_variant"  # the SKU of its variant that was shown
UNSURE_TURN = "unsure_turn"  # the user turn at which the bot last could not help
