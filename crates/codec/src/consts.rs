//! Netlink, nfnetlink and cttimeout numbers (linux/netlink.h, linux/netfilter/nfnetlink.h,
//! linux/netfilter/nfnetlink_cttimeout.h). Values are checked against PROTOCOL.md §1–§3.

pub const NETLINK_NETFILTER: i32 = 12;

pub const NLMSG_HDRLEN: usize = 16;
pub const NLMSG_ALIGNTO: usize = 4;
pub const NLA_HDRLEN: usize = 4;
pub const NFGENMSG_LEN: usize = 4;

pub const NLMSG_NOOP: u16 = 1;
pub const NLMSG_ERROR: u16 = 2;
pub const NLMSG_DONE: u16 = 3;
pub const NLMSG_OVERRUN: u16 = 4;

pub const NLM_F_REQUEST: u16 = 0x01;
pub const NLM_F_MULTI: u16 = 0x02;
pub const NLM_F_ACK: u16 = 0x04;
pub const NLM_F_ECHO: u16 = 0x08;
pub const NLM_F_DUMP_INTR: u16 = 0x10;
pub const NLM_F_DUMP_FILTERED: u16 = 0x20;
// GET requests
pub const NLM_F_ROOT: u16 = 0x100;
pub const NLM_F_MATCH: u16 = 0x200;
pub const NLM_F_ATOMIC: u16 = 0x400;
pub const NLM_F_DUMP: u16 = NLM_F_ROOT | NLM_F_MATCH;
// NEW requests
pub const NLM_F_REPLACE: u16 = 0x100;
pub const NLM_F_EXCL: u16 = 0x200;
pub const NLM_F_CREATE: u16 = 0x400;
pub const NLM_F_APPEND: u16 = 0x800;
// ACK / ERROR replies
pub const NLM_F_CAPPED: u16 = 0x100;
pub const NLM_F_ACK_TLVS: u16 = 0x200;

pub const NLA_F_NESTED: u16 = 0x8000;
pub const NLA_F_NET_BYTEORDER: u16 = 0x4000;
pub const NLA_TYPE_MASK: u16 = 0x3fff;

pub const NFNETLINK_V0: u8 = 0;
pub const NFNL_SUBSYS_CTNETLINK_TIMEOUT: u8 = 8;

pub const CTA_TIMEOUT_NAME: u16 = 1;
pub const CTA_TIMEOUT_L3PROTO: u16 = 2;
pub const CTA_TIMEOUT_L4PROTO: u16 = 3;
pub const CTA_TIMEOUT_DATA: u16 = 4;
pub const CTA_TIMEOUT_USE: u16 = 5;

/// Name buffer size including the NUL: names have at most 31 characters.
pub const CTNL_TIMEOUT_NAME_MAX: usize = 32;
pub const NAME_MAX_CHARS: usize = CTNL_TIMEOUT_NAME_MAX - 1;

pub const NLMSGERR_ATTR_MSG: u16 = 1;
pub const NLMSGERR_ATTR_OFFS: u16 = 2;
pub const NLMSGERR_ATTR_COOKIE: u16 = 3;
pub const NLMSGERR_ATTR_POLICY: u16 = 4;
pub const NLMSGERR_ATTR_MISS_TYPE: u16 = 5;
pub const NLMSGERR_ATTR_MISS_NEST: u16 = 6;

/// `struct nlattr` types inside `NLMSGERR_ATTR_POLICY` (enum netlink_policy_type_attr).
pub static POLICY_ATTRS: &[(u16, &str)] = &[
    (1, "type"),
    (2, "minValueS"),
    (3, "maxValueS"),
    (4, "minValueU"),
    (5, "maxValueU"),
    (6, "minLength"),
    (7, "maxLength"),
    (8, "policyIdx"),
    (9, "policyMaxtype"),
    (10, "bitfield32Mask"),
    (11, "pad"),
    (12, "mask"),
];

/// enum netlink_attribute_type, as reported in the policy's `type`.
pub static POLICY_TYPES: &[&str] = &[
    "INVALID",
    "FLAG",
    "U8",
    "U16",
    "U32",
    "U64",
    "S8",
    "S16",
    "S32",
    "S64",
    "BINARY",
    "STRING",
    "NUL_STRING",
    "NESTED",
    "NESTED_ARRAY",
    "BITFIELD32",
    "SINT",
    "UINT",
];

/// Round up to the netlink alignment (4). Saturates instead of overflowing.
pub const fn align(len: usize) -> usize {
    len.saturating_add(NLMSG_ALIGNTO - 1) & !(NLMSG_ALIGNTO - 1)
}

/// The five cttimeout commands (low byte of `nlmsg_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Command {
    New = 0,
    Get = 1,
    Delete = 2,
    DefaultSet = 3,
    DefaultGet = 4,
}

impl Command {
    pub const ALL: [Command; 5] =
        [Command::New, Command::Get, Command::Delete, Command::DefaultSet, Command::DefaultGet];

    pub fn from_u8(v: u8) -> Option<Command> {
        Self::ALL.get(usize::from(v)).copied()
    }

    /// Short name used in JSON and the TypeScript types.
    pub fn name(self) -> &'static str {
        match self {
            Command::New => "NEW",
            Command::Get => "GET",
            Command::Delete => "DELETE",
            Command::DefaultSet => "DEFAULT_SET",
            Command::DefaultGet => "DEFAULT_GET",
        }
    }

    /// The kernel's name.
    pub fn kernel_name(self) -> &'static str {
        match self {
            Command::New => "IPCTNL_MSG_TIMEOUT_NEW",
            Command::Get => "IPCTNL_MSG_TIMEOUT_GET",
            Command::Delete => "IPCTNL_MSG_TIMEOUT_DELETE",
            Command::DefaultSet => "IPCTNL_MSG_TIMEOUT_DEFAULT_SET",
            Command::DefaultGet => "IPCTNL_MSG_TIMEOUT_DEFAULT_GET",
        }
    }

    /// `nlmsg_type` for this command.
    pub fn msg_type(self) -> u16 {
        (u16::from(NFNL_SUBSYS_CTNETLINK_TIMEOUT) << 8) | self as u16
    }
}

/// Names of the flags set in `flags`, read the way the message type gives them meaning
/// (GET requests: ROOT/MATCH; NEW requests: REPLACE/EXCL/CREATE; ACK/ERROR: CAPPED/ACK_TLVS).
pub fn flag_names(msg_type: u16, flags: u16) -> Vec<&'static str> {
    let mut out = Vec::new();
    let common: [(u16, &str); 6] = [
        (NLM_F_REQUEST, "REQUEST"),
        (NLM_F_MULTI, "MULTI"),
        (NLM_F_ACK, "ACK"),
        (NLM_F_ECHO, "ECHO"),
        (NLM_F_DUMP_INTR, "DUMP_INTR"),
        (NLM_F_DUMP_FILTERED, "DUMP_FILTERED"),
    ];
    let request = flags & NLM_F_REQUEST != 0;
    let cmd = if msg_type >> 8 == u16::from(NFNL_SUBSYS_CTNETLINK_TIMEOUT) {
        Command::from_u8((msg_type & 0xff) as u8)
    } else {
        None
    };
    let high: &[(u16, &str)] = if msg_type == NLMSG_ERROR {
        &[(NLM_F_CAPPED, "CAPPED"), (NLM_F_ACK_TLVS, "ACK_TLVS")]
    } else if request && matches!(cmd, Some(Command::Get) | Some(Command::DefaultGet)) {
        &[(NLM_F_ROOT, "ROOT"), (NLM_F_MATCH, "MATCH"), (NLM_F_ATOMIC, "ATOMIC")]
    } else if request {
        &[(NLM_F_REPLACE, "REPLACE"), (NLM_F_EXCL, "EXCL"), (NLM_F_CREATE, "CREATE"), (NLM_F_APPEND, "APPEND")]
    } else {
        &[]
    };
    let mut known = 0u16;
    for (bit, name) in common.iter().chain(high.iter()) {
        known |= bit;
        if flags & bit != 0 {
            out.push(*name);
        }
    }
    if flags & !known != 0 {
        out.push("?");
    }
    out
}

/// Human name of an `nlmsg_type`.
pub fn msg_type_name(msg_type: u16) -> String {
    match msg_type {
        NLMSG_NOOP => "NLMSG_NOOP".into(),
        NLMSG_ERROR => "NLMSG_ERROR".into(),
        NLMSG_DONE => "NLMSG_DONE".into(),
        NLMSG_OVERRUN => "NLMSG_OVERRUN".into(),
        t if t >> 8 == u16::from(NFNL_SUBSYS_CTNETLINK_TIMEOUT) => match Command::from_u8((t & 0xff) as u8) {
            Some(c) => c.kernel_name().into(),
            None => format!("cttimeout command {}", t & 0xff),
        },
        t if t >= 0x100 => format!("nfnetlink subsystem {} message {}", t >> 8, t & 0xff),
        t => format!("netlink control message {t}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flag_names_follow_message_kind() {
        assert_eq!(flag_names(0x0800, 0x0405), ["REQUEST", "ACK", "CREATE"]);
        assert_eq!(flag_names(0x0801, 0x0301), ["REQUEST", "ROOT", "MATCH"]);
        assert_eq!(flag_names(NLMSG_ERROR, 0x0100), ["CAPPED"]);
        assert_eq!(flag_names(0x0800, 0x0002), ["MULTI"]);
        assert_eq!(flag_names(0x0800, 0x1002), ["MULTI", "?"]);
    }

    #[test]
    fn align_rounds_up() {
        assert_eq!(align(0), 0);
        assert_eq!(align(5), 8);
        assert_eq!(align(8), 8);
        assert_eq!(align(usize::MAX), usize::MAX & !3);
    }
}
