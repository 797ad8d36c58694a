#!/usr/bin/env python3
"""eng/bench.sh's arithmetic and its report: docs/performance.md and docs/performance.png from results.jsonl.

Subcommands (all read stdin or a file and print one line, except render):
  commandstats                 Redis INFO commandstats (stdin) -> JSON of the calls clients send
  median-rps RESULTS TARGET    median requests/s of a target's peak rounds
  accuracy LIMIT WINDOW        wrk accuracy lines (stdin) -> one accuracy result
  bdn REPORT.csv               BenchmarkDotNet CSV report -> result lines
  render RESULTS DOCS_DIR      writes performance.md, performance.png
"""
import csv
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys

# Commands a client sends itself. A Lua script's own calls (get, set, incrby, expireat ...) are counted by
# INFO commandstats too, but they run inside Redis during the one EVALSHA round trip.
CLIENT_COMMANDS = ("evalsha", "eval", "exists", "ping", "echo", "script")
TARGET_LABELS = {
    "direct": "Api directly",
    "gateway": "Gateway (JWT + Redis rate limit)",
    "gateway-nolimit": "Gateway (JWT, no rate limit)",
    "gateway-untuned": "Gateway, token cache off (JWT + rate limit)",
    "nginx": "nginx (plain reverse proxy)",
}

# Short names for the chart's axis.
CHART_LABELS = {
    "direct": "Api direct",
    "gateway": "Gateway",
    "gateway-nolimit": "GW, no limit",
    "gateway-untuned": "GW, no cache",
    "nginx": "nginx",
}


def commandstats():
    calls = {}
    for line in sys.stdin:
        if line.startswith("cmdstat_"):
            name, fields = line.strip()[len("cmdstat_"):].split(":", 1)
            values = dict(pair.split("=", 1) for pair in fields.split(","))
            calls[name] = int(values["calls"])
    print(json.dumps(calls, separators=(",", ":")))


def load(path):
    with open(path, encoding="utf-8") as results:
        return [json.loads(line) for line in results if line.strip()]


def peaks(rows, target):
    return [row for row in rows if row.get("kind") == "peak" and row["target"] == target]


def median_rps(path, target):
    print(round(statistics.median(row["wrk"]["rps"] for row in peaks(load(path), target)), 1))


def accuracy(limit, window):
    admitted = limited = other = 0
    for line in sys.stdin:
        if line.startswith("BENCH_RESULT "):
            counts = json.loads(line[len("BENCH_RESULT "):])
            admitted += counts["admitted"]
            limited += counts["limited"]
            other += counts["other"]
    deviation = (admitted - limit) / limit * 100
    print(json.dumps({"kind": "accuracy", "window": window, "limit": limit, "admitted": admitted,
                      "limited": limited, "other": other, "deviation_percent": round(deviation, 2)}))


def bdn(path):
    with open(path, encoding="utf-8") as report:
        for row in csv.DictReader(report, delimiter=","):
            print(json.dumps({"kind": "micro", "method": row["Method"], "mean": row["Mean"],
                              "error": row.get("Error", ""), "allocated": row.get("Allocated", "")}))


def microseconds(text):
    """BenchmarkDotNet's formatted mean ("4.991 μs", "1,234.5 ns", "15.2 ms") in microseconds."""
    value, unit = text.replace(",", "").split()
    return float(value) * {"ns": 1e-3, "μs": 1.0, "us": 1.0, "ms": 1e3, "s": 1e6}[unit]


def client_round_trips(row):
    before, after = row["redis_before"], row["redis_after"]
    delta = {name: after.get(name, 0) - before.get(name, 0) for name in CLIENT_COMMANDS}
    return {name: count for name, count in delta.items() if count > 0}


def served(run):
    """Requests the server handled: wrk's completed ones plus the one per connection still in flight when it stopped."""
    return run["wrk"]["requests"] + run.get("connections", 0)


def cpu_us(run, field):
    return run[field] / run["ticks_per_second"] / served(run) * 1e6


def summarize(rows):
    table = {}
    for target in TARGET_LABELS:
        runs = peaks(rows, target)
        if not runs:
            continue
        table[target] = {
            "rps": statistics.median(run["wrk"]["rps"] for run in runs),
            "p50": statistics.median(run["wrk"]["p50_ms"] for run in runs),
            "p99": statistics.median(run["wrk"]["p99_ms"] for run in runs),
            "rounds": [run["wrk"]["rps"] for run in runs],
            "non2xx": sum(run["wrk"]["non2xx"] + run["wrk"]["socket_errors"] for run in runs),
            "front_cpu": statistics.median(cpu_us(run, "front_ticks") for run in runs) if target != "direct" else None,
            "api_cpu": statistics.median(cpu_us(run, "api_ticks") for run in runs),
        }
    return table


def summarize_half(rows):
    """Half-load runs per target: medians over the rounds, and each round's p99."""
    summary = {}
    for target in ("direct", "gateway", "nginx"):
        runs = [row for row in rows if row.get("kind") == "half" and row["target"] == target]
        if runs:
            summary[target] = {
                "delay_ms": runs[0]["delay_ms"],
                "rps": statistics.median(run["wrk"]["rps"] for run in runs),
                "p50": statistics.median(run["wrk"]["p50_ms"] for run in runs),
                "p99": statistics.median(run["wrk"]["p99_ms"] for run in runs),
                "p99s": [run["wrk"]["p99_ms"] for run in runs],
            }
    return summary


def p99_added_by_round(rows):
    """Gateway p99 minus the Api's, paired within each half-load round (the machine's load is shared by both)."""
    by_round = {}
    for row in rows:
        if row.get("kind") == "half" and row["target"] in ("gateway", "direct"):
            by_round.setdefault(row.get("round", 1), {})[row["target"]] = row["wrk"]["p99_ms"]
    return [pair["gateway"] - pair["direct"] for _, pair in sorted(by_round.items()) if len(pair) == 2]


def machine():
    cores = os.cpu_count()
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            model = next(line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    try:
        with open("/etc/os-release", encoding="utf-8") as release:
            os_name = next(line.split("=", 1)[1].strip().strip('"') for line in release if line.startswith("PRETTY_NAME"))
    except (OSError, StopIteration):
        os_name = platform.platform()
    dotnet = subprocess.run(["dotnet", "--version"], capture_output=True, text=True, check=False).stdout.strip()
    return cores, model, os_name, dotnet


def chart(table, half, png):
    data = png + ".dat"
    with open(data, "w", encoding="utf-8") as out:
        for target, row in table.items():
            out.write(f'"{CHART_LABELS[target]}" {row["rps"]:.0f} {row["p50"]:.3f} {row["p99"]:.3f}\n')
    script = f"""
set terminal pngcairo size 1200,420 font 'DejaVu Sans,10' noenhanced
set output '{png}'
set multiplot layout 1,2 title 'SecureStack edge benchmark (one run, same machine, medians of interleaved rounds)'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set xtics scale 0 font ',9'
set grid ytics
set key off
set title 'Throughput (requests/s, higher is better)'
set yrange [0:*]
plot '{data}' using 2:xtic(1) linecolor rgb '#3b6ea8'
set key top left
set title 'Latency at peak (ms, lower is better)'
plot '{data}' using 3:xtic(1) title 'p50' linecolor rgb '#6aa84f', '' using 4 title 'p99' linecolor rgb '#cc4125'
unset multiplot
"""
    if subprocess.run(["gnuplot"], input=script, text=True, check=False).returncode != 0:
        script = script.replace("pngcairo", "png")
        subprocess.run(["gnuplot"], input=script, text=True, check=True)
    os.remove(data)


def render(path, docs):
    rows = load(path)
    table = summarize(rows)
    half = summarize_half(rows)
    accuracy_rows = [row for row in rows if row.get("kind") == "accuracy"]
    micro = [row for row in rows if row.get("kind") == "micro"]
    cores, model, os_name, dotnet = machine()
    settings = next((row for row in rows if row.get("kind") == "settings"), {})

    def ratio(a, b):
        return table[a]["rps"] / table[b]["rps"] if a in table and b in table else float("nan")

    limited_runs = peaks(rows, "gateway")
    trips = {}
    requests = 0
    for run in limited_runs:
        requests += served(run)
        for name, count in client_round_trips(run).items():
            trips[name] = trips.get(name, 0) + count
    limiter_trips = (trips.get("evalsha", 0) + trips.get("eval", 0)) / requests if requests else float("nan")
    all_trips = sum(trips.values()) / requests if requests else float("nan")

    lines = []
    add = lines.append
    add("# Performance")
    add("")
    add("<!-- Generated by eng/bench.sh from one run; edit bench/report.py, not this file. -->")
    add("")
    add(f"One run of `eng/bench.sh` on {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC: "
        f"{cores} cores ({model}), {os_name}, .NET SDK {dotnet}. The machine is shared with other work, so only "
        "ratios and side-by-side figures from the same run mean anything; absolute numbers will differ on yours.")
    add("")
    add("![Throughput and latency per target](performance.png)")
    add("")
    add("## Headline ratios")
    add("")
    def verdict(value, target, at_least):
        return "met" if (value >= target if at_least else value <= target) else "**not met**"

    add("| ratio | value | target | |")
    add("| --- | --- | --- | --- |")
    add(f"| Gateway / Api directly (requests/s) | {ratio('gateway', 'direct'):.3f} | ≥ 0.5 | "
        f"{verdict(ratio('gateway', 'direct'), 0.5, True)} |")
    add(f"| Gateway / nginx (requests/s) | {ratio('gateway', 'nginx'):.3f} | ≥ 0.6 | "
        f"{verdict(ratio('gateway', 'nginx'), 0.6, True)} |")
    add(f"| Gateway with rate limit / without (requests/s) | {ratio('gateway', 'gateway-nolimit'):.2f} | the limiter's cost | |")
    add(f"| Gateway with / without the validated-token cache (requests/s) | {ratio('gateway', 'gateway-untuned'):.2f} | | |")
    if "gateway" in table and "gateway-untuned" in table:
        add(f"| Gateway CPU per request, with / without the token cache | "
            f"{table['gateway']['front_cpu'] / table['gateway-untuned']['front_cpu']:.2f} | | |")
    added_by_round = p99_added_by_round(rows)
    if added_by_round:
        added = statistics.median(added_by_round)
        add(f"| p99 added by the Gateway at half its peak load (ms, median of the rounds' Gateway − Api) | {added:.2f} | ≤ 3 | "
            f"{verdict(added, 3, False)} |")
    add(f"| Redis round trips per limited request (rate limit: EVALSHA) | {limiter_trips:.2f} | ≤ 1.0 | "
        f"{verdict(round(limiter_trips, 2), 1.0, False)} |")
    add(f"| Redis round trips per limited request (all commands clients sent) | {all_trips:.2f} | | |")
    if accuracy_rows:
        worst = max(abs(row["deviation_percent"]) for row in accuracy_rows)
        add(f"| Limiter accuracy, 3 Gateways sharing Redis (worst window) | ±{worst:.2f} % | ±2 % | {verdict(worst, 2, False)} |")
    micro_means = {row["method"]: row["mean"] for row in micro}
    for method, label in (("AuthenticateWithJwtBearer", "a token seen before"), ("AuthenticateWithJwtBearerUncached", "a new token")):
        if method in micro_means:
            mean_us = microseconds(micro_means[method])
            add(f"| Access-token validation as the Gateway does it, {label} (BenchmarkDotNet) | {mean_us:.1f} µs | ≤ 30 µs | "
                f"{verdict(mean_us, 30, False)} |")
    add("")
    add("## Peak load")
    add("")
    add(f"wrk, {settings.get('threads', '?')} threads, {settings.get('connections', '?')} keep-alive HTTPS connections, "
        f"{settings.get('seconds', '?')} s per run, {settings.get('rounds', '?')} interleaved rounds; medians of the rounds.")
    add("")
    add("| target | requests/s | p50 ms | p99 ms | requests/s per round | errors | CPU µs/request in front | CPU µs/request Api |")
    add("| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: |")
    for target, row in table.items():
        rounds = ", ".join(f"{value:.0f}" for value in row["rounds"])
        front = "—" if row["front_cpu"] is None else f"{row['front_cpu']:.0f}"
        add(f"| {TARGET_LABELS[target]} | {row['rps']:.0f} | {row['p50']:.2f} | {row['p99']:.2f} | {rounds} | "
            f"{row['non2xx']} | {front} | {row['api_cpu']:.0f} |")
    add("")
    add("CPU per request is user + system time of the process in front of the Api (the Gateway, or nginx's master and "
        "workers) and of the Api, from `/proc`, divided by the requests served. On a shared machine it moves far less "
        "than throughput, and it explains the ratios: with the load generator, the proxy and the Api on the same cores, "
        "a proxy's throughput is bounded by Api ÷ (Api + proxy) of the direct figure.")
    add("")
    if half:
        add("## Half of the Gateway's peak")
        add("")
        delay = next(iter(half.values()))["delay_ms"]
        add(f"Each connection waits {delay} ms between requests, so together they offer about half the Gateway's "
            "median peak rate; the same pacing for each target, in interleaved rounds; medians of the rounds.")
        add("")
        add("| target | requests/s | p50 ms | p99 ms | p99 ms per round |")
        add("| --- | ---: | ---: | ---: | --- |")
        for target in ("direct", "gateway", "nginx"):
            if target in half:
                result = half[target]
                add(f"| {TARGET_LABELS[target]} | {result['rps']:.0f} | {result['p50']:.2f} | {result['p99']:.2f} | "
                    f"{', '.join(f'{value:.1f}' for value in result['p99s'])} |")
        add("")
        if added_by_round:
            add("p99 added by the Gateway, round by round (Gateway − Api directly, same round): "
                f"{', '.join(f'{value:.1f}' for value in added_by_round)} ms.")
            add("")
        if "direct" in table:
            direct_p99 = [run["wrk"]["p99_ms"] for run in peaks(rows, "direct")]
            add(f"For scale: the Api's own p99 at peak ranged from {min(direct_p99):.0f} to {max(direct_p99):.0f} ms "
                "between rounds of this run; a difference of p99s smaller than that spread is not a measurement.")
            add("")
    add("## Redis cost")
    add("")
    add(f"`INFO commandstats` before and after each limited-Gateway run; {requests} requests served in all (wrk's "
        "completed requests plus the one per connection still in flight when it stopped). Calls by clients:")
    add("")
    add("| command | calls | per request |")
    add("| --- | ---: | ---: |")
    for name, count in sorted(trips.items()):
        add(f"| {name.upper()} | {count} | {count / requests:.3f} |")
    add("")
    add("The rate-limit decision is one `EVALSHA` (RedisRateLimiting's fixed-window script: its GET/SET/INCRBY run "
        "inside Redis). Revocation makes no call per request: each service checks its in-memory copy of the "
        "deny-list, fed by Redis pub/sub and a full read (`ZRANGEBYSCORE`) every `Revocation:ResyncInterval`.")
    add("")
    if accuracy_rows:
        add("## Limiter accuracy")
        add("")
        first = accuracy_rows[0]
        add(f"Three Gateway processes share Redis and one fixed-window policy ({first['limit']} requests per "
            f"{settings.get('accuracy_window', '?')} s window, partitioned by the caller); one wrk per Gateway offers "
            "more than the limit within a single window; then the window is left to close.")
        add("")
        add("| window | limit | admitted (200) | refused (429) | other | deviation |")
        add("| ---: | ---: | ---: | ---: | ---: | ---: |")
        for row in accuracy_rows:
            add(f"| {row['window']} | {row['limit']} | {row['admitted']} | {row['limited']} | {row['other']} | "
                f"{row['deviation_percent']:+.2f} % |")
        add("")
    if micro:
        add("## Micro-benchmarks (BenchmarkDotNet, ShortRun)")
        add("")
        add("| benchmark | mean | error | allocated |")
        add("| --- | ---: | ---: | ---: |")
        for row in micro:
            add(f"| {row['method']} | {row['mean']} | {row['error']} | {row['allocated']} |")
        add("")
    notes = os.path.join(os.path.dirname(os.path.abspath(__file__)), "performance-notes.md")
    if os.path.exists(notes):
        with open(notes, encoding="utf-8") as text:
            lines.extend(text.read().rstrip("\n").split("\n"))
        add("")

    os.makedirs(docs, exist_ok=True)
    with open(os.path.join(docs, "performance.md"), "w", encoding="utf-8") as out:
        out.write("\n".join(lines).rstrip("\n") + "\n")
    chart(table, half, os.path.join(docs, "performance.png"))
    print("\n".join(lines[:30]))


def main(argv):
    command = argv[1]
    if command == "commandstats":
        commandstats()
    elif command == "median-rps":
        median_rps(argv[2], argv[3])
    elif command == "accuracy":
        accuracy(int(argv[2]), int(argv[3]))
    elif command == "bdn":
        bdn(argv[2])
    elif command == "render":
        render(argv[2], argv[3])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
