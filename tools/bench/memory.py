#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Kernel memory per idle connection and per idle session of an iSCSI target.

Usage: memory.py TARGET_IQN COUNT [raw]

Guest side of tools/bench/run (run by targets.sh with PYTHONPATH holding
tools/testing). Opens COUNT TCP connections to 127.0.0.1:3260 and waits,
then logs each one in as a normal session of its own (one ISID each) and
waits again; prints "CONN_BYTES SESS_BYTES": the kernel memory each
connection took before its login, and each idle session (its connection
included) once logged in. Kernel memory is unreclaimable slab, vmalloc and
per-CPU memory as /proc/meminfo shows them. Both ends of each TCP
connection are in it (the peer is this process), and so is anything else
the kernel did meanwhile: an estimate, good to a KiB or so with COUNT 32.
With "raw", the three readings go to stderr too.
"""
import sys
import time

from iscsi_peer import Peer

INITIATOR = 'iqn.2003-01.org.example.lab:bench-memory'
# Every key offered with its default, so that the target only answers
# (iscsi_peer would echo a target's offer of "CRC32C,None" back as is).
KEYS = [('HeaderDigest', 'None'), ('DataDigest', 'None'),
        ('ImmediateData', 'Yes'), ('InitialR2T', 'Yes'),
        ('MaxBurstLength', '262144'), ('FirstBurstLength', '65536'),
        ('DefaultTime2Wait', '2'), ('DefaultTime2Retain', '20'),
        ('MaxOutstandingR2T', '1'), ('ErrorRecoveryLevel', '0'),
        ('DataPDUInOrder', 'Yes'), ('DataSequenceInOrder', 'Yes'),
        ('MaxConnections', '1')]


def kernel_bytes():
    """Unreclaimable slab (large kmalloc included), vmalloc and per-CPU
    memory: where a target's connections and sessions live. Free pages are
    no measure: the per-CPU page lists hide megabytes of them."""
    info = {}
    with open('/proc/meminfo') as f:
        for line in f:
            name, value = line.split(':')
            info[name] = int(value.split()[0]) * 1024
    return info['SUnreclaim'] + info['VmallocUsed'] + info['Percpu']


def settled():
    """Memory once the target has handled what was just sent, and ended
    what it was ending (the bench's session frees its buffers): two
    readings 2 s apart within 64 KiB of each other."""
    last = kernel_bytes()
    for _ in range(15):
        time.sleep(2)
        now = kernel_bytes()
        if abs(now - last) < 64 * 1024:
            return now
        last = now
    return now


def main():
    target, count = sys.argv[1], int(sys.argv[2])
    before = settled()
    peers = [Peer('127.0.0.1') for _ in range(count)]
    connected = settled()
    for i, p in enumerate(peers):
        p.isid = bytes([0x80, 0x4b, 0x49, 0x54, i >> 8, i & 0xff])
        # One ITT for the whole login, as iscsi_target_mod insists.
        p.next_itt = lambda: 0x100
        p.login(INITIATOR, target, keys=KEYS)
    logged_in = settled()
    for p in peers:
        p.logout()
        p.close()
    if len(sys.argv) > 3:
        print(before, connected, logged_in, file=sys.stderr)
    print((connected - before) // count, (logged_in - before) // count)


if __name__ == '__main__':
    try:
        main()
    except (OSError, RuntimeError) as e:
        sys.exit('memory.py: %s' % e)
