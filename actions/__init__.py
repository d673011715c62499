"""Custom actions, one module per feature; rasa-sdk imports them all at start-up, so they
stay thin and load nothing heavy at import time."""
