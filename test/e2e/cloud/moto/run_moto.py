# moto_server's own entry point (moto.server.main, what the moto_server script runs), plus one
# thing: it exits when its stdin closes, so it dies with the test process that started it, even
# one killed with SIGKILL.
import os
import sys
import threading

from moto.server import main


def exit_when_parent_goes():
    sys.stdin.buffer.read()
    os._exit(0)


threading.Thread(target=exit_when_parent_goes, daemon=True).start()
main(["-H", "127.0.0.1", "-p", sys.argv[1]])
