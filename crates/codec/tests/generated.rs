//! The committed TypeScript table must be what the Rust tables render.
use std::path::PathBuf;

#[test]
fn typescript_table_is_current() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../packages/cttimeout/src/generated/table.ts");
    let want = cttimeout_codec::typescript::table();
    if std::env::var_os("UPDATE_GENERATED").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "{} is stale: run `UPDATE_GENERATED=1 cargo test -p cttimeout-codec --test generated`",
        path.display()
    );
}
