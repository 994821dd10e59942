//! The committed TypeScript files must be what the Rust tables render.
use std::path::PathBuf;

#[test]
fn typescript_files_are_current() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../packages/cttimeout/src/generated");
    for (name, want) in cttimeout_codec::typescript::files() {
        let path = dir.join(name);
        if std::env::var_os("UPDATE_GENERATED").is_some() {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &want).unwrap();
        }
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            have == want,
            "{} is stale: run `UPDATE_GENERATED=1 cargo test -p cttimeout-codec --test generated`",
            path.display()
        );
    }
}
