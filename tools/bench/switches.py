#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Which tasks a bench job's context switches went to.

    tools/bench/switches.py [FILE...]

Each FILE is a build/guest/KVER/logs/switches-TARGET-JOB.txt, the trace that
tools/bench/targets.sh keeps of a job named in KITT_BENCH_SWITCHES
(sched_switch and workqueue_execute_start events); without FILEs, every
such file of the newest kernel's logs. Each switch is named by the task
switched to; a kernel worker by the work functions it ran before it
switched away again. Counts are per I/O, the I/Os taken from the
bench-raw.txt beside the trace.
"""
import collections
import glob
import os
import re
import sys

EVENT = re.compile(r'^\s*.+?-\d+\s+\[(\d+)\]\s.*?:\s+(\w+):\s+(.*)$')
NEXT = re.compile(r'next_comm=(.+?) next_pid=\d+')
TOP = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')


def task_class(comm):
    """A task's name without its number: fio, idle, kworker."""
    if comm.startswith('kworker/'):
        return 'kworker'
    if comm.startswith('swapper/'):
        return 'idle'
    return re.sub(r'[-/:]?\d+$', '', comm)


def count(path):
    """Switches by what they switched to, and the total."""
    running = {}
    counts = collections.Counter()
    total = 0

    def name(cur):
        works = ','.join(sorted(cur[1]))
        if works:
            return f'{cur[0]}[{works}]'
        return cur[0] + (' (no work)' if cur[0] == 'kworker' else '')

    with open(path, errors='replace') as f:
        for line in f:
            m = EVENT.match(line)
            if not m:
                continue
            cpu, event, rest = int(m.group(1)), m.group(2), m.group(3)
            if event == 'sched_switch':
                n = NEXT.search(rest)
                if not n:
                    continue
                if cpu in running:
                    counts[name(running[cpu])] += 1
                running[cpu] = (task_class(n.group(1)), set())
                total += 1
            elif event == 'workqueue_execute_start' and cpu in running:
                fn = rest.rsplit('function ', 1)[-1].strip()
                running[cpu][1].add(re.sub(r' \[\w+\]$', '', fn))
    for cur in running.values():
        counts[name(cur)] += 1
    return counts, total


def ios_of(path):
    """The job's I/Os from the bench-raw.txt beside its trace."""
    base = os.path.basename(path)
    raw = os.path.join(os.path.dirname(path), 'bench-raw.txt')
    with open(raw) as f:
        for line in f:
            w = line.split()
            if len(w) >= 5 and base == f'switches-{w[0]}-{w[1]}.txt':
                return int(w[4])
    sys.exit(f'{path}: no such job in {raw}')


def report(path):
    ios = ios_of(path)
    counts, total = count(path)
    print(f'{os.path.basename(path)}: {total} switches, {ios} I/Os, '
          f'{total / max(ios, 1):.2f} per I/O')
    for what, n in counts.most_common():
        if n / max(ios, 1) < 0.01:
            break
        print(f'  {n / max(ios, 1):6.2f}  {what}')


def main():
    paths = sys.argv[1:]
    if not paths:
        logs = sorted(glob.glob(os.path.join(TOP, 'build/guest/*/logs')))
        paths = sorted(glob.glob(os.path.join(logs[-1], 'switches-*.txt'))) \
            if logs else []
    if not paths:
        sys.exit('switches.py: no traces (KITT_BENCH_SWITCHES names the jobs)')
    for p in paths:
        report(p)


if __name__ == '__main__':
    main()
