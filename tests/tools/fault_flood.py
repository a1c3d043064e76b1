#!/usr/bin/python3
"""A hostile local process for the fault matrix: connects to a worker socket
and misbehaves without ever saying hello.

Usage: fault_flood.py SOCKET [IDLE]
  Opens IDLE (default 64) connections that never send a byte, one that sends
  a frame header announcing 4 GiB, and one that streams random bytes until the
  peer closes it (at most 16 MiB). Prints "ready", then, for every line read
  from standard input, one JSON object: how many of each are still open.
"""
import json
import os
import select
import socket
import sys


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    s.setblocking(False)
    return s


def closed_by_peer(s):
    try:
        r, _, _ = select.select([s], [], [], 0)
        if not r:
            return False
        return s.recv(65536) == b""
    except OSError:
        return True


def main(argv):
    path = argv[1]
    idle = [connect(path) for _ in range(int(argv[2]) if len(argv) > 2 else 64)]
    header = connect(path)
    header.send(b"\xff\xff\xff\xff")
    garbage = connect(path)
    sent, garbage_closed = 0, False
    while sent < (16 << 20) and not garbage_closed:
        try:
            _, w, _ = select.select([], [garbage], [], 2.0)
            if not w:
                break  # the peer stopped reading; the state report says whether it closed
            sent += garbage.send(os.urandom(65536))
        except (BrokenPipeError, ConnectionResetError):
            garbage_closed = True
    print("ready", flush=True)
    for _ in sys.stdin:
        idle = [s for s in idle if not closed_by_peer(s)]
        header_open = header is not None and not closed_by_peer(header)
        if not header_open:
            header = None
        garbage_closed = garbage_closed or closed_by_peer(garbage)
        print(json.dumps({"idle_open": len(idle), "header_open": header_open,
                          "garbage_open": not garbage_closed, "garbage_sent": sent}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
