#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Serve targetcli command lines to lib.sh's targetcli function.

    targetcli_server.py DIR PID

Reads requests from the FIFO DIR/req, one per line: the caller's working
directory, a tab, the command line. Runs each the way "targetcli LINE"
runs it: the installed /usr/bin/targetcli's shell, its preferences read
again, a new root scanned from configfs, run_cmdline(), an exception
printed to standard error and exit status 1 (255 if the scan failed). The command's
standard output and error go to DIR/out and DIR/err; its exit status is
then written as a line to the FIFO DIR/rep. DIR/ready appears once the
shell is up (DIR/failed if it could not start; DIR/log says why).

What this saves per command is the Python start-up and the imports, which
take most of the ~2 s a targetcli call costs in a TCG guest. Exits at the
end of its input or once process PID (the test's shell) is gone.
"""
import os
import select
import shutil
import sys



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


def run(cli, shell, line):
    """Run LINE as a one-shot targetcli would; return its exit status."""
    try:
        try:
            shell.prefs.load()
        except OSError:         # none saved yet: the defaults
            pass
        root = cli.UIRoot(shell, as_root=True)
        root.refresh()
    except Exception as e:      # what targetcli exits 255 for
        print(str(e))
        return 255
    try:
        shell.run_cmdline(line)
    except Exception as e:      # what "targetcli LINE" exits 1 for
        print(str(e), file=sys.stderr)
        return 1
    return 0


def serve(d, pid, cli, shell, req, rep):
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
            cwd, _, line = line.decode(errors='surrogateescape').partition('\t')
            sys.stdout.flush()
            sys.stderr.flush()
            redirect(os.path.join(d, 'out'), 1)
            redirect(os.path.join(d, 'err'), 2)
            try:
                os.chdir(cwd)
                rc = run(cli, shell, line.strip())
            except BaseException as e:  # noqa: B902 - never leave the shell waiting
                print('targetcli server: %r' % e, file=sys.stderr)
                rc = 1
            sys.stdout.flush()
            sys.stderr.flush()
            os.write(rep, b'%d\n' % rc)


def main():
    d, pid = sys.argv[1], int(sys.argv[2])
    # Hold no pipe of the test's open: someone may wait for its end.
    os.closerange(3, os.sysconf('SC_OPEN_MAX'))
    try:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from targetcli_batch import load_targetcli
        cli = load_targetcli()
        shell = cli.TargetCLI(os.getenv('TARGETCLI_HOME', '~/.targetcli'))
    except BaseException:
        open(os.path.join(d, 'failed'), 'w').close()
        raise
    # The shell opens the FIFOs only once "ready" is there.
    open(os.path.join(d, 'ready.tmp'), 'w').close()
    os.rename(os.path.join(d, 'ready.tmp'), os.path.join(d, 'ready'))
    req = os.open(os.path.join(d, 'req'), os.O_RDONLY)
    rep = os.open(os.path.join(d, 'rep'), os.O_WRONLY)
    try:
        serve(d, pid, cli, shell, req, rep)
    finally:
        shutil.rmtree(d, ignore_errors=True)


if __name__ == '__main__':
    main()
