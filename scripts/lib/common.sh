# shellcheck shell=bash
# Small helpers shared by the scripts in scripts/. Source this file; it defines
# functions only and is safe under `set -euo pipefail`.

# Messages go to stderr so that a script's stdout stays usable as data.
log() { printf '[alphogen] %s\n' "$*" >&2; }

# Developers may not be root; CI and the build machines are. sudo -n never
# prompts, so a run without stdin fails fast instead of hanging.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@"; fi
}

# The repository's top folder, wherever the calling script was started from.
repo_root() {
  git -C "$(dirname "${BASH_SOURCE[0]}")" rev-parse --show-toplevel 2>/dev/null \
    || (cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
}

# apt-get as root, one at a time: scripts/dev instances started side by side by the tests (or
# by a developer) would otherwise race for dpkg's lock, and the loser fails at once. flock
# queues our own callers; DPkg::Lock::Timeout waits out anyone else's (unattended-upgrades).
apt_get() {
  as_root flock -w 1800 /tmp/alphogen-apt.lock env DEBIAN_FRONTEND=noninteractive \
    apt-get -o DPkg::Lock::Timeout=600 "$@" </dev/null >&2
}

# One `apt-get update` per script run at most: it is slow and the lists do not
# change under us. apt_refresh forces it again (after adding a source).
_AG_APT_UPDATED=${_AG_APT_UPDATED:-0}
apt_refresh() {
  log "apt-get update"
  apt_get update -q
  _AG_APT_UPDATED=1
}
apt_update_once() { [ "$_AG_APT_UPDATED" = 1 ] || apt_refresh; }

# True when a Debian package is fully installed (not just "config-files").
apt_installed() {
  [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" = "install ok installed" ]
}

# apt_ensure PKG... installs only the packages that are missing, so a warm run
# costs a few dpkg-query calls and no network.
apt_ensure() {
  local missing=() p
  for p in "$@"; do apt_installed "$p" || missing+=("$p"); done
  [ "${#missing[@]}" -eq 0 ] && return 0
  apt_update_once
  log "apt-get install ${missing[*]}"
  apt_get install -y -q --no-install-recommends "${missing[@]}"
}
