# kubectl with the cluster's admin credentials, on the first control-plane node.
kubectl --kubeconfig "$R/etc/kubernetes/admin.conf" "$@"
