# Step join: this node joins the cluster, once. The token, CA hash and certificate key arrive on
# stdin with the script and go to kubeadm in a 0600 config file, never on a command line (which
# every user of the node can read in /proc).
if [ -f "$R/etc/kubernetes/kubelet.conf" ]; then
  echo "already joined"
  exit 0
fi
mkdir -p "$R/var/log"
CONF="$R/etc/kubernetes/kubeadm-join.yaml"
mkdir -p "$(dirname "$CONF")"
rm -f "$CONF"
(
  umask 077
  cat >"$CONF" <<YAML
apiVersion: kubeadm.k8s.io/v1beta3
kind: JoinConfiguration
discovery:
  bootstrapToken:
    apiServerEndpoint: "$JOIN_ENDPOINT"
    token: "$JOIN_TOKEN"
    caCertHashes:
      - "$JOIN_CA_HASH"
nodeRegistration:
  name: "$NODE_NAME"
YAML
  if [ "$ROLE" = control-plane ]; then
    cat >>"$CONF" <<YAML
controlPlane:
  certificateKey: "$JOIN_CERT_KEY"
  localAPIEndpoint:
    advertiseAddress: "$NODE_IP"
YAML
  fi
)
status=0
kubeadm join --config "$CONF" >"$R/var/log/kubeadm-join.log" 2>&1 || status=$?
# The token and key expire soon, but need not outlive the join on disk.
rm -f "$CONF"
if [ "$status" -ne 0 ]; then
  tail -n 20 "$R/var/log/kubeadm-join.log" >&2
  fail "kubeadm join failed"
fi
echo "joined"
