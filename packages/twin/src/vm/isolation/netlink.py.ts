/**
 * The part of helper.py.ts that wires VMs by system calls instead of `ip` and `nft` processes:
 * route netlink (links, addresses, routes: the messages `ip` sends for the same commands, see
 * rtnetlink(7)) and libnftables (the library `nft` itself is, through ctypes). A netlink socket
 * stays in the network namespace it was made in: make one after entering a namespace.
 */
export const NETLINK_PY = String.raw`
import ctypes, os, socket, struct

NLM_F_REQUEST, NLM_F_ACK, NLM_F_EXCL, NLM_F_CREATE, NLMSG_ERROR = 1, 4, 0x200, 0x400, 2
RTM_NEWLINK, RTM_DELLINK, RTM_NEWADDR, RTM_NEWROUTE = 16, 17, 20, 24
IFLA_IFNAME, IFLA_MASTER, IFLA_LINKINFO, IFLA_NET_NS_FD = 3, 10, 18, 28
IFLA_INFO_KIND, IFLA_INFO_DATA, VETH_INFO_PEER = 1, 2, 1
IFA_ADDRESS, IFA_LOCAL = 1, 2
RTA_DST, RTA_OIF, RTA_GATEWAY, RTA_PREFSRC, RTA_TABLE = 1, 4, 5, 7, 15
IFF_UP, RTNH_F_ONLINK, RTPROT_BOOT, RTN_UNICAST = 1, 4, 3, 1
RT_SCOPE_UNIVERSE, RT_SCOPE_LINK, RT_SCOPE_HOST = 0, 253, 254
TABLE_MAIN, TABLE_LOCAL = 254, 255

class Failed(Exception):
    """A step that failed; errno when the kernel said why."""

    def __init__(self, message, errno=0):
        super().__init__(message)
        self.errno = errno

def attr(kind, data):
    n = 4 + len(data)
    return struct.pack('=HH', n, kind) + data + b'\0' * (-n % 4)

def ifinfo(index=0, up=None):
    return struct.pack('=BxHiII', 0, 0, index, IFF_UP if up else 0, 0 if up is None else IFF_UP)

class Rtnl:
    """Route netlink in the network namespace the caller is in now."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
        self.seq = 0

    def close(self):
        self.sock.close()

    def request(self, kind, flags, body, what):
        self.seq += 1
        self.sock.send(struct.pack('=IHHII', 16 + len(body), kind, flags | NLM_F_REQUEST | NLM_F_ACK, self.seq, 0) + body)
        while True:
            data, off = self.sock.recv(65536), 0
            while off + 16 <= len(data):
                size, kind_, _, seq, _ = struct.unpack_from('=IHHII', data, off)
                if kind_ == NLMSG_ERROR and seq == self.seq:
                    err = -struct.unpack_from('=i', data, off + 16)[0]
                    if err:
                        raise Failed(f'{what}: {os.strerror(err)}', err)
                    return
                off += (size + 3) & ~3

    def add_veth(self, name, peer, peer_ns_fd, up=False):
        """Link 'name' here, its peer in the namespace of peer_ns_fd (ip link add name type veth peer name peer netns …)."""
        peer_msg = ifinfo() + attr(IFLA_IFNAME, peer.encode() + b'\0') + attr(IFLA_NET_NS_FD, struct.pack('=I', peer_ns_fd))
        info = attr(IFLA_INFO_KIND, b'veth') + attr(IFLA_INFO_DATA, attr(VETH_INFO_PEER, peer_msg))
        body = ifinfo(up=True if up else None) + attr(IFLA_IFNAME, name.encode() + b'\0') + attr(IFLA_LINKINFO, info)
        self.request(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, body, f'link add {name}')

    def set_link(self, name, up=True, master=None):
        extra = attr(IFLA_MASTER, struct.pack('=I', socket.if_nametoindex(master))) if master else b''
        self.request(RTM_NEWLINK, 0, ifinfo(socket.if_nametoindex(name), up) + extra, f'link set {name}')

    def del_link(self, name):
        self.request(RTM_DELLINK, 0, ifinfo() + attr(IFLA_IFNAME, name.encode() + b'\0'), f'link del {name}')

    def add_addr(self, dev, address, prefix):
        # As ip(8): a 127.x address gets host scope.
        scope = RT_SCOPE_HOST if address.startswith('127.') else RT_SCOPE_UNIVERSE
        a = socket.inet_aton(address)
        body = struct.pack('=BBBBI', socket.AF_INET, prefix, 0, scope, socket.if_nametoindex(dev)) + attr(IFA_LOCAL, a) + attr(IFA_ADDRESS, a)
        self.request(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, body, f'addr add {address}/{prefix} dev {dev}')

    def add_route(self, cidr, dev, via=None, src=None, table=TABLE_MAIN):
        """ip route add cidr [via … onlink] dev … [src …] table …"""
        dst, _, bits = cidr.partition('/')
        prefix = int(bits or 32)
        head = struct.pack('=BBBBBBBBI', socket.AF_INET, prefix, 0, 0, table, RTPROT_BOOT, RT_SCOPE_UNIVERSE if via else RT_SCOPE_LINK, RTN_UNICAST, RTNH_F_ONLINK if via else 0)
        body = head + attr(RTA_TABLE, struct.pack('=I', table)) + attr(RTA_DST, socket.inet_aton(dst)) + attr(RTA_OIF, struct.pack('=i', socket.if_nametoindex(dev)))
        if via:
            body += attr(RTA_GATEWAY, socket.inet_aton(via))
        if src:
            body += attr(RTA_PREFSRC, socket.inet_aton(src))
        self.request(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, body, f'route add {cidr} dev {dev}')

nftables = ctypes.CDLL('libnftables.so.1')
nftables.nft_ctx_new.restype = ctypes.c_void_p
nftables.nft_ctx_new.argtypes = [ctypes.c_uint32]
for fn in ('nft_ctx_buffer_error', 'nft_ctx_buffer_output', 'nft_ctx_free'):
    getattr(nftables, fn).argtypes = [ctypes.c_void_p]
nftables.nft_run_cmd_from_buffer.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
nftables.nft_ctx_get_error_buffer.argtypes = [ctypes.c_void_p]
nftables.nft_ctx_get_error_buffer.restype = ctypes.c_char_p

def nft(text):
    """nft -f - in the caller's network namespace: one transaction."""
    ctx = nftables.nft_ctx_new(0)
    try:
        nftables.nft_ctx_buffer_output(ctx)
        nftables.nft_ctx_buffer_error(ctx)
        if nftables.nft_run_cmd_from_buffer(ctx, text.encode()) != 0:
            raise Failed('nft: ' + (nftables.nft_ctx_get_error_buffer(ctx) or b'failed').decode(errors='replace').strip())
    finally:
        nftables.nft_ctx_free(ctx)
`;
