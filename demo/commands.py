"""What can be typed to the demo's supervisor: the virtual printer's commands
(printer/virtual.py; passed on to it), `help`, and the words that stop the
demo. Pure: constants only.
"""

PRINTER_HELP = "paper ok|low|out, cover open|closed, offline|online, mute|answer"
STOP_WORDS = {"stop", "quit", "exit"}
