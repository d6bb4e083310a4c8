#!/usr/bin/env bash
# Fetches the front-end files Leaddesk vendors (htmx) from the npm registry into static/vendor/,
# recording version and licence. Run through `make vendor`; the result is committed, so builds and
# the running app never need the network.
set -euo pipefail
HTMX_VERSION=2.0.11
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "htmx.org@${HTMX_VERSION}" >/dev/null && tar xzf htmx.org-${HTMX_VERSION}.tgz)
mkdir -p static/vendor
cp "$tmp/package/dist/htmx.min.js" static/vendor/htmx.min.js
cp "$tmp/package/LICENSE" static/vendor/htmx.LICENSE
cat > static/vendor/VERSIONS <<V
htmx.org ${HTMX_VERSION} (npm registry, dist/htmx.min.js; licence 0BSD in htmx.LICENSE)
V
echo "vendored htmx ${HTMX_VERSION} into static/vendor/"
