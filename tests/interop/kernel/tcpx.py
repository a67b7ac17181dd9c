# SPDX-License-Identifier: MIT
# tests/interop/kernel/tcpx.py - a bounded TCP bulk transfer whose data is
# checked at both ends (static_matrix.sh runs it on the host and in the VM).
#
#   tcpx.py recv ADDR PORT          accept one connection on ADDR:PORT, read
#                                   to EOF, answer "BYTES SHA256", print it
#   tcpx.py send ADDR PORT BYTES    connect (retrying while the receiver
#                                   starts), send BYTES random bytes in 1 MiB
#                                   writes (the stack builds 64 KiB TSO
#                                   frames of them), half-close, read the
#                                   receiver's answer; print
#                                   "BYTES SHA256 RBYTES RSHA256 SECONDS"
# Every wait is bounded (TCPX_TIMEOUT seconds, default 60); exit 1 on a
# timeout or an error, 2 when the receiver's digest differs.
import hashlib
import os
import socket
import sys
import time

TMO = float(os.environ.get("TCPX_TIMEOUT", "60"))


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def recv(addr, port):
    ls = socket.socket(family(addr), socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, port))
    ls.listen(1)
    ls.settimeout(TMO)
    c, _ = ls.accept()
    c.settimeout(TMO)
    h, n = hashlib.sha256(), 0
    while True:
        b = c.recv(1 << 20)
        if not b:
            break
        h.update(b)
        n += len(b)
    line = "%d %s" % (n, h.hexdigest())
    c.sendall((line + "\n").encode())
    c.close()
    print(line)


def send(addr, port, nbytes):
    deadline = time.monotonic() + TMO
    while True:
        s = socket.socket(family(addr), socket.SOCK_STREAM)
        s.settimeout(TMO)
        try:
            s.connect((addr, port))
            break
        except OSError:
            s.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    h, left, t0 = hashlib.sha256(), nbytes, time.monotonic()
    while left > 0:
        b = os.urandom(min(left, 1 << 20))
        h.update(b)
        s.sendall(b)
        left -= len(b)
    s.shutdown(socket.SHUT_WR)
    ans = b""
    while True:
        b = s.recv(256)
        if not b:
            break
        ans += b
    dt = time.monotonic() - t0
    s.close()
    r = ans.decode().split()
    if len(r) != 2:
        print("tcpx: no answer from the receiver (%r)" % ans, file=sys.stderr)
        return 1
    print("%d %s %s %s %.2f" % (nbytes, h.hexdigest(), r[0], r[1], dt))
    return 0 if r == [str(nbytes), h.hexdigest()] else 2


if __name__ == "__main__":
    try:
        if sys.argv[1] == "recv":
            recv(sys.argv[2], int(sys.argv[3]))
            sys.exit(0)
        sys.exit(send(sys.argv[2], int(sys.argv[3]), int(sys.argv[4])))
    except (OSError, IndexError, ValueError) as e:
        print("tcpx: %s" % e, file=sys.stderr)
        sys.exit(1)
