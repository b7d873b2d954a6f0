/**
 * What the simulated package repository and release downloads serve: a placeholder repository key,
 * and short CNI manifests carrying the same settings as the real ones (flannel's net-conf with the
 * 10.244.0.0/16 network and vxlan backend the bootstrap rewrites).
 */
export function download(url: string): string | undefined {
  if (/^https:\/\/pkgs\.k8s\.io\/.*Release\.key$/.test(url)) {
    return '-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQENBGMHoXcBCADukGOEQyleViOgtkMVa7hKifP6POCTh+98xNW4TfHK/nBJN2sm\n=cloud-twin-simulated\n-----END PGP PUBLIC KEY BLOCK-----\n';
  }
  if (url.includes('flannel-io/flannel') && url.endsWith('kube-flannel.yml')) {
    return `apiVersion: v1
kind: Namespace
metadata:
  name: kube-flannel
---
kind: ConfigMap
apiVersion: v1
metadata:
  name: kube-flannel-cfg
  namespace: kube-flannel
data:
  net-conf.json: |
    {
      "Network": "10.244.0.0/16",
      "Backend": {
        "Type": "vxlan"
      }
    }
---
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: kube-flannel-ds
  namespace: kube-flannel
`;
  }
  if (url.includes('squat/kilo')) return 'apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: kilo\n  namespace: kube-system\n';
  if (url.includes('projectcalico/calico')) {
    // calico-node's env as the release manifests have it: autodetected IP, the pool CIDR commented out.
    return `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: calico-node
  namespace: kube-system
spec:
  template:
    spec:
      containers:
        - name: calico-node
          env:
            # Auto-detect the BGP IP address.
            - name: IP
              value: "autodetect"
            # Enable or Disable VXLAN on the default IP pool.
            - name: CALICO_IPV4POOL_VXLAN
              value: "Always"
            # The default IPv4 pool to create on startup if none exists. Pod IPs will be
            # chosen from this range. Changing this value after installation will have
            # no effect. This should fall within \`--cluster-cidr\`.
            # - name: CALICO_IPV4POOL_CIDR
            #   value: "192.168.0.0/16"
`;
  }
  return undefined;
}

/** Which CNI a manifest installs, and the objects kubectl apply reports. */
export function cniOf(manifest: string): { cni: string; objects: string[] } | undefined {
  if (manifest.includes('kube-flannel-ds')) {
    const wg = manifest.includes('"Type": "wireguard"');
    return { cni: wg ? 'flannel-wireguard' : 'flannel', objects: ['namespace/kube-flannel', 'configmap/kube-flannel-cfg', 'daemonset.apps/kube-flannel-ds'] };
  }
  if (manifest.includes('name: kilo')) return { cni: 'kilo', objects: ['daemonset.apps/kilo'] };
  if (manifest.includes('calico-node')) return { cni: 'calico', objects: ['daemonset.apps/calico-node'] };
  return undefined;
}
