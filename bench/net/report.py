#!/usr/bin/env python3
"""Summarise the raw results of scripts/bench-net.sh.

Reads RESDIR/<config>/<test>/<rep>.json (iperf3 -J of the client) and
<rep>.cpu (CPU seconds, user+sys, of the tunnel processes of that config
during that run), RESDIR/configs (one "name<TAB>label" a line, in table
order) and RESDIR/meta (key=value). Prints a text table to stdout, writes the
same as markdown to the file given with --md and a JSON summary with --json.

Every figure is the median over the repetitions, with min and max; each
configuration's median throughput is also given as a ratio to the direct veth
path and to OpenVPN measured in the same run.
"""
import argparse
import json
import os
import statistics
import sys

TESTS = [
    ("tcp1", "TCP, 1 stream", "tcp"),
    ("tcp4", "TCP, 4 streams (-P 4)", "tcp"),
    ("udp64", "UDP, 64-byte datagrams (-b 0)", "udp"),
    ("udp1400", "UDP, 1400-byte datagrams (-b 0)", "udp"),
]
BASE_VETH = "veth"
BASE_OVPN = "openvpn"


def load_run(path):
    """Return a dict of figures from one iperf3 -J client file, or None."""
    try:
        with open(path) as f:
            d = json.load(f)
    except (OSError, ValueError):
        return None
    if "error" in d:
        return None
    end = d.get("end", {})
    rx = end.get("sum_received")
    if not rx or not rx.get("seconds"):
        return None
    r = {"mbps": rx["bits_per_second"] / 1e6, "seconds": rx["seconds"]}
    if "packets" in rx:  # UDP: "packets" counts what was sent
        # The server's own duration runs until the end-of-test message
        # reaches it over the (saturated, lossy) tunnel, which can be
        # seconds late: rate = bytes received over the sender's interval.
        tx = end.get("sum_sent") or {}
        secs = tx.get("seconds") or rx["seconds"]
        got = rx["packets"] - rx.get("lost_packets", 0)
        r["seconds"] = secs
        r["mbps"] = rx["bytes"] * 8 / secs / 1e6
        r["pps"] = got / secs
        r["pkts"] = got
        r["loss"] = rx.get("lost_percent", 0.0)
    cpu = path[:-len(".json")] + ".cpu"
    try:
        with open(cpu) as f:
            v = f.read().split()
        r["cpu"] = float(v[0])
        # wall time of the whole client run (connect to end-of-test)
        r["wall"] = float(v[1]) if len(v) > 1 else r["seconds"]
        r["cpu_pct"] = 100.0 * r["cpu"] / r["wall"]
        if r.get("pkts"):
            r["cpu_us_pkt"] = 1e6 * r["cpu"] / r["pkts"]
        if rx.get("bytes"):
            r["cpu_s_gb"] = r["cpu"] / (rx["bytes"] / 1e9)
    except (OSError, ValueError, IndexError, ZeroDivisionError):
        pass
    return r


def stats(vals):
    vals = [v for v in vals if v is not None]
    if not vals:
        return None
    return {"med": statistics.median(vals), "min": min(vals), "max": max(vals),
            "n": len(vals)}


def collect(resdir, configs):
    out = {}
    for name, _label in configs:
        out[name] = {}
        for test, _title, _kind in TESTS:
            d = os.path.join(resdir, name, test)
            runs = []
            if os.path.isdir(d):
                for fn in sorted(os.listdir(d)):
                    if fn.endswith(".json"):
                        runs.append(load_run(os.path.join(d, fn)))
            ok = [r for r in runs if r]
            out[name][test] = {
                "runs": len(runs), "ok": len(ok),
                "mbps": stats([r["mbps"] for r in ok]),
                "pps": stats([r.get("pps") for r in ok]),
                "loss": stats([r.get("loss") for r in ok]),
                "cpu": stats([r.get("cpu") for r in ok]),
                "cpu_pct": stats([r.get("cpu_pct") for r in ok]),
                "cpu_us_pkt": stats([r.get("cpu_us_pkt") for r in ok]),
                "cpu_s_gb": stats([r.get("cpu_s_gb") for r in ok]),
                "seconds": stats([r["seconds"] for r in ok]),
            }
    return out


def fnum(v, width=0, prec=1):
    if v is None:
        return "-".rjust(width)
    if abs(v) >= 100000:
        s = "%.0f" % v
    else:
        s = "%.*f" % (prec, v)
    return s.rjust(width)


def ratio(a, b):
    if a is None or b is None or b["med"] == 0:
        return None
    return a["med"] / b["med"]


def rows_for(test, kind, configs, data):
    """Rows of cells for one test: header, then one row per configuration."""
    hdr = ["config", "Mbit/s", "min", "max", "x veth", "x ovpn"]
    if kind == "udp":
        hdr += ["kpps", "min", "max", "loss %"]
    # CPU efficiency: per datagram received (UDP), per GB received (TCP)
    eff = "cpu_us_pkt" if kind == "udp" else "cpu_s_gb"
    hdr += ["tunnel CPU s", "CPU % of 1 core",
            "CPU us/rx pkt" if kind == "udp" else "CPU s/GB", "x ovpn"]
    rows = [hdr]
    veth = data.get(BASE_VETH, {}).get(test, {}).get("mbps")
    ovpn = data.get(BASE_OVPN, {}).get(test, {}).get("mbps")
    ovpn_eff = data.get(BASE_OVPN, {}).get(test, {}).get(eff)
    for name, label in configs:
        t = data[name][test]
        m = t["mbps"]
        if m is None:
            why = ("skipped" if t["runs"] == 0 else
                   "failed (%d of %d runs)" % (t["runs"] - t["ok"], t["runs"]))
            rows.append([label, why] + [""] * (len(hdr) - 2))
            continue
        row = [label, fnum(m["med"]), fnum(m["min"]), fnum(m["max"]),
               fnum(ratio(m, veth), prec=3), fnum(ratio(m, ovpn), prec=3)]
        if kind == "udp":
            p = t["pps"]
            row += [fnum(p["med"] / 1e3), fnum(p["min"] / 1e3),
                    fnum(p["max"] / 1e3), fnum(t["loss"]["med"], prec=2)]
        c = t["cpu"]
        if c is None or name == BASE_VETH:
            row += ["-", "-", "-", "-"]
        else:
            pct, e = t["cpu_pct"], t[eff]
            row += [fnum(c["med"], prec=2), fnum(pct["med"] if pct else None),
                    fnum(e["med"] if e else None, prec=2),
                    fnum(ratio(e, ovpn_eff), prec=3)]
        rows.append(row)
    return rows


def text_table(rows):
    w = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = []
    for j, r in enumerate(rows):
        cells = [r[0].ljust(w[0])] + [r[i].rjust(w[i]) for i in range(1, len(r))]
        out.append("  ".join(cells).rstrip())
        if j == 0:
            out.append("  ".join("-" * x for x in w))
    return "\n".join(out)


def md_table(rows):
    out = ["| " + " | ".join(rows[0]) + " |",
           "|" + "|".join(["---"] + ["---:"] * (len(rows[0]) - 1)) + "|"]
    for r in rows[1:]:
        out.append("| " + " | ".join(c if c else " " for c in r) + " |")
    return "\n".join(out)


def busy_warning(meta):
    """A warning when other work competed for the CPUs during the run."""
    try:
        ncpu = int(meta.get("nproc", "0"))
        loads = [float(meta[k].split()[0]) for k in ("load_start", "load_end")
                 if k in meta]
    except (ValueError, IndexError):
        return None
    # the benchmark itself keeps about 2 processes running
    if ncpu and loads and max(loads) > ncpu + 2:
        return ("WARNING: load average up to %.1f on %d CPUs: other work "
                "competed for the CPUs; throughput figures are unreliable, "
                "CPU per GB / per packet less so." % (max(loads), ncpu))
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("resdir")
    ap.add_argument("--md")
    ap.add_argument("--json")
    a = ap.parse_args()

    configs = []
    with open(os.path.join(a.resdir, "configs")) as f:
        for line in f:
            line = line.rstrip("\n")
            if line:
                name, _, label = line.partition("\t")
                configs.append((name, label or name))
    meta = {}
    try:
        with open(os.path.join(a.resdir, "meta")) as f:
            for line in f:
                k, _, v = line.rstrip("\n").partition("=")
                meta[k] = v
    except OSError:
        pass
    skipped = []
    try:
        with open(os.path.join(a.resdir, "skipped")) as f:
            skipped = [s.rstrip("\n") for s in f if s.strip()]
    except OSError:
        pass

    data = collect(a.resdir, configs)
    head = ("l2tpkit bench-net: %s, %s s per run, %s repetition(s); "
            "median [min max]; ratios are of medians." %
            (meta.get("date", "?"), meta.get("seconds", "?"),
             meta.get("reps", "?")))
    mach = "machine: %s CPU(s), %s; kernel %s; inner MTU %s; %s" % (
        meta.get("nproc", "?"), meta.get("cpu", "?"), meta.get("kernel", "?"),
        meta.get("mtu", "?"), meta.get("iperf", "?"))
    mach += "; load average %s at start, %s at end" % (
        meta.get("load_start", "?"), meta.get("load_end", "?"))
    notes = ("tunnel CPU = user+sys seconds of both ends' tunnel processes "
             "(l2tpd / openvpn) during the run, from /proc/PID/stat; % of one "
             "core over the client's wall time; per datagram (UDP) or GB (TCP) "
             "received, and that as a ratio to OpenVPN's (lower is better). "
             "UDP Mbit/s and kpps = received over the sender's interval.")
    txt = [head, mach, notes]
    md = ["# bench-net", "", head, "", mach, "", notes, ""]
    busy = busy_warning(meta)
    if busy:
        txt.append(busy)
        md += ["**" + busy + "**", ""]
    for s in skipped:
        txt.append("SKIPPED " + s)
        md.append("- skipped: " + s)
    if skipped:
        md.append("")
    for test, title, kind in TESTS:
        if all(data[name][test]["runs"] == 0 for name, _label in configs):
            continue  # not asked for (BENCH_TESTS)
        rows = rows_for(test, kind, configs, data)
        txt += ["", "== " + title, text_table(rows)]
        md += ["## " + title, "", md_table(rows), ""]
    print("\n".join(txt))
    if a.md:
        with open(a.md, "w") as f:
            f.write("\n".join(md) + "\n")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"meta": meta, "skipped": skipped,
                       "configs": [c[0] for c in configs], "results": data},
                      f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
