/**
 * The shell script that becomes a VM's PID 1, in fresh mount, UTS, IPC and PID namespaces (and the
 * VM's network namespace). It builds the VM's file system view, then sleeps until the VM stops:
 * - the host's root, read-only (so /usr, /bin, /lib… are the host's and cannot be changed);
 * - /etc and /var: the host's under an overlay whose upper layer is the VM's disk;
 * - /home, /root, /tmp: the VM's own directories on its disk; `/home/<user>` is the VM's home;
 * - /run: a fresh tmpfs; /proc: the VM's own processes.
 * Arguments come in the environment so nothing is re-quoted: CB_DISK (its home directory is CB_DISK/home), CB_USER,
 * CB_HOSTNAME, CB_KEEP (host paths to keep visible, one a line).
 */
export const INIT_SCRIPT = String.raw`
set -eu
# Host traffic arrives from 169.254.77.1 to a 127.x.y.z: loopback-range routing on the VM's links.
echo 1 > /proc/sys/net/ipv4/conf/all/route_localnet
mkdir -p "$CB_DISK/etc.up" "$CB_DISK/etc.work" "$CB_DISK/var.up" "$CB_DISK/var.work" "$CB_DISK/root" "$CB_DISK/tmp" "$CB_DISK/homes/$CB_USER"
mount --make-rprivate /
# The disk may lie below a directory about to be covered (/tmp, /root, /home): reach it from /run.
mount -t tmpfs -o mode=0755 tmpfs /run
mkdir /run/disk
mount --bind "$CB_DISK" /run/disk
d=/run/disk
mount --bind "$d/home" "$d/homes/$CB_USER"
# Host paths the VM must still see where they are (the node runtime's tools): bound into the
# VM's own directory before it covers them.
printf '%s
' "$CB_KEEP" | while IFS= read -r p; do
  for top in tmp root home; do
    case "$p" in
      /$top/*) inner=$d/$top; [ "$top" = home ] && inner=$d/homes
        rel=$(printf '%s' "$p" | cut -d/ -f3-)
        mkdir -p "$inner/$rel" && mount --bind "$p" "$inner/$rel";;
    esac
  done
done
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$d/etc.up,workdir=$d/etc.work" /etc
mount -t overlay overlay -o "lowerdir=/var,upperdir=$d/var.up,workdir=$d/var.work" /var
mount --rbind "$d/tmp" /tmp
chmod 1777 /tmp
mount --rbind "$d/root" /root
mount --rbind "$d/homes" /home
umount -l /run/disk
rmdir /run/disk
mount -o remount,bind,ro /
mount -t proc proc /proc
printf '%s' "$CB_HOSTNAME" > /proc/sys/kernel/hostname
printf '%s\n' "$CB_HOSTNAME" > /etc/hostname
printf '127.0.0.1 localhost\n127.0.1.1 %s\n' "$CB_HOSTNAME" > /etc/hosts
unset CB_DISK CB_KEEP
echo ready
exec sleep infinity
`;
