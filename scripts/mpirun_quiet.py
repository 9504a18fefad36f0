"""Runs mpirun and passes its stderr through, without the two boxes Open MPI adds when a
rank exits with a non-zero status (scripts/mpirun.sh starts it; docs/reliability.md).

usage: python3 scripts/mpirun_quiet.py mpirun [ARGS]...

Dropped, and only these: the box "Primary job terminated normally, but N process(es) returned
a non-zero exit code..." and the box "mpirun detected that one or more processes exited with
non-zero status...". stratsim has already printed one "stratsim: error:" line and the exit
code says the rest. Every other line passes unchanged, Open MPI's other messages included
(a rank killed by a signal, an executable that cannot start).

The exit code is mpirun's (128 + N when mpirun itself dies of signal N). SIGTERM, SIGINT,
SIGHUP, SIGUSR1 and SIGUSR2 received here are sent to mpirun once. mpirun runs in its own
process group, so a Ctrl-C in a terminal reaches it once, through here: twice within a short
time makes mpirun kill itself at once and leave its ranks running.
"""
import os
import re
import signal
import subprocess
import sys
import threading

DASHES = re.compile(rb"^-{40,}$")
KNOWN = re.compile(rb"^(Primary job +terminated normally, but|"
                   rb"mpirun detected that one or more processes exited with non-zero status)")
FORWARDED = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2)


class Filter:
    """Holds back a box (dashes, text, dashes) only while it may be one of the two."""

    def __init__(self, out):
        self.out = out
        self.box = []       # held lines: the opening dashes, then the box's text
        self.known = False  # the held box is one of the two

    def emit(self, lines):
        for line in lines:
            self.out.write(line)
        self.out.flush()

    def line(self, line):
        bare = line.rstrip(b"\r\n")
        if not self.box:
            if DASHES.match(bare):
                self.box = [line]
            else:
                self.emit([line])
        elif len(self.box) == 1:              # the line after the opening dashes decides
            if DASHES.match(bare):            # two rules in a row: the first was no box
                self.emit(self.box)
                self.box = [line]
            elif KNOWN.match(bare):
                self.box.append(line)
                self.known = True
            else:
                self.emit(self.box + [line])
                self.box = []
        elif DASHES.match(bare):              # the closing dashes of a known box
            self.box, self.known = [], False
        elif bare.startswith(b"stratsim"):    # never hold back our own lines
            self.emit([line])
        else:
            self.box.append(line)

    def end(self):
        self.emit(self.box)  # an unfinished box is shown as it is
        self.box = []


def main(argv):
    if not argv:
        sys.exit("usage: mpirun_quiet.py mpirun [ARGS]...")
    child = None

    def forward(signum, frame):
        if child is not None and child.poll() is None:
            os.kill(child.pid, signum)

    for sig in FORWARDED:
        signal.signal(sig, forward)
    try:
        child = subprocess.Popen(argv, stderr=subprocess.PIPE, process_group=0)
    except OSError as err:
        sys.stderr.write(f"mpirun.sh: cannot start {argv[0]}: {err.strerror}\n")
        sys.exit(127)
    filt = Filter(sys.stderr.buffer)
    lock = threading.Lock()

    def read():
        for line in iter(child.stderr.readline, b""):
            with lock:
                filt.line(line)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    rc = child.wait()
    # a process mpirun left behind may hold its stderr open: wait for the rest only briefly
    reader.join(timeout=2)
    with lock:
        filt.end()
    sys.stdout.flush()
    os._exit(rc if rc >= 0 else 128 - rc)


if __name__ == "__main__":
    main(sys.argv[1:])
