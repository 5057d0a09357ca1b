#!/usr/bin/env bash
# Benchmarks: set up, build for release under the GitHub Pages sub-path, then run every
# bench/*.mjs against it in headless Chromium (bench/run.mjs: download size, first heatmap,
# keystroke latency, long tasks; the others: one demo each). Each prints a table and writes
# bench/results/<name>.json. Extra arguments go to every script.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

echo "=== trunk build --release --public-url $AP_PUBLIC_URL ==="
trunk build --release --public-url "$AP_PUBLIC_URL"

for script in bench/*.mjs; do
  echo "=== benchmark: $script ==="
  node "$script" --dir dist "$@"
done
