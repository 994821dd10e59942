//! The Wireshark dissector names every state (that it is current: tests/generated.rs).

#[test]
fn lua_names_every_state_of_every_protocol() {
    let lua = cttimeout_codec::wireshark::lua();
    for p in cttimeout_codec::protocol::PROTOCOLS {
        for s in p.states {
            let field = format!("\"cttimeout.{}.{}\"", p.name, s.name.to_lowercase());
            assert!(lua.contains(&field), "{field} missing");
            assert!(lua.contains(s.kernel), "{} missing", s.kernel);
        }
    }
}
