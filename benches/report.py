#!/usr/bin/env python3
"""Draws the benchmark pictures and writes the measured part of BENCHMARKS.md.

Reads the JSON files `benches/run.sh` leaves in target/bench-results/ (any may be missing):
  loadgen-echo.json     examples/loadgen `bench` against the echo server
  loadgen-sandbox.json  examples/loadgen `bench --sandbox`
  signing.json          benches/signing.rs (EPOINT_BENCH_JSON)
  instructions.json     instructions per call under callgrind (benches/run.sh)
  build.json            benches/build_time.sh
and writes benches/img/*.svg plus the text between the `<!-- measured:begin -->` and
`<!-- measured:end -->` markers of BENCHMARKS.md. Standard library only.
"""

import json
import math
import os
import sys
from datetime import datetime, timezone

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.environ.get("EPOINT_BENCH_DIR", os.path.join(ROOT, "target", "bench-results"))
IMG = os.path.join(ROOT, "benches", "img")
DOC = os.path.join(ROOT, "BENCHMARKS.md")

COLORS = {
    "floor": "#9e9e9e",
    "raw": "#1f77b4",
    "pay": "#d62728",
    "status": "#ff7f0e",
    "verify": "#2ca02c",
    "verify_callback": "#9467bd",
}
LABELS = {
    "floor": "raw reqwest, one pre-signed body (floor)",
    "raw": "raw reqwest, signed per call",
    "pay": "epoint pay",
    "status": "epoint get_transaction_status",
    "verify": "Keys::verify (signature)",
    "verify_callback": "Keys::verify_callback (signature + parse)",
}


def load(name):
    path = os.path.join(RESULTS, name)
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def ticks(lo, hi, log):
    if log:
        out, p = [], 10 ** math.floor(math.log10(lo))
        while p <= hi * 1.0001:
            for m in (1, 2, 5):
                if lo / 1.0001 <= p * m <= hi * 1.0001:
                    out.append(p * m)
            p *= 10
        return out
    step = 10 ** math.floor(math.log10((hi - lo) or 1))
    while (hi - lo) / step > 8:
        step *= 2
    while (hi - lo) / step < 3:
        step /= 2
    start = math.floor(lo / step) * step
    return [start + i * step for i in range(int((hi - start) / step) + 2) if start + i * step <= hi * 1.0001]


def fmt(v):
    if v >= 1e6:
        return f"{v / 1e6:g}M"
    if v >= 1e3:
        return f"{v / 1e3:g}k"
    return f"{v:g}"


def chart(path, title, xlabel, ylabel, series, logx=False, logy=False, xticks=None, xfmt=None):
    """series: list of (key, [(x, y), ...]); writes an SVG line chart."""
    W, H, L, R, T, B = 720, 420, 80, 20, 40, 110
    xs = [x for _, pts in series for x, _ in pts]
    ys = [y for _, pts in series for _, y in pts if y > 0]
    if not xs or not ys:
        return False
    x0, x1 = min(xs), max(xs)
    y0, y1 = (min(ys), max(ys)) if logy else (0, max(ys) * 1.08)
    if logy:
        y0, y1 = y0 / 1.3, y1 * 1.3

    def sx(x):
        if logx:
            return L + (math.log(x) - math.log(x0)) / ((math.log(x1) - math.log(x0)) or 1) * (W - L - R)
        return L + (x - x0) / ((x1 - x0) or 1) * (W - L - R)

    def sy(y):
        if logy:
            return T + (1 - (math.log(y) - math.log(y0)) / ((math.log(y1) - math.log(y0)) or 1)) * (H - T - B)
        return T + (1 - (y - y0) / ((y1 - y0) or 1)) * (H - T - B)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="12">',
        f'<rect width="{W}" height="{H}" fill="white"/>',
        f'<text x="{W / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">{title}</text>',
    ]
    for y in ticks(y0, y1, logy):
        if y <= 0 and logy:
            continue
        out.append(f'<line x1="{L}" x2="{W - R}" y1="{sy(y):.1f}" y2="{sy(y):.1f}" stroke="#e0e0e0"/>')
        out.append(f'<text x="{L - 6}" y="{sy(y) + 4:.1f}" text-anchor="end">{fmt(y)}</text>')
    for x in xticks or ticks(x0, x1, logx):
        out.append(f'<line x1="{sx(x):.1f}" x2="{sx(x):.1f}" y1="{T}" y2="{H - B}" stroke="#f0f0f0"/>')
        out.append(f'<text x="{sx(x):.1f}" y="{H - B + 16}" text-anchor="middle">{(xfmt or fmt)(x)}</text>')
    out.append(f'<rect x="{L}" y="{T}" width="{W - L - R}" height="{H - T - B}" fill="none" stroke="#555"/>')
    out.append(f'<text x="{(L + W - R) / 2}" y="{H - B + 36}" text-anchor="middle">{xlabel}</text>')
    out.append(f'<text transform="translate(18 {(T + H - B) / 2}) rotate(-90)" text-anchor="middle">{ylabel}</text>')
    for i, (key, pts) in enumerate(series):
        pts = [(x, y) for x, y in sorted(pts) if y > 0]
        color = COLORS.get(key, "#000")
        d = " ".join(f"{'M' if j == 0 else 'L'}{sx(x):.1f},{sy(y):.1f}" for j, (x, y) in enumerate(pts))
        out.append(f'<path d="{d}" fill="none" stroke="{color}" stroke-width="2"/>')
        for x, y in pts:
            out.append(f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="3" fill="{color}"/>')
        lx, ly = L + (i % 2) * 320, H - B + 58 + (i // 2) * 18
        out.append(f'<line x1="{lx}" x2="{lx + 24}" y1="{ly - 4}" y2="{ly - 4}" stroke="{color}" stroke-width="3"/>')
        out.append(f'<text x="{lx + 30}" y="{ly}">{LABELS.get(key, key)}</text>')
    out.append("</svg>")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")
    return True


def size(b):
    return f"{b / 1048576:g} MiB" if b >= 1048576 else (f"{b / 1024:g} KiB" if b >= 1024 else f"{b} B")


def medians_by(doc):
    by = {}
    for s in doc["medians"]:
        by.setdefault(s["mode"], {})[s["concurrency"]] = s
    return by


def ratio(a, b):
    return a / b if b else float("nan")


def loadgen_section(doc, name, lines, goals):
    by = medians_by(doc)
    cs = sorted({s["concurrency"] for s in doc["medians"]})
    modes = [m for m in ("floor", "raw", "pay", "status") if m in by]
    img = f"loadgen-{name}"
    chart(os.path.join(IMG, f"{img}-throughput.svg"),
          f"Calls per second vs concurrency ({name} server, 2 cores)", "concurrency (log)", "calls/s",
          [(m, [(c, by[m][c]["calls_per_s"]) for c in cs if c in by[m]]) for m in modes],
          logx=True, xticks=cs, xfmt=lambda c: str(int(c)))
    chart(os.path.join(IMG, f"{img}-p99.svg"),
          f"p99 latency vs concurrency ({name} server)", "concurrency (log)", "p99 latency, µs (log)",
          [(m, [(c, by[m][c]["p99_us"]) for c in cs if c in by[m]]) for m in modes],
          logx=True, logy=True, xticks=cs, xfmt=lambda c: str(int(c)))
    lines.append(f"![calls/s vs concurrency](benches/img/{img}-throughput.svg)\n")
    lines.append(f"![p99 vs concurrency](benches/img/{img}-p99.svg)\n")
    lines.append("| concurrency | client | calls/s | p50 µs | p99 µs | peak RSS MB | vs raw-signed | vs floor | RSS vs raw |")
    lines.append("|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    for c in cs:
        raw, floor = by.get("raw", {}).get(c), by.get("floor", {}).get(c)
        for m in modes:
            s = by[m].get(c)
            if not s:
                continue
            vr = f"{ratio(s['calls_per_s'], raw['calls_per_s']):.2f}×" if raw else "—"
            vf = f"{ratio(s['calls_per_s'], floor['calls_per_s']):.2f}×" if floor else "—"
            rr = f"{ratio(s['peak_rss_kb'], raw['peak_rss_kb']):.2f}×" if raw else "—"
            lines.append(f"| {c} | {LABELS[m]} | {s['calls_per_s']:,.0f} | {s['p50_us']:,.0f} | {s['p99_us']:,.0f} | "
                         f"{s['peak_rss_kb'] / 1024:.1f} | {vr} | {vf} | {rr} |")
            if name == "echo" and m in ("pay", "status") and raw and floor:
                if c == 64:
                    goals.append((f"`{m}` at c=64 ≥ 0.95× raw-signed", ratio(s["calls_per_s"], raw["calls_per_s"]), 0.95))
                    goals.append((f"`{m}` at c=64 ≥ 0.85× pre-signed floor", ratio(s["calls_per_s"], floor["calls_per_s"]), 0.85))
                    goals.append((f"`{m}` peak RSS at c=64 ≤ 1.1× raw", ratio(s["peak_rss_kb"], raw["peak_rss_kb"]), 1.1, "max"))
                if c == 1:
                    goals.append((f"`{m}` at c=1 ≥ 0.95× raw-signed", ratio(s["calls_per_s"], raw["calls_per_s"]), 0.95))
    errors = sum(s["errors"] for s in doc["medians"])
    lines.append(f"\n{doc['rounds']} rounds of {doc['seconds']} s per point, medians; every client in its own process; "
                 f"errors: {errors}.\n")


def main():
    echo, sandbox = load("loadgen-echo.json"), load("loadgen-sandbox.json")
    signing, instr, build = load("signing.json"), load("instructions.json"), load("build.json")
    lines, goals = [], []
    times = [os.path.getmtime(os.path.join(RESULTS, n)) for n in os.listdir(RESULTS) if n.endswith(".json")]
    when = lambda t: datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    stamp = f"{when(min(times))} – {when(max(times))}" if times else when(datetime.now().timestamp())
    lines.append(f"Measured {stamp} by `benches/run.sh` on {os.cpu_count()} cores "
                 f"(`{os.uname().machine}`, {os.uname().sysname}); release builds.\n")

    if echo:
        lines.append("### End to end: the crate beside raw reqwest (echo server)\n")
        loadgen_section(echo, "echo", lines, goals)
    if instr:
        lines.append("### Instructions per call (callgrind, one thread, deterministic)\n")
        lines.append("Sequential calls on a single-threaded runtime; (3 000 calls − 1 000 calls) / 2 000, so set-up "
                     "is not counted. Unlike calls/s, this does not move with the machine's load.\n")
        lines.append("| client | instructions per call | vs raw-signed |")
        lines.append("|---|---:|---:|")
        for m in ("floor", "raw", "pay", "status"):
            if m in instr:
                lines.append(f"| {LABELS[m]} | {instr[m]:,.0f} | {ratio(instr[m], instr.get('raw', 0)):.3f}× |")
        lines.append("")
    if signing:
        lines.append("### Signing and callbacks (benches/signing.rs)\n")
        s = signing
        lines.append("| operation | time per call | × `sign` |")
        lines.append("|---|---:|---:|")
        for key, label in (("sign_ns", "`sign(data)`"), ("seal_ns", "`seal(payment payload)`"),
                           ("preview_ns", "`pay(..).preview()`"),
                           ("verify_callback_ns", f"`verify_callback` ({s.get('callback_fields', '?')}-field callback)")):
            if key in s:
                lines.append(f"| {label} | {s[key]:,.0f} ns | {ratio(s[key], s['sign_ns']):.2f}× |")
        lines.append("")
        if "verify_callback_ns" in s:
            goals.append(("`verify_callback` (13 fields) ≤ 1.0 µs", s["verify_callback_ns"] / 1000, 1.0, "max"))
        if "seal_ns" in s:
            goals.append(("`seal` ≤ 0.4 µs", s["seal_ns"] / 1000, 0.4, "max"))
        sizes = s.get("verify_vs_size") or []
        if sizes:
            series = [("verify", [(p["bytes"], p["verify_ns"] / 1000) for p in sizes if p.get("verify_ns")]),
                      ("verify_callback", [(p["bytes"], p["verify_callback_ns"] / 1000) for p in sizes
                                           if p.get("verify_callback_ns")])]
            chart(os.path.join(IMG, "verify-vs-size.svg"), "Verification time vs body size",
                  "body size, bytes (log)", "µs per verification (log)", series, logx=True, logy=True,
                  xticks=[p["bytes"] for p in sizes], xfmt=size)
            lines.append("![verify time vs body size](benches/img/verify-vs-size.svg)\n")
            lines.append("| body | `verify` | ns/byte | `verify_callback` | ns/byte |")
            lines.append("|---:|---:|---:|---:|---:|")
            for p in sizes:
                v, vc = p.get("verify_ns"), p.get("verify_callback_ns")
                lines.append(f"| {p['bytes']:,} B | {v / 1000:,.1f} µs | {v / p['bytes']:.2f} | "
                             + (f"{vc / 1000:,.1f} µs | {vc / p['bytes']:.2f} |" if vc else "refused (over the 64 KiB cap) | — |"))
            lines.append("")
    if sandbox:
        lines.append("### The embedded sandbox's throughput\n")
        lines.append("The same load generator with the embedded sandbox as the server: every call is signed, "
                     "checked, logged and (for `pay`) recorded in the ledger.\n")
        loadgen_section(sandbox, "sandbox", lines, goals)
    if build:
        lines.append("### Build\n")
        lines.append(f"Clean default `cargo build` of the crate vs the same crate with the generated code checked in "
                     f"(`benches/build_time.sh`, {build.get('rounds', '?')} alternating rounds, medians).\n")
        lines.append("| build | seconds |")
        lines.append("|---|---:|")
        lines.append(f"| generated at build time (this crate) | {build['crate_s']:.1f} |")
        lines.append(f"| generated code checked in (baseline) | {build['baseline_s']:.1f} |")
        lines.append(f"| ratio | {build['ratio']:.2f}× |")
        if build.get("spec_edit_rebuild_s") is not None:
            lines.append(f"| rebuild after editing the spec | {build['spec_edit_rebuild_s']:.1f} |")
        lines.append("")
        goals.append(("clean build ≤ 1.15× checked-in baseline", build["ratio"], 1.15, "max"))

    if goals:
        head = ["### Goals (speed and build-time targets), from this run\n", "| goal | measured | met |", "|---|---:|:---:|"]
        for g in goals:
            name, value, bound = g[0], g[1], g[2]
            kind = g[3] if len(g) > 3 else "min"
            met = value <= bound if kind == "max" else value >= bound
            unit = " µs" if "µs" in name else ("" if "×" in name or "baseline" in name else "×")
            head.append(f"| {name} | {value:.2f}{unit} | {'yes' if met else '**no**'} |")
        lines = lines[:1] + head + [""] + lines[1:]

    text = "\n".join(lines).rstrip() + "\n"
    with open(DOC) as f:
        doc = f.read()
    begin, end = "<!-- measured:begin -->", "<!-- measured:end -->"
    if begin not in doc or end not in doc:
        sys.exit(f"{DOC} has no {begin} … {end} markers")
    doc = doc[: doc.index(begin) + len(begin)] + "\n" + text + doc[doc.index(end):]
    with open(DOC, "w") as f:
        f.write(doc)
    print(f"wrote {DOC} and {IMG}/*.svg")


if __name__ == "__main__":
    main()
