#!/usr/bin/env bash
# Installs the Debian 12 packages todo needs to build and test, only those missing.
# Idempotent and quiet when everything is already there.
#
# Usage: install-deps.sh [clang|fuzz]
#   clang  also clang, for scripts/thread-safety.sh
#   fuzz   also clang and its runtime libraries (libFuzzer, the sanitizers), for scripts/fuzz.sh
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  librocksdb-dev libcereal-dev libzmq3-dev cppzmq-dev
  catch2 libcli11-dev libsystemd-dev systemd
  libutf8proc-dev
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev libssl-dev
  openssl curl
  chromium
)
# tests/web_page_test drives chromium with playwright-core on Node.js. A Node.js
# from elsewhere (NodeSource's bundles npm, and conflicts with Debian's npm) is
# kept as it is; only a machine without one gets Debian's.
command -v node >/dev/null || packages+=(nodejs)
command -v npm >/dev/null || packages+=(npm)
case "${1:-}" in
  "") ;;
  clang) packages+=(clang) ;;
  fuzz) packages+=(clang libclang-rt-14-dev) ;;
  *)
    echo "usage: $0 [clang|fuzz]" >&2
    exit 2
    ;;
esac

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo_cmd=()
  [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
  echo "installing: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# playwright-core 1.65 (tests/browser/package.json) refuses to run on a Node.js
# older than 20, and Debian 12 has only 18 (bookworm, its updates and security
# suites; bookworm-backports has none). Everything else builds and runs; this
# says why web_page_test will fail.
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "warning: Node.js $(node --version) is too old for playwright-core 1.65, which needs 20" \
    "or later: web_page_test will fail until one is installed" >&2
fi
