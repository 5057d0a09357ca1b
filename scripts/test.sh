#!/usr/bin/env bash
# Command 2: set up, then run every check CI runs, in order, stopping at the first failure:
# fmt, clippy (native and wasm32), native tests, browser tests (wasm-bindgen-test in headless
# Chromium), the release build under the GitHub Pages sub-path, and end-to-end tests against it.
set -euo pipefail
cd "$(dirname "$0")/.."

bold="" red="" reset=""
if [[ -t 1 ]]; then bold=$'\033[1m' red=$'\033[1;31m' reset=$'\033[0m'; fi
started=$SECONDS
stage_started=$SECONDS
stage_name=""
timings=()

stage() {
  finish_stage
  stage_name="$1"
  stage_started=$SECONDS
  printf '\n%s=== %s ===%s\n' "$bold" "$stage_name" "$reset"
}
finish_stage() {
  if [[ -n "$stage_name" ]]; then
    local took=$((SECONDS - stage_started))
    timings+=("$(printf '%4ds  %s' "$took" "$stage_name")")
    printf '=== %s: ok in %ds ===\n' "$stage_name" "$took"
    stage_name=""
  fi
}
on_exit() {
  local status=$?
  if [[ $status != 0 && -n "$stage_name" ]]; then
    printf '\n%s=== FAILED: %s (after %ds) ===%s\n' "$red" "$stage_name" $((SECONDS - stage_started)) "$reset" >&2
  fi
}
trap on_exit EXIT

stage "setup"
source scripts/setup.sh

stage "cargo fmt --check"
cargo fmt --all -- --check

stage "clippy (native)"
cargo clippy --offline --all-targets -- -D warnings

stage "clippy (wasm32)"
cargo clippy --offline --target wasm32-unknown-unknown --all-targets -- -D warnings
# The page is built without the model runtime (see index.html): lint that configuration too.
cargo clippy --offline --target wasm32-unknown-unknown --no-default-features --lib --bin app -- -D warnings

stage "cargo test (native)"
cargo test --offline
# the in-tree stand-in for rustfft (patches/rustfft, see Cargo.toml [patch.crates-io])
cargo test --offline --manifest-path patches/rustfft/Cargo.toml

stage "cargo test (wasm32, headless Chromium)"
cargo test --offline --target wasm32-unknown-unknown

stage "trunk build --release (public URL $AP_PUBLIC_URL)"
trunk build --release --public-url "$AP_PUBLIC_URL"

stage "end-to-end tests (dist served under $AP_PUBLIC_URL)"
# Four files at a time: the tests mostly wait (page loads, model loads in the worker, settled runs),
# so on 2 cores this takes 349 s against 617 s one at a time (measured 2026-12-02, 145 tests).
# Every suite has its own server, browser and contexts, so files cannot see each other.
DIST=dist node --test --test-concurrency=4 --test-reporter=spec e2e/tests/

stage "every view in Firefox ESR and WebKit (dist under $AP_PUBLIC_URL)"
node e2e/engines/smoke.mjs --dir dist

finish_stage
printf '\nAll checks passed in %ds:\n' $((SECONDS - started))
printf '%s\n' "${timings[@]}"
