#!/usr/bin/env bash
# System packages the tests use, from Debian's archive: chromium (browser tests)
# and bubblewrap (the grading sandbox). Installs them when missing and we are root;
# otherwise says what to install. Idempotent and quiet when all is present.
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v bwrap >/dev/null 2>&1 || missing+=(bubblewrap)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "Please install these system packages (Debian/Ubuntu: sudo apt-get install ${missing[*]}):" >&2
  echo "  ${missing[*]}" >&2
  echo "Browser and sandbox tests will be skipped without them." >&2
fi
