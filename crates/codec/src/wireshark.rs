//! Renders `packages/cttimeout/wireshark/cttimeout.lua`: a Wireshark/tshark (>= 4.0, Lua 5.2)
//! dissector for nfnetlink cttimeout, from the same tables encode and decode use (commands,
//! attributes, families, protocols and their states, errno names). The file is committed and
//! shipped in the npm package; `cargo test` fails when it is stale
//! (`UPDATE_GENERATED=1 cargo test -p cttimeout-codec --test generated` rewrites it).
//!
//! Wireshark's netlink-netfilter dissector has no table for subsystems: it shows subsystem 8 as
//! `Data`, and it cannot be called from Lua for the other subsystems (it asserts on the private
//! data the netlink dissector passes). So the script is a postdissector: Wireshark keeps its own
//! dissection of everything, and every cttimeout message of a NETLINK_NETFILTER frame gets a
//! `cttimeout` tree with named, filterable fields (`cttimeout.name == "web"`,
//! `cttimeout.tcp.established > 3000`).

use crate::consts::{self, Command};
use crate::{errno, protocol};
use std::fmt::Write;

/// A Lua string literal.
fn q(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The Lua field variable of a state: `st_tcp_established`.
fn state_var(p: &protocol::Protocol, s: &protocol::State) -> String {
    format!("st_{}_{}", p.name, s.name.to_lowercase())
}

/// The generated Lua dissector's text.
// Over 60 lines: the dissector as one template, in the order Wireshark reads it (fields, then the dissector).
pub fn lua() -> String {
    let mut s = String::new();
    s.push_str("-- Generated from crates/codec (src/wireshark.rs) by `UPDATE_GENERATED=1 cargo test`.\n");
    s.push_str("-- Do not edit: the Rust protocol table is the one place these facts live.\n--\n");
    s.push_str(
        "-- cttimeout.lua: names every attribute, state and value of nfnetlink cttimeout messages\n\
         -- (conntrack timeout policies, NETLINK_NETFILTER subsystem 8) in Wireshark and tshark >= 4.0.\n\
         -- Use once:  tshark -X lua_script:cttimeout.lua -r capture.pcap -V\n\
         -- Install:   cp cttimeout.lua ~/.local/lib/wireshark/plugins/\n\
         -- Filter:    cttimeout.name == \"web\" && cttimeout.tcp.established > 3000\n\n",
    );
    s.push_str("local cttimeout = Proto(\"cttimeout\", \"Netlink cttimeout (nfnetlink subsystem 8)\")\n\n");

    s.push_str("local COMMANDS = {\n");
    for c in Command::ALL {
        let _ = writeln!(s, "  [{}] = {},", c as u8, q(c.kernel_name()));
    }
    s.push_str("}\nlocal SHORT = {\n");
    for c in Command::ALL {
        let _ = writeln!(s, "  [{}] = {},", c as u8, q(c.name()));
    }
    s.push_str("}\nlocal FAMILIES = {\n");
    for (n, name) in protocol::FAMILIES {
        let _ = writeln!(s, "  [{n}] = {},", q(name));
    }
    s.push_str("}\nlocal PROTOCOLS = {\n");
    for p in protocol::PROTOCOLS {
        let _ = writeln!(s, "  [{}] = {},", p.number, q(p.name));
    }
    s.push_str("}\nlocal ERRNO = {\n");
    for (n, name, _) in errno::ERRNO {
        let _ = writeln!(s, "  [{n}] = {},", q(name));
    }
    s.push_str("}\n\n");

    let attrs = [
        ("name", "stringz", "CTA_TIMEOUT_NAME", "Name", ""),
        ("l3proto", "uint16", "CTA_TIMEOUT_L3PROTO", "Family", ", base.DEC, FAMILIES"),
        ("l4proto", "uint8", "CTA_TIMEOUT_L4PROTO", "Protocol", ", base.DEC, PROTOCOLS"),
        ("data", "none", "CTA_TIMEOUT_DATA", "Timeouts", ""),
        ("use", "uint32", "CTA_TIMEOUT_USE", "Use count", ", base.DEC"),
    ];
    s.push_str(
        "local f_command = ProtoField.uint8(\"cttimeout.command\", \"Command\", base.DEC, COMMANDS)\n\
         local f_op = ProtoField.string(\"cttimeout.op\", \"Operation\")\n\
         local f_seq = ProtoField.uint32(\"cttimeout.seq\", \"Sequence\", base.DEC)\n\
         local f_portid = ProtoField.uint32(\"cttimeout.portid\", \"Port ID\", base.DEC)\n\
         local f_flags = ProtoField.uint16(\"cttimeout.flags\", \"Flags\", base.HEX)\n\
         local f_nfgen_family = ProtoField.uint8(\"cttimeout.nfgen_family\", \"nfgen_family\", base.DEC)\n\
         local f_errno = ProtoField.uint32(\"cttimeout.errno\", \"Kernel error\", base.DEC, ERRNO)\n\
         local f_attr_len = ProtoField.uint16(\"cttimeout.nla_len\", \"nla_len\", base.DEC)\n\
         local f_attr_type = ProtoField.uint16(\"cttimeout.nla_type\", \"nla_type\", base.HEX)\n\
         local f_unknown = ProtoField.bytes(\"cttimeout.unknown\", \"Unknown attribute\")\n",
    );
    for (id, ty, kernel, label, extra) in attrs {
        let _ = writeln!(
            s,
            "local f_{id} = ProtoField.{ty}(\"cttimeout.{id}\", {}{extra})",
            q(&format!("{label} ({kernel})"))
        );
    }
    s.push_str("\n-- One field per state, in seconds: cttimeout.<protocol>.<state>.\n");
    for p in protocol::PROTOCOLS {
        for st in p.states {
            let _ = writeln!(
                s,
                "local {} = ProtoField.uint32(\"cttimeout.{}.{}\", {}, base.UNIT_STRING, {{\" s\"}})",
                state_var(p, st),
                p.name,
                st.name.to_lowercase(),
                q(&format!("{} ({})", st.name, st.kernel))
            );
        }
    }
    s.push_str("\n-- States by protocol number, then nested attribute number.\nlocal STATES = {\n");
    for p in protocol::PROTOCOLS {
        let list: Vec<String> = p.states.iter().map(|st| format!("[{}] = {}", st.attr, state_var(p, st))).collect();
        let _ = writeln!(s, "  [{}] = {{ {} }},", p.number, list.join(", "));
    }
    s.push_str("}\n\ncttimeout.fields = {\n  f_command, f_op, f_seq, f_portid, f_flags, f_nfgen_family, f_errno, f_attr_len, f_attr_type, f_unknown,\n ");
    for (id, ..) in attrs {
        let _ = write!(s, " f_{id},");
    }
    s.push('\n');
    for p in protocol::PROTOCOLS {
        let list: Vec<String> = p.states.iter().map(|st| state_var(p, st)).collect();
        let _ = writeln!(s, "  {},", list.join(", "));
    }
    s.push_str("}\n\n");
    let _ = writeln!(
        s,
        "local NETLINK_NETFILTER, SUBSYS, NLMSG_ERROR = {}, {}, {}\n\
         local NLA_TYPE_MASK, NLA_F_NESTED = 0x{:x}, 0x{:x}\n\
         local A_NAME, A_L3PROTO, A_L4PROTO, A_DATA, A_USE = {}, {}, {}, {}, {}",
        consts::NETLINK_NETFILTER,
        consts::NFNL_SUBSYS_CTNETLINK_TIMEOUT,
        consts::NLMSG_ERROR,
        consts::NLA_TYPE_MASK,
        consts::NLA_F_NESTED,
        consts::CTA_TIMEOUT_NAME,
        consts::CTA_TIMEOUT_L3PROTO,
        consts::CTA_TIMEOUT_L4PROTO,
        consts::CTA_TIMEOUT_DATA,
        consts::CTA_TIMEOUT_USE,
    );
    s.push_str(LUA_BODY);
    s
}

/// The hand-written part: walking the messages and attributes (no protocol facts here).
const LUA_BODY: &str = r#"local ATTR_FIELDS = { [A_NAME] = f_name, [A_L3PROTO] = f_l3proto, [A_L4PROTO] = f_l4proto, [A_USE] = f_use }

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
"#;
