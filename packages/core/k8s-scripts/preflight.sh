# Step preflight: OS, swap, kernel modules and sysctls, free ports. Safe to re-run.
[ -f "$R/etc/os-release" ] || fail "no /etc/os-release: unsupported OS"
os_id=$(sed -n 's/^ID=//p' "$R/etc/os-release" | tr -d '"')
case "$os_id" in
  ubuntu | debian) ;;
  *) fail "unsupported OS '$os_id': use an Ubuntu 22.04/24.04 or Debian 12 image" ;;
esac

# The kubelet refuses to run with swap on.
swapoff -a
if [ -f "$R/etc/fstab" ]; then sed -i '/\sswap\s/ s/^[^#]/#&/' "$R/etc/fstab"; fi
if [ -n "$(swapon --show --noheadings 2>/dev/null || true)" ]; then fail "swap is still on after swapoff -a"; fi

# overlay for containerd, br_netfilter so bridged pod traffic passes iptables, wireguard for
# flannel's and Kilo's encrypted tunnels between clouds.
modules="overlay br_netfilter"
if [ "$CNI" != calico ]; then modules="$modules wireguard"; fi
for m in $modules; do echo "$m"; done | put /etc/modules-load.d/k8s.conf
for m in $modules; do modprobe "$m" || fail "kernel module $m is missing"; done
put /etc/sysctl.d/k8s.conf <<'CONF'
net.bridge.bridge-nf-call-iptables  = 1
net.bridge.bridge-nf-call-ip6tables = 1
net.ipv4.ip_forward                 = 1
CONF
sysctl --system >/dev/null

# Clouds map a VM's public IP to its private one (1:1 NAT), so the public IP is on no interface;
# yet the kubelet refuses a --node-ip that is not local, and etcd binds its advertised address.
# Put the public IP on lo as a /32, now and at every boot (a oneshot unit before the kubelet).
# Packets from other clouds still arrive addressed to the private IP: init.sh has etcd listen on
# every address (the API server does by default).
if ! ip -o -4 addr show | awk -v ip="$NODE_IP" '{ split($4, a, "/"); if (a[1] == ip) found = 1 } END { exit !found }'; then
  ip addr replace "$NODE_IP/32" dev lo || fail "cannot add the public IP $NODE_IP to lo"
fi
put /etc/systemd/system/cb-node-ip.service <<UNIT
[Unit]
Description=Cloud-Barista: this node's public IP on lo, for the kubelet's --node-ip
Before=kubelet.service
[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/sbin/ip addr replace $NODE_IP/32 dev lo
[Install]
WantedBy=multi-user.target
UNIT
systemctl daemon-reload
systemctl enable cb-node-ip.service >/dev/null 2>&1

# Ports only matter before kubeadm has started anything here.
if [ ! -f "$R/etc/kubernetes/kubelet.conf" ]; then
  for port in $PORTS; do
    if ss -Hltn "sport = :$port" 2>/dev/null | grep -q .; then fail "port $port is already in use"; fi
  done
fi
echo "preflight ok: $os_id, swap off, modules $modules, node IP $NODE_IP local"
