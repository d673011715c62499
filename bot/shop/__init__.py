"""Everything the assistant knows about shops.

`client` (the interface the actions use) and `models` (the wire format) are the contract;
`http_client` implements it over HTTP; `api`, `db`, `rules` and `seed` are the demo shop that
runs on one machine (`python -m bot.shop --help`). Importing this package stays cheap: the
action server imports the client without loading the demo server.
"""
