-- Generated from crates/codec (src/wireshark.rs) by `UPDATE_GENERATED=1 cargo test`.
-- Do not edit: the Rust protocol table is the one place these facts live.
--
-- cttimeout.lua: names every attribute, state and value of nfnetlink cttimeout messages
-- (conntrack timeout policies, NETLINK_NETFILTER subsystem 8) in Wireshark and tshark >= 4.0.
-- Use once:  tshark -X lua_script:cttimeout.lua -r capture.pcap -V
-- Install:   cp cttimeout.lua ~/.local/lib/wireshark/plugins/
-- Filter:    cttimeout.name == "web" && cttimeout.tcp.established > 3000

local cttimeout = Proto("cttimeout", "Netlink cttimeout (nfnetlink subsystem 8)")

local COMMANDS = {
  [0] = "IPCTNL_MSG_TIMEOUT_NEW",
  [1] = "IPCTNL_MSG_TIMEOUT_GET",
  [2] = "IPCTNL_MSG_TIMEOUT_DELETE",
  [3] = "IPCTNL_MSG_TIMEOUT_DEFAULT_SET",
  [4] = "IPCTNL_MSG_TIMEOUT_DEFAULT_GET",
}
local SHORT = {
  [0] = "NEW",
  [1] = "GET",
  [2] = "DELETE",
  [3] = "DEFAULT_SET",
  [4] = "DEFAULT_GET",
}
local FAMILIES = {
  [2] = "inet",
  [10] = "inet6",
}
local PROTOCOLS = {
  [6] = "tcp",
  [17] = "udp",
  [136] = "udplite",
  [1] = "icmp",
  [58] = "icmpv6",
  [132] = "sctp",
  [47] = "gre",
  [255] = "generic",
  [33] = "dccp",
}
local ERRNO = {
  [1] = "EPERM",
  [2] = "ENOENT",
  [3] = "ESRCH",
  [4] = "EINTR",
  [5] = "EIO",
  [6] = "ENXIO",
  [7] = "E2BIG",
  [8] = "ENOEXEC",
  [9] = "EBADF",
  [10] = "ECHILD",
  [11] = "EAGAIN",
  [12] = "ENOMEM",
  [13] = "EACCES",
  [14] = "EFAULT",
  [15] = "ENOTBLK",
  [16] = "EBUSY",
  [17] = "EEXIST",
  [18] = "EXDEV",
  [19] = "ENODEV",
  [20] = "ENOTDIR",
  [21] = "EISDIR",
  [22] = "EINVAL",
  [23] = "ENFILE",
  [24] = "EMFILE",
  [25] = "ENOTTY",
  [26] = "ETXTBSY",
  [27] = "EFBIG",
  [28] = "ENOSPC",
  [29] = "ESPIPE",
  [30] = "EROFS",
  [31] = "EMLINK",
  [32] = "EPIPE",
  [33] = "EDOM",
  [34] = "ERANGE",
  [35] = "EDEADLK",
  [36] = "ENAMETOOLONG",
  [37] = "ENOLCK",
  [38] = "ENOSYS",
  [39] = "ENOTEMPTY",
  [40] = "ELOOP",
  [42] = "ENOMSG",
  [43] = "EIDRM",
  [44] = "ECHRNG",
  [45] = "EL2NSYNC",
  [46] = "EL3HLT",
  [47] = "EL3RST",
  [48] = "ELNRNG",
  [49] = "EUNATCH",
  [50] = "ENOCSI",
  [51] = "EL2HLT",
  [52] = "EBADE",
  [53] = "EBADR",
  [54] = "EXFULL",
  [55] = "ENOANO",
  [56] = "EBADRQC",
  [57] = "EBADSLT",
  [59] = "EBFONT",
  [60] = "ENOSTR",
  [61] = "ENODATA",
  [62] = "ETIME",
  [63] = "ENOSR",
  [64] = "ENONET",
  [65] = "ENOPKG",
  [66] = "EREMOTE",
  [67] = "ENOLINK",
  [68] = "EADV",
  [69] = "ESRMNT",
  [70] = "ECOMM",
  [71] = "EPROTO",
  [72] = "EMULTIHOP",
  [73] = "EDOTDOT",
  [74] = "EBADMSG",
  [75] = "EOVERFLOW",
  [76] = "ENOTUNIQ",
  [77] = "EBADFD",
  [78] = "EREMCHG",
  [79] = "ELIBACC",
  [80] = "ELIBBAD",
  [81] = "ELIBSCN",
  [82] = "ELIBMAX",
  [83] = "ELIBEXEC",
  [84] = "EILSEQ",
  [85] = "ERESTART",
  [86] = "ESTRPIPE",
  [87] = "EUSERS",
  [88] = "ENOTSOCK",
  [89] = "EDESTADDRREQ",
  [90] = "EMSGSIZE",
  [91] = "EPROTOTYPE",
  [92] = "ENOPROTOOPT",
  [93] = "EPROTONOSUPPORT",
  [94] = "ESOCKTNOSUPPORT",
  [95] = "EOPNOTSUPP",
  [96] = "EPFNOSUPPORT",
  [97] = "EAFNOSUPPORT",
  [98] = "EADDRINUSE",
  [99] = "EADDRNOTAVAIL",
  [100] = "ENETDOWN",
  [101] = "ENETUNREACH",
  [102] = "ENETRESET",
  [103] = "ECONNABORTED",
  [104] = "ECONNRESET",
  [105] = "ENOBUFS",
  [106] = "EISCONN",
  [107] = "ENOTCONN",
  [108] = "ESHUTDOWN",
  [109] = "ETOOMANYREFS",
  [110] = "ETIMEDOUT",
  [111] = "ECONNREFUSED",
  [112] = "EHOSTDOWN",
  [113] = "EHOSTUNREACH",
  [114] = "EALREADY",
  [115] = "EINPROGRESS",
  [116] = "ESTALE",
  [117] = "EUCLEAN",
  [118] = "ENOTNAM",
  [119] = "ENAVAIL",
  [120] = "EISNAM",
  [121] = "EREMOTEIO",
  [122] = "EDQUOT",
  [123] = "ENOMEDIUM",
  [124] = "EMEDIUMTYPE",
  [125] = "ECANCELED",
  [126] = "ENOKEY",
  [127] = "EKEYEXPIRED",
  [128] = "EKEYREVOKED",
  [129] = "EKEYREJECTED",
  [130] = "EOWNERDEAD",
  [131] = "ENOTRECOVERABLE",
  [132] = "ERFKILL",
}

local f_command = ProtoField.uint8("cttimeout.command", "Command", base.DEC, COMMANDS)
local f_op = ProtoField.string("cttimeout.op", "Operation")
local f_seq = ProtoField.uint32("cttimeout.seq", "Sequence", base.DEC)
local f_portid = ProtoField.uint32("cttimeout.portid", "Port ID", base.DEC)
local f_flags = ProtoField.uint16("cttimeout.flags", "Flags", base.HEX)
local f_nfgen_family = ProtoField.uint8("cttimeout.nfgen_family", "nfgen_family", base.DEC)
local f_errno = ProtoField.uint32("cttimeout.errno", "Kernel error", base.DEC, ERRNO)
local f_attr_len = ProtoField.uint16("cttimeout.nla_len", "nla_len", base.DEC)
local f_attr_type = ProtoField.uint16("cttimeout.nla_type", "nla_type", base.HEX)
local f_unknown = ProtoField.bytes("cttimeout.unknown", "Unknown attribute")
local f_name = ProtoField.stringz("cttimeout.name", "Name (CTA_TIMEOUT_NAME)")
local f_l3proto = ProtoField.uint16("cttimeout.l3proto", "Family (CTA_TIMEOUT_L3PROTO)", base.DEC, FAMILIES)
local f_l4proto = ProtoField.uint8("cttimeout.l4proto", "Protocol (CTA_TIMEOUT_L4PROTO)", base.DEC, PROTOCOLS)
local f_data = ProtoField.none("cttimeout.data", "Timeouts (CTA_TIMEOUT_DATA)")
local f_use = ProtoField.uint32("cttimeout.use", "Use count (CTA_TIMEOUT_USE)", base.DEC)

-- One field per state, in seconds: cttimeout.<protocol>.<state>.
local st_tcp_syn_sent = ProtoField.uint32("cttimeout.tcp.syn_sent", "SYN_SENT (CTA_TIMEOUT_TCP_SYN_SENT)", base.UNIT_STRING, {" s"})
local st_tcp_syn_recv = ProtoField.uint32("cttimeout.tcp.syn_recv", "SYN_RECV (CTA_TIMEOUT_TCP_SYN_RECV)", base.UNIT_STRING, {" s"})
local st_tcp_established = ProtoField.uint32("cttimeout.tcp.established", "ESTABLISHED (CTA_TIMEOUT_TCP_ESTABLISHED)", base.UNIT_STRING, {" s"})
local st_tcp_fin_wait = ProtoField.uint32("cttimeout.tcp.fin_wait", "FIN_WAIT (CTA_TIMEOUT_TCP_FIN_WAIT)", base.UNIT_STRING, {" s"})
local st_tcp_close_wait = ProtoField.uint32("cttimeout.tcp.close_wait", "CLOSE_WAIT (CTA_TIMEOUT_TCP_CLOSE_WAIT)", base.UNIT_STRING, {" s"})
local st_tcp_last_ack = ProtoField.uint32("cttimeout.tcp.last_ack", "LAST_ACK (CTA_TIMEOUT_TCP_LAST_ACK)", base.UNIT_STRING, {" s"})
local st_tcp_time_wait = ProtoField.uint32("cttimeout.tcp.time_wait", "TIME_WAIT (CTA_TIMEOUT_TCP_TIME_WAIT)", base.UNIT_STRING, {" s"})
local st_tcp_close = ProtoField.uint32("cttimeout.tcp.close", "CLOSE (CTA_TIMEOUT_TCP_CLOSE)", base.UNIT_STRING, {" s"})
local st_tcp_syn_sent2 = ProtoField.uint32("cttimeout.tcp.syn_sent2", "SYN_SENT2 (CTA_TIMEOUT_TCP_SYN_SENT2)", base.UNIT_STRING, {" s"})
local st_tcp_retrans = ProtoField.uint32("cttimeout.tcp.retrans", "RETRANS (CTA_TIMEOUT_TCP_RETRANS)", base.UNIT_STRING, {" s"})
local st_tcp_unacknowledged = ProtoField.uint32("cttimeout.tcp.unacknowledged", "UNACKNOWLEDGED (CTA_TIMEOUT_TCP_UNACK)", base.UNIT_STRING, {" s"})
local st_udp_unreplied = ProtoField.uint32("cttimeout.udp.unreplied", "UNREPLIED (CTA_TIMEOUT_UDP_UNREPLIED)", base.UNIT_STRING, {" s"})
local st_udp_replied = ProtoField.uint32("cttimeout.udp.replied", "REPLIED (CTA_TIMEOUT_UDP_REPLIED)", base.UNIT_STRING, {" s"})
local st_udplite_unreplied = ProtoField.uint32("cttimeout.udplite.unreplied", "UNREPLIED (CTA_TIMEOUT_UDPLITE_UNREPLIED)", base.UNIT_STRING, {" s"})
local st_udplite_replied = ProtoField.uint32("cttimeout.udplite.replied", "REPLIED (CTA_TIMEOUT_UDPLITE_REPLIED)", base.UNIT_STRING, {" s"})
local st_icmp_timeout = ProtoField.uint32("cttimeout.icmp.timeout", "TIMEOUT (CTA_TIMEOUT_ICMP_TIMEOUT)", base.UNIT_STRING, {" s"})
local st_icmpv6_timeout = ProtoField.uint32("cttimeout.icmpv6.timeout", "TIMEOUT (CTA_TIMEOUT_ICMPV6_TIMEOUT)", base.UNIT_STRING, {" s"})
local st_sctp_closed = ProtoField.uint32("cttimeout.sctp.closed", "CLOSED (CTA_TIMEOUT_SCTP_CLOSED)", base.UNIT_STRING, {" s"})
local st_sctp_cookie_wait = ProtoField.uint32("cttimeout.sctp.cookie_wait", "COOKIE_WAIT (CTA_TIMEOUT_SCTP_COOKIE_WAIT)", base.UNIT_STRING, {" s"})
local st_sctp_cookie_echoed = ProtoField.uint32("cttimeout.sctp.cookie_echoed", "COOKIE_ECHOED (CTA_TIMEOUT_SCTP_COOKIE_ECHOED)", base.UNIT_STRING, {" s"})
local st_sctp_established = ProtoField.uint32("cttimeout.sctp.established", "ESTABLISHED (CTA_TIMEOUT_SCTP_ESTABLISHED)", base.UNIT_STRING, {" s"})
local st_sctp_shutdown_sent = ProtoField.uint32("cttimeout.sctp.shutdown_sent", "SHUTDOWN_SENT (CTA_TIMEOUT_SCTP_SHUTDOWN_SENT)", base.UNIT_STRING, {" s"})
local st_sctp_shutdown_recd = ProtoField.uint32("cttimeout.sctp.shutdown_recd", "SHUTDOWN_RECD (CTA_TIMEOUT_SCTP_SHUTDOWN_RECD)", base.UNIT_STRING, {" s"})
local st_sctp_shutdown_ack_sent = ProtoField.uint32("cttimeout.sctp.shutdown_ack_sent", "SHUTDOWN_ACK_SENT (CTA_TIMEOUT_SCTP_SHUTDOWN_ACK_SENT)", base.UNIT_STRING, {" s"})
local st_sctp_heartbeat_sent = ProtoField.uint32("cttimeout.sctp.heartbeat_sent", "HEARTBEAT_SENT (CTA_TIMEOUT_SCTP_HEARTBEAT_SENT)", base.UNIT_STRING, {" s"})
local st_sctp_heartbeat_acked = ProtoField.uint32("cttimeout.sctp.heartbeat_acked", "HEARTBEAT_ACKED (CTA_TIMEOUT_SCTP_HEARTBEAT_ACKED)", base.UNIT_STRING, {" s"})
local st_gre_unreplied = ProtoField.uint32("cttimeout.gre.unreplied", "UNREPLIED (CTA_TIMEOUT_GRE_UNREPLIED)", base.UNIT_STRING, {" s"})
local st_gre_replied = ProtoField.uint32("cttimeout.gre.replied", "REPLIED (CTA_TIMEOUT_GRE_REPLIED)", base.UNIT_STRING, {" s"})
local st_generic_timeout = ProtoField.uint32("cttimeout.generic.timeout", "TIMEOUT (CTA_TIMEOUT_GENERIC_TIMEOUT)", base.UNIT_STRING, {" s"})
local st_dccp_request = ProtoField.uint32("cttimeout.dccp.request", "REQUEST (CTA_TIMEOUT_DCCP_REQUEST)", base.UNIT_STRING, {" s"})
local st_dccp_respond = ProtoField.uint32("cttimeout.dccp.respond", "RESPOND (CTA_TIMEOUT_DCCP_RESPOND)", base.UNIT_STRING, {" s"})
local st_dccp_partopen = ProtoField.uint32("cttimeout.dccp.partopen", "PARTOPEN (CTA_TIMEOUT_DCCP_PARTOPEN)", base.UNIT_STRING, {" s"})
local st_dccp_open = ProtoField.uint32("cttimeout.dccp.open", "OPEN (CTA_TIMEOUT_DCCP_OPEN)", base.UNIT_STRING, {" s"})
local st_dccp_closereq = ProtoField.uint32("cttimeout.dccp.closereq", "CLOSEREQ (CTA_TIMEOUT_DCCP_CLOSEREQ)", base.UNIT_STRING, {" s"})
local st_dccp_closing = ProtoField.uint32("cttimeout.dccp.closing", "CLOSING (CTA_TIMEOUT_DCCP_CLOSING)", base.UNIT_STRING, {" s"})
local st_dccp_timewait = ProtoField.uint32("cttimeout.dccp.timewait", "TIMEWAIT (CTA_TIMEOUT_DCCP_TIMEWAIT)", base.UNIT_STRING, {" s"})

-- States by protocol number, then nested attribute number.
local STATES = {
  [6] = { [1] = st_tcp_syn_sent, [2] = st_tcp_syn_recv, [3] = st_tcp_established, [4] = st_tcp_fin_wait, [5] = st_tcp_close_wait, [6] = st_tcp_last_ack, [7] = st_tcp_time_wait, [8] = st_tcp_close, [9] = st_tcp_syn_sent2, [10] = st_tcp_retrans, [11] = st_tcp_unacknowledged },
  [17] = { [1] = st_udp_unreplied, [2] = st_udp_replied },
  [136] = { [1] = st_udplite_unreplied, [2] = st_udplite_replied },
  [1] = { [1] = st_icmp_timeout },
  [58] = { [1] = st_icmpv6_timeout },
  [132] = { [1] = st_sctp_closed, [2] = st_sctp_cookie_wait, [3] = st_sctp_cookie_echoed, [4] = st_sctp_established, [5] = st_sctp_shutdown_sent, [6] = st_sctp_shutdown_recd, [7] = st_sctp_shutdown_ack_sent, [8] = st_sctp_heartbeat_sent, [9] = st_sctp_heartbeat_acked },
  [47] = { [1] = st_gre_unreplied, [2] = st_gre_replied },
  [255] = { [1] = st_generic_timeout },
  [33] = { [1] = st_dccp_request, [2] = st_dccp_respond, [3] = st_dccp_partopen, [4] = st_dccp_open, [5] = st_dccp_closereq, [6] = st_dccp_closing, [7] = st_dccp_timewait },
}

cttimeout.fields = {
  f_command, f_op, f_seq, f_portid, f_flags, f_nfgen_family, f_errno, f_attr_len, f_attr_type, f_unknown,
  f_name, f_l3proto, f_l4proto, f_data, f_use,
  st_tcp_syn_sent, st_tcp_syn_recv, st_tcp_established, st_tcp_fin_wait, st_tcp_close_wait, st_tcp_last_ack, st_tcp_time_wait, st_tcp_close, st_tcp_syn_sent2, st_tcp_retrans, st_tcp_unacknowledged,
  st_udp_unreplied, st_udp_replied,
  st_udplite_unreplied, st_udplite_replied,
  st_icmp_timeout,
  st_icmpv6_timeout,
  st_sctp_closed, st_sctp_cookie_wait, st_sctp_cookie_echoed, st_sctp_established, st_sctp_shutdown_sent, st_sctp_shutdown_recd, st_sctp_shutdown_ack_sent, st_sctp_heartbeat_sent, st_sctp_heartbeat_acked,
  st_gre_unreplied, st_gre_replied,
  st_generic_timeout,
  st_dccp_request, st_dccp_respond, st_dccp_partopen, st_dccp_open, st_dccp_closereq, st_dccp_closing, st_dccp_timewait,
}

local NETLINK_NETFILTER, SUBSYS, NLMSG_ERROR = 12, 8, 2
local NLA_TYPE_MASK, NLA_F_NESTED = 0x3fff, 0x8000
local A_NAME, A_L3PROTO, A_L4PROTO, A_DATA, A_USE = 1, 2, 3, 4, 5
local ATTR_FIELDS = { [A_NAME] = f_name, [A_L3PROTO] = f_l3proto, [A_L4PROTO] = f_l4proto, [A_USE] = f_use }

local function human(v)
  if v < 60 then return "" end
  local parts, left = {}, v
  for _, u in ipairs({ { 86400, "d" }, { 3600, "h" }, { 60, "min" }, { 1, "s" } }) do
    if left >= u[1] then
      parts[#parts + 1] = string.format("%d %s", math.floor(left / u[1]), u[2])
      left = left % u[1]
    end
  end
  return " (" .. table.concat(parts, " ") .. ")"
end

-- Calls fn(at, len, type, payload_at) for each attribute in [from, to); false when one is cut.
local function each_attr(tvb, from, to, fn)
  local at = from
  while at + 4 <= to do
    local len = tvb(at, 2):le_uint()
    if len < 4 or at + len > to then return false, at end
    fn(at, len, tvb(at + 2, 2):le_uint(), at + 4)
    at = at + math.floor((len + 3) / 4) * 4
  end
  return at >= to, at
end

local function attr_tree(tree, tvb, at, len, field, label)
  local t = field and tree:add(field, tvb(at + 4, len - 4)) or tree:add(tvb(at, len), label)
  t:add_le(f_attr_len, tvb(at, 2))
  t:add_le(f_attr_type, tvb(at + 2, 2))
  return t
end

local function dissect_data(tree, tvb, at, len, l4)
  local t = attr_tree(tree, tvb, at, len, f_data)
  local states = STATES[l4]
  if not states then t:append_text(" (protocol unknown: states not named)") end
  each_attr(tvb, at + 4, at + len, function(a, alen, ty)
    local field = states and states[bit32.band(ty, NLA_TYPE_MASK)]
    if field and alen == 8 then
      local v = tvb(a + 4, 4):uint()
      attr_tree(t, tvb, a, alen, field):append_text(human(v))
    else
      attr_tree(t, tvb, a, alen, nil, "Unknown state attribute " .. bit32.band(ty, NLA_TYPE_MASK))
    end
  end)
end

-- One cttimeout message (nlmsghdr at `at`, `len` bytes): its tree and an Info summary.
local function dissect_message(root, tvb, at, len)
  local ty, flags = tvb(at + 4, 2):le_uint(), tvb(at + 6, 2):le_uint()
  local cmd = bit32.band(ty, 0xff)
  local tree = root:add(cttimeout, tvb(at, len))
  tree:add(f_command, tvb(at + 4, 1))
  tree:add(f_op, tvb(at + 4, 2), SHORT[cmd] or ("command " .. cmd))
  tree:add_le(f_flags, tvb(at + 6, 2))
  tree:add_le(f_seq, tvb(at + 8, 4))
  tree:add_le(f_portid, tvb(at + 12, 4))
  local summary = { SHORT[cmd] or ("command " .. cmd) }
  if len < 20 then return table.concat(summary, " ") end
  tree:add(f_nfgen_family, tvb(at + 16, 1))
  local l4
  each_attr(tvb, at + 20, at + len, function(a, alen, aty)
    if bit32.band(aty, NLA_TYPE_MASK) == A_L4PROTO and alen >= 5 then l4 = tvb(a + 4, 1):uint() end
  end)
  local ok = each_attr(tvb, at + 20, at + len, function(a, alen, aty)
    local n = bit32.band(aty, NLA_TYPE_MASK)
    if n == A_DATA and bit32.band(aty, NLA_F_NESTED) ~= 0 then
      dissect_data(tree, tvb, a, alen, l4)
    elseif ATTR_FIELDS[n] and alen > 4 then
      attr_tree(tree, tvb, a, alen, ATTR_FIELDS[n])
      if n == A_NAME then summary[#summary + 1] = tvb(a + 4, alen - 4):stringz() end
      if n == A_L4PROTO then summary[#summary + 1] = PROTOCOLS[l4] or ("l4 " .. l4) end
    else
      attr_tree(tree, tvb, a, alen, f_unknown)
    end
  end)
  if not ok then tree:add_expert_info(PI_MALFORMED, PI_ERROR, "attribute runs past the end of the message") end
  tree:append_text(": " .. table.concat(summary, " "))
  return table.concat(summary, " ")
end

-- An NLMSG_ERROR echoing a cttimeout request: the errno by name.
local function dissect_error(root, tvb, at, len)
  local e = -tvb(at + 16, 4):le_int()
  local tree = root:add(cttimeout, tvb(at, len))
  tree:add_le(f_seq, tvb(at + 8, 4))
  tree:add(f_errno, tvb(at + 16, 4), e)
  local text = (e == 0 and "ACK" or (ERRNO[e] or ("errno " .. e))) .. " for " .. (SHORT[tvb(at + 24, 1):uint()] or "?")
  tree:append_text(": " .. text)
  return text
end

function cttimeout.dissector(tvb, pinfo, root)
  -- LINKTYPE_NETLINK: a 16-byte cooked header, ARPHRD_NETLINK (824), the family last.
  if tvb:len() < 32 or tvb(2, 2):uint() ~= 824 or tvb(14, 2):uint() ~= NETLINK_NETFILTER then return end
  local at, info = 16, {}
  while at + 16 <= tvb:len() do
    local len = tvb(at, 4):le_uint()
    if len < 16 or at + len > tvb:len() then break end
    local ty = tvb(at + 4, 2):le_uint()
    if bit32.rshift(ty, 8) == SUBSYS then
      info[#info + 1] = dissect_message(root, tvb, at, len)
    elseif ty == NLMSG_ERROR and len >= 36 and bit32.rshift(tvb(at + 24, 2):le_uint(), 8) == SUBSYS then
      info[#info + 1] = dissect_error(root, tvb, at, len)
    end
    at = at + math.floor((len + 3) / 4) * 4
  end
  if #info > 0 then
    pinfo.cols.protocol = "cttimeout"
    pinfo.cols.info = table.concat(info, ", ")
  end
end

register_postdissector(cttimeout)
