# Step join-info (first control-plane node): a fresh bootstrap token and the CA hash, and for
# control-plane joins the certificate key. Printed to cbadm over SSH only: never logged.
kubeadm token create --ttl 30m --print-join-command
if [ "$WANT_CERT_KEY" = yes ]; then
  kubeadm init phase upload-certs --upload-certs 2>/dev/null | tail -n 1
fi
