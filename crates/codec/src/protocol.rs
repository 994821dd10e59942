//! The protocol table: every fact about the L4 protocols cttimeout knows.
//!
//! One row per protocol: its IP protocol number, the name users type, and its states in
//! nested-attribute order (attribute number = index + 1) with the name nfct prints, the kernel's
//! `CTA_TIMEOUT_*` name and the kernel default (seconds, Linux 6.18). Encoding, decoding,
//! formatting, the inspector and the generated TypeScript types all read this table.

/// One conntrack state of a protocol, i.e. one attribute inside `CTA_TIMEOUT_DATA`.
#[derive(Debug, PartialEq, Eq)]
pub struct State {
    /// Nested attribute number (1-based); the C library's index is `attr - 1`.
    pub attr: u16,
    /// Name as `nfct` / `nfct_timeout_snprintf` print it and as nfct's parser accepts it.
    pub name: &'static str,
    /// The kernel's enum name.
    pub kernel: &'static str,
    /// Kernel default in seconds (Linux 6.18, fresh network namespace).
    pub default: u32,
    /// Whether libnetfilter_cttimeout 1.0.1 (and so nfct) knows this state. nfct prints and
    /// accepts only these; the SCTP heartbeat states are the exception.
    pub nfct: bool,
}

/// One L4 protocol with a conntrack timeout table.
#[derive(Debug, PartialEq, Eq)]
pub struct Protocol {
    /// IP protocol number as sent in `CTA_TIMEOUT_L4PROTO` (generic = 255).
    pub number: u8,
    /// Name as users type it (nfct's words; lower case).
    pub name: &'static str,
    /// Other spellings accepted on input: /etc/protocols names and aliases, which nfct
    /// resolves with getprotobyname.
    pub aliases: &'static [&'static str],
    /// States in attribute order.
    pub states: &'static [State],
    /// Which kernels have a tracker for it, when not all current ones do.
    pub availability: Option<&'static str>,
}

impl Protocol {
    /// The state with this nested attribute number.
    pub fn state(&self, attr: u16) -> Option<&'static State> {
        let i = usize::from(attr).checked_sub(1)?;
        self.states.get(i)
    }

    /// The state with this name, compared case-insensitively like nfct.
    pub fn state_by_name(&self, name: &str) -> Option<&'static State> {
        self.states.iter().find(|s| s.name.eq_ignore_ascii_case(name))
    }

    /// Highest nested attribute number.
    pub fn max_attr(&self) -> u16 {
        self.states.len() as u16
    }
}

const fn st(attr: u16, name: &'static str, kernel: &'static str, default: u32) -> State {
    State { attr, name, kernel, default, nfct: true }
}

/// Largest state count of any protocol (TCP).
pub const MAX_STATES: usize = 11;

pub static GENERIC: Protocol = Protocol {
    aliases: &[],
    number: 255,
    name: "generic",
    states: &[st(1, "TIMEOUT", "CTA_TIMEOUT_GENERIC_TIMEOUT", 600)],
    availability: None,
};

pub static TCP: Protocol = Protocol {
    aliases: &["TCP"],
    number: 6,
    name: "tcp",
    states: &[
        st(1, "SYN_SENT", "CTA_TIMEOUT_TCP_SYN_SENT", 120),
        st(2, "SYN_RECV", "CTA_TIMEOUT_TCP_SYN_RECV", 60),
        st(3, "ESTABLISHED", "CTA_TIMEOUT_TCP_ESTABLISHED", 432000),
        st(4, "FIN_WAIT", "CTA_TIMEOUT_TCP_FIN_WAIT", 120),
        st(5, "CLOSE_WAIT", "CTA_TIMEOUT_TCP_CLOSE_WAIT", 60),
        st(6, "LAST_ACK", "CTA_TIMEOUT_TCP_LAST_ACK", 30),
        st(7, "TIME_WAIT", "CTA_TIMEOUT_TCP_TIME_WAIT", 120),
        st(8, "CLOSE", "CTA_TIMEOUT_TCP_CLOSE", 10),
        st(9, "SYN_SENT2", "CTA_TIMEOUT_TCP_SYN_SENT2", 120),
        st(10, "RETRANS", "CTA_TIMEOUT_TCP_RETRANS", 300),
        st(11, "UNACKNOWLEDGED", "CTA_TIMEOUT_TCP_UNACK", 300),
    ],
    availability: None,
};

pub static UDP: Protocol = Protocol {
    aliases: &["UDP"],
    number: 17,
    name: "udp",
    states: &[st(1, "UNREPLIED", "CTA_TIMEOUT_UDP_UNREPLIED", 30), st(2, "REPLIED", "CTA_TIMEOUT_UDP_REPLIED", 120)],
    availability: None,
};

pub static UDPLITE: Protocol = Protocol {
    aliases: &["UDPLite"],
    number: 136,
    name: "udplite",
    states: &[
        st(1, "UNREPLIED", "CTA_TIMEOUT_UDPLITE_UNREPLIED", 30),
        st(2, "REPLIED", "CTA_TIMEOUT_UDPLITE_REPLIED", 120),
    ],
    availability: Some("reported removed in Linux 7.1; shares UDP's default table"),
};

pub static ICMP: Protocol = Protocol {
    aliases: &["ICMP"],
    number: 1,
    name: "icmp",
    states: &[st(1, "TIMEOUT", "CTA_TIMEOUT_ICMP_TIMEOUT", 30)],
    availability: None,
};

pub static ICMPV6: Protocol = Protocol {
    aliases: &["ipv6-icmp", "IPv6-ICMP"],
    number: 58,
    name: "icmpv6",
    states: &[st(1, "TIMEOUT", "CTA_TIMEOUT_ICMPV6_TIMEOUT", 30)],
    availability: Some("needs CONFIG_IPV6"),
};

pub static SCTP: Protocol = Protocol {
    aliases: &["SCTP"],
    number: 132,
    name: "sctp",
    states: &[
        st(1, "CLOSED", "CTA_TIMEOUT_SCTP_CLOSED", 10),
        st(2, "COOKIE_WAIT", "CTA_TIMEOUT_SCTP_COOKIE_WAIT", 3),
        st(3, "COOKIE_ECHOED", "CTA_TIMEOUT_SCTP_COOKIE_ECHOED", 3),
        st(4, "ESTABLISHED", "CTA_TIMEOUT_SCTP_ESTABLISHED", 210),
        st(5, "SHUTDOWN_SENT", "CTA_TIMEOUT_SCTP_SHUTDOWN_SENT", 3),
        st(6, "SHUTDOWN_RECD", "CTA_TIMEOUT_SCTP_SHUTDOWN_RECD", 3),
        st(7, "SHUTDOWN_ACK_SENT", "CTA_TIMEOUT_SCTP_SHUTDOWN_ACK_SENT", 3),
        // Added in Linux 4.3; the C library and nfct never learnt them.
        State { attr: 8, name: "HEARTBEAT_SENT", kernel: "CTA_TIMEOUT_SCTP_HEARTBEAT_SENT", default: 30, nfct: false },
        // Unused since Linux 6.3 but still stored and reported.
        State { attr: 9, name: "HEARTBEAT_ACKED", kernel: "CTA_TIMEOUT_SCTP_HEARTBEAT_ACKED", default: 0, nfct: false },
    ],
    availability: None,
};

pub static GRE: Protocol = Protocol {
    aliases: &["GRE"],
    number: 47,
    name: "gre",
    states: &[st(1, "UNREPLIED", "CTA_TIMEOUT_GRE_UNREPLIED", 30), st(2, "REPLIED", "CTA_TIMEOUT_GRE_REPLIED", 180)],
    availability: Some("needs CONFIG_NF_CT_PROTO_GRE"),
};

pub static DCCP: Protocol = Protocol {
    aliases: &["DCCP"],
    number: 33,
    name: "dccp",
    states: &[
        st(1, "REQUEST", "CTA_TIMEOUT_DCCP_REQUEST", 240),
        st(2, "RESPOND", "CTA_TIMEOUT_DCCP_RESPOND", 480),
        st(3, "PARTOPEN", "CTA_TIMEOUT_DCCP_PARTOPEN", 480),
        st(4, "OPEN", "CTA_TIMEOUT_DCCP_OPEN", 43200),
        st(5, "CLOSEREQ", "CTA_TIMEOUT_DCCP_CLOSEREQ", 64),
        st(6, "CLOSING", "CTA_TIMEOUT_DCCP_CLOSING", 64),
        st(7, "TIMEWAIT", "CTA_TIMEOUT_DCCP_TIMEWAIT", 240),
    ],
    availability: Some("tracker removed in Linux 6.17 (EOPNOTSUPP there); kept to decode older kernels"),
};

/// Every protocol, in the order the docs and the generated TypeScript list them.
pub static PROTOCOLS: &[&Protocol] = &[&TCP, &UDP, &UDPLITE, &ICMP, &ICMPV6, &SCTP, &GRE, &GENERIC, &DCCP];

/// The protocol with this IP protocol number.
pub fn by_number(number: u8) -> Option<&'static Protocol> {
    // A match rather than a search: this is on the encode and decode hot paths. The test
    // `by_number_agrees_with_the_table` keeps it in step with PROTOCOLS.
    match number {
        6 => Some(&TCP),
        17 => Some(&UDP),
        136 => Some(&UDPLITE),
        1 => Some(&ICMP),
        58 => Some(&ICMPV6),
        132 => Some(&SCTP),
        47 => Some(&GRE),
        255 => Some(&GENERIC),
        33 => Some(&DCCP),
        _ => None,
    }
}

/// The protocol with this name or alias.
pub fn by_name(name: &str) -> Option<&'static Protocol> {
    PROTOCOLS.iter().copied().find(|p| p.name == name || p.aliases.contains(&name))
}

/// Address families cttimeout policies carry in `CTA_TIMEOUT_L3PROTO`.
pub static FAMILIES: &[(u16, &str)] = &[(2, "inet"), (10, "inet6")];

/// The protocols as help and messages list them: `tcp udp ... icmpv6 (or ipv6-icmp) ...`,
/// with the lower-case aliases that are more than another spelling of the name.
pub fn known_text() -> String {
    let words: Vec<String> = PROTOCOLS
        .iter()
        .map(|p| {
            let other: Vec<&str> = p
                .aliases
                .iter()
                .copied()
                .filter(|a| !a.eq_ignore_ascii_case(p.name) && *a == a.to_lowercase())
                .collect();
            if other.is_empty() {
                p.name.to_string()
            } else {
                format!("{} (or {})", p.name, other.join(", "))
            }
        })
        .collect();
    words.join(" ")
}

/// Family name for an l3proto number.
pub fn family_name(l3proto: u16) -> Option<&'static str> {
    FAMILIES.iter().find(|(n, _)| *n == l3proto).map(|(_, s)| *s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_are_dense_and_one_based() {
        for p in PROTOCOLS {
            assert!(p.states.len() <= MAX_STATES, "{}", p.name);
            for (i, s) in p.states.iter().enumerate() {
                assert_eq!(usize::from(s.attr), i + 1, "{} {}", p.name, s.name);
            }
        }
    }

    #[test]
    fn defaults_match_protocol_md_4_11() {
        let d = |p: &Protocol| p.states.iter().map(|s| s.default).collect::<Vec<_>>();
        assert_eq!(d(&TCP), [120, 60, 432000, 120, 60, 30, 120, 10, 120, 300, 300]);
        assert_eq!(d(&UDP), [30, 120]);
        assert_eq!(d(&UDPLITE), [30, 120]);
        assert_eq!(d(&ICMP), [30]);
        assert_eq!(d(&ICMPV6), [30]);
        assert_eq!(d(&SCTP), [10, 3, 3, 210, 3, 3, 3, 30, 0]);
        assert_eq!(d(&GRE), [30, 180]);
        assert_eq!(d(&GENERIC), [600]);
        assert_eq!(d(&DCCP), [240, 480, 480, 43200, 64, 64, 240]);
    }

    #[test]
    fn by_number_agrees_with_the_table() {
        for n in 0..=255u8 {
            assert_eq!(by_number(n), PROTOCOLS.iter().copied().find(|p| p.number == n), "protocol {n}");
        }
    }

    #[test]
    fn lookups() {
        assert_eq!(by_number(6), Some(&TCP));
        assert_eq!(by_number(50), None);
        assert_eq!(by_name("ipv6-icmp"), Some(&ICMPV6));
        assert_eq!(TCP.state_by_name("unacknowledged").map(|s| s.attr), Some(11));
        assert_eq!(SCTP.state(9).map(|s| s.name), Some("HEARTBEAT_ACKED"));
        assert_eq!(TCP.state(0), None);
        assert_eq!(TCP.state(12), None);
    }
}
