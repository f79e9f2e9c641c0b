#!/usr/bin/env python3
"""A userspace netem for the reliability tests, for kernels built without sch_netem (CONFIG_NET_SCH_NETEM).

Runs inside a namespace of its own that holds two veth ends, A and B, and nothing else: every Ethernet frame
arriving on one is sent out of the other after DELAY milliseconds, or dropped with probability LOSS, in each
direction independently, as `tc qdisc add dev X root netem loss LOSS delay DELAY` on both ends would do.
Usage: netem.py IFACE_A IFACE_B LOSS_PERCENT DELAY_MS. Prints "ready" once listening; on SIGTERM prints one
JSON line of counts and exits.
"""
import heapq
import json
import random
import select
import signal
import socket
import sys
import time

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4

a_name, b_name, loss, delay = sys.argv[1], sys.argv[2], float(sys.argv[3]) / 100.0, float(sys.argv[4]) / 1000.0


def open_raw(name):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((name, 0))
    s.setblocking(False)
    return s


def fix_checksum(frame):
    """The frame with its TCP/UDP checksum computed. A veth hands locally sent packets on with the checksum
    left to offload (CHECKSUM_PARTIAL: only the pseudo-header sum is in the field); forwarded as raw bytes they
    would arrive wrong, and a receiver that checks (udhcpc's raw socket, TCP) would drop them."""
    if len(frame) < 34 or frame[12:14] != b"\x08\x00":
        return frame
    ihl = (frame[14] & 0x0F) * 4
    proto = frame[23]
    total = int.from_bytes(frame[16:18], "big")
    if proto not in (6, 17) or (int.from_bytes(frame[20:22], "big") & 0x3FFF) != 0:
        return frame  # not TCP/UDP, or a fragment
    start, end = 14 + ihl, 14 + total
    seg = bytearray(frame[start:end])
    at = 16 if proto == 6 else 6
    if proto == 17 and seg[6:8] == b"\x00\x00":
        return frame  # UDP without a checksum
    seg[at : at + 2] = b"\x00\x00"
    pseudo = frame[26:34] + bytes([0, proto]) + len(seg).to_bytes(2, "big")
    data = pseudo + bytes(seg) + (b"\x00" if len(seg) % 2 else b"")
    total_sum = sum(int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data), 2))
    while total_sum >> 16:
        total_sum = (total_sum & 0xFFFF) + (total_sum >> 16)
    csum = (~total_sum) & 0xFFFF
    if proto == 17 and csum == 0:
        csum = 0xFFFF
    seg[at : at + 2] = csum.to_bytes(2, "big")
    return frame[:start] + bytes(seg) + frame[end:]


a, b = open_raw(a_name), open_raw(b_name)
peer = {a.fileno(): b, b.fileno(): a}
label = {a.fileno(): f"{a_name}->{b_name}", b.fileno(): f"{b_name}->{a_name}"}
counts = {v: {"forwarded": 0, "dropped": 0} for v in label.values()}
queue = []  # (due, seq, out socket, frame)
seq = 0
running = True


def stop(*_):
    global running
    running = False


signal.signal(signal.SIGTERM, stop)
signal.signal(signal.SIGINT, stop)
print("ready", flush=True)
while running:
    timeout = max(0.0, queue[0][0] - time.monotonic()) if queue else 0.5
    try:
        readable, _, _ = select.select([a, b], [], [], timeout)
    except InterruptedError:
        continue
    for s in readable:
        while True:
            try:
                frame, addr = s.recvfrom(65535)
            except BlockingIOError:
                break
            if addr[2] == PACKET_OUTGOING:
                continue  # our own sends, seen again on this socket
            direction = label[s.fileno()]
            if random.random() < loss:
                counts[direction]["dropped"] += 1
                continue
            counts[direction]["forwarded"] += 1
            seq += 1
            heapq.heappush(queue, (time.monotonic() + delay, seq, peer[s.fileno()], fix_checksum(frame)))
    now = time.monotonic()
    while queue and queue[0][0] <= now:
        _, _, out, frame = heapq.heappop(queue)
        try:
            out.send(frame)
        except OSError:
            counts["send errors"] = counts.get("send errors", 0) + 1
print(json.dumps(counts), flush=True)
