# Step endpoint: tells the CNI where this node's tunnels end. Clouds NAT the public IP, so flannel
# and Kilo would otherwise pick the private address, which no other cloud can reach. The node sets
# this on its own Node object (the kubelet's credentials may), before its CNI pod starts.
case "$CNI" in
  flannel) set -- "flannel.alpha.coreos.com/public-ip-overwrite=$NODE_IP" ;;
  kilo) set -- "kilo.squat.ai/force-endpoint=$NODE_IP:51820" "kilo.squat.ai/location=$NODE_NAME" "kilo.squat.ai/persistent-keepalive=25" ;;
  *)
    echo "endpoint: $CNI uses the node's InternalIP"
    exit 0
    ;;
esac
tries=0
until kubectl --kubeconfig "$R/etc/kubernetes/kubelet.conf" annotate node "$NODE_NAME" --overwrite "$@" >/dev/null 2>"$R/var/log/cb-endpoint.log"; do
  tries=$((tries + 1))
  [ "$tries" -lt 30 ] || { cat "$R/var/log/cb-endpoint.log" >&2; fail "node $NODE_NAME did not register within 60 s"; }
  sleep 2
done
echo "endpoint $NODE_IP for $CNI"
