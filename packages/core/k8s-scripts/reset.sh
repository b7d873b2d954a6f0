# Step reset: undoes kubeadm on a node leaving the cluster; on a control plane this also removes
# its etcd member, so the remaining members keep their quorum.
if [ ! -f "$R/etc/kubernetes/kubelet.conf" ]; then
  echo "not joined"
  exit 0
fi
mkdir -p "$R/var/log"
kubeadm reset -f >"$R/var/log/kubeadm-reset.log" 2>&1 ||
  { tail -n 20 "$R/var/log/kubeadm-reset.log" >&2; fail "kubeadm reset failed"; }
echo "reset"
