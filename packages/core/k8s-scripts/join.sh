# Step join: this node joins the cluster, once. The token and hashes arrive on stdin with the script.
if [ -f "$R/etc/kubernetes/kubelet.conf" ]; then
  echo "already joined"
  exit 0
fi
mkdir -p "$R/var/log"
if [ "$ROLE" = control-plane ]; then
  kubeadm join "$JOIN_ENDPOINT" --token "$JOIN_TOKEN" --discovery-token-ca-cert-hash "$JOIN_CA_HASH" \
    --node-name "$NODE_NAME" --control-plane --certificate-key "$JOIN_CERT_KEY" \
    --apiserver-advertise-address "$NODE_IP" >"$R/var/log/kubeadm-join.log" 2>&1 ||
    { tail -n 20 "$R/var/log/kubeadm-join.log" >&2; fail "kubeadm join failed"; }
else
  kubeadm join "$JOIN_ENDPOINT" --token "$JOIN_TOKEN" --discovery-token-ca-cert-hash "$JOIN_CA_HASH" \
    --node-name "$NODE_NAME" >"$R/var/log/kubeadm-join.log" 2>&1 ||
    { tail -n 20 "$R/var/log/kubeadm-join.log" >&2; fail "kubeadm join failed"; }
fi
echo "joined"
