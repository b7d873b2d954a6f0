/**
 * A launcher's exit when the VM cannot run its script at all (a Cloud-Twin VM without what the
 * script needs): the script did not fail, the feature is unavailable there.
 */
export const UNAVAILABLE_HERE = 97;

/**
 * The end of every launcher that runs a script read from stdin as root: root's own shell, or
 * through sudo on a cloud image. The user id comes from /proc with shell built-ins: on hundreds of
 * VMs at once, an `id` process per VM counts.
 */
export const EXEC_SH_AS_ROOT = [
  'uid=; while read -r key value _; do if [ "$key" = Uid: ]; then uid=$value; break; fi; done </proc/self/status;',
  'if [ "$uid" = 0 ]; then exec sh -s; else exec sudo -n sh -s; fi',
].join(' ');
