/**
 * One long-lived process per twin that makes listening sockets inside any VM's network namespace
 * and hands them to the twin: a VM's boot no longer starts a Node process to open its SSH socket.
 * Node cannot `setns`; Python (Debian's /usr/bin/python3, ctypes) can. It speaks Node's own IPC
 * channel (`stdio: 'ipc'`, JSON lines on NODE_CHANNEL_FD): a request `{ id, ns, host, port }`
 * is answered with a NODE_HANDLE message carrying the socket (SCM_RIGHTS), which Node turns into a
 * `net.Server` as it does for a server sent by another Node process, or `{ id, error }`. It enters
 * the namespace, binds, and returns to its own namespace for each request; it exits when the
 * channel closes (the twin ended).
 */
export const LISTEN_BROKER = String.raw`
import ctypes, json, os, socket, sys
CLONE_NEWNET = 0x40000000
libc = ctypes.CDLL(None, use_errno=True)
home = os.open('/proc/self/ns/net', os.O_RDONLY)
chan = socket.socket(fileno=int(os.environ['NODE_CHANNEL_FD']))
chan.setblocking(True)

def enter(fd):
    if libc.setns(fd, CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), 'setns')

def send(obj, fds=()):
    data = (json.dumps(obj) + '\n').encode()
    if fds:
        socket.send_fds(chan, [data], list(fds))
    else:
        chan.sendall(data)

def listen(ns, host, port):
    fd = os.open('/run/netns/' + ns, os.O_RDONLY)
    try:
        enter(fd)
        try:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind((host, port))
                s.listen(511)
                s.setblocking(False)
            except BaseException:
                s.close()
                raise
            return s
        finally:
            enter(home)
    finally:
        os.close(fd)

buf = b''
while True:
    chunk = chan.recv(65536)
    if not chunk:
        sys.exit(0)
    buf += chunk
    while b'\n' in buf:
        line, buf = buf.split(b'\n', 1)
        if not line.strip():
            continue
        req = json.loads(line)
        if 'cmd' in req:
            continue
        try:
            s = listen(req['ns'], req['host'], req['port'])
        except OSError as e:
            code = {98: 'EADDRINUSE', 99: 'EADDRNOTAVAIL', 2: 'ENOENT'}.get(e.errno, e.strerror or str(e))
            send({'id': req['id'], 'error': code})
            continue
        try:
            send({'cmd': 'NODE_HANDLE', 'type': 'net.Server', 'msg': {'id': req['id']}}, [s.fileno()])
        finally:
            s.close()
`;
