{{/* Chart name, truncated for DNS labels. */}}
{{- define "wsgate.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Fully qualified app name; the release name when it already contains the chart name. */}}
{{- define "wsgate.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Name of the management Service (truncated so the suffix survives). */}}
{{- define "wsgate.managementName" -}}
{{- printf "%s-management" (include "wsgate.fullname" . | trunc 52 | trimSuffix "-") }}
{{- end }}

{{- define "wsgate.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "wsgate.selectorLabels" -}}
app.kubernetes.io/name: {{ include "wsgate.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "wsgate.labels" -}}
helm.sh/chart: {{ include "wsgate.chart" . }}
{{ include "wsgate.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "wsgate.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "wsgate.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "wsgate.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion | toString) }}
{{- end }}

{{/*
Port name of the i-th http server: its own name when that is a valid Kubernetes port name (at most
15 lower-case letters, digits and '-', with a letter), else "proxy-<i>".
*/}}
{{- define "wsgate.portName" -}}
{{- $name := .server.name | toString -}}
{{- if and (le (len $name) 15) (regexMatch "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$" $name) (regexMatch "[a-z]" $name) (ne $name "management") -}}
{{- $name -}}
{{- else -}}
{{- printf "proxy-%d" .index -}}
{{- end -}}
{{- end }}

{{/*
The gateway's application.yml. The chart's keys win over extraConfig, so ports and shutdown
timings always match the Deployment.
*/}}
{{- define "wsgate.applicationYaml" -}}
{{- $gateway := .Values.gateway -}}
{{- $wsgate := dict "http-servers" (default (list) $gateway.httpServers) "pipelines" (default (list) $gateway.pipelines) "demo" (default (dict "enabled" false) $gateway.demo) "warmup" (default (dict "enabled" false) $gateway.warmup) -}}
{{- /* Applied live unless config.rollOnChange rolls the pods instead. */ -}}
{{- $_ := set $wsgate "reload" (dict "enabled" (not (default dict .Values.config).rollOnChange)) -}}
{{- $chart := dict
      "wsgate" $wsgate
      "management" (dict "server" (dict "port" (int .Values.management.port)))
      "server" (dict "shutdown" "graceful")
      "spring" (dict "lifecycle" (dict "timeout-per-shutdown-phase" (printf "%ds" (int .Values.lifecycle.shutdownTimeoutSeconds)))) -}}
{{- $config := mustMergeOverwrite (deepCopy (default (dict) .Values.extraConfig)) $chart -}}
{{- toYaml $config -}}
{{- end }}

{{/* Fails the render when the pod's grace period cannot cover preStop plus graceful shutdown. */}}
{{- define "wsgate.validate" -}}
{{- $needed := add (int .Values.lifecycle.preStopSleepSeconds) (int .Values.lifecycle.shutdownTimeoutSeconds) -}}
{{- if le (int .Values.terminationGracePeriodSeconds) (int $needed) -}}
{{- fail (printf "terminationGracePeriodSeconds (%d) must be greater than lifecycle.preStopSleepSeconds + lifecycle.shutdownTimeoutSeconds (%d)" (int .Values.terminationGracePeriodSeconds) (int $needed)) -}}
{{- end -}}
{{- $ports := dict -}}
{{- range $i, $server := .Values.gateway.httpServers -}}
{{- $key := toString (int $server.port) -}}
{{- if hasKey $ports $key -}}
{{- fail (printf "gateway.httpServers: port %s is used by both %s and %s" $key (get $ports $key) $server.name) -}}
{{- end -}}
{{- if eq (int $server.port) (int $.Values.management.port) -}}
{{- fail (printf "gateway.httpServers[%d] (%s): port %d is the management port" $i $server.name (int $server.port)) -}}
{{- end -}}
{{- $_ := set $ports $key $server.name -}}
{{- range $r, $rule := $server.rules -}}
{{- range $p, $path := $rule.paths -}}
{{- $set := list -}}
{{- range $key := list "path" "pathPrefix" "pathRegexp" -}}
{{- if hasKey $path $key }}{{ $set = append $set $key }}{{ end -}}
{{- end -}}
{{- if gt (len $set) 1 -}}
{{- fail (printf "gateway.httpServers[%d] (%s): rules[%d].paths[%d] sets %s: give at most one of path, pathPrefix, pathRegexp" $i $server.name $r $p (join " and " $set)) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- range $i, $pipeline := .Values.gateway.pipelines -}}
{{- range $filter := $pipeline.filters -}}
{{- if eq (toString $filter.kind) "WebSocketProxy" -}}
{{- $main := 0 -}}
{{- range $filter.pools }}{{ if not (hasKey . "filter") }}{{ $main = add1 $main }}{{ end }}{{ end -}}
{{- if eq $main 0 -}}
{{- fail (printf "gateway.pipelines[%d] (%s), filter %s: no main pool: every pool has a filter; one pool without filter must take the sessions no candidate pool matches" $i $pipeline.name $filter.name) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if and .Values.tests.enabled (not (include "wsgate.testServer" .)) -}}
{{- fail (printf "tests.httpServer %q names none of gateway.httpServers" .Values.tests.httpServer) -}}
{{- end -}}
{{- if and .Values.ingress.enabled (not (include "wsgate.ingressServer" .)) -}}
{{- fail (printf "ingress.httpServer %q names none of gateway.httpServers" .Values.ingress.httpServer) -}}
{{- end -}}
{{- end }}

{{/* The Service port of an http server: service.ports[<name>], else the listener's port. */}}
{{- define "wsgate.servicePort" -}}
{{- $override := get (default (dict) .root.Values.service.ports) (toString .server.name) -}}
{{- if $override }}{{ int $override }}{{ else }}{{ int .server.port }}{{ end -}}
{{- end }}

{{/* The http server the Ingress routes to: ingress.httpServer, or the first one. */}}
{{- define "wsgate.ingressServer" -}}
{{- $wanted := .Values.ingress.httpServer -}}
{{- range $i, $server := .Values.gateway.httpServers -}}
{{- if or (eq $wanted $server.name) (and (not $wanted) (eq $i 0)) -}}
{{- toJson $server -}}
{{- end -}}
{{- end -}}
{{- end }}

{{/*
Bytes in a Kubernetes memory quantity (1Gi, 1536Mi, 2G, 1073741824), as a float. Fails on forms
the chart does not read (exponents, millibytes), naming the value.
*/}}
{{- define "wsgate.memoryBytes" -}}
{{- $q := toString .quantity | trim -}}
{{- if not (regexMatch "^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$" $q) -}}
{{- fail (printf "%s: %q is not a memory quantity the chart can read (write it like 1Gi, 1536Mi or 2G)" .what $q) -}}
{{- end -}}
{{- $units := dict "" 1.0 "k" 1e3 "M" 1e6 "G" 1e9 "T" 1e12 "P" 1e15 "E" 1e18 "Ki" 1024.0 "Mi" 1048576.0 "Gi" 1073741824.0 "Ti" 1099511627776.0 "Pi" 1125899906842624.0 "Ei" 1152921504606846976.0 -}}
{{- $number := regexReplaceAll "[A-Za-z]+$" $q "" -}}
{{- $unit := regexReplaceAll "^[0-9.]+" $q "" -}}
{{- mulf (float64 $number) (get $units $unit) -}}
{{- end }}

{{/* Whole cores of a Kubernetes CPU quantity (250m, 0.5, 2), rounded up, at least 1. */}}
{{- define "wsgate.cpuCores" -}}
{{- $q := toString .quantity | trim -}}
{{- if not (regexMatch "^[0-9]+(\\.[0-9]+)?m?$" $q) -}}
{{- fail (printf "%s: %q is not a CPU quantity the chart can read (write it like 250m, 0.5 or 2)" .what $q) -}}
{{- end -}}
{{- $cores := float64 (trimSuffix "m" $q) -}}
{{- if hasSuffix "m" $q }}{{ $cores = divf $cores 1000 }}{{ end -}}
{{- max 1 (int64 (ceil $cores)) -}}
{{- end }}

{{/*
The JVM options of the gateway container (JDK_JAVA_OPTIONS), in this order:
  jvm.options                  portable options (Java 17 and later); the image's defaults
  jvm.java25Options            only when jvm.javaVersion >= 25 (older JVMs refuse to start with them)
  -XX:MaxDirectMemorySize      jvm.maxDirectMemoryPercentage of resources.limits.memory
  -XX:ActiveProcessorCount,    from resources.requests.cpu (rounded up), when
  -Dreactor.netty.ioWorkerCount jvm.processorsFromCpuRequest
  jvm.extraOptions             last, so they win over everything above
*/}}
{{- define "wsgate.jvmOptions" -}}
{{- $jvm := .Values.jvm -}}
{{- $options := list (trim (default "" $jvm.options)) -}}
{{- if ge (int $jvm.javaVersion) 25 -}}
{{- $options = append $options (trim (default "" $jvm.java25Options)) -}}
{{- end -}}
{{- $resources := default (dict) .Values.resources -}}
{{- $limit := dig "limits" "memory" "" $resources -}}
{{- if and $limit (gt (float64 $jvm.maxDirectMemoryPercentage) 0.0) -}}
{{- $bytes := include "wsgate.memoryBytes" (dict "quantity" $limit "what" "resources.limits.memory") | float64 -}}
{{- $mib := floor (divf (mulf $bytes (float64 $jvm.maxDirectMemoryPercentage)) (mulf 100 1048576)) | int64 -}}
{{- $options = append $options (printf "-XX:MaxDirectMemorySize=%dm" (max 1 $mib)) -}}
{{- end -}}
{{- $cpu := dig "requests" "cpu" "" $resources -}}
{{- if and $cpu $jvm.processorsFromCpuRequest -}}
{{- $cores := include "wsgate.cpuCores" (dict "quantity" $cpu "what" "resources.requests.cpu") -}}
{{- $options = append $options (printf "-XX:ActiveProcessorCount=%s -Dreactor.netty.ioWorkerCount=%s" $cores $cores) -}}
{{- end -}}
{{- $options = append $options (trim (default "" $jvm.extraOptions)) -}}
{{- join " " (compact $options) -}}
{{- end }}

{{/* The http server the helm test connects to: tests.httpServer, or the first one. */}}
{{- define "wsgate.testServer" -}}
{{- $wanted := .Values.tests.httpServer -}}
{{- range $i, $server := .Values.gateway.httpServers -}}
{{- if or (eq $wanted $server.name) (and (not $wanted) (eq $i 0)) -}}
{{- toJson $server -}}
{{- end -}}
{{- end -}}
{{- end }}

{{/* The URL the helm test opens: the proxy Service's port of that server, ws:// or wss:// (tls). */}}
{{- define "wsgate.testUrl" -}}
{{- $server := include "wsgate.testServer" . | fromJson -}}
{{- printf "%s://%s.%s.svc:%s%s" (ternary "wss" "ws" (not (empty $server.tls))) (include "wsgate.fullname" .) .Release.Namespace (include "wsgate.servicePort" (dict "root" . "server" $server)) .Values.tests.path -}}
{{- end }}

{{/* Labels of the helm test pod: not the selector labels, so no Service ever sends to it. */}}
{{- define "wsgate.testLabels" -}}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: helm-test
{{- end }}

{{/*
TCP ports the gateway dials: each server URL's port (default 80 for ws/http, 443 for wss/https)
and the health checks' own ports, as a JSON list of numbers.
*/}}
{{- define "wsgate.backendPorts" -}}
{{- $ports := dict -}}
{{- range $pipeline := .Values.gateway.pipelines -}}
{{- range $filter := $pipeline.filters -}}
{{- range $pool := (default (list) $filter.pools) -}}
{{- range $server := (default (list) $pool.servers) -}}
{{- $url := toString $server.url -}}
{{- $authority := regexReplaceAll "^[A-Za-z]+://([^/?#]+).*$" $url "${1}" -}}
{{- $port := trimPrefix ":" (regexFind ":[0-9]+$" $authority) -}}
{{- if not $port -}}
{{- $port = ternary "443" "80" (or (hasPrefix "wss:" $url) (hasPrefix "https:" $url)) -}}
{{- end -}}
{{- $_ := set $ports (printf "%05d" (int $port)) true -}}
{{- end -}}
{{- with $pool.healthCheck -}}
{{- range $probe := list (default (dict) .ws) (default (dict) .http) -}}
{{- if gt (int (default 0 $probe.port)) 0 }}{{ $_ := set $ports (printf "%05d" (int $probe.port)) true }}{{ end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- $numbers := list -}}
{{- /* keys are zero-padded so that sortAlpha sorts them as numbers; atoi reads them in base 10 */ -}}
{{- range $port := keys $ports | sortAlpha }}{{ $numbers = append $numbers (atoi $port) }}{{ end -}}
{{- toJson $numbers -}}
{{- end }}

{{/*
PromQL label matchers that select this release's series: prometheusRule.selector, else the
namespace and the job the ServiceMonitor's scrape gives them (the management Service's name).
*/}}
{{- define "wsgate.metricSelector" -}}
{{- if .Values.prometheusRule.selector -}}
{{- .Values.prometheusRule.selector -}}
{{- else -}}
{{- printf "namespace=%q, job=%q" .Release.Namespace (include "wsgate.managementName" .) -}}
{{- end -}}
{{- end }}
