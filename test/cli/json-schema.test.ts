// --json output of every command, and every failure, held to the shipped JSON Schema
// (packages/cttimeout/schema/cli-output.schema.json) with ajv, on the real kernel in a private
// network namespace. Each output must match its own $defs shape, not just any of them.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { nfct, ours, ROOT, runIn, useNetnsAndDir, words } from '../helpers/cli.js';

const { ns, dir } = useNetnsAndDir();

const schema = JSON.parse(readFileSync(`${ROOT}packages/cttimeout/schema/cli-output.schema.json`, 'utf8'));
const ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false, strictRequired: false });
ajv.addKeyword('x-version'); // the schema's own version number
ajv.addSchema(schema);
const validator = (def: string) => ajv.getSchema(`${schema.$id}#/$defs/${def}`)!;

function holds(def: string, value: unknown, label: string): void {
  const v = validator(def);
  expect(v, def).toBeTypeOf('function');
  const ok = v(value);
  expect(ok, `${label}: ${JSON.stringify(v.errors)}\n${JSON.stringify(value)}`).toBe(true);
}

beforeAll(() => {
  nfct(ns, ['flush', 'timeout']);
  expect(nfct(ns, words('add timeout a inet tcp established 100')).status).toBe(0);
  expect(nfct(ns, words('add timeout busy inet tcp established 7')).status).toBe(0);
  runIn(ns, 'iptables', ['-t', 'raw', '-A', 'OUTPUT', '-p', 'tcp', '-j', 'CT', '--timeout', 'busy']);
});

describe('successful --json output matches the schema, command by command', () => {
  it('the schema is versioned and ships in the package', () => {
    expect(schema['x-version']).toBe(1);
    expect(schema.$id).toMatch(/cli-output\.schema\.json$/);
    expect(JSON.parse(readFileSync(`${ROOT}packages/cttimeout/package.json`, 'utf8')).files).toContain('schema');
  });

  const cases: Array<[string, string, (out: any) => void]> = [
    ['list timeout', 'list', (o) => expect(o.map((p: { name: string }) => p.name)).toEqual(['a', 'busy'])],
    ['get timeout a', 'policy', (o) => expect(o).toMatchObject({ name: 'a', timeouts: { ESTABLISHED: 100 } })],
    ['default-get timeout inet udp', 'defaults', (o) => expect(o.protocol).toBe('udp')],
    [
      'add timeout b inet6 udp replied 5',
      'done',
      (o) => expect(o).toEqual({ command: 'add', name: 'b', family: 'inet6', protocol: 'udp', timeouts: { REPLIED: 5 } }),
    ],
    [
      'update timeout b inet6 udp unreplied 9 --merge',
      'done',
      (o) => expect(o).toEqual({ command: 'update', name: 'b', family: 'inet6', protocol: 'udp', timeouts: { UNREPLIED: 9 }, merge: true }),
    ],
    [
      'default-set timeout inet udp unreplied 31',
      'done',
      (o) => expect(o).toEqual({ command: 'default-set', family: 'inet', protocol: 'udp', timeouts: { UNREPLIED: 31 } }),
    ],
    ['delete timeout b', 'done', (o) => expect(o).toEqual({ command: 'delete', name: 'b' })],
    ['--dry-run add timeout c inet tcp close 1', 'dryRun', (o) => expect(o.messages).toHaveLength(1)],
    ['flush timeout', 'flush', (o) => expect(o).toMatchObject({ deleted: ['a'], kept: [{ name: 'busy', use: 2 }] })],
  ];
  for (const [line, def, check] of cases) {
    it(`${line} → $defs/${def}`, () => {
      const r = ours(ns, [...words(line), '--json']);
      expect([r.status, r.stderr], line).toEqual([0, '']);
      const out = JSON.parse(r.stdout);
      holds(def, out, line);
      check(out);
    });
  }

  it('apply (plan, run, in sync) and decode → $defs/apply, $defs/decode', () => {
    const file = join(dir, 'p.yaml');
    writeFileSync(file, '- {name: x, family: inet, protocol: udp, timeouts: {replied: 3}}\n');
    for (const args of [
      ['apply', '-f', file, '--dry-run'],
      ['apply', '-f', file],
      ['apply', '-f', file],
    ]) {
      const r = ours(ns, [...args, '--json']);
      expect([r.status, r.stderr]).toEqual([0, '']);
      holds('apply', JSON.parse(r.stdout), args.join(' '));
    }
    const dry = ours(ns, ['--dry-run', 'list', 'timeout']).stdout;
    const d = ours(ns, ['decode', '--json'], { input: dry });
    expect(d.status, d.stderr).toBe(0);
    holds('decode', JSON.parse(d.stdout), 'decode');
  });
});

describe('every failure with --json is one object on stderr that matches $defs/failure', () => {
  const bad = join('/nonexistent', 'p.yaml');
  const cases: Array<[string[], number, Record<string, unknown>]> = [
    [words('get timeout nope'), 3, { code: 'ENOENT', errno: 2, operation: 'get' }],
    [words('delete timeout busy'), 4, { code: 'EBUSY', errno: 16 }],
    [words('update timeout busy inet udp replied 1'), 7, { code: 'EINVAL', errno: 22 }],
    [words('add timeout d inet dccp open 1'), 7, { code: 'EOPNOTSUPP' }],
    [words('add timeout x inet tcp established abc'), 64, { code: 'ERR_BAD_NUMBER' }],
    [words('add timeout x inet tcp bogus 1'), 64, { code: 'ERR_WRONG_STATE' }],
    [['get', 'timeout', 'n'.repeat(32)], 64, { code: 'ERR_NAME_TOO_LONG', field: 'name' }],
    [['apply', '-f', bad], 8, { code: 'ERR_READ', field: 'file', file: bad }],
    [words('--hz 7 list timeout'), 64, { code: 'ERR_VALUE_RANGE', field: 'options.hz' }],
    [words('--bogus'), 64, { code: 'ERR_USAGE' }],
  ];
  for (const [args, status, fields] of cases) {
    it(`${args.join(' ').slice(0, 60)} → exit ${status}`, () => {
      const r = ours(ns, [...args, '--json']);
      expect([r.status, r.stdout], r.stderr).toEqual([status, '']);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      const f = JSON.parse(r.stderr);
      holds('failure', f, args.join(' '));
      expect(f.error).toMatchObject({ ...fields, exitCode: status });
    });
  }

  it('a policy file error carries file, line and column', () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, '- name: a\n  family: inet\n  protocol: tcp\n  timeouts: {established: 0x10}\n');
    const r = ours(ns, ['apply', '-f', file, '--json']);
    expect(r.status).toBe(64);
    const f = JSON.parse(r.stderr);
    holds('failure', f, 'policy file');
    expect(f.error).toMatchObject({ code: 'ERR_POLICY_FILE', field: 'timeouts.ESTABLISHED', file, line: 4, column: 27 });
  });
});
