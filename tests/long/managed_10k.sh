#!/bin/bash
# SPDX-License-Identifier: MIT
# managed_10k.sh (make check-long): 10,000 Ethernet sessions in one managed
# tunnel between two l2tpd, all established and every interface present on
# both sides, then torn down cleanly by "del tunnel"; prints the time and the
# memory per session. The work is scripts/bench-managed.sh's, which fails
# when any session does not come up or go away within its bounds.
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BENCH_SESSIONS=${BENCH_SESSIONS:-10000} exec "$TOP/scripts/bench-managed.sh"
