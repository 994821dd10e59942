#!/usr/bin/env bash
# Builds crates/codec for WebAssembly into packages/cttimeout/wasm/ (wasm-pack: target web,
# release, no package.json), with the toolchain bootstrap.sh prepared (common.sh decides which).
# Build output, never committed (.gitignore). Quick when nothing changed.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$root"

out=packages/cttimeout/wasm
tc=$(wasm_toolchain)
if [[ -n $tc ]]; then
  has_wasm32_std "$tc" ||
    die "no Rust toolchain with a wasm32-unknown-unknown std: the active one lacks it and '$tc' is not set up (run: bash scripts/bootstrap.sh)"
  export RUSTUP_TOOLCHAIN=$tc
  # A toolchain other than the host's gets its own target dir: sharing one would rebuild the
  # host-side build scripts back and forth between the two compilers.
  export CARGO_TARGET_DIR=$root/target/$tc
  # Debian's rustc-web links wasm with rust-lld (lld-22); with only `lld` installed, wasm-ld.
  if ! command -v rust-lld >/dev/null; then
    for l in wasm-ld /usr/lib/llvm-*/bin/wasm-ld; do
      if command -v "$l" >/dev/null; then
        CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=$(command -v "$l")
        export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER
        break
      fi
    done
  fi
else
  export CARGO_TARGET_DIR=$root/target/wasm
fi

# wasm-pack writes into a staging dir; files whose bytes did not change are not touched in
# $out, so what depends on them (tsc, vite, vitest) sees nothing new after a no-op build.
stage=$CARGO_TARGET_DIR/wasm-pack-out
rm -rf "$stage"
wasm-pack --quiet --log-level warn build crates/codec \
  --target web --release --no-pack \
  --out-dir "$stage" --out-name cttimeout_codec

# No wasm-opt. Measured on this codec (binaryen 132 from npm; rustc already runs LTO at
# opt-level 3): -O3/-Oz made the file 16-17 % smaller, but 19 KB of that was the debug `name`
# section alone; over the wire -Oz gave gzip 66,955 bytes against 67,053 for the same module
# with only the name section dropped, decoding speed was unchanged (within noise), and the
# npm package is 104 MB and takes 5-11 s per build. So: drop the name section (function
# names for stack traces; the codec does not trap) and nothing else. CTTIMEOUT_WASM_NAMES=1
# keeps it. (Not cargo's `strip = "symbols"`: that also drops the target_features section,
# and wasm-bindgen then falls back to a different ABI: no multi-value, renamed exports.)
if [[ -z ${CTTIMEOUT_WASM_NAMES:-} ]]; then
  # shellcheck disable=SC2016 # JavaScript template literal
  node -e '
    const fs = require("fs");
    const file = process.argv[1];
    const b = fs.readFileSync(file);
    const parts = [b.subarray(0, 8)];
    let p = 8;
    const leb = () => { let r = 0, s = 0, x; do { x = b[p++]; r += (x & 0x7f) * 2 ** s; s += 7; } while (x & 0x80); return r; };
    while (p < b.length) {
      const start = p, id = b[p++], len = leb(), body = p;
      let name = "";
      if (id === 0) { const n = leb(); name = b.toString("utf8", p, p + n); }
      p = body + len;
      if (!(id === 0 && name === "name")) parts.push(b.subarray(start, p));
    }
    const out = Buffer.concat(parts);
    if (!WebAssembly.validate(out)) throw new Error(`${file}: invalid after dropping the name section`);
    if (out.length !== b.length) fs.writeFileSync(file, out);
  ' "$stage/cttimeout_codec_bg.wasm"
fi

mkdir -p "$out"
changed=0
for f in "$stage"/* "$stage"/.gitignore; do
  [[ -f $f ]] || continue
  if ! cmp -s "$f" "$out/$(basename "$f")"; then
    cp "$f" "$out/.$(basename "$f").tmp" && mv -f "$out/.$(basename "$f").tmp" "$out/$(basename "$f")"
    changed=$((changed + 1))
  fi
done
for f in "$out"/*; do
  [[ -e $stage/$(basename "$f") ]] || { rm -f "$f"; changed=$((changed + 1)); }
done

echo "$out/cttimeout_codec_bg.wasm: $(stat -c %s "$out/cttimeout_codec_bg.wasm") bytes, $( ((changed)) && echo "$changed files updated" || echo unchanged) (toolchain ${tc:-$(rustup show active-toolchain 2>/dev/null | awk '{print $1}')})"
