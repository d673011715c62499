"""Measuring the knowledge base: `python -m bot.tools.kb eval | tune | bench | checksums`."""
