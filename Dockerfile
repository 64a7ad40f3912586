# wsgate container image.
#
#   docker build -t wsgate .
#   docker run -p 8080:8080 -p 9090:9090 -v "$PWD/application.yml:/etc/wsgate/application.yml" wsgate
#
# Stage 1 builds the Spring Boot jar with Maven and extracts it (a plain jar and its lib/, in layers);
# stage 2 runs it on a Temurin 25 JRE (the current LTS; the jar itself needs Java 17 or later) as a
# non-root user, with an AOT cache trained in the build (see below). Tests are not run here: CI runs
# `mvn -B verify`.

# ---- build ------------------------------------------------------------------------------------
FROM maven:3.9-eclipse-temurin-25 AS build
WORKDIR /build

# Dependencies first, in their own layer: it is rebuilt only when pom.xml changes. .mvn/jvm.config
# opens javac's internals to Error Prone (NullAway checks the code as it compiles).
COPY pom.xml ./
COPY .mvn ./.mvn
RUN mvn -B -q dependency:go-offline

COPY src ./src
# Extracted without Spring Boot's launcher: the application class loader reads the jar and lib/,
# which is what the JVM's AOT cache can hold (classes of a custom class loader stay out of it).
RUN mvn -B -q package -Dmaven.test.skip=true \
 && cp target/wsgate-*.jar wsgate.jar \
 && java -Djarmode=tools -jar wsgate.jar extract --layers --destination /build/extracted

# ---- runtime ----------------------------------------------------------------------------------
FROM eclipse-temurin:25-jre-noble

LABEL org.opencontainers.image.title="wsgate" \
      org.opencontainers.image.description="WebSocket gateway: routes, load-balances and bridges WebSocket sessions to backends"

# A fixed numeric uid/gid, so Kubernetes' runAsNonRoot can verify it without a passwd lookup.
RUN groupadd --system --gid 10001 wsgate \
 && useradd --system --uid 10001 --gid 10001 --home-dir /app --no-create-home --shell /usr/sbin/nologin wsgate

WORKDIR /app

# Least-changing layers first, so a code change rebuilds only the last layer.
COPY --from=build /build/extracted/dependencies/ ./
COPY --from=build /build/extracted/spring-boot-loader/ ./
COPY --from=build /build/extracted/snapshot-dependencies/ ./
COPY --from=build /build/extracted/application/ ./

# The gateway config. The image ships the demo config (echo backend on /ws); mount your own file
# over it (docker -v, or the Helm chart's ConfigMap). It is layered over the defaults in the jar.
COPY application.yml /etc/wsgate/application.yml
ENV SPRING_CONFIG_ADDITIONAL_LOCATION=file:/etc/wsgate/application.yml

# Container-aware JVM settings, read by the `java` launcher (override the whole variable to change
# them; the Helm chart renders its own from jvm.* and resources: these for its defaults, plus the
# processor count and event loops of the pod's CPU request).
# The heap takes 60% of the container's memory limit. Direct memory (Netty's buffers) is capped:
# uncapped, the JVM allows as much as the maximum heap, and heap plus buffers could pass the limit
# (an OOM kill, which skips the drain). 128m is 12.5% of a 1 GiB limit, the chart's default; the
# rest is for metaspace, code cache and threads. --enable-native-access=ALL-UNNAMED lets Netty load
# its native epoll transport without JDK 24+'s warning. Compact object headers (JDK 24+; Java 17
# and 21 refuse the flag) shrink every object by 4 bytes: about 9% less heap per held session. An
# OutOfMemoryError ends the process so the orchestrator restarts it. MaxHeapFreeRatio=100: the heap
# never shrinks; G1 gave back most of it after the self warm-up and had to regrow it, with young and
# concurrent collections, in the middle of the first reconnect storm (bench/README, "The heap").
ENV JDK_JAVA_OPTIONS="-XX:MaxRAMPercentage=60.0 -XX:InitialRAMPercentage=25.0 -XX:MaxHeapFreeRatio=100 -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError --enable-native-access=ALL-UNNAMED -Djava.io.tmpdir=/tmp -Dfile.encoding=UTF-8 -XX:+UseCompactObjectHeaders -XX:MaxDirectMemorySize=128m"

# The AOT cache (JDK 25: JEP 483, 514, 515), trained here by a real workload: the gateway runs once
# with the shipped config and its self warm-up (sessions through the handshake and frame paths), and
# writes the classes it loaded and linked and the JIT's method profiles as it exits. Started with it,
# the JVM is ready in about half the time. It is tied to this JDK, class path and the GC and object
# header options above: a JVM started with other ones (JDK_JAVA_OPTIONS overridden) warns once and
# runs without it. bench/README ("The storm") has the measurements.
COPY src/main/docker/train-aot.sh /usr/local/bin/train-aot.sh
RUN train-aot.sh /app/wsgate.aot -jar /app/wsgate.jar --wsgate.warmup.sessions=10000

USER 10001:10001

# 8080: the proxy listener of the shipped config (wsgate.http-servers); 9090: management (Actuator).
EXPOSE 8080 9090

# Exec form: the JVM is PID 1 and receives SIGTERM itself, so Spring's graceful shutdown runs.
# Arguments given to `docker run IMAGE ...` are passed to the application (e.g. --debug).
STOPSIGNAL SIGTERM
ENTRYPOINT ["java", "-XX:AOTCache=/app/wsgate.aot", "-jar", "/app/wsgate.jar"]
