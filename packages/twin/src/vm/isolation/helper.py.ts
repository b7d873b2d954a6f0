/**
 * One long-lived process per twin that does, by system calls, what isolation needs inside
 * namespaces: no process is spawned per VM, per mount, per link or per firewall. Node cannot
 * `setns`, `unshare` or `mount`; Python (Debian's /usr/bin/python3, ctypes) can. It speaks Node's
 * own IPC channel (`stdio: 'ipc'`, JSON lines on NODE_CHANNEL_FD); every request has an `id`,
 * answered once, {id, error, errno} on failure. Work that waits on the kernel runs in a forked
 * child, so VMs are wired in parallel while the helper goes on answering:
 * - `boot` {ns, disk, user, hostname, keep, init, rules, private?}: forks the VM's PID 1 in a fresh
 *   PID namespace; PID 1 makes its network, mount, UTS and IPC namespaces, loads its firewall
 *   (`rules`, nft syntax), brings up loopback and, with `private` {ip, prefix, veth, fabric, bridge},
 *   `eth0` with that address, its peer `veth` on `bridge` in namespace `fabric`; builds the VM's
 *   file system view (below), then execs `init` (argv: a shell that reaps orphans as it waits).
 *   The helper binds its network namespace at /run/netns/<ns> (as `ip netns add` does) and
 *   answers {id, pid}.
 *   The view: the host's root read-only (/usr, /bin, /lib… are the host's and cannot be changed);
 *   /etc and /var the host's under an overlay whose upper layer is the VM's disk; /home, /root,
 *   /tmp the VM's own directories on its disk (`/home/<user>` is `<disk>/home`); /run a fresh
 *   tmpfs; /proc the VM's own processes; `keep`: host paths below /tmp, /root or /home the VM
 *   still sees where they are (the node runtime's tools).
 * - `halt` {pid, ns}: SIGKILLs that PID 1 (the kernel kills the rest of its PID namespace), and
 *   once it is reaped removes /run/netns/<ns> (as `ip netns del` does).
 * - `publish` {ns, link, ip, host, ranges}: the host end `link` of a veth whose peer is the VM's
 *   `eth1`, `host`/32 on it, `ip`/32 routed to it in the host's local table (errno EEXIST, with
 *   `taken`, when something routes it already), and in the VM `ip` on `eth1`, `host` reached on it
 *   and `ranges` routed via `host`; what it made goes again on failure. `unpublish` {link}.
 * - `nft` {ns, rules}: a ruleset (one transaction) in that namespace.
 * - `listen` {ns, host, port}: a listening socket made inside that network namespace, answered
 *   with a NODE_HANDLE message carrying it (SCM_RIGHTS), which Node turns into a `net.Server`.
 * - `ping`.
 * PID 1s die with the helper (PR_SET_PDEATHSIG), the helper with the twin (the same, and it exits
 * when the channel closes): a SIGKILLed twin leaves no VM running.
 */
export const HELPER_PY = String.raw`
import json, selectors, signal, sys

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWPID, CLONE_NEWNET = 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT = 1, 2, 4, 8, 32
MS_NOATIME, MS_NODIRATIME, MS_BIND, MS_REC, MS_PRIVATE, MS_RELATIME = 1024, 2048, 4096, 16384, 1 << 18, 1 << 21
ST_RELATIME, MNT_DETACH, PR_SET_PDEATHSIG = 4096, 2, 1
ERRNO_CODES = {98: 'EADDRINUSE', 99: 'EADDRNOTAVAIL', 2: 'ENOENT'}
libc = ctypes.CDLL(None, use_errno=True)
libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
TWIN, HELPER = int(sys.argv[1]), os.getpid()
libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
if os.getppid() != TWIN:
    sys.exit(0)
home_net = os.open('/proc/self/ns/net', os.O_RDONLY)
home_pid = os.open('/proc/self/ns/pid', os.O_RDONLY)
chan_fd = int(os.environ['NODE_CHANNEL_FD'])
os.set_inheritable(chan_fd, False)
chan = socket.socket(fileno=chan_fd)
chan.setblocking(True)

def check(result, what):
    if result != 0:
        err = ctypes.get_errno()
        raise Failed(f'{what}: {os.strerror(err)}', err)

def mount(source, target, fstype=None, flags=0, data=None):
    enc = lambda s: None if s is None else s.encode()
    check(libc.mount(enc(source), enc(target), enc(fstype), flags, enc(data)), f'mount {target}')

def send(obj, fds=()):
    data = (json.dumps(obj) + '\n').encode()
    if fds:
        socket.send_fds(chan, [data], list(fds))
    else:
        chan.sendall(data)

def alive(pid):
    try:
        with open(f'/proc/{pid}/stat') as f:
            return f.read().rsplit(')', 1)[1].split()[0] not in ('Z', 'X')
    except OSError:
        return False

def root_flags():
    """The flags / has (nosuid, noatime…), kept when it is made read-only, as mount(8) keeps them."""
    f = os.statvfs('/').f_flag
    return (f & (MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME)) | (MS_RELATIME if f & ST_RELATIME else 0)

def build(s):
    # Host traffic arrives from 169.254.77.1 to a 127.x.y.z: loopback-range routing on the VM's links.
    with open('/proc/sys/net/ipv4/conf/all/route_localnet', 'w') as f:
        f.write('1')
    disk, user = s['disk'], s['user']
    for sub in ('etc.up', 'etc.work', 'var.up', 'var.work', 'root', 'tmp', 'homes/' + user):
        os.makedirs(f'{disk}/{sub}', exist_ok=True)
    mount(None, '/', None, MS_REC | MS_PRIVATE)
    # The disk may lie below a directory about to be covered (/tmp, /root, /home): reach it from /run.
    mount('tmpfs', '/run', 'tmpfs', 0, 'mode=0755')
    d = '/run/disk'
    os.mkdir(d)
    mount(disk, d, None, MS_BIND)
    mount(f'{d}/home', f'{d}/homes/{user}', None, MS_BIND)
    # Host paths the VM must still see where they are: bound into the VM's own directory before it covers them.
    for p in s['keep']:
        top, _, rel = p[1:].partition('/')
        if p.startswith('/') and top in ('tmp', 'root', 'home') and rel:
            inner = f'{d}/homes/{rel}' if top == 'home' else f'{d}/{top}/{rel}'
            os.makedirs(inner, exist_ok=True)
            mount(p, inner, None, MS_BIND)
    for top in ('etc', 'var'):
        mount('overlay', f'/{top}', 'overlay', 0, f'lowerdir=/{top},upperdir={d}/{top}.up,workdir={d}/{top}.work')
    mount(f'{d}/tmp', '/tmp', None, MS_BIND | MS_REC)
    os.chmod('/tmp', 0o1777)
    mount(f'{d}/root', '/root', None, MS_BIND | MS_REC)
    mount(f'{d}/homes', '/home', None, MS_BIND | MS_REC)
    check(libc.umount2(d.encode(), MNT_DETACH), f'umount {d}')
    os.rmdir(d)
    mount(None, '/', None, MS_REMOUNT | MS_BIND | MS_RDONLY | root_flags())
    mount('proc', '/proc', 'proc')
    name = s['hostname']
    check(libc.sethostname(name.encode(), len(name.encode())), 'sethostname')
    with open('/etc/hostname', 'w') as f:
        f.write(name + '\n')
    with open('/etc/hosts', 'w') as f:
        f.write(f'127.0.0.1 localhost\n127.0.1.1 {name}\n')

def enter(fd):
    check(libc.setns(fd, CLONE_NEWNET), 'setns')

def wire_private(p):
    """eth0 with the VM's private IP, its peer on the network's bridge in the fabric namespace."""
    fabric = os.open(netns_path(p['fabric']), os.O_RDONLY)
    own = os.open('/proc/self/ns/net', os.O_RDONLY)
    try:
        nl = Rtnl()
        nl.add_veth('eth0', p['veth'], fabric)
        nl.add_addr('eth0', p['ip'], p['prefix'])
        nl.set_link('eth0')
        nl.close()
        enter(fabric)
        nl = Rtnl()
        nl.set_link(p['veth'], master=p['bridge'])
        nl.close()
        enter(own)
    finally:
        os.close(fabric)
        os.close(own)

def pid1(s):
    """In the forked child that is PID 1 of its PID namespace."""
    # getppid() is 0 outside our PID namespace: ask the host's /proc whether the helper still lives.
    if not alive(HELPER):
        os._exit(1)
    check(libc.unshare(CLONE_NEWNET | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC), 'unshare')
    # Its firewall first: nothing in the VM is reachable before it is in place.
    nft(s['rules'])
    nl = Rtnl()
    nl.set_link('lo')
    nl.close()
    if s.get('private'):
        wire_private(s['private'])
    build(s)

def publish(req):
    link, ip, host = req['link'], req['ip'], req['host']
    nl = Rtnl()
    vm = os.open(netns_path(req['ns']), os.O_RDONLY)
    # The link first, outside the try: a second publish racing this one fails here and must not
    # take away the link the first one made.
    nl.add_veth(link, 'eth1', vm)
    try:
        nl.add_addr(link, host, 32)
        nl.set_link(link)
        for key in ('route_localnet', 'forwarding'):
            with open(f'/proc/sys/net/ipv4/conf/{link}/{key}', 'w') as f:
                f.write('1')
        try:
            nl.add_route(ip, link, src=host, table=TABLE_LOCAL)
        except Failed as e:
            e.taken = True
            raise
        enter(vm)
        inside = Rtnl()
        inside.add_addr('eth1', ip, 32)
        inside.set_link('eth1')
        inside.add_route(host, 'eth1')
        for cidr in req['ranges']:
            inside.add_route(cidr, 'eth1', via=host, src=ip, table=TABLE_LOCAL)
    except BaseException:
        nl.del_link(link)
        raise

def unpublish(req):
    try:
        Rtnl().del_link(req['link'])
    except Failed as e:
        if e.errno != 19:  # ENODEV: gone already
            raise

def nft_in(req):
    fd = os.open(netns_path(req['ns']), os.O_RDONLY)
    enter(fd)
    nft(req['rules'])

def netns_path(ns):
    if not ns or '/' in ns or ns in ('.', '..'):
        raise Failed(f'bad namespace name {ns!r}')
    return '/run/netns/' + ns

def bind_netns(ns, pid):
    path = netns_path(ns)
    os.close(os.open(path, os.O_RDONLY | os.O_CREAT | os.O_EXCL, 0))
    try:
        mount(f'/proc/{pid}/ns/net', path, None, MS_BIND)
    except BaseException:
        os.unlink(path)
        raise

def drop_netns(ns):
    path = netns_path(ns)
    libc.umount2(path.encode(), MNT_DETACH)
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass

def failure(e):
    out = {'error': str(e) or type(e).__name__, 'errno': getattr(e, 'errno', 0) or 0}
    if getattr(e, 'taken', False):
        out['taken'] = True
    return out

running = set()
halting = {}
working = {}
sel = selectors.DefaultSelector()

def fork(req, work, new_pid_ns=False):
    """Runs work(req) in a child; its result comes back on a pipe (see done). A PID 1 execs its init after."""
    r, w = os.pipe()
    pid = -1
    try:
        if new_pid_ns:
            check(libc.unshare(CLONE_NEWPID), 'unshare')
        try:
            pid = os.fork()
            if pid == 0:
                child(req, work, w, new_pid_ns)
        finally:
            if pid != 0 and new_pid_ns:
                check(libc.setns(home_pid, CLONE_NEWPID), 'setns')
    except BaseException:
        os.close(r)
        os.close(w)
        raise
    os.close(w)
    running.add(pid)
    working[r] = (req, pid, [])
    sel.register(r, selectors.EVENT_READ, 'work')

def child(req, work, w, pid1_):
    """The forked child: never returns."""
    code = 1
    try:
        signal.set_wakeup_fd(-1)
        for sig in (signal.SIGCHLD, signal.SIGPIPE):
            signal.signal(sig, signal.SIG_DFL)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        work(req)
        if pid1_:
            null = os.open('/dev/null', os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(null, fd)
            os.write(w, b'{}')
            # The pipe closes on exec: the helper reads {} then its end.
            os.execve(req['init'][0], req['init'], {'PATH': '/usr/sbin:/usr/bin:/sbin:/bin'})
        os.write(w, b'{}')
        code = 0
    except BaseException as e:
        try:
            os.write(w, json.dumps(failure(e)).encode())
        except OSError:
            pass
    os._exit(code)

def done(r):
    req, pid, out = working[r]
    data = os.read(r, 65536)
    if data:
        out.append(data)
        return
    sel.unregister(r)
    os.close(r)
    del working[r]
    said = b''.join(out)
    try:
        result = json.loads(said) if said else {'error': 'the helper\'s child ended'}
        if 'error' not in result and req['op'] == 'boot':
            bind_netns(req['ns'], pid)
            result = {'pid': pid}
    except Exception as e:
        result = failure(e)
    if 'error' in result and req['op'] == 'boot' and pid in running:
        os.kill(pid, signal.SIGKILL)
    send({'id': req['id'], **result})

def halt(req):
    pid = req['pid']
    if pid in running:
        halting.setdefault(pid, []).append(req)
        os.kill(pid, signal.SIGKILL)
        return
    drop_netns(req['ns'])
    send({'id': req['id']})

def reap():
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        running.discard(pid)
        for req in halting.pop(pid, []):
            drop_netns(req['ns'])
            send({'id': req['id']})

def listen(req):
    fd = os.open(netns_path(req['ns']), os.O_RDONLY)
    try:
        enter(fd)
        try:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind((req['host'], req['port']))
                s.listen(511)
                s.setblocking(False)
            except OSError as e:
                s.close()
                raise Failed(ERRNO_CODES.get(e.errno, e.strerror or str(e)), e.errno or 0)
        finally:
            enter(home_net)
    finally:
        os.close(fd)
    try:
        send({'cmd': 'NODE_HANDLE', 'type': 'net.Server', 'msg': {'id': req['id']}}, [s.fileno()])
    finally:
        s.close()

OPS = {
    'boot': lambda req: fork(req, pid1, new_pid_ns=True),
    'publish': lambda req: fork(req, publish),
    'unpublish': lambda req: fork(req, unpublish),
    'nft': lambda req: fork(req, nft_in),
    'halt': halt,
    'listen': listen,
    'ping': lambda req: send({'id': req['id']}),
}

def handle(req):
    try:
        OPS[req['op']](req)
    except Exception as e:
        send({'id': req['id'], **failure(e)})

wake_r, wake_w = os.pipe()
os.set_blocking(wake_r, False)
os.set_blocking(wake_w, False)
signal.set_wakeup_fd(wake_w)
signal.signal(signal.SIGCHLD, lambda *_: None)
sel.register(chan, selectors.EVENT_READ, 'chan')
sel.register(wake_r, selectors.EVENT_READ, 'wake')
buf = b''
while True:
    for key, _ in sel.select():
        if key.data == 'work':
            done(key.fd)
        elif key.data == 'wake':
            try:
                os.read(wake_r, 4096)
            except BlockingIOError:
                pass
            reap()
        else:
            chunk = chan.recv(65536)
            if not chunk:
                sys.exit(0)
            buf += chunk
            while b'\n' in buf:
                line, buf = buf.split(b'\n', 1)
                req = json.loads(line) if line.strip() else {}
                # Node's own messages (acknowledging a handle) carry 'cmd'.
                if 'op' in req:
                    handle(req)
`;
