# Reports this VM's view of the overlay: a ping's round trip over the overlay to each address in
# PEERS (tried up to 8 times a second apart: a peer that just joined shakes hands within WireGuard's
# 5 s retry), then each WireGuard peer's key, allowed-ips and latest handshake (wg's dump): the
# caller maps each address to the peer that carries it (itself, or a hub). Read-only; run as root;
# IFACE and PEERS (overlay IPs, space-separated) are exported before this script.
set -u
if ! wg show "$IFACE" public-key >/dev/null 2>&1; then
  echo 'down'
  exit 0
fi
pinger=ping
command -v ping >/dev/null 2>&1 || pinger='busybox ping'
for ip in $PEERS; do
  (
    i=0
    out=
    while [ "$i" -lt 8 ]; do
      out=$($pinger -c 1 -W 1 "$ip" 2>/dev/null | sed -n 's/.*time=\([0-9.]*\) *ms.*/\1/p')
      [ -n "$out" ] && break
      i=$((i + 1))
    done
    echo "rtt $ip ${out:--}"
  ) &
done
wait
now=$(date +%s)
# Line 1 is the interface; then: public-key psk endpoint allowed-ips latest-handshake rx tx keepalive.
wg show "$IFACE" dump | tail -n +2 | while read -r key _psk _endpoint allowed latest _rest; do
  echo "peer $key $allowed $latest $now"
done
