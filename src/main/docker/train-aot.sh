#!/bin/bash
# Trains the JVM's AOT cache (JDK 25: JEP 483, 514, 515) for the container image.
#
#   train-aot.sh CACHE JAVA_ARGUMENTS...      e.g. train-aot.sh /app/wsgate.aot -jar /app/wsgate.jar
#
# Runs the gateway once with -XX:AOTCacheOutput=CACHE and its self warm-up on (wsgate.warmup): the
# warm-up's sessions through the handshake and frame paths are the training workload. Once the
# readiness probe answers 200 (the warm-up is over), the gateway gets SIGTERM, and the JVM writes the
# cache as it exits: the classes it loaded and linked, and the method profiles the JIT gathered.
# A JVM started with -XX:AOTCache=CACHE (same JDK, same class path, same GC and object header
# options) then starts in about half the time, and compiles the hot paths from those profiles.
#
# The gateway reads its configuration as usual (SPRING_CONFIG_ADDITIONAL_LOCATION in the image);
# the management port is TRAIN_MANAGEMENT_PORT (default 9090), the JVM is JAVA (default: java).
set -euo pipefail

if [ $# -lt 2 ]; then
	echo "usage: train-aot.sh CACHE JAVA_ARGUMENTS..." >&2
	exit 2
fi
cache=$1
shift
port=${TRAIN_MANAGEMENT_PORT:-9090}
java=${JAVA:-java}

"$java" -XX:AOTCacheOutput="$cache" "$@" --wsgate.warmup.enabled=true --management.server.port="$port" &
pid=$!

# The readiness probe's status line, over Bash's /dev/tcp (the runtime image has no curl).
ready() {
	local status
	exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
	printf 'GET /actuator/health/readiness HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
	read -r _ status _ <&3 || status=''
	exec 3<&- 3>&-
	[ "$status" = 200 ]
}

for ((i = 0; i < 1200; i++)); do
	if ! kill -0 "$pid" 2>/dev/null; then
		wait "$pid" || true
		echo "train-aot: the gateway exited before it was ready" >&2
		exit 1
	fi
	if ready 2>/dev/null; then
		break
	fi
	sleep 0.25
done
if ! ready 2>/dev/null; then
	kill -KILL "$pid"
	echo "train-aot: the gateway was not ready within 5 minutes" >&2
	exit 1
fi

kill -TERM "$pid"
# Stopped by SIGTERM, the JVM exits with 143 once the cache is written.
wait "$pid" || true
if [ ! -s "$cache" ]; then
	echo "train-aot: the JVM wrote no cache at $cache" >&2
	exit 1
fi
echo "train-aot: $(du -h "$cache" | cut -f1) written to $cache"
