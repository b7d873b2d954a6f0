/**
 * The commands of the simulated node runtime, written once per twin into `<stateDir>/node-runtime/bin`
 * and put first on the PATH of VMs whose image is flagged for it. Package manager, service manager,
 * swap, modules and sysctl are shell scripts that only touch the VM's own system root ($CB_SYSROOT);
 * kubeadm and kubectl forward to the twin, which keeps the simulated cluster. Nothing here may change
 * the machine the twin runs on: `sudo` never escalates, `apt-get` never installs, `systemctl` never
 * reaches systemd.
 */
import { chmodSync, copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { download } from './manifests.js';

const HEADER = `#!/bin/sh
# Cloud-Twin simulated node runtime: acts on $CB_SYSROOT only.
set -eu
: "\${CB_SYSROOT:?not a Cloud-Twin node runtime VM}"
S="$CB_SYSROOT/var/lib/cloud-twin"
[ -d "$S/modules" ] || mkdir -p "$S/pkgs" "$S/units" "$S/modules"
`;

/** Versions the simulated repository serves when a package is asked for without one. */
const DEFAULT_VERSION: Record<string, string> = { containerd: '1.7.12-0ubuntu2~22.04.1' };

function scripts(node: string, shimJs: string): Record<string, string> {
  // bash's /dev/tcp when there is a bash (a node process costs ~60 ms of CPU a call, which a
  // 20-node bootstrap pays many times over); node otherwise.
  const forward = (cmd: string) => `${HEADER}[ -f "$S/pkgs/${cmd}" ] || { echo "${cmd}: command not found" >&2; exit 127; }
if command -v bash >/dev/null 2>&1; then exec bash "$(dirname "$0")/../lib/twin-run.bash" ${cmd} "$@"; fi
exec "${node}" "${shimJs}" ${cmd} "$@"
`;
  return {
    sudo: `#!/bin/sh
# Never escalates: the command runs as the twin's user, with this PATH.
while [ $# -gt 0 ]; do
  case "$1" in
    -u | -g | -C | -D | -h | -p | -r | -t | -U) shift 2 ;;
    --) shift; break ;;
    -*) shift ;;
    *) break ;;
  esac
done
exec "$@"
`,
    'apt-get': `${HEADER}cmd=""
for a in "$@"; do
  case "$a" in
    -*) ;;
    *=*) if [ -n "$cmd" ]; then echo "\${a#*=}" >"$S/pkgs/\${a%%=*}"; fi ;;
    *) if [ -z "$cmd" ]; then cmd="$a"; elif [ "$cmd" = install ]; then
         case "$a" in containerd) echo "${DEFAULT_VERSION.containerd}" >"$S/pkgs/containerd" ;; *) [ -f "$S/pkgs/$a" ] || echo "1.0.0" >"$S/pkgs/$a" ;; esac
       elif [ "$cmd" = remove ] || [ "$cmd" = purge ]; then rm -f "$S/pkgs/$a"; fi ;;
  esac
done
case "$cmd" in update | install | remove | purge | upgrade) exit 0 ;; *) echo "E: Invalid operation $cmd" >&2; exit 100 ;; esac
`,
    'apt-mark': `${HEADER}exit 0
`,
    'dpkg-query': `${HEADER}pkg=""
for a in "$@"; do case "$a" in -*) ;; *) pkg="$a" ;; esac; done
[ -f "$S/pkgs/$pkg" ] || { echo "dpkg-query: no packages found matching $pkg" >&2; exit 1; }
tr -d '\\n' <"$S/pkgs/$pkg"
`,
    systemctl: `${HEADER}verb=""
for a in "$@"; do
  case "$a" in
    -*) ;;
    *) if [ -z "$verb" ]; then verb="$a"; else
         u="\${a%.service}"
         case "$verb" in
           start | restart | enable) [ "$verb" != enable ] || touch "$S/units/$u.enabled"; touch "$S/units/$u.active" ;;
           stop) rm -f "$S/units/$u.active" ;;
           disable) rm -f "$S/units/$u.enabled" ;;
           is-active) [ -f "$S/units/$u.active" ] && { echo active; exit 0; }; echo inactive; exit 3 ;;
         esac
       fi ;;
  esac
done
# enable --now starts as well
case " $* " in *" --now "*) for a in "$@"; do case "$a" in -* | enable | disable) ;; *) touch "$S/units/\${a%.service}.active" ;; esac; done ;; esac
exit 0
`,
    swapoff: `${HEADER}rm -f "$S/swap-on"
`,
    swapon: `${HEADER}if [ -f "$S/swap-on" ]; then echo "/swap.img file 2G 0B -2"; fi
`,
    modprobe: `${HEADER}for a in "$@"; do case "$a" in -*) ;; *) touch "$S/modules/$a" ;; esac; done
`,
    // --system applies /etc/sysctl.d/*.conf in name order, later files winning, as procps does.
    sysctl: `${HEADER}mkdir -p "$S/sysctl"
case "\${1:-}" in
  --system)
    for f in "$CB_SYSROOT"/etc/sysctl.d/*.conf; do
      [ -f "$f" ] || continue
      sed -n 's/^[[:space:]]*\\([a-z0-9_.]*\\)[[:space:]]*=[[:space:]]*\\([^[:space:]]*\\).*/\\1 \\2/p' "$f" |
        while read -r k v; do echo "$v" >"$S/sysctl/$k"; done
    done ;;
  -n) cat "$S/sysctl/$2" 2>/dev/null || echo 0 ;;
esac
`,
    ss: `${HEADER}exit 0
`,
    // Addresses live in the VM's system root: lo's 127.0.0.1 plus what \`ip addr add|replace\` put there.
    ip: `${HEADER}A="$S/addrs"
[ -f "$A" ] || printf '%s\\n' 'lo 127.0.0.1/8' >"$A"
args=""
for a in "$@"; do case "$a" in -o | -4 | -oneline) ;; *) args="$args $a" ;; esac; done
set -- $args
case "\${1:-} \${2:-}" in
  "addr show" | "a show" | "address show" | "addr " | "a " | "address ")
    n=0; while read -r dev cidr; do n=$((n + 1)); echo "$n: $dev    inet $cidr scope global $dev"; done <"$A" ;;
  "addr add" | "addr replace" | "a add" | "a replace" | "address add" | "address replace")
    cidr="$3"; dev=""; [ "\${4:-}" = dev ] && dev="\${5:-}"
    [ -n "$dev" ] || { echo "Device does not exist." >&2; exit 1; }
    if grep -qx "$dev $cidr" "$A"; then
      [ "$2" = replace ] || { echo "RTNETLINK answers: File exists" >&2; exit 2; }
    else echo "$dev $cidr" >>"$A"; fi ;;
  *) echo "ip $*: not simulated on this Cloud-Twin VM (addr show|add|replace only)" >&2; exit 1 ;;
esac
`,
    containerd: `${HEADER}[ -f "$S/pkgs/containerd" ] || { echo "containerd: command not found" >&2; exit 127; }
case "\${1:-}" in
  --version) echo "containerd github.com/containerd/containerd $(cat "$S/pkgs/containerd")" ;;
  config) printf '%s\\n' 'version = 2' '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]' '  SystemdCgroup = false' ;;
esac
`,
    curl: `#!/bin/sh
# The Kubernetes package repository and the CNI manifests come from the twin (the repository key is
# a file beside this script: many nodes fetch it at once); anything else goes to the real curl.
for a in "$@"; do
  case "$a" in
    https://pkgs.k8s.io/*/Release.key) exec cat "$(dirname "$0")/../files/Release.key" ;;
    https://pkgs.k8s.io/* | https://github.com/flannel-io/* | https://raw.githubusercontent.com/*)
      exec "${node}" "${shimJs}" curl "$@" ;;
  esac
done
here=$(dirname "$0")
PATH=$(printf '%s' "$PATH" | tr ':' '\\n' | grep -vxF "$here" | paste -sd: -)
exec curl "$@"
`,
    kubeadm: forward('kubeadm'),
    kubectl: forward('kubectl'),
    kubelet: `${HEADER}[ -f "$S/pkgs/kubelet" ] || { echo "kubelet: command not found" >&2; exit 127; }
echo "Kubernetes v$(sed 's/-.*//' "$S/pkgs/kubelet")"
`,
  };
}

/**
 * The bash client of `POST /_twin/k8s/run-raw`: the request is the instance id, working directory,
 * KUBECONFIG, command and arguments, NUL-separated (no quoting to get wrong); the answer carries the
 * exit code and stdout length in headers, then stdout and stderr.
 */
const TWIN_RUN_BASH = `#!/bin/bash
# Cloud-Twin simulated node runtime: forwards one command line to the twin over /dev/tcp.
set -u
url=\${CB_TWIN_URL#http://}
host=\${url%%:*}
port=\${url##*:}
port=\${port%%/*}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
printf '%s\\0' "\${CB_TWIN_INSTANCE_ID:-}" "$PWD" "\${KUBECONFIG:-}" "$@" >"$tmp/req"
exec 3<>"/dev/tcp/$host/$port" || { echo "$1: cannot reach the twin at $CB_TWIN_URL" >&2; exit 1; }
len=$(wc -c <"$tmp/req")
{
  printf 'POST /_twin/k8s/run-raw HTTP/1.0\\r\\nHost: %s\\r\\nAuthorization: Bearer %s\\r\\nContent-Type: application/octet-stream\\r\\nContent-Length: %s\\r\\n\\r\\n' "$host" "\${CB_TWIN_NODE_TOKEN:-}" "$((len))"
  cat "$tmp/req"
} >&3
status=0 code=1 outlen=0
while IFS= read -r line <&3; do
  line=\${line%$'\\r'}
  [ -z "$line" ] && break
  case "$line" in
    HTTP/*) status=\${line#* }; status=\${status%% *} ;;
    [Xx]-[Ee]xit-[Cc]ode:*) code=\${line#*: } ;;
    [Xx]-[Ss]tdout-[Ll]ength:*) outlen=\${line#*: } ;;
  esac
done
cat <&3 >"$tmp/resp"
exec 3<&-
if [ "$status" != 200 ]; then echo "$1: the twin answered $status: $(cat "$tmp/resp")" >&2; exit 1; fi
head -c "$outlen" "$tmp/resp"
tail -c +"$((outlen + 1))" "$tmp/resp" >&2
exit "$code"
`;

/** Writes the runtime's commands; returns the directory to put first on the VMs' PATH. */
export function writeNodeRuntimeBin(stateDir: string): string {
  const dir = join(stateDir, 'node-runtime', 'bin');
  mkdirSync(dir, { recursive: true });
  // Compiled next to this file; under vitest this file is the .ts source, so use the built one.
  const here = fileURLToPath(new URL('./shim-main.js', import.meta.url));
  const built = existsSync(here) ? here : here.replace(`${sep}src${sep}k8s${sep}`, `${sep}dist${sep}k8s${sep}`);
  const lib = join(stateDir, 'node-runtime', 'lib');
  mkdirSync(lib, { recursive: true });
  // A copy beside the scripts: an isolated VM sees the host's /tmp, /home and /root only where the
  // twin keeps them (the node runtime), and the twin may be installed under any of them.
  const shimJs = join(lib, 'shim-main.mjs');
  copyFileSync(built, shimJs);
  const files = join(stateDir, 'node-runtime', 'files');
  mkdirSync(files, { recursive: true });
  writeFileSync(join(files, 'Release.key'), download('https://pkgs.k8s.io/core:/stable:/v1.30/deb/Release.key') ?? '');
  writeFileSync(join(lib, 'twin-run.bash'), TWIN_RUN_BASH, { mode: 0o755 });
  for (const [name, text] of Object.entries(scripts(process.execPath, shimJs))) {
    const file = join(dir, name);
    writeFileSync(file, text);
    chmodSync(file, 0o755);
  }
  return dir;
}
