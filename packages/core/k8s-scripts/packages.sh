# Step packages: kubeadm, kubelet and kubectl at the requested version from the official
# repository (pkgs.k8s.io, one repository per minor version), held so upgrades are deliberate.
want="${K8S_VERSION}-*"
if [ "$(pkg_version kubeadm)" != "$K8S_PKG_VERSION" ] || [ "$(pkg_version kubelet)" != "$K8S_PKG_VERSION" ] || [ "$(pkg_version kubectl)" != "$K8S_PKG_VERSION" ]; then
  repo="https://pkgs.k8s.io/core:/stable:/v${K8S_MINOR}/deb/"
  curl -fsSL "${repo}Release.key" | put /etc/apt/keyrings/kubernetes-apt-keyring.asc
  echo "deb [signed-by=/etc/apt/keyrings/kubernetes-apt-keyring.asc] $repo /" | put /etc/apt/sources.list.d/kubernetes.list
  apt-get update -q >/dev/null
  apt-get install -y -q --allow-change-held-packages "kubelet=$K8S_PKG_VERSION" "kubeadm=$K8S_PKG_VERSION" "kubectl=$K8S_PKG_VERSION" >/dev/null
  apt-mark hold kubelet kubeadm kubectl >/dev/null
fi
# Across clouds nodes only share public IPs: the kubelet registers with the public one, and the
# topology and CSP labels are set at registration (the NodeRestriction admission allows these).
echo "KUBELET_EXTRA_ARGS=\"--node-ip=$NODE_IP --node-labels=$NODE_LABELS\"" | put /etc/default/kubelet
systemctl enable --now kubelet >/dev/null 2>&1
echo "kubeadm $(pkg_version kubeadm) ($want)"
