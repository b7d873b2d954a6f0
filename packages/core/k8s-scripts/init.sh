# Step init: kubeadm init on the first control-plane node, once. The endpoint and certificate SANs
# cover the public and private IPs, so nodes in other clouds and kubectl outside can reach it.
if [ -f "$R/etc/kubernetes/admin.conf" ]; then
  echo "already initialized"
  exit 0
fi
put /etc/kubernetes/kubeadm-config.yaml <<CONF
apiVersion: kubeadm.k8s.io/v1beta3
kind: InitConfiguration
localAPIEndpoint:
  advertiseAddress: "$NODE_IP"
  bindPort: $API_PORT
nodeRegistration:
  name: "$NODE_NAME"
  kubeletExtraArgs:
    node-ip: "$NODE_IP"
---
apiVersion: kubeadm.k8s.io/v1beta3
kind: ClusterConfiguration
kubernetesVersion: "v$K8S_VERSION"
clusterName: "$CLUSTER_NAME"
controlPlaneEndpoint: "$ENDPOINT"
apiServer:
  certSANs:
$(for san in $CERT_SANS; do echo "    - \"$san\""; done)
etcd:
  local:
    # Peers in other clouds reach this node at its public IP, which the cloud delivers to the
    # private one: listen on every address, advertise the public one (kubeadm's default).
    extraArgs:
      listen-peer-urls: "https://0.0.0.0:2380"
      listen-client-urls: "https://0.0.0.0:2379"
networking:
  podSubnet: "$POD_CIDR"
  serviceSubnet: "$SERVICE_CIDR"
CONF
kubeadm init --config "$R/etc/kubernetes/kubeadm-config.yaml" --upload-certs >"$R/var/log/kubeadm-init.log" 2>&1 ||
  { tail -n 20 "$R/var/log/kubeadm-init.log" >&2; fail "kubeadm init failed"; }
echo "initialized"
