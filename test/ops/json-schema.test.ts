// The JSON the ops commands print is held to the package's schema (schema/cli-output.schema.json):
// validate --json, apply/list --netns-all --json and every apply --watch line.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { CLI, ROOT, nfct, useNetnsAndDir, write, yaml } from '../helpers/cli.js';

const schema = JSON.parse(readFileSync(join(ROOT, 'packages/cttimeout/schema/cli-output.schema.json'), 'utf8'));
const ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false, strictRequired: false, validateFormats: false });
ajv.addKeyword('x-version');
ajv.addSchema(schema);
function holds(def: string, value: unknown): void {
  const v = ajv.getSchema(`${schema.$id}#/$defs/${def}`)!;
  expect(v(value), `${def}: ${JSON.stringify(v.errors)}\n${JSON.stringify(value)}`).toBe(true);
}

const { ns, dir } = useNetnsAndDir();

describe('ops --json output against the schema', () => {
  it('validate --json', () => {
    const f = write(dir, 'v.yaml', `owner: {prefix: w}\npolicies:\n${yaml(['w1', 'inet', 'tcp', { close: 3 }], ['w2', 'inet6', 'dccp']).replace(/^/gm, '  ')}`);
    const r = spawnSync(process.execPath, [CLI, 'validate', '-f', f, '--json'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    holds('validate', JSON.parse(r.stdout));
  });

  it('--netns-all --json (a namespace that fails included), and a schema that rejects a wrong shape', () => {
    const d = join(dir, 'netns');
    mkdirSync(d);
    symlinkSync(ns.path, join(d, 'one'));
    symlinkSync('/dev/null', join(d, 'not-a-namespace'));
    const f = write(dir, 'n.yaml', yaml(['n1', 'inet', 'udp']));
    for (const args of [
      ['apply', '-f', f, '--check', '--json', '--netns-all'],
      ['list', 'timeout', '--json', '--netns-all'],
    ]) {
      const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, CTTIMEOUT_NETNS_DIR: d } });
      const out = JSON.parse(r.stdout);
      expect(out.namespaces.map((n: { name: string }) => n.name)).toEqual(['not-a-namespace', 'one']);
      expect(out.namespaces[0].status).toBe(9);
      expect(r.status).toBe(9);
      holds('netnsAll', out);
      holds('failure', out.namespaces[0].error);
    }
    const v = ajv.getSchema(`${schema.$id}#/$defs/netnsAll`)!;
    expect(v({ namespaces: [{ name: 'x' }], status: 0 })).toBe(false);
  });

  it('apply --watch lines', async () => {
    const f = write(dir, 'w.yaml', yaml(['w', 'inet', 'tcp', { close: 3 }]));
    const child = spawn('nsenter', [`--net=${ns.path}`, process.execPath, CLI, 'apply', '-f', f, '--watch', '--interval', '0.2'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => void (out += b.toString()));
    const until = async (re: RegExp) => {
      for (let i = 0; i < 150 && !re.test(out); i++) await new Promise((r) => setTimeout(r, 100));
      expect(out).toMatch(re);
    };
    await until(/"event":"applied"/);
    expect(nfct(ns, ['delete', 'timeout', 'w']).status).toBe(0);
    await until(/"reason":"drift"/);
    write(dir, 'w.yaml', 'not: [valid');
    await until(/"event":"error"/);
    child.kill('SIGTERM');
    await new Promise((r) => child.on('exit', r));
    const lines = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.event)).toEqual(['start', 'loaded', 'applied', 'applied', 'error', 'stop']);
    for (const l of lines) holds('watchEvent', l);
  });
});
