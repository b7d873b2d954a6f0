# Joins this VM to the MCIS overlay, or brings its peers up to date: idempotent, run as root.
# The configuration arrives on stdin after this script (a here-document cbadm appends), one item
# per line, so the private key never appears in a command line:
#   iface NAME | addr IP/BITS | port N | key PRIVATE (first join only) | peer PUBKEY IP:PORT IP/32 | host IP NAME
set -eu
umask 077
dir="${CB_SYSROOT:-}/etc/cb-overlay"
hosts_file="${CB_SYSROOT:-}/etc/hosts"
mkdir -p "$dir"
iface=cbo0
addr=
port=51820
: >"$dir/peers.new"
: >"$dir/hosts.new"
while read -r kind a b c; do
  case "$kind" in
    iface) iface="$a" ;;
    addr) addr="$a" ;;
    port) port="$a" ;;
    key) printf '%s\n' "$a" >"$dir/private.key" ;;
    peer) printf '[Peer]\nPublicKey = %s\nEndpoint = %s\nAllowedIPs = %s\nPersistentKeepalive = 25\n\n' "$a" "$b" "$c" >>"$dir/peers.new" ;;
    host) printf '%s %s\n' "$a" "$b" >>"$dir/hosts.new" ;;
    '') ;;
    *) echo "wg-setup: unknown item '$kind'" >&2; exit 2 ;;
  esac
done
[ -n "$addr" ] || { echo 'wg-setup: no overlay address given' >&2; exit 2; }
[ -s "$dir/private.key" ] || { echo 'wg-setup: this VM has no overlay key yet (a full setup sends one)' >&2; exit 3; }

if ! command -v wg >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q wireguard-tools >/dev/null
  else
    echo 'wg-setup: wg (wireguard-tools) is missing and there is no apt-get to install it' >&2; exit 4
  fi
fi

# The kernel's WireGuard where the VM has it, else the userspace implementation on /dev/net/tun.
if ! ip link show "$iface" >/dev/null 2>&1; then
  if ! ip link add "$iface" type wireguard 2>/dev/null; then
    if ! command -v wireguard-go >/dev/null 2>&1; then
      if command -v apt-get >/dev/null 2>&1; then DEBIAN_FRONTEND=noninteractive apt-get install -y -q wireguard-go >/dev/null; fi
    fi
    command -v wireguard-go >/dev/null 2>&1 || { echo 'wg-setup: no kernel WireGuard and no wireguard-go' >&2; exit 4; }
    WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1 wireguard-go "$iface" </dev/null >/dev/null 2>&1
  fi
fi

# The whole peer set at once (setconf): a peer no longer listed is dropped.
read -r private <"$dir/private.key"
{
  printf '[Interface]\nPrivateKey = %s\nListenPort = %s\n\n' "$private" "$port"
  cat "$dir/peers.new"
} >"$dir/$iface.conf"
wg setconf "$iface" "$dir/$iface.conf"
# A new overlay network renumbers the VM: the old address goes.
if ! ip -o -4 address show dev "$iface" | grep -q " inet $addr "; then
  ip address flush dev "$iface"
  ip address add "$addr" dev "$iface"
fi
ip link set "$iface" up

# Names of the other VMs, <vm>.<mcis>, in a block of /etc/hosts this script owns.
if [ -f "$hosts_file" ]; then
  sed '/^# cb-overlay begin$/,/^# cb-overlay end$/d' "$hosts_file" >"$dir/hosts.base"
else
  : >"$dir/hosts.base"
fi
{
  cat "$dir/hosts.base"
  echo '# cb-overlay begin'
  cat "$dir/hosts.new"
  echo '# cb-overlay end'
} >"$dir/hosts.full"
# Rewritten in place: /etc/hosts may be a bind mount.
cat "$dir/hosts.full" >"$hosts_file"
chmod 644 "$hosts_file"
rm -f "$dir/peers.new" "$dir/hosts.new" "$dir/hosts.base" "$dir/hosts.full"
echo "overlay $iface up: $addr, $(grep -c '^\[Peer\]' "$dir/$iface.conf" || true) peer(s)"
