# Joins this VM to the MCIS overlay, or brings its peers up to date: idempotent, run as root.
# The configuration arrives on stdin after this script (a here-document cbadm appends), one item
# per line, so the private key never appears in a command line:
#   iface NAME | addr IP/BITS | port N | forward 0|1 | key PRIVATE (first join only)
#   | peer PUBKEY IP:PORT ALLOWED[,ALLOWED…] | host IP NAME
# Few processes on purpose: it runs once per VM on every sync, on hundreds of VMs at once.
set -eu
umask 077
dir="${CB_SYSROOT:-}/etc/cb-overlay"
hosts_file="${CB_SYSROOT:-}/etc/hosts"
[ -d "$dir" ] || mkdir -p "$dir"
iface=cbo0
addr=
port=51820
forward=0
peers=0
: >"$dir/peers.new"
: >"$dir/hosts.new"
while read -r kind a b c; do
  case "$kind" in
    iface) iface="$a" ;;
    addr) addr="$a" ;;
    port) port="$a" ;;
    forward) forward="$a" ;;
    key) printf '%s\n' "$a" >"$dir/private.key" ;;
    peer)
      printf '[Peer]\nPublicKey = %s\nEndpoint = %s\nAllowedIPs = %s\nPersistentKeepalive = 25\n\n' "$a" "$b" "$c" >>"$dir/peers.new"
      peers=$((peers + 1))
      ;;
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

# Whether the interface exists (this network namespace's /proc/net/dev, read without a process); if
# not, the kernel's WireGuard where the VM has it, else the userspace implementation on /dev/net/tun.
exists=
while read -r name _; do
  if [ "$name" = "$iface:" ]; then exists=1; break; fi
done </proc/net/dev
if [ -z "$exists" ]; then
  # Kernel WireGuard where the module is loaded or built in (/sys/module/wireguard) or can be
  # loaded; elsewhere the attempt is skipped (an ip process per VM) for the userspace one.
  kernel_wg=
  if [ -d /sys/module/wireguard ]; then
    kernel_wg=1
  else
    release=
    { read -r release _ </proc/sys/kernel/osrelease; } 2>/dev/null || :
    for module in /lib/modules/"$release"/kernel/drivers/net/wireguard/wireguard.ko* /lib/modules/"$release"/updates/dkms/wireguard.ko* /lib/modules/"$release"/extra/wireguard.ko*; do
      if [ -e "$module" ]; then kernel_wg=1; break; fi
    done
  fi
  if [ -z "$kernel_wg" ] || ! ip link add "$iface" type wireguard 2>/dev/null; then
    if ! command -v wireguard-go >/dev/null 2>&1; then
      if command -v apt-get >/dev/null 2>&1; then DEBIAN_FRONTEND=noninteractive apt-get install -y -q wireguard-go >/dev/null; fi
    fi
    command -v wireguard-go >/dev/null 2>&1 || { echo 'wg-setup: no kernel WireGuard and no wireguard-go' >&2; exit 4; }
    WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1 wireguard-go "$iface" </dev/null >/dev/null 2>&1
  fi
fi

# The whole peer set at once. syncconf changes only what differs: peers that stay keep their
# sessions (no new handshakes), a peer no longer listed is dropped.
# Shell built-ins copy files here and below: on hundreds of VMs at once, every process counts.
copy() { while IFS= read -r line || [ -n "$line" ]; do printf '%s\n' "$line"; done <"$1"; }
read -r private <"$dir/private.key"
{
  printf '[Interface]\nPrivateKey = %s\nListenPort = %s\n\n' "$private" "$port"
  copy "$dir/peers.new"
} >"$dir/$iface.conf"
wg syncconf "$iface" "$dir/$iface.conf"
# The address this script gave the interface, kept next to its key; a new overlay network renumbers
# the VM (the old address goes). One ip process for the address and the link.
had=
if [ -n "$exists" ] && [ -f "$dir/addr" ]; then read -r had <"$dir/addr" || :; fi
if [ "$had" != "$addr" ]; then
  flush=
  [ -z "$exists" ] || flush="address flush dev $iface"
  ip -batch - <<CB_IP
$flush
address add $addr dev $iface
link set $iface up
CB_IP
  printf '%s\n' "$addr" >"$dir/addr"
else
  ip link set "$iface" up
fi

# A hub forwards between its peers, on the overlay interface only; a spoke or a mesh member does not.
fwd="/proc/sys/net/ipv4/conf/$iface/forwarding"
# procfs answers a byte-wise read (dash's) without the newline: read fails but sets the value.
was=
{ read -r was <"$fwd"; } 2>/dev/null || :
case "$forward$was" in
  10 | 1) echo 1 >"$fwd" || { echo "wg-setup: cannot turn on $fwd (a hub forwards for its spokes)" >&2; exit 5; } ;;
  01) echo 0 >"$fwd" ;;
esac

# Names of the other VMs, <vm>.<mcis>, in a block of /etc/hosts this script owns.
had_hosts=
[ -f "$hosts_file" ] && had_hosts=1
{
  if [ -n "$had_hosts" ]; then
    block=
    while IFS= read -r line || [ -n "$line" ]; do
      case "$line" in
        '# cb-overlay begin') block=1 ;;
        '# cb-overlay end') block= ;;
        *) [ -n "$block" ] || printf '%s\n' "$line" ;;
      esac
    done <"$hosts_file"
  fi
  echo '# cb-overlay begin'
  copy "$dir/hosts.new"
  echo '# cb-overlay end'
} >"$dir/hosts.full"
# Rewritten in place: /etc/hosts may be a bind mount. A new one must be readable by all.
copy "$dir/hosts.full" >"$hosts_file"
[ -n "$had_hosts" ] || chmod 644 "$hosts_file"
role=
[ "$forward" = 1 ] && role=', forwarding'
echo "overlay $iface up: $addr, $peers peer(s)$role"
