"""Code that the Rasa server imports (Python 3.10): keep it free of 3.11-only syntax and deps."""
