#!/usr/bin/env bash
# Install the system packages the project needs when they are missing (Debian/Ubuntu; needs root or sudo):
#   - the MySQL client headers + pkg-config, to build mysqlclient;
#   - Debian's chromium + chromium-driver, for the real-browser test (only with --browser);
#   - Debian's nginx-light, the reverse proxy of `make serve` and the hardening benchmarks, and redis-server for
#     the serving tests (only with --serve).
set -euo pipefail

want=()
if ! pkg-config --exists mysqlclient 2>/dev/null && ! pkg-config --exists libmariadb 2>/dev/null; then
  want+=(default-libmysqlclient-dev pkg-config build-essential)
fi
if ! command -v msgfmt >/dev/null 2>&1; then
  want+=(gettext)
fi
for option in "$@"; do
  if [[ "$option" == "--browser" ]] && ! command -v chromium >/dev/null 2>&1; then
    want+=(chromium chromium-driver)
  fi
  if [[ "$option" == "--serve" ]] && [[ ! -x /usr/sbin/nginx ]] && ! command -v nginx >/dev/null 2>&1; then
    want+=(nginx-light)
  fi
  if [[ "$option" == "--serve" ]] && ! command -v redis-server >/dev/null 2>&1; then
    want+=(redis-server)  # a private one for the serving tests (production needs a Redis, CACHE_URL)
  fi
done
[[ ${#want[@]} -eq 0 ]] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "Please install: ${want[*]} (or your system's equivalents), then run make again." >&2
  exit 1
fi
sudo=""
[[ $(id -u) -ne 0 ]] && sudo="sudo"
echo "Installing system packages: ${want[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get install -y -q "${want[@]}" >/dev/null 2>&1 || { $sudo apt-get update -q >/dev/null && $sudo apt-get install -y -q "${want[@]}" >/dev/null; }
