# Step containerd: the container runtime, with the systemd cgroup driver the kubelet expects.
if [ -z "$(pkg_version containerd)" ]; then
  apt-get update -q >/dev/null
  apt-get install -y -q containerd >/dev/null
fi
if [ ! -f "$R/etc/containerd/config.toml" ] || ! grep -q 'SystemdCgroup = true' "$R/etc/containerd/config.toml"; then
  containerd config default | sed 's/SystemdCgroup = false/SystemdCgroup = true/' | put /etc/containerd/config.toml
  systemctl restart containerd
fi
systemctl enable --now containerd >/dev/null 2>&1
echo "containerd $(pkg_version containerd)"
