#!/usr/bin/python3
"""A tiny DNS responder for tests/integration/dns.bats: answers A queries
for the names given on the command line (NAME=ADDR ...), NXDOMAIN for
others, NOERROR with no answer for other types; logs each query as
'query NAME TYPE' and prints 'ready' once bound.

usage: dns-responder.py ADDR PORT NAME=IPV4...
"""
import socket
import struct
import sys


def qname(msg, off):
    labels = []
    while True:
        n = msg[off]
        off += 1
        if n == 0:
            return ".".join(labels), off
        if n & 0xC0:
            raise ValueError("compressed question")
        labels.append(msg[off:off + n].decode("ascii", "replace"))
        off += n


def answer(msg, names):
    qid, flags, qd = struct.unpack("!HHH", msg[:6])
    if qd != 1:
        return None, None, None
    name, off = qname(msg, 12)
    qtype, qclass = struct.unpack("!HH", msg[off:off + 4])
    question = msg[12:off + 4]
    rd = flags & 0x0100
    addr = names.get(name.lower().rstrip("."))
    rcode = 0 if addr else 3
    an = b""
    if addr and qtype == 1:
        an = struct.pack("!HHHIH", 0xC00C, 1, 1, 30, 4) + socket.inet_aton(addr)
    hdr = struct.pack("!HHHHHH", qid, 0x8000 | 0x0400 | rd | 0x0080 | rcode,
                      1, 1 if an else 0, 0, 0)
    return hdr + question + an, name, qtype


def main():
    addr, port = sys.argv[1], int(sys.argv[2])
    names = dict(a.lower().split("=", 1) for a in sys.argv[3:])
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, port))
    print("ready", flush=True)
    while True:
        msg, peer = s.recvfrom(4096)
        try:
            out, name, qtype = answer(msg, names)
        except (ValueError, IndexError, struct.error):
            continue
        if out is None:
            continue
        print("query %s %d" % (name, qtype), flush=True)
        s.sendto(out, peer)


if __name__ == "__main__":
    main()
