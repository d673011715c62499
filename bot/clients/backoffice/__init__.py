"""The contract between the conversation (action server) and the back office (agents).

Both sides import these wire models so that a field renamed on one side fails on the other's
tests, not in production. Nothing here imports Rasa or FastAPI.
"""
