#!/usr/bin/env bash
# Command 1: set up (first run installs tools, see README) and serve the app with live reload.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh --build-only

echo "Building, then serving Attention Playground at http://127.0.0.1:8080/ (a dev build, rebuilt on save; Ctrl-C stops)"
# Its own dist folder, so scripts/test.sh (which builds ./dist) can run alongside.
exec trunk serve --address 127.0.0.1 --port 8080 --dist "$AP_CACHE/serve-dist" "$@"
