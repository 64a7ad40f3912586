#!/usr/bin/env bash
# Micro-benchmarks (JMH) of the gateway's hot paths, in process: no network, so the figures hold
# still on a noisy machine. Prints one table; arguments go to JMH (default: every benchmark here).
#
# Usage: bench/jmh.sh                       (about 2.5 minutes)
#        bench/jmh.sh FramePath -p size=64  (a subset; `bench/jmh.sh -h` lists JMH's options)
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -Dstyle.color=never -DskipTests test-compile dependency:build-classpath \
	-Dmdep.outputFile=target/jmh-classpath.txt -Dmdep.includeScope=test
exec java -cp "target/test-classes:target/classes:$(cat target/jmh-classpath.txt)" org.openjdk.jmh.Main \
	"${@:-io.wsgate.}"
