# moto_server, run through its own entry point (moto.server.main, what the moto_server script
# runs) with the same arguments, plus one thing: it exits when its stdin closes, so it dies with
# the test process that started it, even one killed with SIGKILL. Named moto_server.py so that
# `pgrep -f moto_server` finds it like the real script.
import os
import sys
import threading

from moto.server import main


def exit_when_parent_goes():
    sys.stdin.buffer.read()
    os._exit(0)


threading.Thread(target=exit_when_parent_goes, daemon=True).start()
main(sys.argv[1:])
