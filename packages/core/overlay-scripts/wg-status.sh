# Reports this VM's view of the overlay: each peer's latest handshake (wg's dump) and one ping's
# round trip over the overlay to each address in PEERS. Read-only; run as root; IFACE and PEERS
# (overlay IPs, space-separated) are exported before this script.
set -u
now=$(date +%s)
if ! wg show "$IFACE" dump >"/tmp/cb-overlay-dump.$$" 2>/dev/null; then
  echo 'down'
  exit 0
fi
# Line 1 is the interface; then: public-key psk endpoint allowed-ips latest-handshake rx tx keepalive.
tail -n +2 "/tmp/cb-overlay-dump.$$" | while read -r _key _psk _endpoint allowed latest _rest; do
  echo "handshake ${allowed%/32} $latest $now"
done
rm -f "/tmp/cb-overlay-dump.$$"
pinger=ping
command -v ping >/dev/null 2>&1 || pinger='busybox ping'
for ip in $PEERS; do
  out=$($pinger -c 1 -W 1 "$ip" 2>/dev/null | sed -n 's/.*time=\([0-9.]*\) *ms.*/\1/p')
  echo "rtt $ip ${out:--}"
done
