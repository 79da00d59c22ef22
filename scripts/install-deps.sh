#!/usr/bin/env bash
# Installs the Debian 12 packages todo needs to build and test, only those missing.
# Idempotent and quiet when everything is already there.
#
# Usage: install-deps.sh [clang|fuzz|bench]
#   clang  also clang, for scripts/thread-safety.sh
#   fuzz   also clang and its runtime libraries (libFuzzer, the sanitizers), for scripts/fuzz.sh
#   bench  also what bench/ compares todod with and loads it with: Redis, wrk, nginx
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  librocksdb-dev libcereal-dev libzmq3-dev cppzmq-dev
  catch2 libcli11-dev libsystemd-dev systemd
  libutf8proc-dev
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev libssl-dev
  openssl curl
  man-db groff-base
  zsh fish
  chromium
)
# tests/web_page_test drives chromium with playwright-core on Node.js: 1.61,
# the last to run on Debian 12's Node.js 18 (1.62 on need 20). A Node.js from
# elsewhere (NodeSource's bundles npm, and conflicts with Debian's npm) is kept
# as it is; only a machine without one gets Debian's.
command -v node >/dev/null || packages+=(nodejs)
command -v npm >/dev/null || packages+=(npm)
case "${1:-}" in
  "") ;;
  clang) packages+=(clang) ;;
  fuzz) packages+=(clang libclang-rt-14-dev) ;;
  bench) packages+=(redis-server redis-tools wrk nginx-light) ;;
  *)
    echo "usage: $0 [clang|fuzz|bench]" >&2
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
