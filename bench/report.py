#!/usr/bin/env python3
"""Turns the raw measurements of bench/run.sh into one table (standard output), results.json and
results.svg (grouped bars of each figure's ratio to nginx). Standard library only.

Only the phases of the run (config "phases") have rows. The storm's rows come once per JDK of the run
(config "stormJdks"): the JVM targets were started on each; nginx, HAProxy and direct have no JVM, and their
one storm stands on every JDK's rows. The issue's storm targets are checked on the rows of the image's JDK.

Usage: bench/report.py --raw target/bench/run/raw --out bench/results [--duration S] [--config JSON]
"""
import argparse
import glob
import json
import math
import os
import statistics
import time
from html import escape

TARGETS = ["direct", "nginx", "haproxy", "wsgate", "filters", "netty"]  # filters, netty: opt-in
# filters: wsgate with a Validator and a RateLimiter before its proxy; netty: the bare relay
BASELINE = "nginx"
FLOOR = "netty"
JVM_TARGETS = ("wsgate", "filters", "netty")
CLASSIC_PHASES = ("load", "handshakes", "hold")


def storm_key(figure, jdk):
    return f"storm{figure}_jdk{jdk}"


def last_json(path):
    """The last JSON object line of a tool's output, or {} when the file is missing or has none."""
    try:
        with open(path) as f:
            lines = [line for line in f if line.startswith("{")]
        return json.loads(lines[-1]) if lines else {}
    except OSError:
        return {}


def positive(value):
    return value if isinstance(value, (int, float)) and value >= 0 else None


def storm_rounds(raw, name, jdk):
    """The storm results of one target on one JDK, round by round (bench/run.sh's STORM_ROUNDS); a run from
    before the rounds has one storm, with no round in its file name."""
    base = f"{name}-storm-jdk{jdk}" if name in JVM_TARGETS else f"{name}-storm"
    rounds = glob.glob(os.path.join(raw, glob.escape(base) + "-r*.json"))
    rounds.sort(key=lambda path: int(path[path.rindex("-r") + 2:-len(".json")]))
    return [storm for storm in (last_json(path) for path in rounds or [os.path.join(raw, base + ".json")]) if storm]


def median_of(values):
    values = [v for v in values if isinstance(v, (int, float))]
    return statistics.median(values) if values else None


def read_storms(raw, name, jdks):
    """The storm figures of one target, per JDK, and the storms' raw results. With several rounds, each timing
    and CPU figure is the median of the rounds; failures add up, and sessions open and sockets left are the
    worst round's, so that no failing round hides behind the median."""
    figures, storms = {}, {}
    for jdk in jdks:
        rounds = storm_rounds(raw, name, jdk)
        storms[jdk] = rounds
        opened = [s for s in rounds if s.get("opened")]

        def median(field, of=rounds, check=positive):
            return median_of([check(s.get(field)) for s in of])

        absorbs = [s.get("absorbSeconds") for s in rounds]
        absorbs = [a if isinstance(a, (int, float)) and a > 0 else None for a in absorbs]
        figures[storm_key("Absorb", jdk)] = median_of(absorbs)
        figures[storm_key("AbsorbRounds", jdk)] = absorbs if len(rounds) > 1 else None
        figures[storm_key("Rate", jdk)] = median("sessionsPerSecond")
        figures[storm_key("P50", jdk)] = median("p50Millis", opened)
        figures[storm_key("P99", jdk)] = median("p99Millis", opened)
        def counted(field, combine):
            counts = [s.get(field) for s in rounds if isinstance(s.get(field), int)]
            return combine(counts) if counts else None

        figures[storm_key("Failed", jdk)] = counted("failed", sum)
        figures[storm_key("Open", jdk)] = counted("openNow", min)
        figures[storm_key("Cpu", jdk)] = median("cpuMicrosPerSession")
        figures[storm_key("BackendCpu", jdk)] = median("backendCpuMicrosPerSession")
        figures[storm_key("Ready", jdk)] = median("startToReadyMillis")
        figures[storm_key("Leftover", jdk)] = counted("leftoverSockets", max)
        figures[storm_key("LogProblems", jdk)] = counted("logProblems", sum)
        kinds = {}
        for s in rounds:
            for kind, count in (s.get("failures") or {}).items():
                kinds[kind] = kinds.get(kind, 0) + count
        figures[storm_key("FailureKinds", jdk)] = (", ".join(f"{k} {v}" for k, v in kinds.items() if v) or "none"
                                                   ) if any("failures" in s for s in rounds) else None
    return figures, storms


def read_target(raw, name, sizes, storm_jdks=()):
    """The figures of one target; None where not measured."""
    figures = {}
    errors = 0
    measured = False
    for size in sizes:
        load = last_json(os.path.join(raw, f"{name}-load-{size}.json"))
        measured |= bool(load)
        figures[f"throughput{size}"] = load.get("messagesPerSecond")
        figures[f"p50_{size}"] = load.get("p50Micros")
        figures[f"p99_{size}"] = load.get("p99Micros")
        figures[f"cpu{size}"] = positive(load.get("cpuMicrosPerMessage"))
        figures[f"compressed{size}"] = load.get("compressedConnections")
        errors += load.get("errors", 0)
    hs = last_json(os.path.join(raw, f"{name}-handshakes.json"))
    measured |= bool(hs)
    figures["handshakeRate"] = hs.get("handshakesPerSecond")
    figures["handshakeP50"] = hs.get("p50Millis")
    figures["handshakeP99"] = hs.get("p99Millis")
    figures["handshakeCpu"] = positive(hs.get("cpuMicrosPerHandshake"))
    errors += hs.get("errors", 0)
    hold = last_json(os.path.join(raw, f"{name}-hold.json"))
    measured |= bool(hold)
    opened = hold.get("opened")
    figures["sessionsHeld"] = opened
    if opened and "rssHeldKiB" in hold:
        figures["rssPerSession"] = (hold["rssHeldKiB"] - hold["rssBeforeKiB"]) / opened
        figures["rssAfterClose"] = (hold["rssAfterCloseKiB"] - hold["rssBeforeKiB"]) / 1024
    else:
        figures["rssPerSession"] = figures["rssAfterClose"] = None
    if opened and "heapAfterGcHeldKiB" in hold:  # the JVMs only, from jcmd
        figures["heapPerSession"] = (hold["heapAfterGcHeldKiB"] - hold["heapAfterGcAfterCloseKiB"]) / opened
    else:
        figures["heapPerSession"] = None
    # What a held session costs: the RSS growth, unless a JVM's heap had already grown in the earlier phases
    # and absorbed the sessions without growing RSS; then the live heap they hold is the floor.
    known = [x for x in (figures["rssPerSession"], figures["heapPerSession"]) if x is not None]
    jvm_without_heap = name in ("wsgate", "filters", "netty") and figures["heapPerSession"] is None  # no jcmd reading: not known
    figures["memPerSession"] = max(known) if known and not jvm_without_heap else None
    figures["gaugeAfterClose"] = hold.get("sessionsActiveGaugeAfterClose")
    errors += hold.get("errors", 0) + hold.get("dropped", 0) + hold.get("stillOpen", 0)
    if hold and (opened is None or "dropped" not in hold):
        errors += 1  # the hold run did not finish
    figures["errors"] = errors if measured else None
    figures["leftoverSockets"] = hold.get("leftoverSockets")
    per_backend = hold.get("sessionsPerBackend")
    figures["sessionsPerBackend"] = "/".join(str(n) for n in per_backend) if per_backend else None
    logs = last_json(os.path.join(raw, f"{name}-logs.json"))
    figures["logProblems"] = logs.get("logProblems") if measured else None
    figures["eventLoops"] = logs.get("eventLoops") or None
    storm_figures, storms = read_storms(raw, name, storm_jdks)
    figures.update(storm_figures)
    return figures, {"load": {size: last_json(os.path.join(raw, f"{name}-load-{size}.json")) for size in sizes},
                     "handshakes": hs, "hold": hold, "storm": storms}


class Row:
    """One figure of the table: its key in the results, how it is shown, and the issue's target for wsgate."""

    def __init__(self, key, label, unit, better, decimals, target=None, chart=None):
        self.key, self.label, self.unit, self.better, self.decimals = key, label, unit, better, decimals
        self.target = target  # ("ratio>=" | "ratio<=" | "value>=" | "value<=", bound) or None
        self.chart = chart  # the label's lines under its bars in the chart; None = not charted


def storm_rows(jdks, image_jdk, storm_sessions, warmup, rounds=1):
    """The storm's rows, per JDK; the issue's targets (ratios to nginx) on the image JDK's rows only. The
    start-to-ready target is for a start without the self warm-up (with it, readiness waits on purpose).
    With several rounds, the absorb time is their median, and a row shows every round's."""
    rows = []
    median = f" (median of {rounds})" if rounds > 1 else ""
    for jdk in jdks:
        image = jdk == image_jdk

        def goal(target):
            return target if image else None

        on = f"JDK {jdk}" + (" (image)" if image and len(jdks) > 1 else "")
        rows += [
            Row(storm_key("Absorb", jdk), f"storm absorb time{median}, {on}", "s", "lower", 2, goal(("ratio<=", 1.25)),
                ("storm absorb", on)),
            *([Row(storm_key("AbsorbRounds", jdk), f"storm absorb time by round, {on}", "s", "", 2)] if rounds > 1 else []),
            Row(storm_key("Rate", jdk), f"storm rate, {on}", "/s", "higher", 0, None, ("storm rate", on)),
            Row(storm_key("P50", jdk), f"storm handshake p50, {on}", "ms", "lower", 1),
            Row(storm_key("P99", jdk), f"storm handshake p99, {on}", "ms", "lower", 1, goal(("ratio<=", 3.0)),
                ("storm p99", on)),
            Row(storm_key("Failed", jdk), f"storm failures, {on}", "", "lower", 0, goal(("value<=", 0))),
            Row(storm_key("FailureKinds", jdk), f"storm failures by kind, {on}", "", "", 0),
            Row(storm_key("Open", jdk), f"storm sessions open, {on}", "", "higher", 0, goal(("value>=", storm_sessions))),
            Row(storm_key("Cpu", jdk), f"proxy CPU/session in storm, {on}", "us", "lower", 0, None,
                ("storm CPU/session", on)),
            Row(storm_key("BackendCpu", jdk), f"backends' CPU/session in storm, {on}", "us", "lower", 0),
            Row(storm_key("Ready", jdk), f"start to ready, {on}" + (", self warm-up" if warmup else ""), "ms", "lower",
                0, None if warmup else goal(("value<=", 3000))),
            Row(storm_key("Leftover", jdk), f"storm sockets left open, {on}", "", "lower", 0),
            Row(storm_key("LogProblems", jdk), f"storm warnings in proxy log, {on}", "lines", "lower", 0),
        ]
    return rows


def figure_rows(sizes, hold_sessions, message_type="binary", compressed_connections=None, phases=CLASSIC_PHASES):
    """compressed_connections: with COMPRESSION=1, the load connections (each must negotiate permessage-deflate).
    phases: the classic phases of the run (load, handshakes, hold): only their rows."""
    rows = []
    for size in sizes if "load" in phases else []:
        label = f"{size} B" if size < 1024 else f"{size // 1024} KiB"
        if message_type != "binary":
            label += f" {message_type}"
        if compressed_connections is not None:
            label += " deflate"
            rows.append(Row(f"compressed{size}", f"connections compressed {label}", "", "higher", 0,
                            ("value>=", compressed_connections)))
        rows += [
            Row(f"throughput{size}", f"throughput {label}", "msg/s", "higher", 0, ("ratio>=", 1.0),
                ("throughput", label)),
            Row(f"p50_{size}", f"latency p50 {label}", "us", "lower", 0, None, ("latency p50", label)),
            Row(f"p99_{size}", f"latency p99 {label}", "us", "lower", 0, ("ratio<=", 1.2), ("latency p99", label)),
            Row(f"cpu{size}", f"proxy CPU/msg {label}", "us", "lower", 2, ("ratio<=", 1.0), ("CPU/msg", label)),
        ]
    if "handshakes" in phases:
        rows += [
            Row("handshakeRate", "handshake rate", "/s", "higher", 0, ("ratio>=", 1.0), ("handshake", "rate")),
            Row("handshakeP50", "handshake p50", "ms", "lower", 2, None, ("handshake", "p50")),
            Row("handshakeP99", "handshake p99", "ms", "lower", 2, None, ("handshake", "p99")),
            Row("handshakeCpu", "proxy CPU/handshake", "us", "lower", 0, None, ("CPU/", "handshake")),
        ]
    if "hold" in phases:
        rows += [
            Row("rssPerSession", "RSS per held session", "KiB", "lower", 1, None, ("RSS per", "session")),
            Row("rssAfterClose", "RSS kept after close", "MiB", "lower", 1),
            Row("heapPerSession", "live heap per held session", "KiB", "lower", 1),
            Row("memPerSession", "memory per held session", "KiB", "lower", 1, ("value<=", 12.0)),
            Row("gaugeAfterClose", "sessions gauge after close", "", "lower", 0),
            Row("sessionsHeld", "sessions held at once", "", "higher", 0, ("value>=", hold_sessions)),
        ]
    if phases:
        rows += [Row("errors", "errors (all runs)", "", "lower", 0, ("value<=", 0))]
    if "hold" in phases:
        rows += [Row("leftoverSockets", "sockets left open", "", "lower", 0, ("value<=", 0))]
    if phases:
        rows += [Row("logProblems", "warnings in proxy log", "lines", "lower", 0)]
    if "hold" in phases:
        rows += [Row("sessionsPerBackend", "held per backend", "", "", 0)]
    if phases:
        rows += [Row("eventLoops", "event loops (threads/workers)", "", "", 0)]
    return rows


def ratio(a, b):
    """a / b; for two lists of the same length (a figure by round), the ratio of each pair."""
    if isinstance(a, list) and isinstance(b, list):
        return [ratio(x, y) for x, y in zip(a, b)] if len(a) == len(b) else None
    if not isinstance(a, (int, float)) or not isinstance(b, (int, float)) or a < 0 or b <= 0:
        return None
    return a / b


def fmt_ratio(r):
    if isinstance(r, list):
        return " ".join(fmt_ratio(x) for x in r)
    return "-" if r is None else f"{r:.3g}"


def check(target, value, r):
    if target is None:
        return None
    kind, bound = target
    x = r if kind.startswith("ratio") else value
    if x is None:
        return None
    return x >= bound if kind.endswith(">=") else x <= bound


def target_text(target):
    if target is None:
        return ""
    kind, bound = target
    op = ">=" if kind.endswith(">=") else "<="
    return f"ratio {op} {bound:g}" if kind.startswith("ratio") else f"{op} {bound:g}"


def fmt(value, decimals):
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return " ".join(fmt(v, decimals) for v in value)
    return f"{value:,.{decimals}f}"


def table(rows, results, targets):
    # With the bare relay in the run, wsgate's distance to the JVM's floor as well.
    floor = [FLOOR] if FLOOR in targets and "wsgate" in targets else []
    # With the filters target, what the pipeline's filters add to wsgate alone.
    with_filters = "filters" in targets and "wsgate" in targets
    header = (["figure", "unit"] + targets + ["wsgate/nginx"] + [f"wsgate/{t}" for t in floor]
              + (["filters/wsgate"] if with_filters else []) + ["target", "met"])
    lines = []
    for row in rows:
        w, n = results.get("wsgate", {}).get(row.key), results.get(BASELINE, {}).get(row.key)
        r = ratio(w, n)
        met = check(row.target, w, r)
        to_floor = [ratio(w, results[t].get(row.key)) for t in floor]
        filters = [ratio(results["filters"].get(row.key), w)] if with_filters else []
        lines.append([row.label, row.unit] + [fmt(results[t].get(row.key), row.decimals) for t in targets]
                     + [fmt_ratio(x) for x in [r] + to_floor + filters]
                     + [target_text(row.target), {True: "yes", False: "NO", None: ""}[met]])
    widths = [max(len(str(row[i])) for row in [header] + lines) for i in range(len(header))]
    out = []
    for i, row in enumerate([header] + lines):
        out.append("  ".join(str(c).ljust(widths[j]) if j < 2 else str(c).rjust(widths[j])
                             for j, c in enumerate(row)).rstrip())
        if i == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def svg_chart(rows, results, targets, subtitle):
    """Grouped bars: each figure's ratio to nginx, log scale, 1.0 = as nginx."""
    series = [t for t in targets if t != BASELINE]
    colors = {"direct": "#b0b0b0", "haproxy": "#4e79a7", "wsgate": "#e15759", "filters": "#b07aa1", "netty": "#f28e2b"}
    groups = []
    for row in rows:
        if row.chart is None:
            continue
        ratios = {t: ratio(results[t].get(row.key), results[BASELINE].get(row.key)) for t in series}
        if any(v for v in ratios.values()):
            groups.append((row.chart + (f"{row.better} is better",), ratios))
    lo, hi = 1 / 8, 8.0
    width, height = max(640, 80 + 80 * len(groups)), 440
    left, right, top, bottom = 50, 20, 74, 64
    plot_w, plot_h = width - left - right, height - top - bottom

    def y(v):
        v = min(max(v, lo), hi)
        return top + plot_h * (math.log2(hi) - math.log2(v)) / (math.log2(hi) - math.log2(lo))

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'font-family="sans-serif" font-size="11">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{left}" y="22" font-size="15" font-weight="bold">Ratio to nginx (1 = same as nginx, log scale)</text>',
           f'<text x="{left}" y="40" fill="#555">{escape(subtitle)}</text>']
    for v in (1 / 8, 1 / 4, 1 / 2, 1, 2, 4, 8):
        yy = y(v)
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{yy:.1f}" y2="{yy:.1f}" '
                   f'stroke="{"#333" if v == 1 else "#ddd"}" stroke-width="{1.5 if v == 1 else 1}"/>')
        out.append(f'<text x="{left - 6}" y="{yy + 4:.1f}" text-anchor="end">{v:g}</text>')
    group_w = plot_w / max(1, len(groups))
    bar_w = min(18, (group_w - 14) / max(1, len(series)))
    for gi, (label, ratios) in enumerate(groups):
        x0 = left + gi * group_w + (group_w - bar_w * len(series)) / 2
        for si, t in enumerate(series):
            v = ratios.get(t)
            if not v:
                continue
            x = x0 + si * bar_w
            y1, y0 = sorted((y(v), y(1)))
            out.append(f'<rect x="{x:.1f}" y="{y1:.1f}" width="{bar_w - 2:.1f}" height="{max(y0 - y1, 1):.1f}" '
                       f'fill="{colors.get(t, "#59a14f")}"><title>{t}/nginx {" ".join(label[:2])}: {v:.2f}</title></rect>')
            ty = y(v) - 3 if v >= 1 else y(v) + 10
            out.append(f'<text x="{x + (bar_w - 2) / 2:.1f}" y="{ty:.1f}" text-anchor="middle" font-size="9">{v:.2f}</text>')
        cx = left + gi * group_w + group_w / 2
        for li, text in enumerate(label):
            color = "#777" if li == len(label) - 1 else "#000"
            out.append(f'<text x="{cx:.1f}" y="{top + plot_h + 16 + 13 * li}" text-anchor="middle" '
                       f'fill="{color}" font-size="{10 if li == len(label) - 1 else 11}">{escape(text)}</text>')
    lx = left
    for t in series:
        out.append(f'<rect x="{lx}" y="50" width="12" height="10" fill="{colors.get(t, "#59a14f")}"/>'
                   f'<text x="{lx + 16}" y="59">{t} / nginx</text>')
        lx += 110
    out.append("</svg>")
    return "\n".join(out)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--raw", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--duration", type=int, default=None)
    parser.add_argument("--config", default="{}")
    args = parser.parse_args()
    config = json.loads(args.config)
    sizes = [int(s) for s in config.get("sizes", "64 4096").split()]
    hold_sessions = int(config.get("holdSessions", 9000))
    targets = [t for t in TARGETS if t in config.get("targets", " ".join(TARGETS)).split()]
    phases = config.get("phases", " ".join(CLASSIC_PHASES)).split()  # runs before the storm had no "phases"
    storm_jdks = config.get("stormJdks", "").split() if "storm" in phases else []

    results, raw = {}, {}
    for t in TARGETS:
        results[t], raw[t] = read_target(args.raw, t, sizes, storm_jdks)
    compressed = int(config.get("connections", 64)) if config.get("compression") == "1" else None
    rows = figure_rows(sizes, hold_sessions, config.get("messageType", "binary"), compressed,
                       [p for p in CLASSIC_PHASES if p in phases])
    rows += storm_rows(storm_jdks, config.get("imageJdk"), int(config.get("stormSessions", 9000)),
                       config.get("wsgateWarmup") == "1", int(config.get("stormRounds", 1)))

    print()
    print(table(rows, results, targets))
    print()

    ratios = {t: {row.key: ratio(results[t].get(row.key), results[BASELINE].get(row.key)) for row in rows}
              for t in targets if t != BASELINE}
    checks = {row.key: {"target": target_text(row.target),
                        "met": check(row.target, results["wsgate"].get(row.key),
                                     ratios.get("wsgate", {}).get(row.key))}
              for row in rows if row.target}
    document = {
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "durationSeconds": args.duration,
        "config": config,
        "figures": {row.key: {"label": row.label, "unit": row.unit, "better": row.better} for row in rows},
        "results": {t: results[t] for t in targets},
        "ratiosToNginx": ratios,
        **({"wsgateToNetty": {row.key: ratio(results["wsgate"].get(row.key), results[FLOOR].get(row.key))
                              for row in rows}} if FLOOR in targets and "wsgate" in targets else {}),
        **({"filtersToWsgate": {row.key: ratio(results["filters"].get(row.key), results["wsgate"].get(row.key))
                                for row in rows}} if "filters" in targets and "wsgate" in targets else {}),
        "wsgateTargets": checks,
        "raw": {t: raw[t] for t in targets},
    }
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump(document, f, indent=2)
    parts = [f"{config.get('cores', '?')} shared cores"]
    if "load" in phases:
        parts.append(f"{config.get('connections', '?')} connections x {config.get('window', '?')} in flight")
    if "hold" in phases:
        parts.append(f"{hold_sessions} held sessions")
    if storm_jdks:
        parts.append(f"storm of {config.get('stormSessions', '?')}, {config.get('stormConcurrency', '?')} in flight"
                     + (f", {config['stormRounds']} rounds" if config.get("stormRounds", "1") != "1" else ""))
    subtitle = ", ".join(parts + [document["date"], f"load average {config.get('loadAverageAtStart', '?')}"])
    if BASELINE in targets and len(targets) > 1:
        with open(os.path.join(args.out, "results.svg"), "w") as f:
            f.write(svg_chart(rows, results, targets, subtitle))
    print(f"wrote {os.path.join(args.out, 'results.json')} and results.svg"
          + (f" (run took {args.duration} s)" if args.duration else ""))


if __name__ == "__main__":
    main()
