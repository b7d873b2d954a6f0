# Prints the admin kubeconfig for cbadm to rewrite and save on the user's machine.
cat "$R/etc/kubernetes/admin.conf"
