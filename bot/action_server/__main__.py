"""`python -m bot.action_server`: see bot/action_server/server.py. The code lives in a named
module because Sanic's workers are new processes that unpickle the app factory by module name,
which `__main__` is not."""

from bot.action_server.server import main

main()
