# kubectl with the cluster's admin credentials, on a control-plane node, against that node's own
# API server: it answers even when the first control plane (the endpoint) is down.
kubectl --kubeconfig "$R/etc/kubernetes/admin.conf" --server "https://$NODE_IP:$API_PORT" "$@"
