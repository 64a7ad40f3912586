#!/usr/bin/env bash
# Side-by-side benchmark: the same WebSocket load straight to an echo backend ("direct"), and through
# nginx, HAProxy and wsgate, each proxying round robin to the same two echo backends on loopback; with
# TARGETS="... netty" also through a bare relay on plain Netty (the JVM's floor, see NettyRelay.java).
# Prints one table with wsgate's ratio to nginx and writes bench/results/results.json and results.svg.
# What is measured, the knobs and how to read the figures: bench/README.md.
#
# Usage: bench/run.sh                      (full run: 6 to 8 minutes, and the storm's three rounds: about 5 more)
#        LOAD_SECONDS=3 HANDSHAKES=500 HANDSHAKE_WARMUP=2000 HOLD_SESSIONS=500 bench/run.sh   (a quick look)
#        COMPRESSION=1 MESSAGE_TYPE=text SIZES=4096 bench/run.sh   (compressed 4 KiB JSON: permessage-deflate end to end)
#        PHASES=storm TARGETS="nginx haproxy wsgate" bench/run.sh   (the reconnect storm alone: a few minutes)
#        PHASES=storm STORM_JDKS="25 17" TARGETS="nginx wsgate" bench/run.sh   (wsgate's storm on JDK 25 and on JDK 17)
set -euo pipefail
cd "$(dirname "$0")/.."
PATH="$PATH:/usr/sbin:/sbin"

# ---- knobs (environment) -------------------------------------------------------------------------
TARGETS=${TARGETS:-direct nginx haproxy wsgate}   # also known: netty (a bare plain-Netty relay on wsgate's JVM),
                                                  # filters (wsgate with Validator + RateLimiter before its WebSocketProxy)
PHASES=${PHASES:-load handshakes hold storm} # what is measured for each target (any of these; run in this order)
CONNECTIONS=${CONNECTIONS:-64}               # load connections
WINDOW=${WINDOW:-8}                          # messages in flight per load connection
SIZES=${SIZES:-64 4096}                      # message sizes in bytes
MESSAGE_TYPE=${MESSAGE_TYPE:-binary}         # binary, or text (chat-like JSON: the gateway checks it is UTF-8)
COMPRESSION=${COMPRESSION:-0}                # 1 = the load client and the echo backends negotiate permessage-deflate (through every target)
LOAD_WARMUP=${LOAD_WARMUP:-3}                # seconds of load before measuring
LOAD_SECONDS=${LOAD_SECONDS:-5}              # seconds measured per load run
HANDSHAKES=${HANDSHAKES:-5000}               # sessions opened and closed
HANDSHAKE_WARMUP=${HANDSHAKE_WARMUP:-30000}  # uncounted sessions at the start of each target (a JVM compiles the handshake path for 25-30k)
HANDSHAKE_REWARM=${HANDSHAKE_REWARM:-$((HANDSHAKE_WARMUP / 3))} # uncounted sessions again right before the counted ones
HANDSHAKE_CONCURRENCY=${HANDSHAKE_CONCURRENCY:-16}
HOLD_SESSIONS=${HOLD_SESSIONS:-9000}         # idle sessions held open at once
HOLD_CONCURRENCY=${HOLD_CONCURRENCY:-64}     # handshakes in flight while opening them
HOLD_SECONDS=${HOLD_SECONDS:-8}              # seconds they are held once all are open
SETTLE_SECONDS=${SETTLE_SECONDS:-2}          # wait before RSS is read (must be < HOLD_SECONDS)
# The storm: each target started fresh, STORM_SESSIONS clients from the moment it is ready. Each proxied session
# holds two of the proxy's descriptors: with the open-file limit of 20,000 here, a proxy process holds about
# 9,900; 9000 leave room, so that no handshake fails for want of a descriptor.
STORM_SESSIONS=${STORM_SESSIONS:-9000}       # clients, each opens a session, echoes one message and stays open
STORM_CONCURRENCY=${STORM_CONCURRENCY:-256}  # handshakes in flight (a client holds its slot from connect to echo)
STORM_SIZE=${STORM_SIZE:-64}                 # bytes of the one binary message each client echoes
STORM_TIMEOUT=${STORM_TIMEOUT:-10}           # seconds a client waits for its 101 and echo before it counts as failed
STORM_CLIENT_WARMUP=${STORM_CLIENT_WARMUP:-5000}     # uncounted storm sessions the client opens over the backends before the target starts
STORM_BACKEND_WARMUP=${STORM_BACKEND_WARMUP:-45000}  # uncounted storm sessions over the two echo backends before the first storm
STORM_JDKS=${STORM_JDKS:-}                   # JDK majors for the JVM targets' storms, e.g. "25 17" (default: WSGATE_JAVA's)
STORM_ROUNDS=${STORM_ROUNDS:-3}              # storms per target (and JDK), the targets in turn in each round; the report takes medians
BACKEND_WARMUP=${BACKEND_WARMUP:-5}          # seconds of load on each echo backend before the first target
TARGET_WARMUP=${TARGET_WARMUP:-16}           # seconds of uncounted load through each target before its load runs, shared by the sizes (a JVM compiles for ~15 s)
NGINX_WORKERS=${NGINX_WORKERS:-auto}         # worker_processes (auto = one per core)
HAPROXY_THREADS=${HAPROXY_THREADS:-$(nproc)} # nbthread
# wsgate runs as the image and the Helm chart ship it: on a JDK 25 when the machine has one (the image's
# Temurin 25), with the image's JVM options, in the chart's default memory limit of 1 GiB (MaxRAM).
WSGATE_JAVA=${WSGATE_JAVA:-$(ls -d /usr/lib/jvm/*-25-*/bin/java 2>/dev/null | head -1)}
WSGATE_JAVA=${WSGATE_JAVA:-java}
WSGATE_JAVA_OPTS=${WSGATE_JAVA_OPTS:--XX:MaxRAM=1g -XX:MaxRAMPercentage=60.0 -XX:InitialRAMPercentage=25.0 -XX:MaxHeapFreeRatio=100 -XX:+UseG1GC -XX:+UseCompactObjectHeaders -XX:+ExitOnOutOfMemoryError -XX:MaxDirectMemorySize=128m --enable-native-access=ALL-UNNAMED}
TOOL_JAVA_OPTS=${TOOL_JAVA_OPTS:--XX:+UseParallelGC -XX:+ExitOnOutOfMemoryError}
SKIP_BUILD=${SKIP_BUILD:-0}                  # 1 = use the jar already in target/ and skip Maven
WSGATE_JAR=${WSGATE_JAR:-}                   # the jar wsgate runs from (default: a copy of target's); e.g. an extracted
                                             # one (java -Djarmode=tools -jar ... extract), for an AOT cache in WSGATE_JAVA_OPTS
WSGATE_IMAGE=${WSGATE_IMAGE:-0}               # 1 = wsgate as the image runs it: the extracted jar with the JVM's AOT cache, trained
                                             # once per run as the Dockerfile trains it (src/main/docker/train-aot.sh); image JDK only
WSGATE_WARMUP=${WSGATE_WARMUP:-0}             # 1 = the self warm-up before readiness, as the Helm chart turns it on (wsgate.warmup)
RESULTS=${RESULTS:-bench/results}

case "$MESSAGE_TYPE" in
	binary) TEXT=false ;;
	text) TEXT=true ;;
	*) echo "MESSAGE_TYPE must be binary or text, not '$MESSAGE_TYPE'" >&2; exit 2 ;;
esac
case "$COMPRESSION" in
	0) COMPRESS=false ;;
	1) COMPRESS=true ;;
	*) echo "COMPRESSION must be 0 or 1, not '$COMPRESSION'" >&2; exit 2 ;;
esac

has_phase() { [[ " $PHASES " == *" $1 "* ]]; }
for phase in $PHASES; do
	case $phase in
		load | handshakes | hold | storm) ;;
		*) echo "PHASES: unknown phase '$phase' (known: load handshakes hold storm)" >&2; exit 2 ;;
	esac
done
[[ $STORM_ROUNDS =~ ^[1-9][0-9]*$ ]] || { echo "STORM_ROUNDS must be a whole number from 1, not '$STORM_ROUNDS'" >&2; exit 2; }
CLASSIC_PHASES=0 # load, handshakes or hold: one process per target, warmed up, for all three
if has_phase load || has_phase handshakes || has_phase hold; then CLASSIC_PHASES=1; fi

LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)
RUN=target/bench/run   # everything this script generates but the results: configs, logs, pid files
RAW=$RUN/raw
STARTED_AT=$(date +%s)
log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# ---- prerequisites --------------------------------------------------------------------------------
for target in $TARGETS; do
	case $target in
		direct | wsgate | netty | filters) ;;
		nginx | haproxy)
			command -v "$target" >/dev/null || die "$target is not installed. On Debian/Ubuntu: apt-get install -y nginx haproxy
       (or leave it out: TARGETS=\"direct wsgate\" bench/run.sh)" ;;
		*) die "unknown target '$target' (known: direct nginx haproxy wsgate netty filters)" ;;
	esac
done
command -v python3 >/dev/null || die "python3 is needed for the report"

# Every held session costs the proxy two descriptors (client + backend): raise the soft limit to the hard one.
HARD_NOFILE=$(ulimit -Hn)
[ "$HARD_NOFILE" = unlimited ] && HARD_NOFILE=1048576
ulimit -n "$HARD_NOFILE" 2>/dev/null || true
NOFILE=$(ulimit -n)
if has_phase hold && [ $((2 * HOLD_SESSIONS + 200)) -gt "$NOFILE" ]; then
	log "warning: open-file limit $NOFILE is too low for $HOLD_SESSIONS proxied sessions (needs ~$((2 * HOLD_SESSIONS + 200)))"
fi
if has_phase storm && [ $((2 * STORM_SESSIONS + 200)) -gt "$NOFILE" ]; then
	log "warning: open-file limit $NOFILE is too low for a storm of $STORM_SESSIONS proxied sessions (needs ~$((2 * STORM_SESSIONS + 200)))"
fi

# ---- build: private copies, so a build running meanwhile cannot change what is measured -------------
mkdir -p "$RUN" "$RESULTS"
rm -rf "$RAW" && mkdir -p "$RAW"
if [ "$SKIP_BUILD" != 1 ]; then
	log "building the wsgate jar"
	mvn -B -q -Dstyle.color=never -Dmaven.test.skip=true package
fi
if [ "$SKIP_BUILD" != 1 ] || [ ! -s "$RUN/classpath.txt" ]; then
	mvn -B -q -Dstyle.color=never dependency:build-classpath -Dmdep.outputFile="$RUN/classpath.txt" -Dmdep.includeScope=test
fi
JAR_SOURCE=
for jar in target/wsgate-*.jar; do [ -f "$jar" ] && JAR_SOURCE=$jar && break; done
[ -n "$JAR_SOURCE" ] || die "no target/wsgate-*.jar: run without SKIP_BUILD=1"
cp "$JAR_SOURCE" "$RUN/wsgate.jar"
# The tools use the project's classes (the demo echo backend): a private copy, like the jar's.
rm -rf "$RUN/tools" "$RUN/classes"
cp -r target/classes "$RUN/classes"
javac --release 17 -nowarn -d "$RUN/tools" -cp "$RUN/classes:$(cat "$RUN/classpath.txt")" bench/src/main/java/io/wsgate/bench/*.java
CP="$RUN/tools:$RUN/classes:$(cat "$RUN/classpath.txt")"
CLK_TCK=$(getconf CLK_TCK)

# ---- process bookkeeping ---------------------------------------------------------------------------
CHILDREN=()
WARMING=()
cleanup() {
	local pid
	for pid in "${CHILDREN[@]}"; do kill "$pid" 2>/dev/null || true; done
	wait 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

stop() { # stops one child by pid and waits for it
	kill "$1" 2>/dev/null || true
	for _ in $(seq 1 100); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
	kill -9 "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

wait_port() { # $1 port, $2 pid that must stay alive, $3 log to show on failure
	for _ in $(seq 1 300); do
		kill -0 "$2" 2>/dev/null || { cat "$3" >&2; die "process $2 exited before listening on $1"; }
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
		sleep 0.2
	done
	cat "$3" >&2; die "nothing listens on port $1 after 60 s"
}

# The benchmark's own tools (Bench.java). An array, not a function, so that `"${TOOL[@]}" ... &` makes $! the
# java process itself.
read -r -a TOOL <<<"java $TOOL_JAVA_OPTS"
TOOL+=(-cp "$CP" io.wsgate.bench.Bench)

# wsgate's JVM, and the jcmd of the same JDK (another version's may fail to attach). Compact object
# headers need JDK 24 or later: on an older JVM the option is dropped.
WSGATE_JCMD=$(dirname "$(readlink -f "$(command -v "$WSGATE_JAVA")")")/jcmd
IMAGE_JAVA_OPTS=$WSGATE_JAVA_OPTS
IMAGE_JAVA=$WSGATE_JAVA

# This script's WSGATE_* variables, as env's arguments that unset them: the gateway must not see them, or
# Spring Boot would bind WSGATE_WARMUP=0 as wsgate.warmup (and fail), WSGATE_IMAGE as wsgate.image, and so on.
# env then execs the JVM, which keeps env's pid (the pid the measurements read).
UNSET_BENCH_VARIABLES=()
for name in $(compgen -e); do
	if [[ $name == WSGATE_* ]]; then UNSET_BENCH_VARIABLES+=(-u "$name"); fi
done

# WSGATE_IMAGE=1: the jar extracted as the Dockerfile extracts it, and the AOT cache trained as it trains it
# (the gateway with its self warm-up, once, on a config of free ports), for the image's JDK and options.
IMAGE_APP=$PWD/$RUN/image
if [ "$WSGATE_IMAGE" = 1 ]; then
	[ -z "$WSGATE_JAR" ] || die "WSGATE_IMAGE=1 extracts the jar itself: leave WSGATE_JAR unset"
	log "WSGATE_IMAGE=1: extracting the jar and training the AOT cache (a minute or two)"
	rm -rf "$IMAGE_APP" "$IMAGE_APP.layers"
	"$WSGATE_JAVA" -Djarmode=tools -jar "$RUN/wsgate.jar" extract --layers --destination "$IMAGE_APP.layers" >/dev/null
	mkdir -p "$IMAGE_APP"
	for layer in dependencies spring-boot-loader snapshot-dependencies application; do
		cp -r "$IMAGE_APP.layers/$layer/." "$IMAGE_APP/"
	done
	rm -rf "$IMAGE_APP.layers"
	demo_port=$(free_port)
	cat >"$IMAGE_APP/training.yml" <<YAML
# Generated by bench/run.sh: the demo route on free ports, as the image's config has it.
wsgate:
  demo: {enabled: true, port: $demo_port}
  http-servers:
    - {name: demo-server, port: $(free_port), address: 127.0.0.1, rules: [{paths: [{path: /ws, backend: demo}]}]}
  pipelines:
    - {name: demo, filters: [{kind: WebSocketProxy, name: wsproxy, pools: [{servers: [{url: "ws://127.0.0.1:$demo_port"}]}]}]}
YAML
	JAVA=$WSGATE_JAVA TRAIN_MANAGEMENT_PORT=$(free_port) JDK_JAVA_OPTIONS=$WSGATE_JAVA_OPTS \
		env "${UNSET_BENCH_VARIABLES[@]}" bash src/main/docker/train-aot.sh "$IMAGE_APP/wsgate.aot" -jar "$IMAGE_APP/wsgate.jar" \
		--spring.config.location=classpath:/application.yml,file:"$IMAGE_APP/training.yml" --wsgate.warmup.sessions=10000 \
		>"$IMAGE_APP/training.log" 2>&1 || { tail -20 "$IMAGE_APP/training.log" >&2; die "training the AOT cache failed"; }
	log "$(tail -1 "$IMAGE_APP/training.log")"
fi
if ! "$WSGATE_JAVA" $WSGATE_JAVA_OPTS -version >/dev/null 2>&1; then
	WSGATE_JAVA_OPTS=${WSGATE_JAVA_OPTS//-XX:+UseCompactObjectHeaders/}
	log "note: $WSGATE_JAVA has no compact object headers; wsgate runs without them"
fi
WSGATE_JAVA_VERSION=$("$WSGATE_JAVA" -version 2>&1 | head -1)

# The storm's JVMs: each major in STORM_JDKS is WSGATE_JAVA when it is that version, else the first JDK of
# that version under /usr/lib/jvm; each with WSGATE_JAVA_OPTS (compact object headers dropped before JDK 24).
java_major() { "$1" -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.specification.version/ {print $2; exit}'; }
IMAGE_JDK=$(java_major "$WSGATE_JAVA")
STORM_JDKS=${STORM_JDKS:-$IMAGE_JDK}
declare -A STORM_JAVA=() STORM_JAVA_OPTS=() STORM_JAVA_VERSION=()
if has_phase storm; then
	for jdk in $STORM_JDKS; do
		if [ "$jdk" = "$IMAGE_JDK" ]; then
			java=$WSGATE_JAVA
		else
			java=$(ls -d /usr/lib/jvm/*-"$jdk"-*/bin/java /usr/lib/jvm/*-"$jdk"/bin/java 2>/dev/null | head -1 || true)
			[ -n "$java" ] && [ "$(java_major "$java")" = "$jdk" ] || die "STORM_JDKS: no JDK $jdk under /usr/lib/jvm"
		fi
		opts=$IMAGE_JAVA_OPTS
		"$java" $opts -version >/dev/null 2>&1 || opts=${opts//-XX:+UseCompactObjectHeaders/}
		STORM_JAVA[$jdk]=$java STORM_JAVA_OPTS[$jdk]=$opts STORM_JAVA_VERSION[$jdk]=$("$java" -version 2>&1 | head -1)
	done
fi

rss_kib() { # summed VmRSS of the given pids
	local total=0 pid value
	for pid in "$@"; do
		value=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
		total=$((total + ${value:-0}))
	done
	echo "$total"
}

# ---- echo backends -------------------------------------------------------------------------------
BACKEND_PORTS=() BACKEND_PIDS=()
for i in 1 2; do
	port=$(free_port)
	"${TOOL[@]}" echo --port "$port" --compress "$COMPRESS" >"$RUN/echo-$i.log" 2>&1 &
	CHILDREN+=($!) BACKEND_PIDS+=($!)
	wait_port "$port" $! "$RUN/echo-$i.log"
	BACKEND_PORTS+=("$port")
done
B1=${BACKEND_PORTS[0]} B2=${BACKEND_PORTS[1]}
log "echo backends on 127.0.0.1:$B1 and 127.0.0.1:$B2; warming them up for ${BACKEND_WARMUP} s"
# Both backends get the same warm-up before any target is measured, so that no target meets a cold JVM.
for port in $B1 $B2; do
	"${TOOL[@]}" load --url "ws://127.0.0.1:$port/ws" --connections "$CONNECTIONS" --window "$WINDOW" --size 64 --text "$TEXT" \
		--compress "$COMPRESS" --seconds "$BACKEND_WARMUP" --warmup 0 >/dev/null 2>&1 &
	WARMING+=($!) CHILDREN+=($!)
done
wait "${WARMING[@]}" || log "warning: the backend warm-up failed"
if has_phase storm && [ "$STORM_BACKEND_WARMUP" -gt 0 ]; then
	# A storm opens thousands of sessions on the backends within seconds and holds them: their path (handshake,
	# echo, held, closed) must be compiled before the first target's storm, or that target pays for the backends'
	# JIT (their C2 took four storms' worth, 36,000 sessions, to fall quiet). The storm tool's own warm-up does
	# exactly that, STORM_SESSIONS at a time; each storm then reports the backends' CPU, to compare.
	log "warming the backends up for the storms: $STORM_BACKEND_WARMUP storm sessions over both"
	left=$STORM_BACKEND_WARMUP
	while [ "$left" -gt 0 ]; do
		chunk=$((left < STORM_SESSIONS ? left : STORM_SESSIONS))
		"${TOOL[@]}" storm --url "ws://127.0.0.1:$B1/ws" --count 1 --concurrency "$STORM_CONCURRENCY" --size "$STORM_SIZE" \
			--timeout-seconds "$STORM_TIMEOUT" --warmup "$chunk" --warmup-urls "ws://127.0.0.1:$B1/ws,ws://127.0.0.1:$B2/ws" \
			>/dev/null 2>>"$RUN/storm-backend-warmup.err" || log "warning: the backends' storm warm-up failed, see $RUN/storm-backend-warmup.err"
		left=$((left - chunk))
	done
fi

# ---- the proxies ------------------------------------------------------------------------------------
# Each start_X sets PORT (where clients connect), MAIN_PID (what stop kills) and the array PROXY_PIDS (the
# processes whose CPU and memory are counted). Each notes LAUNCHED_AT (Bash's clock, no process started)
# right before it launches the proxy and calls `launched` right after: for a storm, that hands the storm
# tool, already waiting, the launch time, the pid, the URL and how to see that the proxy is ready. Their
# directories under $RUN get RUN_DIR_SUFFIX (the storms' own, so that no run's logs overwrite another's).

launched() { # $1: how readiness is seen: tcp (the port accepts) or the URL of a readiness probe answering 200
	[ -n "${STORM_START_FILE:-}" ] || return 0
	printf 'started=%s\npid=%s\nurl=ws://127.0.0.1:%s%s\nready=%s\n' "$LAUNCHED_AT" "$MAIN_PID" "$PORT" "$WS_PATH" "$1" \
		>"$STORM_START_FILE.tmp"
	mv "$STORM_START_FILE.tmp" "$STORM_START_FILE"
}

start_direct() {
	PORT=$B1 MAIN_PID='' PROXY_PIDS=()
}

start_nginx() {
	local dir=$PWD/$RUN/nginx${RUN_DIR_SUFFIX:-}
	rm -rf "$dir" && mkdir -p "$dir/tmp"
	PORT=$(free_port)
	cat >"$dir/nginx.conf" <<CONF
# Generated by bench/run.sh: a plain WebSocket reverse proxy, round robin over the echo backends.
daemon off;
master_process on;
worker_processes $NGINX_WORKERS;
worker_rlimit_nofile $NOFILE;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events {
    worker_connections $NOFILE;
}
http {
    access_log off;
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    upstream echo {
        server 127.0.0.1:$B1;
        server 127.0.0.1:$B2;
    }
    map \$http_upgrade \$connection_upgrade {
        default upgrade;
        ''      close;
    }
    server {
        listen 127.0.0.1:$PORT;
        location / {
            proxy_pass http://echo;
            proxy_http_version 1.1;
            proxy_set_header Upgrade \$http_upgrade;
            proxy_set_header Connection \$connection_upgrade;
            proxy_set_header Host \$host;
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
            proxy_connect_timeout 10s;
            proxy_read_timeout 1h;
            proxy_send_timeout 1h;
        }
    }
}
CONF
	LAUNCHED_AT=$EPOCHREALTIME
	nginx -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" >"$dir/stdout.log" 2>&1 &
	MAIN_PID=$!
	launched tcp
	CHILDREN+=("$MAIN_PID")
	wait_port "$PORT" "$MAIN_PID" "$dir/error.log"
	sleep 0.5 # let every worker start
	mapfile -t PROXY_PIDS < <(echo "$MAIN_PID"; pgrep -P "$MAIN_PID")
}

start_haproxy() {
	local dir=$PWD/$RUN/haproxy${RUN_DIR_SUFFIX:-}
	rm -rf "$dir" && mkdir -p "$dir"
	PORT=$(free_port)
	# Two descriptors per proxied session, a few for listeners and logs.
	local maxconn=$(((NOFILE - 100) / 2))
	cat >"$dir/haproxy.cfg" <<CONF
# Generated by bench/run.sh: HTTP mode (WebSocket upgrades are tunnelled), round robin over the echo backends.
global
    nbthread $HAPROXY_THREADS
    maxconn $maxconn
    pidfile $dir/haproxy.pid

defaults
    mode http
    maxconn $maxconn
    option forwardfor
    timeout connect 10s
    timeout client 1h
    timeout server 1h
    timeout tunnel 1h
    timeout http-request 10s

frontend ws
    bind 127.0.0.1:$PORT
    default_backend echo

backend echo
    balance roundrobin
    server echo1 127.0.0.1:$B1
    server echo2 127.0.0.1:$B2
CONF
	LAUNCHED_AT=$EPOCHREALTIME
	haproxy -db -f "$dir/haproxy.cfg" >"$dir/haproxy.log" 2>&1 &
	MAIN_PID=$!
	launched tcp
	CHILDREN+=("$MAIN_PID")
	echo "$MAIN_PID" >"$dir/haproxy.pid"
	wait_port "$PORT" "$MAIN_PID" "$dir/haproxy.log"
	PROXY_PIDS=("$MAIN_PID")
}

start_wsgate() { # $1: filters to put before the WebSocketProxy (YAML list items), $2: the run's directory name
	local dir=$PWD/$RUN/${2:-wsgate}${RUN_DIR_SUFFIX:-}
	rm -rf "$dir" && mkdir -p "$dir"
	PORT=$(free_port)
	local mgmt
	mgmt=$(free_port)
	WSGATE_MGMT=$mgmt
	cat >"$dir/gateway.yml" <<YAML
# Generated by bench/run.sh: round robin over the echo backends, no access log, no message size limit.
wsgate:
  access-log: {enabled: false}
  http-servers:
    - {name: bench, port: $PORT, address: 127.0.0.1, rules: [{paths: [{path: /ws, backend: bench}]}]}
  pipelines:
    - name: bench
      filters:
${1:-}
        - kind: WebSocketProxy
          name: proxy
          pools:
            - servers: [{url: "ws://127.0.0.1:$B1"}, {url: "ws://127.0.0.1:$B2"}]
              loadBalance: {policy: roundRobin}
              clientMaxMsgSize: -1
              serverMaxMsgSize: -1
YAML
	local java_opts jar=${WSGATE_JAR:-$RUN/wsgate.jar} app_args=()
	read -r -a java_opts <<<"$WSGATE_JAVA_OPTS"
	if [ "$WSGATE_IMAGE" = 1 ] && [ "$WSGATE_JAVA" = "$IMAGE_JAVA" ]; then
		jar=$IMAGE_APP/wsgate.jar
		java_opts+=("-XX:AOTCache=$IMAGE_APP/wsgate.aot")
	fi
	[ "$WSGATE_WARMUP" = 1 ] && app_args+=(--wsgate.warmup.enabled=true)
	LAUNCHED_AT=$EPOCHREALTIME
	env "${UNSET_BENCH_VARIABLES[@]}" "$WSGATE_JAVA" "${java_opts[@]}" -jar "$jar" \
		--spring.config.location=classpath:/application.yml,file:"$dir/gateway.yml" \
		--management.server.port="$mgmt" "${app_args[@]}" >"$dir/gateway.log" 2>&1 &
	MAIN_PID=$!
	launched "http://127.0.0.1:$mgmt/actuator/health/readiness"
	CHILDREN+=("$MAIN_PID")
	echo "$MAIN_PID" >"$dir/wsgate.pid"
	# Up to 2 minutes: with WSGATE_WARMUP=1 readiness waits for the warm-up.
	for _ in $(seq 1 600); do
		kill -0 "$MAIN_PID" 2>/dev/null || { cat "$dir/gateway.log" >&2; die "wsgate exited at startup"; }
		curl -sf "http://127.0.0.1:$mgmt/actuator/health/readiness" >/dev/null && break
		sleep 0.2
	done
	wait_port "$PORT" "$MAIN_PID" "$dir/gateway.log"
	PROXY_PIDS=("$MAIN_PID")
}

# wsgate with a Validator (HS256 JWT from the query, its subject to a header) and a RateLimiter (per client
# address, never reached) before the proxy: what a pipeline of filters costs per handshake.
BENCH_JWT_SECRET=62656e63682d7365637265742d6f662d33322d62797465732d6c6f6e67212121  # hex, as Easegress
start_filters() {
	local token
	token=$(python3 - "$BENCH_JWT_SECRET" <<'PY'
import base64, hashlib, hmac, json, sys, time
b64 = lambda data: base64.urlsafe_b64encode(data).rstrip(b"=")
head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
body = b64(json.dumps({"sub": "bench-user", "exp": int(time.time()) + 86400}).encode())
signature = b64(hmac.new(bytes.fromhex(sys.argv[1]), head + b"." + body, hashlib.sha256).digest())
print((head + b"." + body + b"." + signature).decode())
PY
)
	WS_PATH="/ws?access_token=$token"
	start_wsgate "        - kind: Validator
          name: auth
          jwt: {algorithm: HS256, secret: $BENCH_JWT_SECRET, queryParam: access_token, claimsToHeaders: {sub: X-User-Id}}
        - kind: RateLimiter
          name: limiter
          policies: [{name: generous, limitForPeriod: 1000000, limitRefreshPeriod: 1s, timeoutDuration: 0s}]
          defaultPolicyRef: generous
          urls: [{methods: [GET], url: {prefix: /ws}, policyRef: generous}]
          key: clientIp" filters
}

start_netty() { # the reference relay, on wsgate's JVM with wsgate's options
	local dir=$PWD/$RUN/netty${RUN_DIR_SUFFIX:-} java_opts
	rm -rf "$dir" && mkdir -p "$dir"
	PORT=$(free_port)
	read -r -a java_opts <<<"$WSGATE_JAVA_OPTS"
	LAUNCHED_AT=$EPOCHREALTIME
	"$WSGATE_JAVA" "${java_opts[@]}" -cp "$CP" io.wsgate.bench.Bench relay --port "$PORT" --backends "$B1,$B2" \
		>"$dir/relay.log" 2>&1 &
	MAIN_PID=$!
	launched tcp
	CHILDREN+=("$MAIN_PID")
	wait_port "$PORT" "$MAIN_PID" "$dir/relay.log"
	PROXY_PIDS=("$MAIN_PID")
}

# ---- measurements ----------------------------------------------------------------------------------
# Each measure_X uses PORT and PROXY_PIDS of the running target and writes $RAW/<target>-X.json.

sockets() { # established TCP sockets with this local port (the server side of connections to it)
	ss -Htn state established "( sport = :$1 )" 2>/dev/null | wc -l
}

warm_up() { # $1 target: uncounted sessions, then load of every size, so that no proxy is measured cold
	local size seconds=$(((TARGET_WARMUP + $(wc -w <<<"$SIZES") - 1) / $(wc -w <<<"$SIZES")))
	log "$1: warm-up, $HANDSHAKE_WARMUP sessions, then ${seconds} s of load per message size"
	: >"$RUN/$1-warmup.err"
	if [ "$HANDSHAKE_WARMUP" -gt 0 ]; then
		"${TOOL[@]}" handshakes --url "ws://127.0.0.1:$PORT$WS_PATH" --count "$HANDSHAKE_WARMUP" \
			--concurrency "$HANDSHAKE_CONCURRENCY" --warmup 0 >/dev/null 2>>"$RUN/$1-warmup.err" ||
			log "warning: the warm-up failed, see $RUN/$1-warmup.err"
	fi
	if [ "$seconds" -gt 0 ]; then
		for size in $SIZES; do
			"${TOOL[@]}" load --url "ws://127.0.0.1:$PORT$WS_PATH" --connections "$CONNECTIONS" --window "$WINDOW" \
				--size "$size" --text "$TEXT" --compress "$COMPRESS" --seconds "$seconds" --warmup 0 \
				>/dev/null 2>>"$RUN/$1-warmup.err" ||
				log "warning: the warm-up failed, see $RUN/$1-warmup.err"
		done
	fi
}

measure_load() { # $1 target, $2 message size
	local name=$1 size=$2 cpu_args=()
	[ ${#PROXY_PIDS[@]} -gt 0 ] && cpu_args=(--cpu-pids "$(IFS=,; echo "${PROXY_PIDS[*]}")" --clock-ticks "$CLK_TCK")
	log "$name: load, $CONNECTIONS connections x $WINDOW in flight, $size B $MESSAGE_TYPE$([ "$COMPRESS" = true ] && echo ", permessage-deflate"), ${LOAD_WARMUP}+${LOAD_SECONDS} s"
	"${TOOL[@]}" load --url "ws://127.0.0.1:$PORT$WS_PATH" --connections "$CONNECTIONS" --window "$WINDOW" --size "$size" \
		--text "$TEXT" --compress "$COMPRESS" --seconds "$LOAD_SECONDS" --warmup "$LOAD_WARMUP" "${cpu_args[@]}" \
		>"$RAW/$name-load-$size.json" 2>"$RUN/$name-load-$size.err" ||
		log "warning: the load tool failed, see $RUN/$name-load-$size.err"
	log "$name:   $(tail -1 "$RAW/$name-load-$size.json")"
}

measure_handshakes() { # $1 target
	local name=$1 cpu_args=()
	[ ${#PROXY_PIDS[@]} -gt 0 ] && cpu_args=(--cpu-pids "$(IFS=,; echo "${PROXY_PIDS[*]}")" --clock-ticks "$CLK_TCK")
	log "$name: $HANDSHAKES handshakes, $HANDSHAKE_CONCURRENCY at a time (after $HANDSHAKE_REWARM uncounted)"
	"${TOOL[@]}" handshakes --url "ws://127.0.0.1:$PORT$WS_PATH" --count "$HANDSHAKES" \
		--concurrency "$HANDSHAKE_CONCURRENCY" --warmup "$HANDSHAKE_REWARM" "${cpu_args[@]}" \
		>"$RAW/$name-handshakes.json" 2>"$RUN/$name-handshakes.err" ||
		log "warning: the handshake tool failed, see $RUN/$name-handshakes.err"
	log "$name:   $(tail -1 "$RAW/$name-handshakes.json")"
}

measure_hold() { # $1 target: RSS of the proxy before, while HOLD_SESSIONS idle sessions are open, after they close
	local name=$1 out=$RUN/$1-hold.out before held after hold_pid status=0 per_backend=()
	log "$name: holding $HOLD_SESSIONS idle sessions, $HOLD_CONCURRENCY handshakes at a time"
	sleep 1
	before=$(rss_kib "${PROXY_PIDS[@]}")
	: >"$out" # truncated here, not by the child's redirection, which may come after the first look below
	"${TOOL[@]}" hold --url "ws://127.0.0.1:$PORT$WS_PATH" --count "$HOLD_SESSIONS" --concurrency "$HOLD_CONCURRENCY" \
		--seconds "$HOLD_SECONDS" >"$out" 2>"$RUN/$name-hold.err" &
	hold_pid=$!
	CHILDREN+=("$hold_pid")
	local deadline=$((SECONDS + 120 + HOLD_SESSIONS / 20))
	until grep -q '"phase":"open"' "$out" 2>/dev/null; do
		kill -0 "$hold_pid" 2>/dev/null || break
		[ "$SECONDS" -lt "$deadline" ] || { log "warning: sessions still opening, giving up"; stop "$hold_pid"; break; }
		sleep 0.1
	done
	sleep "$SETTLE_SECONDS"
	held=$(rss_kib "${PROXY_PIDS[@]}")
	[ ${#PROXY_PIDS[@]} -gt 0 ] && per_backend=("$(sockets "$B1")" "$(sockets "$B2")")
	local live_held="" live_after="" active_after=""
	if is_jvm "$name"; then # the JVMs: their live heap, too
		live_held=$(live_heap_kib)
		# Read too late if the sessions were already being released: not comparable then.
		! grep -q '"phase":"releasing"' "$out" || { live_held=""; log "warning: HOLD_SECONDS too short for the heap reading"; }
	fi
	wait "$hold_pid" || status=$?
	sleep 2
	after=$(rss_kib "${PROXY_PIDS[@]}")
	if is_jvm "$name"; then live_after=$(live_heap_kib); fi
	if is_wsgate "$name"; then
		active_after=$(curl -sf "http://127.0.0.1:$WSGATE_MGMT/actuator/prometheus" |
			awk '/^wsgate_sessions_active/ {n += $2} END {print n + 0}' || true)
	fi
	# Anything still established on the target's port, or behind a proxy on the backends' ports, leaked.
	local leftover
	leftover=$(sockets "$PORT")
	if [ ${#PROXY_PIDS[@]} -gt 0 ]; then leftover=$((leftover + $(sockets "$B1") + $(sockets "$B2"))); fi
	log "$name:   $(tr '\n' ' ' <"$out")"
	log "$name:   RSS KiB before $before, held $held, after close $after; sessions per backend: ${per_backend[*]:-n/a}"
	is_wsgate "$name" && log "$name:   heap KiB after a full GC: held ${live_held:-?}, after close ${live_after:-?};" \
		"wsgate_sessions_active after close: ${active_after:-?}"
	python3 - "$RAW/$name-hold.json" "$out" "$status" "$leftover" "$before" "$held" "$after" \
		"$live_held" "$live_after" "$active_after" "${per_backend[@]}" <<'PY'
import json, sys
path, out, status, leftover, before, held, after, live_held, live_after, active_after, *per_backend = sys.argv[1:]
result = {"exitStatus": int(status), "leftoverSockets": int(leftover)}
for line in open(out):
    if line.startswith("{"):
        result.update({k: v for k, v in json.loads(line).items() if k != "phase"})
if per_backend:
    result.update({"rssBeforeKiB": int(before), "rssHeldKiB": int(held), "rssAfterCloseKiB": int(after),
                   "sessionsPerBackend": [int(n) for n in per_backend]})
if live_held and live_after:
    result.update({"heapAfterGcHeldKiB": int(live_held), "heapAfterGcAfterCloseKiB": int(live_after)})
if active_after:
    result["sessionsActiveGaugeAfterClose"] = float(active_after)
json.dump(result, open(path, "w"))
PY
}

is_wsgate() { [ "$1" = wsgate ] || [ "$1" = filters ]; }
is_jvm() { is_wsgate "$1" || [ "$1" = netty ]; }

live_heap_kib() { # wsgate's heap in use after a full collection (jcmd), in KiB; nothing when unavailable
	"$WSGATE_JCMD" -h >/dev/null 2>&1 || return 0
	"$WSGATE_JCMD" "$MAIN_PID" GC.run >/dev/null 2>&1 || return 0
	# One "total ..., used ...K" line per heap (G1) or generation (Parallel, Serial): their sum. JDK 25's G1
	# says "total reserved ...K, committed ...K, used ...K".
	"$WSGATE_JCMD" "$MAIN_PID" GC.heap_info 2>/dev/null |
		awk '/ total / && match($0, /used [0-9]+K/) { n += substr($0, RSTART + 5, RLENGTH - 6) }
			END { if (n) print n }'
}

event_loops() { # $1 target: the proxy's worker processes or event loop threads, as it runs
	case $1 in
		nginx) echo "$((${#PROXY_PIDS[@]} - 1)) worker processes" ;;
		haproxy) echo "$(awk '/^Threads:/ {print $2}' "/proc/$MAIN_PID/status") threads" ;;
		wsgate | netty | filters) # Netty event loop threads by name prefix, e.g. "webflux-http-epoll x4"
			"$WSGATE_JCMD" "$MAIN_PID" Thread.print 2>/dev/null | grep -oE '^"[^"]*-(epoll|nio|io_uring)-[0-9]+"' |
				sed -E 's/^"(.*)-[0-9]+"$/\1/' | sort | uniq -c | awk '{printf "%s%s x%s", sep, $2, $1; sep = ", "}' ;;
	esac
}

log_problems() { # $1 target, $2 its run's directory under $RUN (default: the target's name): warning and error lines the proxy logged
	local pattern
	case $1 in
		nginx) pattern='\[(warn|error|crit|alert|emerg)\]' ;;
		haproxy) pattern='\[(WARNING|ALERT)\]' ;;
		wsgate | netty | filters) pattern=' (WARN|ERROR) |Exception' ;;
		*) echo 0; return ;;
	esac
	cat "$RUN/${2:-$1}"/*.log 2>/dev/null | grep -cE "$pattern" || true
}

measure_storm() { # $1 target, $2 for a JVM target: the JDK major it runs on (STORM_JAVA), else ''; $3 the round
	local name=$1 jdk=${2:-} round=$3 suffix='' tool_pid status=0 leftover
	[ -n "$jdk" ] && suffix=-jdk$jdk
	suffix+=-r$round
	MAIN_PID='' PORT=0
	local out=$RUN/$name-storm$suffix.out start_file=$RUN/$name-storm$suffix.start
	# Seen by start_$name (Bash's locals are dynamically scoped): this JDK, the storm's directory, the start file.
	local WSGATE_JAVA=$WSGATE_JAVA WSGATE_JAVA_OPTS=$WSGATE_JAVA_OPTS RUN_DIR_SUFFIX=-storm$suffix STORM_START_FILE=''
	if [ -n "$jdk" ]; then WSGATE_JAVA=${STORM_JAVA[$jdk]} WSGATE_JAVA_OPTS=${STORM_JAVA_OPTS[$jdk]}; fi
	local args=(--count "$STORM_SESSIONS" --concurrency "$STORM_CONCURRENCY" --size "$STORM_SIZE"
		--timeout-seconds "$STORM_TIMEOUT" --clock-ticks "$CLK_TCK" --warmup "$STORM_CLIENT_WARMUP"
		--backend-pids "$(IFS=,; echo "${BACKEND_PIDS[*]}")"
		--warmup-urls "ws://127.0.0.1:$B1/ws,ws://127.0.0.1:$B2/ws")
	rm -f "$start_file"
	: >"$out"
	WS_PATH=/ws
	if [ "$name" = direct ]; then
		start_direct # no process to start: the storm goes to the first echo backend (warm) at once
		args+=(--url "ws://127.0.0.1:$PORT$WS_PATH")
	else
		args+=(--start-file "$start_file")
	fi
	log "$name: storm$([ -n "$jdk" ] && echo " on JDK $jdk") (round $round of $STORM_ROUNDS), $STORM_SESSIONS clients, $STORM_CONCURRENCY handshakes in flight, from the moment it is ready"
	"${TOOL[@]}" storm "${args[@]}" >"$out" 2>"$RUN/$name-storm$suffix.err" &
	tool_pid=$!
	CHILDREN+=("$tool_pid")
	if [ "$name" != direct ]; then
		# The client warms itself up over the backends, then waits for the start file: the proxy starts now.
		until grep -q '"phase":"waiting"' "$out" 2>/dev/null; do
			kill -0 "$tool_pid" 2>/dev/null || break
			sleep 0.1
		done
		STORM_START_FILE=$start_file
		if kill -0 "$tool_pid" 2>/dev/null; then "start_$name"; fi
	fi
	local deadline=$((SECONDS + 180 + STORM_SESSIONS / 20))
	while kill -0 "$tool_pid" 2>/dev/null; do
		[ "$SECONDS" -lt "$deadline" ] || { log "warning: the storm is still running, giving up"; stop "$tool_pid"; break; }
		sleep 0.2
	done
	wait "$tool_pid" || status=$?
	[ "$status" = 0 ] || log "warning: the storm tool failed ($status), see $RUN/$name-storm$suffix.err"
	# Sessions left established on the target's port, or behind it on the backends' ports, once the client has
	# gone: the proxy has up to 15 s to close 9000 pairs (a cold JVM on a busy machine takes seconds).
	local settle_deadline=$((SECONDS + 15))
	while :; do
		leftover=$(sockets "$PORT")
		if [ "$name" != direct ]; then leftover=$((leftover + $(sockets "$B1") + $(sockets "$B2"))); fi
		[ "$leftover" -gt 0 ] && [ "$SECONDS" -lt "$settle_deadline" ] || break
		sleep 0.5
	done
	if [ -n "$MAIN_PID" ]; then stop "$MAIN_PID"; fi
	log "$name:   $(grep -v '"phase"' "$out" | tail -1)"
	python3 - "$RAW/$name-storm$suffix.json" "$out" "$status" "$leftover" "$(log_problems "$name" "$name-storm$suffix")" \
		"$jdk" "$([ -n "$jdk" ] && echo "${STORM_JAVA_VERSION[$jdk]}")" <<'PY'
import json, sys
path, out, status, leftover, problems, jdk, java = sys.argv[1:]
result = {"exitStatus": int(status), "leftoverSockets": int(leftover), "logProblems": int(problems)}
if jdk:
    result.update({"jdk": jdk, "java": java})
for line in open(out):
    if line.startswith("{") and '"phase"' not in line:
        result.update(json.loads(line))
json.dump(result, open(path, "w"))
PY
}

for target in $TARGETS; do
	log "=== $target"
	if [ "$CLASSIC_PHASES" = 1 ]; then
		WS_PATH=/ws
		"start_$target"
		warm_up "$target"
		if has_phase load; then
			for size in $SIZES; do measure_load "$target" "$size"; done
		fi
		if has_phase handshakes; then measure_handshakes "$target"; fi
		if has_phase hold; then measure_hold "$target"; fi
		loops=$(event_loops "$target")
		[ -n "$MAIN_PID" ] && stop "$MAIN_PID"
		echo "{\"logProblems\": $(log_problems "$target"), \"eventLoops\": \"$loops\"}" >"$RAW/$target-logs.json"
	fi
done
# The storms after the other phases, each in a process of its own, started fresh. In rounds, the targets in turn
# in each: a single storm's absorb time moves by a tenth or more with the machine, and what moved it minutes apart would
# otherwise land on one target's figure only. The report gives each figure's median over the rounds.
if has_phase storm; then
	for round in $(seq 1 "$STORM_ROUNDS"); do
		log "=== storms, round $round of $STORM_ROUNDS"
		for target in $TARGETS; do
			if is_jvm "$target"; then
				for jdk in $STORM_JDKS; do measure_storm "$target" "$jdk" "$round"; done
			else
				measure_storm "$target" '' "$round"
			fi
		done
	done
fi

# ---- report --------------------------------------------------------------------------------------
python3 bench/report.py --raw "$RAW" --out "$RESULTS" --duration $(($(date +%s) - STARTED_AT)) \
	--config "$(python3 -c 'import json,sys; print(json.dumps(dict(a.split("=",1) for a in sys.argv[1:])))' \
		"targets=$TARGETS" "phases=$PHASES" "connections=$CONNECTIONS" "window=$WINDOW" "sizes=$SIZES" "messageType=$MESSAGE_TYPE" "compression=$COMPRESSION" \
		"backendWarmupSeconds=$BACKEND_WARMUP" "targetWarmupSeconds=$TARGET_WARMUP" \
		"loadWarmupSeconds=$LOAD_WARMUP" "loadSeconds=$LOAD_SECONDS" "handshakes=$HANDSHAKES" \
		"handshakeWarmup=$HANDSHAKE_WARMUP" "handshakeRewarm=$HANDSHAKE_REWARM" "handshakeConcurrency=$HANDSHAKE_CONCURRENCY" \
		"holdSessions=$HOLD_SESSIONS" "holdConcurrency=$HOLD_CONCURRENCY" "holdSeconds=$HOLD_SECONDS" \
		"stormSessions=$STORM_SESSIONS" "stormConcurrency=$STORM_CONCURRENCY" "stormSize=$STORM_SIZE" \
		"stormTimeoutSeconds=$STORM_TIMEOUT" "stormClientWarmup=$STORM_CLIENT_WARMUP" "stormBackendWarmup=$STORM_BACKEND_WARMUP" \
		"stormJdks=$STORM_JDKS" "stormRounds=$STORM_ROUNDS" "imageJdk=$IMAGE_JDK" "wsgateImage=$WSGATE_IMAGE" "wsgateWarmup=$WSGATE_WARMUP" \
		"nginxWorkers=$NGINX_WORKERS" "haproxyThreads=$HAPROXY_THREADS" "wsgateJava=$WSGATE_JAVA_VERSION" "wsgateJavaOpts=$WSGATE_JAVA_OPTS" \
		"toolJavaOpts=$TOOL_JAVA_OPTS" "openFileLimit=$NOFILE" "cores=$(nproc)" \
		"nginx=$(nginx -v 2>&1 | sed -n 's/.*nginx\///p')" "haproxy=$(haproxy -v 2>/dev/null | awk 'NR==1 {print $3}')" \
		"loadAverageAtStart=$LOAD_AT_START" "loadAverageAtEnd=$(cut -d' ' -f1-3 /proc/loadavg)")"
