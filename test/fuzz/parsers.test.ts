// Property/fuzz harnesses for the TypeScript parsers: policy files (cli/policy-file.ts), the
// capture readers (hex, strace, pcap, pcapng) and the CLI's argument parser (cli/options.ts +
// cli/nfct.ts). Each takes any input and either returns a result or fails with the project's
// own error that says where; never a TypeError, never a hang. `npm test` runs a few thousand
// cases each; `bash scripts/fuzz.sh SECONDS` runs them for that long (CTTIMEOUT_FUZZ_SECONDS)
// and prints the cases run.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
// Name rules are the codec's (WebAssembly): load it as the CLI does.
import '../../packages/cttimeout/src/codec/node.js';
import { readCapture, readPcap, writePcap, type Capture, type Datagram } from '../../packages/cttimeout/src/capture/index.js';
import { MAX_DATAGRAM_BYTES } from '../../packages/cttimeout/src/capture/util.js';
import { extractOptions } from '../../packages/cttimeout/src/cli/options.js';
import { NFCT_COMMANDS, parseNfct } from '../../packages/cttimeout/src/cli/nfct.js';
import { readPolicyFile } from '../../packages/cttimeout/src/cli/policy-file.js';
import { CliError } from '../../packages/cttimeout/src/cli/strict.js';
import { CtTimeoutError } from '../../packages/cttimeout/src/errors.js';
import { PROTOCOLS } from '../../packages/cttimeout/src/generated/table.js';
import { bytes, captures } from '../helpers/fixtures.js';

const seconds = Number(process.env.CTTIMEOUT_FUZZ_SECONDS ?? 0);
/** Short in npm test; with CTTIMEOUT_FUZZ_SECONDS, as many cases as fit in that time. */
const budget = (quick: number): fc.Parameters<unknown> =>
  seconds > 0 ? { numRuns: 1e9, interruptAfterTimeLimit: seconds * 1000, markInterruptAsFailure: false } : { numRuns: quick };
/** Each property's vitest timeout: its time budget plus room to start and finish. */
const TIMEOUT = seconds > 0 ? seconds * 1000 + 120_000 : 60_000;
const counts: Record<string, number> = {};
const count = (name: string) => {
  counts[name] = (counts[name] ?? 0) + 1;
};
afterAll(() => {
  for (const [name, n] of Object.entries(counts)) console.log(`FUZZ ${name}: ${n} cases, 0 failures`);
});

/** An error this parser is allowed to throw: ours, with a message. */
function ownError(e: unknown, kinds: ReadonlyArray<new (...a: never[]) => Error>): Error {
  if (!kinds.some((k) => e instanceof k)) throw new Error(`threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  expect((e as Error).message.length).toBeGreaterThan(0);
  return e as Error;
}

// ---- policy files ----

const HZ = 250;
const MAX = Math.floor(0xffffffff / HZ);
const FILE = 'policies.yaml';

const utf8 = new TextEncoder();
const readText = (text: string) => readPolicyFile(utf8.encode(text), FILE, { hz: HZ });

function parsePolicies(text: string): void {
  try {
    const out = readText(text);
    expect(Array.isArray(out)).toBe(true);
  } catch (e) {
    // Every refusal names the file (and line:col where there is one).
    expect(ownError(e, [CliError, CtTimeoutError]).message.startsWith(FILE)).toBe(true);
  }
}

const scalar = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom('inet', 'inet6', 'tcp', 'udp', 'sctp', 'generic', 'dccp', 'ESTABLISHED', 'established', '0x10', '1e3', '.inf', '-1', '4294967296', '\uD800', '\uFEFF'),
);
const jsonValue = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof({ depthSize: 'small' }, scalar, fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('name', 'family', 'protocol', 'timeouts', 'policies')), tie('v'), { maxKeys: 5 })),
})).v;
/** A policy with every field valid, so the file must be accepted. */
const validPolicy = fc.constantFrom(...PROTOCOLS).chain((p) =>
  fc.record({
    name: fc.string({ unit: fc.constantFrom(...'abcxyz-_.0123456789'), minLength: 1, maxLength: 31 }),
    family: fc.constantFrom('inet', 'inet6'),
    protocol: fc.constant(p.name),
    timeouts: fc.dictionary(fc.constantFrom(...p.states.map((s) => s.name)), fc.integer({ min: 0, max: MAX }), { maxKeys: p.states.length }),
  }),
);

describe('policy files', () => {
  it('any text: policies or an error naming the file', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: fc.constantFrom(...'-:{}[]"\' \n\t#&*!|>%@,?0123456789abcnil.') })), (text) => {
        count('policy-file text');
        parsePolicies(text);
      }),
      budget(1000),
    );
  }, TIMEOUT);

  it('any JSON or YAML-shaped document: policies or an error naming the file', () => {
    fc.assert(
      fc.property(jsonValue, fc.boolean(), (v, yamlish) => {
        count('policy-file documents');
        const json = JSON.stringify(v) ?? 'null';
        parsePolicies(yamlish ? json.replace(/[{},]/g, (c) => (c === ',' ? '\n' : ' ')) : json);
      }),
      budget(1000),
    );
  }, TIMEOUT);

  it('a valid list is read back exactly; the same list with one byte changed still never crashes', () => {
    fc.assert(
      fc.property(fc.uniqueArray(validPolicy, { maxLength: 6, selector: (p) => p.name }), fc.nat(), fc.integer({ min: 0, max: 127 }), (list, at, ch) => {
        count('policy-file valid+mutated');
        const text = JSON.stringify(list, null, 1);
        expect(readText(text)).toEqual(list);
        parsePolicies(text.slice(0, at % (text.length + 1)) + String.fromCharCode(ch) + text.slice((at % (text.length + 1)) + 1));
      }),
      budget(500),
    );
  }, TIMEOUT);
});

// ---- capture readers ----

function readAny(input: string | Uint8Array): Capture | undefined {
  try {
    const c = readCapture(input);
    const size = typeof input === 'string' ? input.length : input.length;
    let total = 0;
    for (const d of c.datagrams) total += d.bytes.length;
    // Output never outgrows the input, but for a hexdump "*" repeat (capped).
    expect(total).toBeLessThanOrEqual(Math.max(size, MAX_DATAGRAM_BYTES * c.datagrams.length));
    return c;
  } catch (e) {
    expect(ownError(e, [CtTimeoutError]).constructor).toBe(CtTimeoutError);
    expect((e as CtTimeoutError).code).toMatch(/^ERR_CAPTURE_/);
    return undefined;
  }
}

const sample: Datagram[] = captures.slice(0, 12).map((c) => ({ bytes: bytes(c.id), direction: c.direction === 'request' ? 'sent' : 'received' }));
const seeds: Uint8Array[] = [
  writePcap(sample),
  new Uint8Array(readFileSync(new URL('../fixtures/capture/transport-session.pcapng', import.meta.url))),
  new Uint8Array(readFileSync(new URL('../fixtures/strace/session-f-tt.strace', import.meta.url))),
  new Uint8Array(readFileSync(new URL('../fixtures/strace/sendmsg-iovec.strace', import.meta.url))),
  new TextEncoder().encode(captures.slice(0, 6).map((c) => `request\n${c.hex.replace(/(..)/g, '$1 ')}\n`).join('\n')),
];
const textUnit = fc.constantFrom(...'0123456789abcdefABCDEF  \n\n\t|*:x()<>.-#'.split(''), '0000  ', '00000000  ', ' | 00000  ', 'sendmsg(', 'recvmsg(', '<unfinished ...>', ' resumed>', '[pid 1] ', 'request', 'reply', '\r\n');

describe('capture readers', () => {
  it('random bytes and text: a capture or an ERR_CAPTURE_* error', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.string({ unit: textUnit, maxLength: 200 }), fc.string()), (input) => {
        count('capture random');
        readAny(input);
      }),
      budget(2000),
    );
  }, TIMEOUT);

  it('mutated pcap, pcapng, strace and hex files: a capture or an ERR_CAPTURE_* error', () => {
    fc.assert(
      fc.property(fc.nat(seeds.length - 1), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), fc.nat(), (i, edits, cut) => {
        count('capture mutated');
        const b = seeds[i]!.slice(0, 1 + (cut % seeds[i]!.length));
        for (const [at, v] of edits) b[at % b.length] = v;
        readAny(b);
      }),
      budget(2000),
    );
  }, TIMEOUT);

  it('a pcap cut anywhere gives the records before the cut, and an error iff a record is cut', () => {
    const whole = writePcap(sample);
    const full = readPcap(whole).datagrams.map((d) => Buffer.from(d.bytes).toString('hex'));
    fc.assert(
      fc.property(fc.integer({ min: 24, max: whole.length }), (n) => {
        count('pcap cut');
        const c = readPcap(whole.subarray(0, n));
        const got = c.datagrams.map((d) => Buffer.from(d.bytes).toString('hex'));
        expect(got).toEqual(full.slice(0, got.length));
        let end = 24;
        const ends = sample.map((d) => (end += 32 + d.bytes.length));
        expect(c.error === undefined).toBe(n === 24 || ends.includes(n));
        if (c.error) expect(c.error).toMatchObject({ code: 'ERR_CAPTURE_TRUNCATED', offset: n === 24 ? 24 : [24, ...ends].filter((e) => e < n).at(-1) });
      }),
      budget(500),
    );
  }, TIMEOUT);
});

// ---- CLI arguments ----

const argWord = fc.oneof(
  fc.constantFrom(...NFCT_COMMANDS, 'update', 'apply', 'decode', 'l', 'a', 'd', 'g', 'def', 'default-g', 'timeout', 't', 'helper', 'help', 'version', ''),
  fc.constantFrom('inet', 'inet6', 'tcp', 'udp', 'icmpv6', 'ipv6-icmp', 'generic', 'dccp', 'sctp', 'ESTABLISHED', 'established', 'heartbeat_sent', '100', '-1', '0x10', '1e3', '4294967296'),
  fc.constantFrom('--json', '--netns', '--netns=', '--netns=x', '--capture', '--dry-run', '--hz', '--hz=0', '--hz=abc', '--merge', '--prune', '-f', '--', '--help', '-h', '--version', '--bogus', '-x'),
  fc.string(),
);

describe('CLI arguments', () => {
  it('any argv: options and an nfct parse, or a usage error; never a crash', () => {
    fc.assert(
      fc.property(fc.array(argWord, { maxLength: 12 }), (argv) => {
        count('cli argv');
        let words: string[];
        try {
          words = extractOptions(argv).words;
        } catch (e) {
          ownError(e, [CliError, CtTimeoutError]);
          return;
        }
        const r = parseNfct(words);
        expect(['timeout', 'version', 'subsystem-unsupported', 'error']).toContain(r.kind);
        if (r.kind === 'error') expect(r.error.message.length).toBeGreaterThan(0);
      }),
      budget(3000),
    );
  }, TIMEOUT);
});
