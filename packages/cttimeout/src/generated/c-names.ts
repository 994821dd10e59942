// Generated from crates/codec (src/typescript.rs) by `UPDATE_GENERATED=1 cargo test`.
// Do not edit: the Rust protocol table is the one place these facts live.

/** Netlink message flags (linux/netlink.h). */
export const NLM_F = {
  REQUEST: 0x1,
  MULTI: 0x2,
  ACK: 0x4,
  ECHO: 0x8,
  DUMP_INTR: 0x10,
  DUMP_FILTERED: 0x20,
  ROOT: 0x100,
  MATCH: 0x200,
  ATOMIC: 0x400,
  DUMP: 0x300,
  REPLACE: 0x100,
  EXCL: 0x200,
  CREATE: 0x400,
  APPEND: 0x800,
  CAPPED: 0x100,
  ACK_TLVS: 0x200,
} as const;

/** cttimeout commands (low byte of nlmsg_type; linux/netfilter/nfnetlink_cttimeout.h). */
export const IPCTNL_MSG_TIMEOUT_NEW = 0;
export const IPCTNL_MSG_TIMEOUT_GET = 1;
export const IPCTNL_MSG_TIMEOUT_DELETE = 2;
export const IPCTNL_MSG_TIMEOUT_DEFAULT_SET = 3;
export const IPCTNL_MSG_TIMEOUT_DEFAULT_GET = 4;

// libnetfilter_cttimeout's per-protocol state indexes (state attribute - 1), named as in its
// header; the SCTP heartbeat states, which it lacks, follow the same pattern.
export const NFCT_TIMEOUT_ATTR_TCP_SYN_SENT = 0;
export const NFCT_TIMEOUT_ATTR_TCP_SYN_RECV = 1;
export const NFCT_TIMEOUT_ATTR_TCP_ESTABLISHED = 2;
export const NFCT_TIMEOUT_ATTR_TCP_FIN_WAIT = 3;
export const NFCT_TIMEOUT_ATTR_TCP_CLOSE_WAIT = 4;
export const NFCT_TIMEOUT_ATTR_TCP_LAST_ACK = 5;
export const NFCT_TIMEOUT_ATTR_TCP_TIME_WAIT = 6;
export const NFCT_TIMEOUT_ATTR_TCP_CLOSE = 7;
export const NFCT_TIMEOUT_ATTR_TCP_SYN_SENT2 = 8;
export const NFCT_TIMEOUT_ATTR_TCP_RETRANS = 9;
export const NFCT_TIMEOUT_ATTR_TCP_UNACK = 10;
export const NFCT_TIMEOUT_ATTR_TCP_MAX = 11;
export const NFCT_TIMEOUT_ATTR_UDP_UNREPLIED = 0;
export const NFCT_TIMEOUT_ATTR_UDP_REPLIED = 1;
export const NFCT_TIMEOUT_ATTR_UDP_MAX = 2;
export const NFCT_TIMEOUT_ATTR_UDPLITE_UNREPLIED = 0;
export const NFCT_TIMEOUT_ATTR_UDPLITE_REPLIED = 1;
export const NFCT_TIMEOUT_ATTR_UDPLITE_MAX = 2;
export const NFCT_TIMEOUT_ATTR_ICMP = 0;
export const NFCT_TIMEOUT_ATTR_ICMP_MAX = 1;
export const NFCT_TIMEOUT_ATTR_ICMPV6 = 0;
export const NFCT_TIMEOUT_ATTR_ICMPV6_MAX = 1;
export const NFCT_TIMEOUT_ATTR_SCTP_CLOSED = 0;
export const NFCT_TIMEOUT_ATTR_SCTP_COOKIE_WAIT = 1;
export const NFCT_TIMEOUT_ATTR_SCTP_COOKIE_ECHOED = 2;
export const NFCT_TIMEOUT_ATTR_SCTP_ESTABLISHED = 3;
export const NFCT_TIMEOUT_ATTR_SCTP_SHUTDOWN_SENT = 4;
export const NFCT_TIMEOUT_ATTR_SCTP_SHUTDOWN_RECD = 5;
export const NFCT_TIMEOUT_ATTR_SCTP_SHUTDOWN_ACK_SENT = 6;
export const NFCT_TIMEOUT_ATTR_SCTP_HEARTBEAT_SENT = 7;
export const NFCT_TIMEOUT_ATTR_SCTP_HEARTBEAT_ACKED = 8;
export const NFCT_TIMEOUT_ATTR_SCTP_MAX = 9;
export const NFCT_TIMEOUT_ATTR_GRE_UNREPLIED = 0;
export const NFCT_TIMEOUT_ATTR_GRE_REPLIED = 1;
export const NFCT_TIMEOUT_ATTR_GRE_MAX = 2;
export const NFCT_TIMEOUT_ATTR_GENERIC = 0;
export const NFCT_TIMEOUT_ATTR_GENERIC_MAX = 1;
export const NFCT_TIMEOUT_ATTR_DCCP_REQUEST = 0;
export const NFCT_TIMEOUT_ATTR_DCCP_RESPOND = 1;
export const NFCT_TIMEOUT_ATTR_DCCP_PARTOPEN = 2;
export const NFCT_TIMEOUT_ATTR_DCCP_OPEN = 3;
export const NFCT_TIMEOUT_ATTR_DCCP_CLOSEREQ = 4;
export const NFCT_TIMEOUT_ATTR_DCCP_CLOSING = 5;
export const NFCT_TIMEOUT_ATTR_DCCP_TIMEWAIT = 6;
export const NFCT_TIMEOUT_ATTR_DCCP_MAX = 7;

