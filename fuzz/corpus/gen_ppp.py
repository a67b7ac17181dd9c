#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Regenerate the seed corpus of fuzz_ppp (fuzz/fuzz_ppp.c documents the
input format: mode, steps, then [flags][len][frame] records).
Run from anywhere: python3 fuzz/corpus/gen_ppp.py"""
import os

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'ppp')
TO_B, TICK, PUMP, CLOSE, LOWER_DOWN = 1, 2, 4, 8, 16


def rec(flags, hexframe):
    f = bytes.fromhex(hexframe.replace(' ', ''))
    return bytes([flags, len(f)]) + f


def write(name, mode, steps, *records):
    os.makedirs(HERE, exist_ok=True)
    with open(os.path.join(HERE, name), 'wb') as out:
        out.write(bytes([mode, steps]) + b''.join(records))


LCP_CR = 'ff03 c021 01 07 0012 0104 05dc 0506 11223344 0702 0802'
write('lcp_confreq_dead', 0, 0, rec(0, LCP_CR), rec(TO_B | PUMP, LCP_CR))
write('lcp_confreq_reqsent', 0, 2, rec(0, LCP_CR), rec(PUMP, 'ff03 c021 02 01 000a 0506 00000000'))
write('lcp_nak_rej', 3, 3, rec(0, 'c021 03 01 000d 0305 c22305 0506 01020304'),
      rec(0, 'c021 04 01 0008 0802 0702'))
write('chap_challenge', 2, 4, rec(TO_B, 'ff03 c223 01 02 0018 10 000102030405060708090a0b0c0d0e0f 6c6e73'),
      rec(PUMP, 'c223 02 02 0019 10 00112233445566778899aabbccddeeff 616c696365'))
write('pap_request', 1, 4, rec(0, 'ff03 c023 01 01 000c 05 616c696365 02 7077'),
      rec(TO_B | PUMP, 'c023 02 01 0005 00'))
write('ipcp_network', 0, 40, rec(0, '8021 01 33 0010 0306 cb007109 8106 00000000'),
      rec(TO_B, '8057 01 34 000e 010a 0200000000000001'), rec(PUMP, '0021 4500001400000000401100000a000001'))
write('echo_protrej', 0x10, 40, rec(0, 'c021 09 05 000c 00000000 61626364'),
      rec(TO_B, 'c021 08 06 0008 8057 0102'), rec(TICK | PUMP, '4021 0102'))
write('terminate', 0x04, 40, rec(TO_B, 'c021 05 07 0004'), rec(TICK | PUMP | CLOSE, 'c021 06 07 0004'))
write('codereject_lowerdown', 0x08, 30, rec(0, 'c021 07 08 0008 01 01 0004'),
      rec(LOWER_DOWN | PUMP, 'c021 20 01 0004'))
write('wrong_pw_rechallenge', 0x62, 60, rec(TICK | PUMP, ''), rec(TICK | PUMP, ''))
# HDLC: an LCP Configure-Request as a pty carries it (ACCM all ones), plus junk
write('hdlc_stream', 0, 0, bytes.fromhex(
    '7e ff 7d 23 c0 21 7d 21 7d 21 7d 20 7d 34 7d 22 7d 26 7d 20 7d 20 7d 20 7d 20'
    ' 7d 25 7d 26 11 22 33 44 7d 27 7d 22 7d 28 7d 22 00 00 7e 7e 7d 7e 01 02 7e'))
