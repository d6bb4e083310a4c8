#!/usr/bin/env bash
# Fetches the front-end files Leaddesk vendors from the npm registry, recording version and licence:
# htmx into static/vendor/ (served by the app), and axe-core into internal/testkit/axe/ (a test asset:
# the browser tests embed it to check every page for accessibility violations; the served binary never
# carries it). Run through `make vendor`; the result is committed, so builds, tests and the running app
# never need the network.
set -euo pipefail
HTMX_VERSION=2.0.11
AXE_VERSION=4.14.1
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "htmx.org@${HTMX_VERSION}" >/dev/null && tar xzf htmx.org-${HTMX_VERSION}.tgz)
mkdir -p "$tmp/axe"
(cd "$tmp/axe" && npm pack --silent "axe-core@${AXE_VERSION}" >/dev/null && tar xzf axe-core-${AXE_VERSION}.tgz)
mkdir -p static/vendor
cp "$tmp/package/dist/htmx.min.js" static/vendor/htmx.min.js
cp "$tmp/package/LICENSE" static/vendor/htmx.LICENSE
cat > static/vendor/VERSIONS <<V
htmx.org ${HTMX_VERSION} (npm registry, dist/htmx.min.js; licence 0BSD in htmx.LICENSE)
V
echo "vendored htmx ${HTMX_VERSION} into static/vendor/"
cp "$tmp/axe/package/axe.min.js" internal/testkit/axe/axe.min.js
cp "$tmp/axe/package/LICENSE" internal/testkit/axe/axe.LICENSE
cat > internal/testkit/axe/VERSIONS <<V
axe-core ${AXE_VERSION} (npm registry, axe.min.js; licence MPL-2.0 in axe.LICENSE; test asset, not served)
V
echo "vendored axe-core ${AXE_VERSION} into internal/testkit/axe/"
