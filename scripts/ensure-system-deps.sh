#!/usr/bin/env bash
# The system packages the test suite needs (Debian/Ubuntu): Chromium for the browser journeys and a font
# for it to draw text with. Installs what is missing when run as root; otherwise prints the exact command
# to run and fails, so `make test` never runs half a suite.
set -euo pipefail

chromium_path=${CHROMIUM_PATH:-/usr/bin/chromium}
missing=()
[ -x "$chromium_path" ] || missing+=(chromium)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
command="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "The tests need these system packages: ${missing[*]}. Install them, then run make test again:" >&2
  echo "    sudo sh -c '$command'" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "The tests need ${missing[*]} (at $chromium_path for Chromium) and this machine has no apt-get:" >&2
  echo "install them with its package manager, or set CHROMIUM_PATH to an installed Chromium." >&2
  exit 1
fi
echo "Installing the system packages the tests need: ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
"$chromium_path" --version
