"""Everything that runs inside the Rasa server (Python 3.10, .venv-rasa), and only there:
the launcher (`python -m bot.rasa run …`) and its patches (`intent_guard`, `turn_composer`,
`speedups`), the chat channels (`channels`), the NLU components (`nlu`), the dialogue policies
(`policies`) and the tracker store. It may import `bot.core` and `bot.nlu`, nothing else of
Comptoir (tests/test_layout.py)."""
