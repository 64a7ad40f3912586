#!/usr/bin/env bash
# The proxy path with wsgate's meters on and off, measured in alternating rounds on this machine:
# throughput, and the gateway process's CPU time per message (utime+stime from /proc, over the
# counted window), which shared, noisy cores disturb far less than throughput. Prints a table and
# the ratios; writes bench/results/metrics-overhead.json.
# Usage: bench/metrics-overhead.sh [rounds (default 3)] [seconds per run (default 10)]
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-3}
SECONDS_PER_RUN=${2:-10}
mkdir -p bench/results target/bench

mvn -B -q -DskipTests package
mvn -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/bench/classpath.txt -Dmdep.includeScope=test
# Private copies, so a build running meanwhile cannot pull classes from under the benchmark.
rm -rf target/bench/classes target/bench/test-classes
cp -r target/classes target/bench/classes && cp -r target/test-classes target/bench/test-classes
CP="target/bench/classes:target/bench/test-classes:$(cat target/bench/classpath.txt)"
JAR=target/bench/wsgate.jar
cp "$(ls target/wsgate-*.jar | grep -v original | head -1)" "$JAR"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ECHO_PORT=$(free_port)
java -cp "$CP" io.wsgate.bench.Bench echo --port "$ECHO_PORT" > target/bench/echo.log 2>&1 &
ECHO_PID=$!
trap 'kill $ECHO_PID 2>/dev/null || true; [ -n "${GW_PID:-}" ] && kill $GW_PID 2>/dev/null || true' EXIT

run_gateway() { # $1 = true|false (wsgate meters enabled)
	GW_PORT=$(free_port); MGMT_PORT=$(free_port)
	cat > target/bench/gateway.yml <<YAML
wsgate:
  access-log: {enabled: false}
  http-servers:
    - {name: bench, port: $GW_PORT, rules: [{paths: [{path: /ws, backend: bench}]}]}
  pipelines:
    - name: bench
      filters:
        - {kind: WebSocketProxy, name: proxy, pools: [{servers: [{url: "ws://127.0.0.1:$ECHO_PORT"}], clientMaxMsgSize: -1, serverMaxMsgSize: -1}]}
YAML
	java -XX:+UseParallelGC -jar "$JAR" --spring.config.location=classpath:/application.yml,file:target/bench/gateway.yml \
		--management.server.port="$MGMT_PORT" --management.metrics.enable.wsgate="$1" > target/bench/gateway.log 2>&1 &
	GW_PID=$!
	for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$MGMT_PORT/actuator/health/readiness" >/dev/null && return; sleep 0.2; done
	echo "gateway did not start" >&2; cat target/bench/gateway.log >&2; exit 1
}

declare -a ON OFF
for round in $(seq 1 "$ROUNDS"); do
	for metrics in true false; do
		run_gateway "$metrics"
		result=$(java -cp "$CP" io.wsgate.bench.Bench load --url "ws://127.0.0.1:$GW_PORT/ws" --connections 64 --window 8 \
			--size 64 --seconds "$SECONDS_PER_RUN" --warmup 5 --cpu-pids "$GW_PID" --clock-ticks "$(getconf CLK_TCK)")
		kill "$GW_PID"; wait "$GW_PID" 2>/dev/null || true; GW_PID=
		figures=$(python3 -c "import json,sys; r=json.loads(sys.argv[1]); print(r['messagesPerSecond'], r['cpuMicrosPerMessage'], sep=':')" "$result")
		echo "round $round metrics=$metrics: $result"
		if [ "$metrics" = true ]; then ON+=("$figures"); else OFF+=("$figures"); fi
	done
done

python3 - "${ON[*]}" "${OFF[*]}" <<'PY'
import json, statistics, sys
on = [tuple(map(float, x.split(":"))) for x in sys.argv[1].split()]
off = [tuple(map(float, x.split(":"))) for x in sys.argv[2].split()]
rate_on, rate_off = statistics.median(r for r, _ in on), statistics.median(r for r, _ in off)
cpu_on, cpu_off = statistics.median(c for _, c in on), statistics.median(c for _, c in off)
print()
print(f"{'meters':<8}{'median msg/s':>14}{'median CPU us/msg':>20}   runs (msg/s)")
print(f"{'on':<8}{rate_on:>14.0f}{cpu_on:>20.2f}   {', '.join(f'{r:.0f}' for r, _ in on)}")
print(f"{'off':<8}{rate_off:>14.0f}{cpu_off:>20.2f}   {', '.join(f'{r:.0f}' for r, _ in off)}")
print(f"throughput on/off: {rate_on / rate_off:.3f} (target >= 0.95)")
print(f"CPU per message on/off: {cpu_on / cpu_off:.3f} (target <= 1.05)")
json.dump({"metricsOn": [{"messagesPerSecond": r, "cpuMicrosPerMessage": c} for r, c in on],
           "metricsOff": [{"messagesPerSecond": r, "cpuMicrosPerMessage": c} for r, c in off],
           "throughputRatio": rate_on / rate_off, "cpuPerMessageRatio": cpu_on / cpu_off},
          open("bench/results/metrics-overhead.json", "w"), indent=2)
PY
