"""A hostile local user of the agent socket (docs/design.md §13), run as a
real non-root uid by test_agent_hostile.py and bench/login_under_flood.py
(python3 -c with this file's text, so the uid need not read the tree).

  flood PATH N SECONDS    keeps N connections open for SECONDS: a third
                          idle, a third trickling a byte a second, a third
                          sending `status` every 2 s; reopens what the
                          agent closes. Prints "ready" once N were tried,
                          then one JSON line of counts.
  sessions PATH N PID ACCOUNT [ID]
                          N session_opens for ACCOUNT with pid PID on one
                          connection (session ids ID-0.. or random); prints
                          one JSON line counting the answers.
"""
import json
import os
import socket
import sys
import time

STATUS = b'{"v":1,"op":"status"}\n'


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(0.5)
    try:
        s.connect(path)
    except OSError:
        s.close()
        return None
    s.setblocking(False)
    return s


def drain(s, counts):
    """False when the agent closed `s`."""
    try:
        data = s.recv(65536)
    except BlockingIOError:
        return True
    except OSError:
        return False
    if b'"busy"' in data:
        counts["busy"] += 1
    return bool(data)


def flood(path, n, seconds):
    conns, counts = {}, {"connects": 0, "busy": 0, "closed": 0, "failed": 0}
    end = time.monotonic() + seconds
    announced = False
    tick = 0
    while time.monotonic() < end:
        for i in range(n):
            if i not in conns:
                s = connect(path)
                counts["connects" if s else "failed"] += 1
                if s:
                    conns[i] = s
        if not announced:
            print("ready", flush=True)
            announced = True
        for i, s in list(conns.items()):
            try:
                if i % 3 == 1:
                    s.send(b"{")
                elif i % 3 == 2 and tick % 2 == 0:
                    s.send(STATUS)
            except OSError:
                pass
            if not drain(s, counts):
                counts["closed"] += 1
                s.close()
                del conns[i]
        tick += 1
        time.sleep(max(0.0, min(1.0, end - time.monotonic())))
    print(json.dumps(counts), flush=True)


def sessions(path, n, pid, account, prefix):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(20)
    s.connect(path)
    f = s.makefile("rb")
    counts = {}
    batch = 200
    for start in range(0, n, batch):
        lines = []
        for i in range(start, min(n, start + batch)):
            sid = "%s-%d" % (prefix, i) if prefix else os.urandom(16).hex()
            lines.append(json.dumps({"v": 1, "op": "session_open", "account": account,
                                     "session": sid, "service": "login", "tty": "tty9",
                                     "pid": pid}))
        s.sendall(("\n".join(lines) + "\n").encode())
        for _ in lines:
            r = json.loads(f.readline())
            key = r.get("decision") or r.get("error")
            counts[key] = counts.get(key, 0) + 1
    print(json.dumps(counts), flush=True)


def main(argv):
    if argv[1] == "flood":
        flood(argv[2], int(argv[3]), float(argv[4]))
    elif argv[1] == "sessions":
        pid = os.getpid() if argv[4] == "self" else int(argv[4])
        sessions(argv[2], int(argv[3]), pid, argv[5], argv[6] if len(argv) > 6 else "")


if __name__ == "__main__":
    main(sys.argv)
