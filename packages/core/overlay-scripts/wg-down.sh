# Leaves the MCIS overlay: removes the interface (wireguard-go exits with it), the key and the
# /etc/hosts block. Idempotent, run as root; IFACE is exported before this script.
set -eu
dir="${CB_SYSROOT:-}/etc/cb-overlay"
hosts_file="${CB_SYSROOT:-}/etc/hosts"
if ip link show "$IFACE" >/dev/null 2>&1; then ip link del "$IFACE"; fi
if [ -f "$hosts_file" ] && grep -q '^# cb-overlay begin$' "$hosts_file"; then
  sed '/^# cb-overlay begin$/,/^# cb-overlay end$/d' "$hosts_file" >"$hosts_file.cb-overlay"
  cat "$hosts_file.cb-overlay" >"$hosts_file"
  rm -f "$hosts_file.cb-overlay"
fi
rm -rf "$dir"
echo "overlay $IFACE down"
