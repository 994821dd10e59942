// Runs the package's platform-sensitive parts and prints what they produced as one JSON object,
// for test/platforms/*.test.ts to compare across CPUs: the same script runs on the host's Node
// and on an arm64 Node under qemu-user (vitest itself cannot run there: its bundler's native
// binaries are x64 only). Plain .mjs on purpose: no TypeScript loader on any Node.
//
//   node smoke.mjs PACKAGE_DIR     (the built cttimeout package: packages/cttimeout)
// The addon comes from wherever the loader finds it (CTTIMEOUT_NATIVE_PATH picks one).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const pkg = process.argv[2];
if (!pkg) throw new Error('usage: node smoke.mjs PACKAGE_DIR');
const load = (f) => import(pathToFileURL(join(pkg, 'dist', f)).href);
const ct = await load('index.js');
const { loadNative } = await load('transport/native.js');
const fixtures = new URL('../fixtures/', import.meta.url);
const captures = JSON.parse(readFileSync(new URL('protocol-md-captures.json', fixtures), 'utf8'));
const golden = JSON.parse(readFileSync(new URL('golden.json', fixtures), 'utf8'));
const bytes = (id) => Uint8Array.from(Buffer.from(captures.find((c) => c.id === id).hex, 'hex'));
const hex = (b) => Buffer.from(b).toString('hex');
const errorOf = (f) => {
  try {
    f();
    return null;
  } catch (e) {
    return { code: e.code, field: e.field, message: e.message };
  }
};

const out = { arch: process.arch, node: process.version };

// The codec (WebAssembly): every capture decoded (as JSON, the form golden.json describes),
// every golden request encoded, every golden rejection, nfct's text.
// (Some captures are broken on purpose: their error is the result.)
out.decoded = Object.fromEntries(
  captures.map((c) => {
    try {
      return [c.id, JSON.parse(ct.decodeJson(bytes(c.id)))];
    } catch (e) {
      return [c.id, { error: { code: e.code, offset: e.offset, message: e.message } }];
    }
  }),
);
out.encoded = Object.fromEntries(golden.encode.map((c) => [c.fixture, hex(ct.encodeRequest(c.request))]));
out.encodeErrors = golden.encodeErrors.map((c) => {
  const { maxSeconds, ...request } = c.request;
  return errorOf(() => ct.encodeRequest(request, maxSeconds === undefined ? {} : { maxSeconds }));
});
out.nfct = Object.fromEntries(golden.nfct.map((c) => [c.fixture, ct.formatNfct(bytes(c.fixture)).blocks[0]]));

// The object API: build a policy as libnetfilter_cttimeout would, print it, parse it back.
const t = ct.nfctTimeoutAlloc();
ct.nfctTimeoutAttrSet(t, ct.NFCT_TIMEOUT_ATTR_NAME, 'arm-web');
ct.nfctTimeoutAttrSetU16(t, ct.NFCT_TIMEOUT_ATTR_L3PROTO, 2);
ct.nfctTimeoutAttrSetU8(t, ct.NFCT_TIMEOUT_ATTR_L4PROTO, 6);
ct.nfctTimeoutPolicyAttrSetU32(t, ct.NFCT_TIMEOUT_ATTR_TCP_ESTABLISHED, 600);
const buf = new Uint8Array(ct.MNL_SOCKET_BUFFER_SIZE);
const nlh = ct.nfctTimeoutNlmsgBuildHdr(buf, ct.IPCTNL_MSG_TIMEOUT_NEW, ct.NLM_F.REQUEST | ct.NLM_F.ACK, 42);
ct.nfctTimeoutNlmsgBuildPayload(nlh, t);
const built = nlh.bytes();
const back = ct.nfctTimeoutAlloc();
ct.nfctTimeoutNlmsgParsePayload(built, back);
const text = new Uint8Array(1024);
const n = ct.nfctTimeoutSnprintf(text, back);
out.object = {
  request: hex(built),
  name: ct.nfctTimeoutAttrGet(back, ct.NFCT_TIMEOUT_ATTR_NAME),
  established: ct.nfctTimeoutPolicyAttrGetU32(back, ct.NFCT_TIMEOUT_ATTR_TCP_ESTABLISHED),
  text: Buffer.from(text.subarray(0, n)).toString(),
};
ct.nfctTimeoutFree(t);
ct.nfctTimeoutFree(back);

// The CLI, in-process (a child process under qemu-user would cost another Node start-up):
// --dry-run's request bytes, then `decode` of them, as text and --json.
const { runCli } = await load('cli/run.js');
const cli = async (argv, stdin = '') => {
  let stdout = '';
  let stderr = '';
  const status = await runCli(argv, {
    // text, or bytes (nfct's raw name bytes)
    out: (t) => void (stdout += typeof t === 'string' ? t : Buffer.from(t).toString()),
    err: (t) => void (stderr += typeof t === 'string' ? t : Buffer.from(t).toString()),
    readStdin: async () => new TextEncoder().encode(stdin),
    stdinIsTTY: false,
    version: '0',
  });
  return { status, stdout, stderr };
};
const dryRun = await cli(['--dry-run', 'add', 'timeout', 'arm-web', 'inet', 'tcp', 'established', '100', 'close', '10']);
out.cli = { dryRun, decode: await cli(['decode'], dryRun.stdout), decodeJson: await cli(['decode', '--json'], dryRun.stdout) };

// The addon: it loads (napi registration ran), a socket of a netlink protocol qemu-user carries
// (NETLINK_ROUTE) opens and closes through its threads, and the real open reports what it got.
const binding = loadNative();
out.addon = { exports: Object.keys(binding).sort() };
const route = await binding.open({ protocol: 0 }, () => {});
if ('code' in route) out.addon.routeSocket = { code: route.code, errno: route.errno };
else {
  out.addon.routeSocket = { portId: route.portId > 0 };
  await route.close();
}
try {
  const c = await ct.CtTimeout.open();
  out.open = { ok: true, policies: (await c.list().toArray()).length };
  await c.close();
} catch (e) {
  out.open = { ok: false, code: e.code, errno: e.errno, message: e.message };
}
process.stdout.write(JSON.stringify(out));
