#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Serve targetcli command lines to lib.sh's targetcli function.

    targetcli_server.py DIR PID

Reads command lines from the FIFO DIR/req, one per line. Runs each the way
"targetcli LINE" runs it: the installed /usr/bin/targetcli's shell, the
whole tree rescanned from configfs, from the root node, run_cmdline(),
an exception printed to standard error and exit status 1. The command's
standard output and error go to DIR/out and DIR/err; its exit status is
then written as a line to the FIFO DIR/rep. DIR/ready appears once the
shell is up (DIR/failed if it could not start; DIR/log says why).

What this saves per command is the Python start-up and the imports, which
take most of the ~2 s a targetcli call costs in a TCG guest. Exits at the
end of its input or once process PID (the test's shell) is gone.
"""
import os
import select
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from targetcli_batch import load_targetcli  # noqa: E402


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def redirect(path, fd):
    f = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(f, fd)
    os.close(f)


def run(shell, root, line):
    """Run LINE as a one-shot targetcli would; return its exit status."""
    try:
        root.refresh()
        shell._current_node = root
        shell.run_cmdline(line)
    except Exception as e:      # what "targetcli LINE" exits 1 for
        print(str(e), file=sys.stderr)
        return 1
    return 0


def serve(d, pid, shell, root, req, rep):
    buf = b''
    while True:
        ready = select.select([req], [], [], 1.0)[0]
        if not ready:
            if not alive(pid):
                return
            continue
        chunk = os.read(req, 4096)
        if not chunk:
            return
        buf += chunk
        while b'\n' in buf:
            line, buf = buf.split(b'\n', 1)
            sys.stdout.flush()
            sys.stderr.flush()
            redirect(os.path.join(d, 'out'), 1)
            redirect(os.path.join(d, 'err'), 2)
            rc = run(shell, root, line.decode().strip())
            sys.stdout.flush()
            sys.stderr.flush()
            os.write(rep, b'%d\n' % rc)


def main():
    d, pid = sys.argv[1], int(sys.argv[2])
    # Hold no pipe of the test's open: someone may wait for its end.
    os.closerange(3, os.sysconf('SC_OPEN_MAX'))
    try:
        cli = load_targetcli()
        shell = cli.TargetCLI(os.getenv('TARGETCLI_HOME', '~/.targetcli'))
        root = cli.UIRoot(shell, as_root=True)
    finally:
        # "failed" or "ready": the shell opens the FIFOs only after "ready".
        open(os.path.join(d, 'failed'), 'w').close()
    os.rename(os.path.join(d, 'failed'), os.path.join(d, 'ready'))
    req = os.open(os.path.join(d, 'req'), os.O_RDONLY)
    rep = os.open(os.path.join(d, 'rep'), os.O_WRONLY)
    serve(d, pid, shell, root, req, rep)


if __name__ == '__main__':
    main()
