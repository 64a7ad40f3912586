#!/usr/bin/env bash
# Checks the container and Kubernetes packaging: the Helm chart lints and renders for its default
# values and for a full configuration, its values schema refuses malformed gateway configs, and the
# Dockerfile passes a linter and keeps the properties the chart relies on. Tools: .ci/install-tools.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

CHART=helm/wsgate
FULL_VALUES="$CHART/ci/full-values.yaml"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

echo "== helm $(helm version --short)"

echo "== helm lint --strict: default values"
helm lint --strict "$CHART"
for values in "$CHART"/ci/*-values.yaml; do
  echo "== helm lint --strict: $values"
  helm lint --strict "$CHART" -f "$values"
done

expect_kinds() { # manifest file, kinds...
  local file="$1"; shift
  for kind in "$@"; do
    grep -q "^kind: $kind\$" "$file" || fail "$(basename "$file"): no $kind rendered"
  done
}
expect_text() { # file, text, what it proves
  grep -qF -- "$2" "$1" || fail "$(basename "$1"): $3 (no '$2')"
}

# NOTES.txt is not rendered by `helm template`: render it as a ConfigMap-like document of a copy.
render_notes() { # output file, helm arguments...
  local file="$1"; shift
  local copy; copy="$(mktemp -d)"
  cp -r "$CHART" "$copy/"
  { echo '{{- define "wsgate.notesCheck" -}}'; cat "$CHART/templates/NOTES.txt"; echo '{{- end -}}'; } \
    > "$copy/wsgate/templates/_notes-check.tpl"
  printf 'notes: |\n  {{- include "wsgate.notesCheck" . | nindent 2 }}\n' > "$copy/wsgate/templates/notes-check.yaml"
  helm template wsgate "$copy/wsgate" --namespace wsgate --show-only templates/notes-check.yaml "$@" > "$file"
  rm -rf "$copy"
}

echo "== helm template: default values"
helm template wsgate "$CHART" --namespace wsgate > "$out/default.yaml"
expect_kinds "$out/default.yaml" ConfigMap Deployment Service PodDisruptionBudget ServiceAccount Pod
for kind in HorizontalPodAutoscaler Ingress ServiceMonitor PrometheusRule NetworkPolicy; do
  if grep -q "^kind: $kind\$" "$out/default.yaml"; then fail "default values render an optional $kind"; fi
done
grep -q 'enabled: false' "$out/default.yaml" || fail "default values: the demo backend is not rendered as off"
expect_text "$out/default.yaml" 'helm.sh/hook: test' "the helm test pod is not a test hook"
expect_text "$out/default.yaml" 'value: "ws://wsgate.wsgate.svc:8080/"' "the helm test does not open ws:// on the Service"
render_notes "$out/default-notes.yaml"
expect_text "$out/default-notes.yaml" 'ws://wsgate.wsgate.svc.cluster.local:8080/' "NOTES: no in-cluster ws:// URL"
expect_text "$out/default-notes.yaml" 'helm test wsgate' "NOTES: no helm test line"

echo "== helm template: $FULL_VALUES"
helm template wsgate "$CHART" --namespace wsgate -f "$FULL_VALUES" > "$out/full.yaml"
expect_kinds "$out/full.yaml" ConfigMap Deployment Service PodDisruptionBudget ServiceAccount \
  HorizontalPodAutoscaler Ingress ServiceMonitor PrometheusRule NetworkPolicy Pod
expect_text "$out/full.yaml" 'stabilizationWindowSeconds: 600' "HPA scale-down is not slow by default"
render_notes "$out/full-notes.yaml" -f "$FULL_VALUES"

echo "== PrometheusRule: promtool check rules, promtool test rules $CHART/ci/alerts-test.yaml"
# The rules rendered from the full values (release wsgate, namespace wsgate), as a rule file.
helm template wsgate "$CHART" --namespace wsgate -f "$FULL_VALUES" --show-only templates/prometheusrule.yaml \
  | sed -n '/^spec:/,$p' | sed '1d; s/^  //' > "$out/rules.yaml"
expect_text "$out/rules.yaml" 'alert: WsgatePoolWithoutHealthyServer' "no pool health alert rendered"
if command -v promtool > /dev/null 2>&1; then
  cp "$CHART/ci/alerts-test.yaml" "$out/alerts-test.yaml"
  if promtool check rules "$out/rules.yaml" && (cd "$out" && promtool test rules alerts-test.yaml); then
    echo "ok: promtool"
  else
    fail "the PrometheusRule does not pass promtool (check rules, test rules $CHART/ci/alerts-test.yaml)"
  fi
else
  echo "skipped: no promtool installed (run .ci/install-tools.sh)"
  [ -z "${CI:-}" ] || fail "CI must test the alerts with promtool"
fi

DASHBOARD=docs/grafana/wsgate-dashboard.json
echo "== Grafana dashboard: its queries parse (promtool check rules)"
if command -v promtool > /dev/null 2>&1 && command -v python3 > /dev/null 2>&1; then
  # Every panel query, and the selector of every variable's label_values(), as a recording rule,
  # with Grafana's variables replaced by what "All" sends.
  python3 - "$DASHBOARD" > "$out/dashboard-rules.yaml" <<'PY'
import json, re, sys
dashboard = json.load(open(sys.argv[1]))
exprs = []
for panel in dashboard["panels"]:
    exprs += [("panel%d_%s" % (panel["id"], t["refId"]), t["expr"]) for t in panel.get("targets", [])]
for variable in dashboard["templating"]["list"]:
    query = variable.get("definition") or ""
    match = re.match(r"label_values\((.*), *[a-z_]+\)$", query)
    if match:
        exprs.append(("variable_" + variable["name"], match.group(1)))
print("groups:\n  - name: dashboard\n    rules:")
for name, expr in exprs:
    expr = expr.replace("$__rate_interval", "5m")
    expr = re.sub(r'"\$[a-z]+"', '".*"', expr)
    print("      - record: dashboard:%s\n        expr: %s" % (name, json.dumps(expr)))
PY
  if promtool check rules "$out/dashboard-rules.yaml" > "$out/dashboard-check.txt" 2>&1; then
    echo "ok: $(grep -c 'record:' "$out/dashboard-rules.yaml") dashboard queries parse"
  else
    cat "$out/dashboard-check.txt"
    fail "$DASHBOARD has queries that do not parse"
  fi
else
  echo "skipped: no promtool or python3"
  [ -z "${CI:-}" ] || fail "CI must check the dashboard's queries with promtool"
fi

TLS_VALUES="$CHART/ci/tls-values.yaml"
echo "== helm template: $TLS_VALUES"
helm template wsgate "$CHART" --namespace wsgate -f "$TLS_VALUES" > "$out/tls.yaml"
expect_kinds "$out/tls.yaml" Ingress NetworkPolicy Pod
expect_text "$out/tls.yaml" 'nginx.ingress.kubernetes.io/backend-protocol: HTTPS' \
  "the Ingress to a TLS listener does not ask ingress-nginx for an HTTPS backend"
expect_text "$out/tls.yaml" 'value: "wss://wsgate.wsgate.svc:8443/chat?room=helm-test"' \
  "the helm test does not open wss:// on a TLS listener"
if grep -q 'backend-protocol' "$out/full.yaml"; then fail "full values: backend-protocol set for a plain listener"; fi
render_notes "$out/tls-notes.yaml" -f "$TLS_VALUES"
expect_text "$out/tls-notes.yaml" 'wss://wsgate.wsgate.svc.cluster.local:8443/' "NOTES: no wss:// URL for a TLS listener"
expect_text "$out/tls-notes.yaml" 'wss://chat.example.com/' "NOTES: no wss:// URL through the Ingress"

echo "== values that must be refused"
# What helm's JSON-schema validator prints for anyOf, oneOf, not, contains and false schemas,
# without the reason: the schema avoids them (if/then and per-type keywords instead).
GENERIC_SCHEMA_ERRORS='Must validate at least one schema|Must validate one and only one schema|Must not validate the schema|At least one of the items must match|False always fails validation'

for values in "$CHART"/ci/invalid/*.yaml; do
  expected="$(sed -n '1s/^# expect: //p' "$values")"
  [ -n "$expected" ] || { fail "$values: first line must be '# expect: <text of the error>'"; continue; }
  if helm template wsgate "$CHART" -f "$values" > /dev/null 2> "$out/error.txt"; then
    fail "$values was accepted"
  elif ! grep -qF -- "$expected" "$out/error.txt"; then
    fail "$values was refused, but the error does not mention '$expected':"
    cat "$out/error.txt"
  elif grep -qE "$GENERIC_SCHEMA_ERRORS" "$out/error.txt"; then
    fail "$values was refused with an error that does not say what is wrong (restructure the schema):"
    cat "$out/error.txt"
  else
    echo "ok: $(basename "$values") refused ($(grep -F -m1 -- "$expected" "$out/error.txt" | sed 's/^[- ]*//' | cut -c1-200))"
  fi
done

echo "== Dockerfile"
linted=0
if command -v hadolint > /dev/null 2>&1; then
  if hadolint Dockerfile; then echo "ok: hadolint"; else fail "hadolint found problems"; fi
  linted=1
fi
if command -v dockerfile-utils > /dev/null 2>&1; then
  problems="$(dockerfile-utils lint --json Dockerfile || true)"
  if [ "$problems" = "[]" ]; then echo "ok: dockerfile-utils lint"; else fail "dockerfile-utils lint: $problems"; fi
  linted=1
fi
[ "$linted" = 1 ] || echo "skipped: no Dockerfile linter installed (run .ci/install-tools.sh)"
# What the chart and the docs rely on.
grep -Eq '^ENTRYPOINT \[' Dockerfile || fail "Dockerfile: ENTRYPOINT must use the exec form (the JVM is PID 1 and gets SIGTERM)"
grep -Eq '^USER [1-9][0-9]*(:[0-9]+)?$' Dockerfile || fail "Dockerfile: USER must be a numeric non-root uid"
grep -Eq '^EXPOSE 8080 9090$' Dockerfile || fail "Dockerfile: EXPOSE 8080 9090 expected"
grep -q 'SPRING_CONFIG_ADDITIONAL_LOCATION=file:/etc/wsgate/application.yml' Dockerfile \
  || fail "Dockerfile: config must be read from /etc/wsgate/application.yml"
grep -q 'extract --layers --destination' Dockerfile || fail "Dockerfile: the layered jar must be extracted"
# The AOT cache: trained in the build by src/main/docker/train-aot.sh (its behaviour is tested by
# AotTrainingScriptTests), used by the entry point.
grep -q '^RUN train-aot.sh /app/wsgate.aot -jar /app/wsgate.jar' Dockerfile || fail "Dockerfile: the AOT cache must be trained"
grep -q '^ENTRYPOINT \["java", "-XX:AOTCache=/app/wsgate.aot", "-jar", "/app/wsgate.jar"\]' Dockerfile \
  || fail "Dockerfile: the entry point must run the extracted jar with the AOT cache"
bash -n src/main/docker/train-aot.sh || fail "src/main/docker/train-aot.sh: syntax error"
# The chart renders JDK_JAVA_OPTIONS (jvm.* and resources), which replaces the image's: for the
# default values it must be the image's own, less the flags derived from the CPU request (the
# image cannot know it: without them the JVM counts the container's CPU limit, or the host's cores).
image_opts="$(sed -n 's/^ENV JDK_JAVA_OPTIONS="\(.*\)"$/\1/p' Dockerfile)"
chart_opts="$(grep -A1 -- '- name: JDK_JAVA_OPTIONS$' "$out/default.yaml" | sed -n 's/^ *value: "\(.*\)"$/\1/p' \
  | sed -E 's/ -XX:ActiveProcessorCount=[0-9]+ -Dreactor\.netty\.ioWorkerCount=[0-9]+//')"
[ -n "$image_opts" ] && [ "$image_opts" = "$chart_opts" ] \
  || fail "Dockerfile JDK_JAVA_OPTIONS ($image_opts) and the chart's default rendering ($chart_opts) differ"
grep -q -- '-XX:MaxDirectMemorySize=' <<< "$image_opts" || fail "Dockerfile: direct memory must be capped"

if [ "$failures" -gt 0 ]; then
  echo "check-packaging: $failures problem(s)"
  exit 1
fi
echo "check-packaging: all checks passed"
