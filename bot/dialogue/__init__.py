"""The action server's conversation logic (Python 3.11) that does not depend on rasa-sdk:
French wording of shop data, addresses, proof of ownership and its throttle, the hand-off
summary. Pure functions where possible, so that they are unit-tested without a server."""
