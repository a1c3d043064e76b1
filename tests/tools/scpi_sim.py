#!/usr/bin/python3
"""A SCPI instrument simulator for Acquila's tests: one instrument with a power supply, a
multimeter that measures it, and a motion controller, served on a TCP port of 127.0.0.1
(--tcp [--port N], any number of connections at once) or on two pseudo-terminals (--pty).
Prints "PORT <n>" or "PTY <path> <path>" on its first line.

Options:
  --port N          the TCP port (default: any free one); another simulator may take the port of
                    one that died
  --link PREFIX     with --pty: also makes the symbolic links PREFIX0 and PREFIX1 to the two
                    terminals (replacing older ones), names that outlive a restart as
                    /dev/serial/by-id/... names do
  --queued-errors N starts with N errors in the error queue, as an earlier session may leave it
  --fault KIND --after N [--on CMD] [--for S]
                    one fault, at the (N+1)-th query CMD (default MEAS:VOLT?) the instrument gets
                    on any connection, so it strikes at a chosen point of a scan; it prints
                    "FAULT <kind>" as it strikes:
                    die      the simulator kills itself with SIGKILL (no reply, every
                             connection closed by the kernel);
                    drop     that connection is closed (TCP; the simulator goes on serving others);
                    hang     that connection answers nothing for S seconds (never without
                             --for), then answers that query and the later ones, late
                             (printing "LATE" once the late reply is out);
                    garbage  that query is answered with bytes that are not text, then a line end.

Commands: *IDN?  *RST  SYST:ERR?  SOUR:VOLT <v>  SOUR:VOLT?  MEAS:VOLT?  POS <x>  POS?  MOV?
Faults on request: SIM:HANG (never answer again), SIM:DROP (close the connection),
SIM:GARBAGE (the next query is answered with bytes that are not text and no line end),
SIM:DELAY <s> (answer every later query after <s> seconds).
Out-of-range values and unknown commands go to the error queue, as instruments do.
"""
import os, signal, socket, sys, threading, time, tty


def option(name, default=None, kind=str):
    return kind(sys.argv[sys.argv.index(name) + 1]) if name in sys.argv else default


state = {"volt": 0.0, "pos": 0.0, "target": 0.0, "t0": 0.0, "delay": 0.0, "hang": False, "garbage": False,
         "errors": ['-113,"Undefined header"'] * option("--queued-errors", 0, int)}
fault = {"kind": option("--fault"), "after": option("--after", 0, int), "on": option("--on", "MEAS:VOLT?").upper(),
         "for": option("--for", None, float), "seen": 0}
SPEED = 20.0  # position units per second
lock = threading.Lock()  # the instrument's state, shared by its connections


def position():
    elapsed = time.monotonic() - state["t0"]
    start, target = state["pos"], state["target"]
    step = SPEED * elapsed
    return target if abs(target - start) <= step else start + step * (1 if target > start else -1)


def handle(line):
    """Returns the reply (str), None for no reply, or 'DROP'."""
    cmd, _, arg = line.strip().partition(" ")
    cmd = cmd.upper()
    if cmd == "*IDN?":
        return "Acquila,SimInstrument,0001,1.0"
    if cmd == "*RST":
        state.update(volt=0.0, errors=[])
        return None
    if cmd == "SYST:ERR?":
        return state["errors"].pop(0) if state["errors"] else '0,"No error"'
    if cmd == "SOUR:VOLT":
        try:
            v = float(arg)
        except ValueError:
            state["errors"].append('-104,"Data type error"')
            return None
        if not -30.0 <= v <= 30.0:
            state["errors"].append('-222,"Data out of range"')
            return None
        state["volt"] = v
        return None
    if cmd == "SOUR:VOLT?":
        return repr(state["volt"])
    if cmd == "MEAS:VOLT?":
        return repr(state["volt"] * 0.999 + 0.001)
    if cmd == "POS":
        state["pos"], state["t0"], state["target"] = position(), time.monotonic(), float(arg)
        return None
    if cmd == "POS?":
        return repr(position())
    if cmd == "MOV?":
        return "1" if position() != state["target"] else "0"
    if cmd == "SIM:HANG":
        state["hang"] = True
        return None
    if cmd == "SIM:DROP":
        return "DROP"
    if cmd == "SIM:GARBAGE":
        state["garbage"] = True
        return None
    if cmd == "SIM:DELAY":
        state["delay"] = float(arg)
        return None
    state["errors"].append('-113,"Undefined header"')
    return None


def strike(line):
    """The fault of --fault due at this command line, or None (counts the queries it names)."""
    if not fault["kind"] or line.strip().split(" ")[0].upper() != fault["on"]:
        return None
    fault["seen"] += 1
    return fault["kind"] if fault["seen"] == fault["after"] + 1 else None


def serve(read, write, close):
    """Serves one connection; returns when it ends."""
    buf = b""
    while True:
        data = read()
        if not data:
            return
        buf += data
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            if state["hang"]:
                continue
            text = line.decode("utf-8", "replace")
            with lock:
                kind = strike(text)
            if kind:
                print("FAULT", kind, flush=True)  # for the test: the moment it strikes
            if kind == "die":
                os.kill(os.getpid(), signal.SIGKILL)
            if kind == "drop":
                close()
                return
            if kind == "hang":
                if fault["for"] is None:
                    threading.Event().wait()  # forever: the connection thread never answers again
                time.sleep(fault["for"])
            try:
                if answer(text, kind, write) == "DROP":
                    close()
                    return
            finally:
                if kind == "hang":
                    print("LATE", flush=True)  # the late reply has gone out (or found the connection closed)


def answer(text, kind, write):
    """Answers one command line; returns "DROP" when the connection is to be closed."""
    if kind == "garbage":
        write(b"\xff\xfe\x00garbage\n")
        return None
    with lock:
        reply = handle(text)
    if reply == "DROP" or reply is None:
        return reply
    if state["delay"]:
        time.sleep(state["delay"])
    if state["garbage"]:
        state["garbage"] = False
        write(b"\xff\xfe\x00garbage")
        return None
    write(reply.encode() + b"\n")
    return None


def watch_parent():
    """Ends the simulator when its parent goes: our stdin is a pipe from it."""
    try:
        while sys.stdin.buffer.read(4096):
            pass
    finally:
        os._exit(0)


def main():
    threading.Thread(target=watch_parent, daemon=True).start()
    if "--pty" in sys.argv:
        # Two serial lines to the same instrument (say, its source and its meter), one
        # connection each: a serial port has one user at a time.
        ptys = [os.openpty() for _ in range(2)]
        for _, slave in ptys:
            tty.setraw(slave)  # a serial line: no echo of what the instrument sends, whoever has it open
        prefix = option("--link")
        if prefix:
            for i, (_, slave) in enumerate(ptys):
                os.symlink(os.ttyname(slave), prefix + str(i) + ".new")
                os.replace(prefix + str(i) + ".new", prefix + str(i))
        print("PTY", " ".join(os.ttyname(slave) for _, slave in ptys), flush=True)
        threads = [threading.Thread(target=serve, args=(lambda m=m: os.read(m, 4096), lambda b, m=m: os.write(m, b), lambda: None),
                                    daemon=True) for m, _ in ptys]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", option("--port", 0, int)))
    server.listen(8)
    print("PORT", server.getsockname()[1], flush=True)
    while True:
        conn, _ = server.accept()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        threading.Thread(target=connection, args=(conn,), daemon=True).start()


def connection(conn):
    """One client (several devices may share the instrument, each with its connection)."""
    try:
        serve(lambda: conn.recv(4096), conn.sendall, conn.close)
    except OSError:
        pass
    conn.close()


if __name__ == "__main__":
    try:
        main()
    except (KeyboardInterrupt, BrokenPipeError, OSError):
        pass
