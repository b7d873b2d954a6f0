# Step cni: the pod network. Nodes share only public IPs across clouds, so the default is flannel
# with its WireGuard backend (encrypted tunnels over the internet); Kilo and Calico are options.
kc() { kubectl --kubeconfig "$R/etc/kubernetes/admin.conf" "$@"; }
mkdir -p "$R/var/lib/cloud-barista"
manifest="$R/var/lib/cloud-barista/cni-$CNI.yaml"
curl -fsSL "$CNI_MANIFEST_URL" >"$manifest.tmp"
if [ "$CNI" = flannel ]; then
  sed -e "s#\"Network\": \"10.244.0.0/16\"#\"Network\": \"$POD_CIDR\"#" -e 's#"Type": "vxlan"#"Type": "wireguard"#' "$manifest.tmp" >"$manifest"
  rm -f "$manifest.tmp"
elif [ "$CNI" = calico ]; then
  # calico-node would take the first interface's (private) address: use the Node's InternalIP,
  # which the kubelet registered as the public one. The pool is the cluster's pod CIDR.
  sed -e '/^ *- name: IP$/{
N
s/^\( *\)\(- name: IP\n *value: "autodetect"\)$/\1\2\n\1- name: IP_AUTODETECTION_METHOD\n\1  value: "kubernetes-internal-ip"/
}' -e "s#^\( *\)\# - name: CALICO_IPV4POOL_CIDR#\1- name: CALICO_IPV4POOL_CIDR#" \
    -e "s#^\( *\)\#   value: \"192.168.0.0/16\"#\1  value: \"$POD_CIDR\"#" "$manifest.tmp" >"$manifest"
  rm -f "$manifest.tmp"
  grep -q 'IP_AUTODETECTION_METHOD' "$manifest" || fail "the Calico manifest has no IP autodetection setting to change"
else
  mv "$manifest.tmp" "$manifest"
fi
kc apply -f "$manifest" >/dev/null
echo "cni $CNI applied"
