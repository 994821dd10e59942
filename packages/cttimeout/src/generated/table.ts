// Generated from crates/codec (src/typescript.rs) by `UPDATE_GENERATED=1 cargo test`.
// Do not edit: the Rust protocol table is the one place these facts live.

/** Netlink framing numbers (linux/netlink.h, linux/netfilter/nfnetlink.h). */
export const NETLINK = {
  NETLINK_NETFILTER: 12,
  NLMSG_HDRLEN: 16,
  NLMSG_ALIGNTO: 4,
  NLA_HDRLEN: 4,
  NFGENMSG_LEN: 4,
  NFNL_SUBSYS_CTNETLINK_TIMEOUT: 8,
} as const;

/** Netlink control message types. */
export const NLMSG = {
  NOOP: 1,
  ERROR: 2,
  DONE: 3,
  OVERRUN: 4,
} as const;

/** Attribute type flags (linux/netlink.h), high bits of nla_type. */
export const NLA_F = {
  NESTED: 0x8000,
  NET_BYTEORDER: 0x4000,
} as const;

/** A policy's attributes (linux/netfilter/nfnetlink_cttimeout.h). */
export const CTA_TIMEOUT = {
  NAME: 1,
  L3PROTO: 2,
  L4PROTO: 3,
  DATA: 4,
  USE: 5,
} as const;

/** Extended-ACK attributes of NLMSG_ERROR (linux/netlink.h). */
export const NLMSGERR_ATTR = {
  MSG: 1,
  OFFS: 2,
  COOKIE: 3,
  POLICY: 4,
  MISS_TYPE: 5,
  MISS_NEST: 6,
} as const;

/** Longest policy name in bytes (CTNL_TIMEOUT_NAME_MAX - 1; the kernel adds the NUL). */
export const NAME_MAX_BYTES = 31;

/** The protocols as help and messages list them. */
export const KNOWN_PROTOCOLS = 'tcp udp udplite icmp icmpv6 (or ipv6-icmp) sctp gre generic dccp';

/** Every L4 protocol with a conntrack timeout table; states in attribute order. */
export const PROTOCOLS = [
  { name: 'tcp', number: 6, availability: null, states: [
    { attr: 1, name: 'SYN_SENT', kernel: 'CTA_TIMEOUT_TCP_SYN_SENT', default: 120, nfct: true },
    { attr: 2, name: 'SYN_RECV', kernel: 'CTA_TIMEOUT_TCP_SYN_RECV', default: 60, nfct: true },
    { attr: 3, name: 'ESTABLISHED', kernel: 'CTA_TIMEOUT_TCP_ESTABLISHED', default: 432000, nfct: true },
    { attr: 4, name: 'FIN_WAIT', kernel: 'CTA_TIMEOUT_TCP_FIN_WAIT', default: 120, nfct: true },
    { attr: 5, name: 'CLOSE_WAIT', kernel: 'CTA_TIMEOUT_TCP_CLOSE_WAIT', default: 60, nfct: true },
    { attr: 6, name: 'LAST_ACK', kernel: 'CTA_TIMEOUT_TCP_LAST_ACK', default: 30, nfct: true },
    { attr: 7, name: 'TIME_WAIT', kernel: 'CTA_TIMEOUT_TCP_TIME_WAIT', default: 120, nfct: true },
    { attr: 8, name: 'CLOSE', kernel: 'CTA_TIMEOUT_TCP_CLOSE', default: 10, nfct: true },
    { attr: 9, name: 'SYN_SENT2', kernel: 'CTA_TIMEOUT_TCP_SYN_SENT2', default: 120, nfct: true },
    { attr: 10, name: 'RETRANS', kernel: 'CTA_TIMEOUT_TCP_RETRANS', default: 300, nfct: true },
    { attr: 11, name: 'UNACKNOWLEDGED', kernel: 'CTA_TIMEOUT_TCP_UNACK', default: 300, nfct: true },
  ] },
  { name: 'udp', number: 17, availability: null, states: [
    { attr: 1, name: 'UNREPLIED', kernel: 'CTA_TIMEOUT_UDP_UNREPLIED', default: 30, nfct: true },
    { attr: 2, name: 'REPLIED', kernel: 'CTA_TIMEOUT_UDP_REPLIED', default: 120, nfct: true },
  ] },
  { name: 'udplite', number: 136, availability: 'reported removed in Linux 7.1; shares UDP\'s default table', states: [
    { attr: 1, name: 'UNREPLIED', kernel: 'CTA_TIMEOUT_UDPLITE_UNREPLIED', default: 30, nfct: true },
    { attr: 2, name: 'REPLIED', kernel: 'CTA_TIMEOUT_UDPLITE_REPLIED', default: 120, nfct: true },
  ] },
  { name: 'icmp', number: 1, availability: null, states: [
    { attr: 1, name: 'TIMEOUT', kernel: 'CTA_TIMEOUT_ICMP_TIMEOUT', default: 30, nfct: true },
  ] },
  { name: 'icmpv6', number: 58, availability: 'needs CONFIG_IPV6', states: [
    { attr: 1, name: 'TIMEOUT', kernel: 'CTA_TIMEOUT_ICMPV6_TIMEOUT', default: 30, nfct: true },
  ] },
  { name: 'sctp', number: 132, availability: null, states: [
    { attr: 1, name: 'CLOSED', kernel: 'CTA_TIMEOUT_SCTP_CLOSED', default: 10, nfct: true },
    { attr: 2, name: 'COOKIE_WAIT', kernel: 'CTA_TIMEOUT_SCTP_COOKIE_WAIT', default: 3, nfct: true },
    { attr: 3, name: 'COOKIE_ECHOED', kernel: 'CTA_TIMEOUT_SCTP_COOKIE_ECHOED', default: 3, nfct: true },
    { attr: 4, name: 'ESTABLISHED', kernel: 'CTA_TIMEOUT_SCTP_ESTABLISHED', default: 210, nfct: true },
    { attr: 5, name: 'SHUTDOWN_SENT', kernel: 'CTA_TIMEOUT_SCTP_SHUTDOWN_SENT', default: 3, nfct: true },
    { attr: 6, name: 'SHUTDOWN_RECD', kernel: 'CTA_TIMEOUT_SCTP_SHUTDOWN_RECD', default: 3, nfct: true },
    { attr: 7, name: 'SHUTDOWN_ACK_SENT', kernel: 'CTA_TIMEOUT_SCTP_SHUTDOWN_ACK_SENT', default: 3, nfct: true },
    { attr: 8, name: 'HEARTBEAT_SENT', kernel: 'CTA_TIMEOUT_SCTP_HEARTBEAT_SENT', default: 30, nfct: false },
    { attr: 9, name: 'HEARTBEAT_ACKED', kernel: 'CTA_TIMEOUT_SCTP_HEARTBEAT_ACKED', default: 0, nfct: false },
  ] },
  { name: 'gre', number: 47, availability: 'needs CONFIG_NF_CT_PROTO_GRE', states: [
    { attr: 1, name: 'UNREPLIED', kernel: 'CTA_TIMEOUT_GRE_UNREPLIED', default: 30, nfct: true },
    { attr: 2, name: 'REPLIED', kernel: 'CTA_TIMEOUT_GRE_REPLIED', default: 180, nfct: true },
  ] },
  { name: 'generic', number: 255, availability: null, states: [
    { attr: 1, name: 'TIMEOUT', kernel: 'CTA_TIMEOUT_GENERIC_TIMEOUT', default: 600, nfct: true },
  ] },
  { name: 'dccp', number: 33, availability: 'tracker removed in Linux 6.17 (EOPNOTSUPP there); kept to decode older kernels', states: [
    { attr: 1, name: 'REQUEST', kernel: 'CTA_TIMEOUT_DCCP_REQUEST', default: 240, nfct: true },
    { attr: 2, name: 'RESPOND', kernel: 'CTA_TIMEOUT_DCCP_RESPOND', default: 480, nfct: true },
    { attr: 3, name: 'PARTOPEN', kernel: 'CTA_TIMEOUT_DCCP_PARTOPEN', default: 480, nfct: true },
    { attr: 4, name: 'OPEN', kernel: 'CTA_TIMEOUT_DCCP_OPEN', default: 43200, nfct: true },
    { attr: 5, name: 'CLOSEREQ', kernel: 'CTA_TIMEOUT_DCCP_CLOSEREQ', default: 64, nfct: true },
    { attr: 6, name: 'CLOSING', kernel: 'CTA_TIMEOUT_DCCP_CLOSING', default: 64, nfct: true },
    { attr: 7, name: 'TIMEWAIT', kernel: 'CTA_TIMEOUT_DCCP_TIMEWAIT', default: 240, nfct: true },
  ] },
] as const;

/** Protocol names /etc/protocols gives (nfct resolves names with getprotobyname). */
export const PROTOCOL_ALIASES: Readonly<Record<string, string>> = {
  'TCP': 'tcp',
  'UDP': 'udp',
  'UDPLite': 'udplite',
  'ICMP': 'icmp',
  'ipv6-icmp': 'icmpv6',
  'IPv6-ICMP': 'icmpv6',
  'SCTP': 'sctp',
  'GRE': 'gre',
  'DCCP': 'dccp',
};

/** Address families (CTA_TIMEOUT_L3PROTO). */
export const FAMILIES = [
  { name: 'inet', number: 2 },
  { name: 'inet6', number: 10 },
] as const;

/** cttimeout commands by number (low byte of nlmsg_type). */
export const COMMANDS = ['NEW', 'GET', 'DELETE', 'DEFAULT_SET', 'DEFAULT_GET'] as const;

/**
 * Every request kind (crates/codec/src/ops.rs): the encode op, the command and message type,
 * the flags nfct sends, which attributes it carries, whether the kernel answers with a dump,
 * the CLI verb (null: API only) and its arguments, a label and a one-line help.
 */
export const OPERATIONS = [
  { op: 'NEW', command: 'NEW', type: 0x0800, flags: 0x405, name: 'required', l3proto: 'required', l4proto: 'required', timeouts: 'optional', dump: false, verb: 'add', nfct: true, args: 'NAME FAMILY PROTO STATE SECONDS [STATE SECONDS]...', label: 'NEW — create', help: 'Creates a policy (nfct add). An existing name gets EBUSY.' },
  { op: 'GET', command: 'GET', type: 0x0801, flags: 0x5, name: 'optional', l3proto: 'no', l4proto: 'no', timeouts: 'no', dump: false, verb: 'get', nfct: true, args: 'NAME', label: 'GET — read', help: 'Reads one policy.' },
  { op: 'DELETE', command: 'DELETE', type: 0x0802, flags: 0x5, name: 'optional', l3proto: 'no', l4proto: 'no', timeouts: 'no', dump: false, verb: 'delete', nfct: true, args: 'NAME', label: 'DELETE — remove', help: 'Deletes one policy (EBUSY while an iptables CT rule uses it).' },
  { op: 'DEFAULT_SET', command: 'DEFAULT_SET', type: 0x0803, flags: 0x5, name: 'no', l3proto: 'optional', l4proto: 'required', timeouts: 'required', dump: false, verb: 'default-set', nfct: true, args: 'FAMILY PROTO STATE SECONDS [STATE SECONDS]...', label: 'DEFAULT_SET — set defaults', help: 'Changes the namespace\'s defaults for a protocol; states left out keep their value.' },
  { op: 'DEFAULT_GET', command: 'DEFAULT_GET', type: 0x0804, flags: 0x5, name: 'no', l3proto: 'required', l4proto: 'required', timeouts: 'no', dump: false, verb: 'default-get', nfct: true, args: 'FAMILY PROTO', label: 'DEFAULT_GET — read defaults', help: 'Reads the namespace\'s defaults for a protocol.' },
  { op: 'NEW_EXCLUSIVE', command: 'NEW', type: 0x0800, flags: 0x605, name: 'required', l3proto: 'required', l4proto: 'required', timeouts: 'optional', dump: false, verb: null, nfct: false, args: '', label: 'NEW + EXCL — create only', help: 'Creates a policy; an existing name gets EEXIST.' },
  { op: 'NEW_REPLACE', command: 'NEW', type: 0x0800, flags: 0x105, name: 'required', l3proto: 'required', l4proto: 'required', timeouts: 'optional', dump: false, verb: 'update', nfct: false, args: 'NAME FAMILY PROTO [STATE SECONDS]...', label: 'NEW + REPLACE — update', help: 'Updates a policy in place (creates it when missing). States left out go back to the current defaults: it is not a merge.' },
  { op: 'DUMP', command: 'GET', type: 0x0801, flags: 0x301, name: 'no', l3proto: 'no', l4proto: 'no', timeouts: 'no', dump: true, verb: 'list', nfct: true, args: '', label: 'GET + DUMP — list', help: 'Reads every policy of the namespace, in creation order.' },
  { op: 'FLUSH', command: 'DELETE', type: 0x0802, flags: 0x5, name: 'no', l3proto: 'no', l4proto: 'no', timeouts: 'no', dump: false, verb: 'flush', nfct: true, args: '', label: 'DELETE without a name — flush', help: 'Deletes every policy not in use.' },
] as const;

/** Encode ops (tape.rs): index = op number, the row of OPERATIONS. */
export const OPS = { NEW: 0, GET: 1, DELETE: 2, DEFAULT_SET: 3, DEFAULT_GET: 4, NEW_EXCLUSIVE: 5, NEW_REPLACE: 6, DUMP: 7, FLUSH: 8 } as const;

/** Decode tape and encode spec layouts (tape.rs). */
export const TAPE = {
  KIND_TIMEOUT: 1,
  KIND_JSON: 2,
  KIND_ERROR: 3,
  PRESENT_NAME: 1,
  PRESENT_L3PROTO: 2,
  PRESENT_L4PROTO: 4,
  PRESENT_USE: 8,
  PRESENT_DATA: 16,
  PRESENT_NAME_ASCII: 32,
  PRESENT_NAME_BYTES: 64,
  PRESENT_ALL: 63,
  TIMEOUT_FIXED_WORDS: 15,
  ENC_FLAGS: 1,
  ENC_NAME: 2,
  ENC_L3PROTO: 4,
  ENC_L4PROTO: 8,
  ENC_DATA: 16,
  ENC_FIXED_WORDS: 9,
} as const;

/** Word offsets inside a decode tape record (tape.rs `rec`). */
export const REC = {
  KIND: 0,
  OFFSET: 1,
  LEN: 2,
  TYPE_FLAGS: 3,
  SEQ: 4,
  PID: 5,
  CMD_NFGEN: 6,
  RES_ID: 7,
  PRESENT: 8,
  NAME_OFFSET: 9,
  NAME_LEN: 10,
  L3PROTO: 11,
  L4PROTO: 12,
  USE: 13,
  STATE_MASK: 14,
  TEXT_OFFSET: 1,
  TEXT_LEN: 2,
  TEXT_WORDS: 3,
} as const;

/**
 * Builds the timeouts object of a message that carries every state of its protocol (kernel
 * replies always do) from `count` consecutive tape words: one object literal per protocol,
 * so the object gets its final shape at once. Undefined for other protocol numbers.
 */
export function fullTimeouts(l4proto: number, w: Uint32Array, i: number): Record<string, number> | undefined {
  switch (l4proto) {
    case 6:
      return { SYN_SENT: w[i + 0]!, SYN_RECV: w[i + 1]!, ESTABLISHED: w[i + 2]!, FIN_WAIT: w[i + 3]!, CLOSE_WAIT: w[i + 4]!, LAST_ACK: w[i + 5]!, TIME_WAIT: w[i + 6]!, CLOSE: w[i + 7]!, SYN_SENT2: w[i + 8]!, RETRANS: w[i + 9]!, UNACKNOWLEDGED: w[i + 10]! };
    case 17:
      return { UNREPLIED: w[i + 0]!, REPLIED: w[i + 1]! };
    case 136:
      return { UNREPLIED: w[i + 0]!, REPLIED: w[i + 1]! };
    case 1:
      return { TIMEOUT: w[i + 0]! };
    case 58:
      return { TIMEOUT: w[i + 0]! };
    case 132:
      return { CLOSED: w[i + 0]!, COOKIE_WAIT: w[i + 1]!, COOKIE_ECHOED: w[i + 2]!, ESTABLISHED: w[i + 3]!, SHUTDOWN_SENT: w[i + 4]!, SHUTDOWN_RECD: w[i + 5]!, SHUTDOWN_ACK_SENT: w[i + 6]!, HEARTBEAT_SENT: w[i + 7]!, HEARTBEAT_ACKED: w[i + 8]! };
    case 47:
      return { UNREPLIED: w[i + 0]!, REPLIED: w[i + 1]! };
    case 255:
      return { TIMEOUT: w[i + 0]! };
    case 33:
      return { REQUEST: w[i + 0]!, RESPOND: w[i + 1]!, PARTOPEN: w[i + 2]!, OPEN: w[i + 3]!, CLOSEREQ: w[i + 4]!, CLOSING: w[i + 5]!, TIMEWAIT: w[i + 6]! };
    default:
      return undefined;
  }
}

/** Linux errno numbers by name. */
export const E = {
  EPERM: 1,
  ENOENT: 2,
  ESRCH: 3,
  EINTR: 4,
  EIO: 5,
  ENXIO: 6,
  E2BIG: 7,
  ENOEXEC: 8,
  EBADF: 9,
  ECHILD: 10,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  ENOTBLK: 15,
  EBUSY: 16,
  EEXIST: 17,
  EXDEV: 18,
  ENODEV: 19,
  ENOTDIR: 20,
  EISDIR: 21,
  EINVAL: 22,
  ENFILE: 23,
  EMFILE: 24,
  ENOTTY: 25,
  ETXTBSY: 26,
  EFBIG: 27,
  ENOSPC: 28,
  ESPIPE: 29,
  EROFS: 30,
  EMLINK: 31,
  EPIPE: 32,
  EDOM: 33,
  ERANGE: 34,
  EDEADLK: 35,
  ENAMETOOLONG: 36,
  ENOLCK: 37,
  ENOSYS: 38,
  ENOTEMPTY: 39,
  ELOOP: 40,
  ENOMSG: 42,
  EIDRM: 43,
  ECHRNG: 44,
  EL2NSYNC: 45,
  EL3HLT: 46,
  EL3RST: 47,
  ELNRNG: 48,
  EUNATCH: 49,
  ENOCSI: 50,
  EL2HLT: 51,
  EBADE: 52,
  EBADR: 53,
  EXFULL: 54,
  ENOANO: 55,
  EBADRQC: 56,
  EBADSLT: 57,
  EBFONT: 59,
  ENOSTR: 60,
  ENODATA: 61,
  ETIME: 62,
  ENOSR: 63,
  ENONET: 64,
  ENOPKG: 65,
  EREMOTE: 66,
  ENOLINK: 67,
  EADV: 68,
  ESRMNT: 69,
  ECOMM: 70,
  EPROTO: 71,
  EMULTIHOP: 72,
  EDOTDOT: 73,
  EBADMSG: 74,
  EOVERFLOW: 75,
  ENOTUNIQ: 76,
  EBADFD: 77,
  EREMCHG: 78,
  ELIBACC: 79,
  ELIBBAD: 80,
  ELIBSCN: 81,
  ELIBMAX: 82,
  ELIBEXEC: 83,
  EILSEQ: 84,
  ERESTART: 85,
  ESTRPIPE: 86,
  EUSERS: 87,
  ENOTSOCK: 88,
  EDESTADDRREQ: 89,
  EMSGSIZE: 90,
  EPROTOTYPE: 91,
  ENOPROTOOPT: 92,
  EPROTONOSUPPORT: 93,
  ESOCKTNOSUPPORT: 94,
  EOPNOTSUPP: 95,
  EPFNOSUPPORT: 96,
  EAFNOSUPPORT: 97,
  EADDRINUSE: 98,
  EADDRNOTAVAIL: 99,
  ENETDOWN: 100,
  ENETUNREACH: 101,
  ENETRESET: 102,
  ECONNABORTED: 103,
  ECONNRESET: 104,
  ENOBUFS: 105,
  EISCONN: 106,
  ENOTCONN: 107,
  ESHUTDOWN: 108,
  ETOOMANYREFS: 109,
  ETIMEDOUT: 110,
  ECONNREFUSED: 111,
  EHOSTDOWN: 112,
  EHOSTUNREACH: 113,
  EALREADY: 114,
  EINPROGRESS: 115,
  ESTALE: 116,
  EUCLEAN: 117,
  ENOTNAM: 118,
  ENAVAIL: 119,
  EISNAM: 120,
  EREMOTEIO: 121,
  EDQUOT: 122,
  ENOMEDIUM: 123,
  EMEDIUMTYPE: 124,
  ECANCELED: 125,
  ENOKEY: 126,
  EKEYEXPIRED: 127,
  EKEYREVOKED: 128,
  EKEYREJECTED: 129,
  EOWNERDEAD: 130,
  ENOTRECOVERABLE: 131,
  ERFKILL: 132,
} as const;

/** Linux errno: [number, name, glibc strerror text]. */
export const ERRNO: ReadonlyArray<readonly [number, string, string]> = [
  [1, 'EPERM', 'Operation not permitted'],
  [2, 'ENOENT', 'No such file or directory'],
  [3, 'ESRCH', 'No such process'],
  [4, 'EINTR', 'Interrupted system call'],
  [5, 'EIO', 'Input/output error'],
  [6, 'ENXIO', 'No such device or address'],
  [7, 'E2BIG', 'Argument list too long'],
  [8, 'ENOEXEC', 'Exec format error'],
  [9, 'EBADF', 'Bad file descriptor'],
  [10, 'ECHILD', 'No child processes'],
  [11, 'EAGAIN', 'Resource temporarily unavailable'],
  [12, 'ENOMEM', 'Cannot allocate memory'],
  [13, 'EACCES', 'Permission denied'],
  [14, 'EFAULT', 'Bad address'],
  [15, 'ENOTBLK', 'Block device required'],
  [16, 'EBUSY', 'Device or resource busy'],
  [17, 'EEXIST', 'File exists'],
  [18, 'EXDEV', 'Invalid cross-device link'],
  [19, 'ENODEV', 'No such device'],
  [20, 'ENOTDIR', 'Not a directory'],
  [21, 'EISDIR', 'Is a directory'],
  [22, 'EINVAL', 'Invalid argument'],
  [23, 'ENFILE', 'Too many open files in system'],
  [24, 'EMFILE', 'Too many open files'],
  [25, 'ENOTTY', 'Inappropriate ioctl for device'],
  [26, 'ETXTBSY', 'Text file busy'],
  [27, 'EFBIG', 'File too large'],
  [28, 'ENOSPC', 'No space left on device'],
  [29, 'ESPIPE', 'Illegal seek'],
  [30, 'EROFS', 'Read-only file system'],
  [31, 'EMLINK', 'Too many links'],
  [32, 'EPIPE', 'Broken pipe'],
  [33, 'EDOM', 'Numerical argument out of domain'],
  [34, 'ERANGE', 'Numerical result out of range'],
  [35, 'EDEADLK', 'Resource deadlock avoided'],
  [36, 'ENAMETOOLONG', 'File name too long'],
  [37, 'ENOLCK', 'No locks available'],
  [38, 'ENOSYS', 'Function not implemented'],
  [39, 'ENOTEMPTY', 'Directory not empty'],
  [40, 'ELOOP', 'Too many levels of symbolic links'],
  [42, 'ENOMSG', 'No message of desired type'],
  [43, 'EIDRM', 'Identifier removed'],
  [44, 'ECHRNG', 'Channel number out of range'],
  [45, 'EL2NSYNC', 'Level 2 not synchronized'],
  [46, 'EL3HLT', 'Level 3 halted'],
  [47, 'EL3RST', 'Level 3 reset'],
  [48, 'ELNRNG', 'Link number out of range'],
  [49, 'EUNATCH', 'Protocol driver not attached'],
  [50, 'ENOCSI', 'No CSI structure available'],
  [51, 'EL2HLT', 'Level 2 halted'],
  [52, 'EBADE', 'Invalid exchange'],
  [53, 'EBADR', 'Invalid request descriptor'],
  [54, 'EXFULL', 'Exchange full'],
  [55, 'ENOANO', 'No anode'],
  [56, 'EBADRQC', 'Invalid request code'],
  [57, 'EBADSLT', 'Invalid slot'],
  [59, 'EBFONT', 'Bad font file format'],
  [60, 'ENOSTR', 'Device not a stream'],
  [61, 'ENODATA', 'No data available'],
  [62, 'ETIME', 'Timer expired'],
  [63, 'ENOSR', 'Out of streams resources'],
  [64, 'ENONET', 'Machine is not on the network'],
  [65, 'ENOPKG', 'Package not installed'],
  [66, 'EREMOTE', 'Object is remote'],
  [67, 'ENOLINK', 'Link has been severed'],
  [68, 'EADV', 'Advertise error'],
  [69, 'ESRMNT', 'Srmount error'],
  [70, 'ECOMM', 'Communication error on send'],
  [71, 'EPROTO', 'Protocol error'],
  [72, 'EMULTIHOP', 'Multihop attempted'],
  [73, 'EDOTDOT', 'RFS specific error'],
  [74, 'EBADMSG', 'Bad message'],
  [75, 'EOVERFLOW', 'Value too large for defined data type'],
  [76, 'ENOTUNIQ', 'Name not unique on network'],
  [77, 'EBADFD', 'File descriptor in bad state'],
  [78, 'EREMCHG', 'Remote address changed'],
  [79, 'ELIBACC', 'Can not access a needed shared library'],
  [80, 'ELIBBAD', 'Accessing a corrupted shared library'],
  [81, 'ELIBSCN', '.lib section in a.out corrupted'],
  [82, 'ELIBMAX', 'Attempting to link in too many shared libraries'],
  [83, 'ELIBEXEC', 'Cannot exec a shared library directly'],
  [84, 'EILSEQ', 'Invalid or incomplete multibyte or wide character'],
  [85, 'ERESTART', 'Interrupted system call should be restarted'],
  [86, 'ESTRPIPE', 'Streams pipe error'],
  [87, 'EUSERS', 'Too many users'],
  [88, 'ENOTSOCK', 'Socket operation on non-socket'],
  [89, 'EDESTADDRREQ', 'Destination address required'],
  [90, 'EMSGSIZE', 'Message too long'],
  [91, 'EPROTOTYPE', 'Protocol wrong type for socket'],
  [92, 'ENOPROTOOPT', 'Protocol not available'],
  [93, 'EPROTONOSUPPORT', 'Protocol not supported'],
  [94, 'ESOCKTNOSUPPORT', 'Socket type not supported'],
  [95, 'EOPNOTSUPP', 'Operation not supported'],
  [96, 'EPFNOSUPPORT', 'Protocol family not supported'],
  [97, 'EAFNOSUPPORT', 'Address family not supported by protocol'],
  [98, 'EADDRINUSE', 'Address already in use'],
  [99, 'EADDRNOTAVAIL', 'Cannot assign requested address'],
  [100, 'ENETDOWN', 'Network is down'],
  [101, 'ENETUNREACH', 'Network is unreachable'],
  [102, 'ENETRESET', 'Network dropped connection on reset'],
  [103, 'ECONNABORTED', 'Software caused connection abort'],
  [104, 'ECONNRESET', 'Connection reset by peer'],
  [105, 'ENOBUFS', 'No buffer space available'],
  [106, 'EISCONN', 'Transport endpoint is already connected'],
  [107, 'ENOTCONN', 'Transport endpoint is not connected'],
  [108, 'ESHUTDOWN', 'Cannot send after transport endpoint shutdown'],
  [109, 'ETOOMANYREFS', 'Too many references: cannot splice'],
  [110, 'ETIMEDOUT', 'Connection timed out'],
  [111, 'ECONNREFUSED', 'Connection refused'],
  [112, 'EHOSTDOWN', 'Host is down'],
  [113, 'EHOSTUNREACH', 'No route to host'],
  [114, 'EALREADY', 'Operation already in progress'],
  [115, 'EINPROGRESS', 'Operation now in progress'],
  [116, 'ESTALE', 'Stale file handle'],
  [117, 'EUCLEAN', 'Structure needs cleaning'],
  [118, 'ENOTNAM', 'Not a XENIX named type file'],
  [119, 'ENAVAIL', 'No XENIX semaphores available'],
  [120, 'EISNAM', 'Is a named type file'],
  [121, 'EREMOTEIO', 'Remote I/O error'],
  [122, 'EDQUOT', 'Disk quota exceeded'],
  [123, 'ENOMEDIUM', 'No medium found'],
  [124, 'EMEDIUMTYPE', 'Wrong medium type'],
  [125, 'ECANCELED', 'Operation canceled'],
  [126, 'ENOKEY', 'Required key not available'],
  [127, 'EKEYEXPIRED', 'Key has expired'],
  [128, 'EKEYREVOKED', 'Key has been revoked'],
  [129, 'EKEYREJECTED', 'Key was rejected by service'],
  [130, 'EOWNERDEAD', 'Owner died'],
  [131, 'ENOTRECOVERABLE', 'State not recoverable'],
  [132, 'ERFKILL', 'Operation not possible due to RF-kill'],
];
