# Shared by every bootstrap step (prepended by cbadm, which also prepends the step's variables).
# R is the system root: empty on a real VM; on a Cloud-Twin VM with the simulated node runtime the
# twin points CB_SYSROOT at the VM's own directory, so nothing here can touch the twin's host.
set -eu
R="${CB_SYSROOT:-}"
export DEBIAN_FRONTEND=noninteractive

log() { printf '%s\n' "$*" >&2; }
fail() { log "error: $*"; exit 1; }

# Writes stdin to a system file (under R), creating its directory.
put() {
  mkdir -p "$(dirname "$R$1")"
  cat >"$R$1"
}

# The installed version of a Debian package, or nothing.
pkg_version() {
  dpkg-query -W -f='${Version}' "$1" 2>/dev/null || true
}
