# shellcheck shell=bash
# Environment for building, serving, testing and benchmarking. Source it: `source scripts/env.sh`.
# Tools live outside the clone so a second clone, or a second run, reuses them.
# (No `set -e` here: this file is sourced into interactive shells too.)

export AP_CACHE="${AP_CACHE:-$HOME/.cache/attention-playground}"
export AP_TOOLS="$AP_CACHE/tools"
# wasm-opt (npm binaryen) first: Debian's /usr/bin/wasm-opt is too old for current rustc output.
case ":$PATH:" in
  *":$AP_TOOLS/npm/node_modules/.bin:"*) ;;
  *) export PATH="$AP_TOOLS/npm/node_modules/.bin:$AP_TOOLS/bin:$HOME/.cargo/bin:$PATH" ;;
esac
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$AP_CACHE/target}"
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
# The site is published at https://<user>.github.io/attention-playground/; build and test it there.
export AP_PUBLIC_URL="${AP_PUBLIC_URL:-/attention-playground/}"
