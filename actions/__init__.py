"""Custom actions, one module per feature; rasa-sdk imports them all at start-up, so they
stay thin and load nothing heavy at import time.

With COMPTOIR_KB_WARM_UP=1 (the Procfile sets it) the knowledge base loads its encoder and
index in the background as the server starts, instead of during the first shopper's question
(≈ 3–4 s on 2 cores). Tests leave it off.
"""

from bot.settings import get_settings

if get_settings().kb_warm_up:
    import logging
    import threading

    def _warm_up() -> None:
        from bot import kb

        try:
            logging.getLogger(__name__).info("knowledge base warm: version %s", kb.warm_up())
        except kb.KBError:
            logging.getLogger(__name__).exception("knowledge base warm-up failed")

    threading.Thread(target=_warm_up, name="kb-warm-up", daemon=True).start()
