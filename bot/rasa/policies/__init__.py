"""Dialogue policies that Rasa imports (Python 3.10): nothing here may need Python 3.11."""
