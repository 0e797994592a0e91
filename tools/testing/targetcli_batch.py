#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Run targetcli commands, one per line of standard input, in one shell.

Each line is what would follow "targetcli" on a command line, and runs the
way "targetcli LINE" runs it (the installed /usr/bin/targetcli's shell,
run_cmdline): only the Python start-up and the first scan of configfs,
which take seconds each in a TCG guest, happen once instead of per
command. Prints "+ targetcli LINE" and the command's output; a command
that fails prints "FAILED: LINE: why" and the others still run. Exits 1
if any failed.
"""
import importlib.machinery
import importlib.util
import os
import sys

TARGETCLI = '/usr/bin/targetcli'


def load_targetcli():
    loader = importlib.machinery.SourceFileLoader('targetcli_cli', TARGETCLI)
    spec = importlib.util.spec_from_loader('targetcli_cli', loader)
    cli = importlib.util.module_from_spec(spec)
    loader.exec_module(cli)
    return cli


def main():
    cli = load_targetcli()
    shell = cli.TargetCLI(os.getenv('TARGETCLI_HOME', '~/.targetcli'))
    cli.UIRoot(shell, as_root=True).refresh()
    failed = 0
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        print('+ targetcli %s' % line, flush=True)
        try:
            shell.run_cmdline(line)
        except Exception as e:      # what "targetcli LINE" exits 1 for
            print('FAILED: %s: %s' % (line, e), flush=True)
            failed += 1
        sys.stdout.flush()
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
