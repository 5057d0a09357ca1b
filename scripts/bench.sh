#!/usr/bin/env bash
# Benchmark: set up, build for release under the GitHub Pages sub-path, then measure download size,
# time to first heatmap, keystroke latency and the longest main-thread task in headless Chromium.
# Prints a table and writes bench/results/latest.json. Extra arguments go to bench/run.mjs.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

echo "=== trunk build --release --public-url $AP_PUBLIC_URL ==="
trunk build --release --public-url "$AP_PUBLIC_URL"

echo "=== benchmark ==="
node bench/run.mjs --dir dist "$@"
