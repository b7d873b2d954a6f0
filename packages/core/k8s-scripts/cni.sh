# Step cni: the pod network. Nodes share only public IPs across clouds, so the default is flannel
# with its WireGuard backend (encrypted tunnels over the internet); Kilo and Calico are options.
kc() { kubectl --kubeconfig "$R/etc/kubernetes/admin.conf" "$@"; }
mkdir -p "$R/var/lib/cloud-barista"
manifest="$R/var/lib/cloud-barista/cni-$CNI.yaml"
curl -fsSL "$CNI_MANIFEST_URL" >"$manifest.tmp"
if [ "$CNI" = flannel ]; then
  sed -e "s#\"Network\": \"10.244.0.0/16\"#\"Network\": \"$POD_CIDR\"#" -e 's#"Type": "vxlan"#"Type": "wireguard"#' "$manifest.tmp" >"$manifest"
  rm -f "$manifest.tmp"
else
  mv "$manifest.tmp" "$manifest"
fi
kc apply -f "$manifest" >/dev/null
echo "cni $CNI applied"
