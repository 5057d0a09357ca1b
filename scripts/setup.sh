#!/usr/bin/env bash
# Installs what building and testing need, and only what is missing (quiet when all is present):
#   wasm32 target (rustup), trunk and wasm-bindgen-cli (cargo install, into ~/.cache/attention-playground/tools),
#   wasm-opt (npm binaryen, same place), chromium + chromium-driver, firefox-esr, webkit2gtk-driver, xvfb (apt), playwright-core (npm ci, ./node_modules),
#   and the crates (cargo fetch, so builds run offline).
# Usage: scripts/setup.sh [--build-only]     (--build-only: skip the browser and the npm test packages)
#        source scripts/setup.sh             (also leaves the environment set in your shell)
# Prints the environment the other scripts use (see scripts/env.sh).

ap_setup() {
  set -euo pipefail
  local build_only=false
  [[ "${1:-}" == "--build-only" ]] && build_only=true

  local repo
  repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  # shellcheck source=scripts/env.sh
  source "$repo/scripts/env.sh"
  cd "$repo"
  mkdir -p "$AP_TOOLS" "$AP_CACHE/logs"

  local trunk_version=0.21.14 binaryen_version=132.0.0 bindgen_version
  # wasm-bindgen-cli must match the wasm-bindgen crate exactly, or the generated JS does not fit.
  bindgen_version="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
  [[ -n "$bindgen_version" ]] || { echo "setup: no wasm-bindgen in Cargo.lock" >&2; return 1; }
  if ! grep -q "wasm_bindgen = \"$bindgen_version\"" Trunk.toml; then
    echo "setup: warning: Trunk.toml [tools] wasm_bindgen differs from Cargo.lock ($bindgen_version)" >&2
  fi

  step() { echo "setup: $*" >&2; }
  local log="$AP_CACHE/logs/setup.log"
  : >"$log"
  quietly() { "$@" >>"$log" 2>&1 || { echo "setup: failed: $* (see $log)" >&2; tail -20 "$log" >&2; return 1; }; }

  # The toolchain pinned in rust-toolchain.toml (rustup picks it up in this directory).
  if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    local channel
    channel="$(sed -n 's/^channel = "\(.*\)"/\1/p' rust-toolchain.toml)"
    step "installing Rust $channel with the wasm32 target"
    quietly rustup toolchain install "$channel" --profile minimal -c rustfmt -c clippy -t wasm32-unknown-unknown
  fi

  # Tools build in a throw-away target dir (env -u), not in the project's cached one.
  if [[ "$(trunk --version 2>/dev/null)" != "trunk $trunk_version" ]]; then
    step "installing trunk $trunk_version (about 10 minutes, once)"
    quietly env -u CARGO_TARGET_DIR cargo install --locked "trunk@$trunk_version" --root "$AP_TOOLS"
  fi

  # Not --locked: wasm-bindgen-cli's own lockfile wants crates the reachable index lacks.
  if [[ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $bindgen_version" ]] ||
     ! [[ -x "$AP_TOOLS/bin/wasm-bindgen-test-runner" ]]; then
    step "installing wasm-bindgen-cli $bindgen_version (about 5 minutes, once)"
    quietly env -u CARGO_TARGET_DIR cargo install --force "wasm-bindgen-cli@$bindgen_version" --root "$AP_TOOLS"
  fi

  if [[ "$(node -p "require('$AP_TOOLS/npm/node_modules/binaryen/package.json').version" 2>/dev/null)" != "$binaryen_version" ]]; then
    step "installing wasm-opt (npm binaryen@$binaryen_version)"
    mkdir -p "$AP_TOOLS/npm"
    [[ -f "$AP_TOOLS/npm/package.json" ]] || echo '{"private": true}' >"$AP_TOOLS/npm/package.json"
    quietly npm install --prefix "$AP_TOOLS/npm" --no-audit --no-fund --save-exact "binaryen@$binaryen_version"
  fi

  if ! $build_only; then
    # Chromium for the test suite; Firefox ESR and WebKitGTK (Safari's engine, driven through
    # WebKitWebDriver under Xvfb) for the cross-engine smoke run (e2e/engines/smoke.mjs).
    if ! [[ -x "$CHROMIUM" && -x "$CHROMEDRIVER" && -x /usr/bin/firefox-esr && -x /usr/bin/WebKitWebDriver && -x /usr/bin/xvfb-run ]]; then
      step "installing chromium, chromium-driver, firefox-esr, webkit2gtk-driver and xvfb (apt)"
      local sudo=""
      [[ "$(id -u)" == 0 ]] || sudo="sudo"
      quietly $sudo apt-get update
      quietly $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        chromium chromium-driver firefox-esr webkit2gtk-driver xvfb xauth
    fi

    # Reinstall only when package-lock.json changed since the last npm ci.
    if ! cmp -s package-lock.json node_modules/.setup-lock 2>/dev/null; then
      step "installing test packages (npm ci)"
      quietly npm ci --no-audit --no-fund
      cp package-lock.json node_modules/.setup-lock
    fi
  fi

  # Download crates now so every later cargo and trunk call can run --offline (instant when present).
  quietly cargo fetch
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  # Run directly: print the environment, e.g. for `eval "$(scripts/setup.sh)"`.
  ap_setup "$@"
  echo "export PATH=\"$PATH\""
  echo "export CARGO_TARGET_DIR=\"$CARGO_TARGET_DIR\""
  echo "export CHROMEDRIVER=\"$CHROMEDRIVER\""
else
  # Sourced: install in a subshell so `set -e` and `cd` stay out of the caller (not inside && or ||,
  # where bash would ignore set -e), then take the environment.
  ( ap_setup "$@" )
  ap_setup_status=$?
  if [[ $ap_setup_status == 0 ]]; then
    # shellcheck source=scripts/env.sh
    source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
  else
    return $ap_setup_status
  fi
fi
