#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Regenerate the seed corpora of fuzz_avp, fuzz_msg, fuzz_hidden and
fuzz_roundtrip from the known-answer vectors of tests/unit/test_msg.c.
Run from anywhere: python3 fuzz/corpus/gen_corpus.py"""
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, '..', '..', 'tests', 'unit', 'test_msg.c')

text = open(SRC).read()
vectors = {}
for m in re.finditer(r'static const char (v[23]_\w+)\[\] =\s*((?:\s*"[0-9a-f]*")+)\s*;', text):
    vectors[m.group(1)] = bytes.fromhex(''.join(re.findall(r'"([0-9a-f]*)"', m.group(2))))


def write(target, name, data):
    d = os.path.join(HERE, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)


for name, body in sorted(vectors.items()):
    write('avp', name, body)
    write('msg', name, body)
    v3 = name.startswith('v3')
    hidden = 'hidden' in name
    sel = (1 if v3 else 0) | (2 if hidden else 0)
    write('roundtrip', name, bytes([sel]) + body)
    write('roundtrip', name + '_pad', bytes([sel | 2 | (7 << 2)]) + body)

# fuzz_hidden: [secret len][secret][rv len][rv][type u16][hidden value]
h = vectors['v2_icrq_hidden']
rv = bytes(range(16))
secret = b'secret'
off = 8 + 22  # Message Type, Random Vector
for i, (typ, ln) in enumerate([(14, 10), (15, 12)]):
    val = h[off + 6:off + ln]
    write('hidden', 'icrq_%d' % typ,
          bytes([len(secret)]) + secret + bytes([len(rv)]) + rv + typ.to_bytes(2, 'big') + val)
    off += ln
write('hidden', 'empty_value', bytes([1]) + b'k' + bytes([1]) + b'r' + b'\x00\x07' + b'\x00\x00')
write('msg', 'zlb', b'')
