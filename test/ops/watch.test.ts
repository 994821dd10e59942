// apply --watch, as the Kubernetes example runs it: the DaemonSet's command (the same as the
// image's ENTRYPOINT + CMD) in a private network namespace, against a directory shaped like a
// mounted ConfigMap (policies.yaml -> ..data/policies.yaml, ..data -> ..TIMESTAMP). A ConfigMap
// update (the kubelet's symlink swap) and a drift (a change by hand) are each re-applied and
// logged as one JSON line; SIGTERM stops it with status 0.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, ROOT, expectRun, nfct, ours, policyNames, useNetnsAndDir, values } from '../helpers/cli.js';

const K8S = join(ROOT, 'examples/kubernetes');

const { ns, dir } = useNetnsAndDir();

interface Container {
  command: string[];
  args: string[];
  volumeMounts: Array<{ name: string; mountPath: string }>;
}

function daemonSet(): {
  container: Container;
  configMap: string;
  volumes: Array<{ name: string; configMap?: { name: string } }>;
  hostNetwork: boolean;
  securityContext: Record<string, unknown>;
} {
  const ds = parse(readFileSync(join(K8S, 'daemonset.yaml'), 'utf8'));
  const spec = ds.spec.template.spec;
  const container = spec.containers[0];
  return {
    container,
    configMap: spec.volumes.find((v: { configMap?: unknown }) => v.configMap).configMap.name,
    volumes: spec.volumes,
    hostNetwork: spec.hostNetwork,
    securityContext: container.securityContext,
  };
}

/** Writes a ConfigMap volume the way the kubelet does: a new timestamped dir, then an atomic ..data swap. */
let generation = 0;
function publish(mount: string, data: Record<string, string>): void {
  mkdirSync(mount, { recursive: true });
  const ts = `..2026_12_01_20_00_0${generation++}.000000001`;
  mkdirSync(join(mount, ts));
  for (const [k, v] of Object.entries(data)) writeFileSync(join(mount, ts, k), v);
  let old: string | undefined;
  try {
    old = readFileSync(join(mount, '..data', '..ts'), 'utf8');
  } catch {
    // first publication
  }
  writeFileSync(join(mount, ts, '..ts'), ts);
  symlinkSync(ts, join(mount, '..data_tmp'));
  renameSync(join(mount, '..data_tmp'), join(mount, '..data'));
  for (const k of Object.keys(data)) {
    try {
      symlinkSync(join('..data', k), join(mount, k));
    } catch {
      // the key's symlink exists already (it points through ..data)
    }
  }
  if (old) rmSync(join(mount, old), { recursive: true });
}

interface Agent {
  child: ChildProcess;
  lines: Array<Record<string, unknown>>;
  /** Waits for a log line that matches. */
  next(match: (l: Record<string, unknown>) => boolean, what: string): Promise<Record<string, unknown>>;
  exit: Promise<number | null>;
  /** What it wrote on stderr so far. */
  stderr(): string;
}

function start(args: string[], env: NodeJS.ProcessEnv = process.env): Agent {
  const child = spawn('nsenter', [`--net=${ns.path}`, process.execPath, CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  const lines: Array<Record<string, unknown>> = [];
  let buf = '';
  let stderr = '';
  const waiters: Array<() => void> = [];
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      lines.push(JSON.parse(buf.slice(0, i)));
      buf = buf.slice(i + 1);
      for (const w of waiters.splice(0)) w();
    }
  });
  child.stderr!.on('data', (d: Buffer) => void (stderr += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let seen = 0;
  return {
    child,
    lines,
    exit,
    stderr: () => stderr,
    async next(match, what) {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const i = lines.slice(seen).findIndex(match);
        if (i >= 0) {
          seen += i + 1;
          return lines[seen - 1]!;
        }
        if (Date.now() > deadline) throw new Error(`no ${what} line; got ${JSON.stringify(lines)}; stderr: ${stderr}`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 200);
        });
      }
    },
  };
}

const changes = (l: Record<string, unknown>) =>
  (l['changes'] as Array<{ action: string; name: string; status: string }>).map((c) => `${c.action} ${c.name} ${c.status}`);

let agent: Agent | undefined;
afterEach(() => {
  agent?.child.kill('SIGKILL');
  agent = undefined;
});

describe('examples/kubernetes', () => {
  it('the DaemonSet runs the image command in the host network namespace with CAP_NET_ADMIN only', () => {
    const ds = daemonSet();
    expect(ds.hostNetwork).toBe(true);
    expect(ds.securityContext).toMatchObject({
      capabilities: { drop: ['ALL'], add: ['NET_ADMIN'] },
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
    });
    const docker = readFileSync(join(K8S, 'Dockerfile'), 'utf8');
    const entry = JSON.parse(/^ENTRYPOINT (.*)$/m.exec(docker)![1]!);
    const cmd = JSON.parse(/^CMD (.*)$/m.exec(docker)![1]!);
    expect([...entry, ...cmd]).toEqual([...ds.container.command, ...ds.container.args]);
    const cm = parse(readFileSync(join(K8S, 'configmap.yaml'), 'utf8'));
    expect(cm.metadata.name).toBe(ds.configMap);
  });

  it('the container command applies the ConfigMap, follows an update and a drift, and stops on SIGTERM', async () => {
    const { container } = daemonSet();
    const mountPath = container.volumeMounts.find((m) => m.name === 'policies')!.mountPath;
    const mount = join(dir, 'configmap');
    const cm = parse(readFileSync(join(K8S, 'configmap.yaml'), 'utf8'));
    publish(mount, cm.data);

    // The container's command with the volume at our temp dir and a short interval.
    expect(container.command).toEqual(['cttimeout']);
    const args = container.args.map((a) => (a === mountPath ? mount : a));
    args[args.indexOf('--interval') + 1] = '0.3';
    agent = start(args);
    expect((await agent.next((l) => l['event'] === 'start', 'start'))['interval']).toBe(0.3);
    expect(await agent.next((l) => l['event'] === 'loaded', 'loaded')).toMatchObject({ reason: 'start', files: [join(mount, 'policies.yaml')], policies: 2 });
    const first = await agent.next((l) => l['event'] === 'applied', 'first apply');
    expect([first['reason'], changes(first)]).toEqual(['start', ['create k8s-web done', 'create k8s-dns done']]);
    expect(values(ns, 'k8s-web').ESTABLISHED).toBe(600);
    for (const l of agent.lines) expect(typeof l['time']).toBe('string');

    // A ConfigMap update: k8s-web changes, k8s-dns goes away (pruned: k8s- is owned).
    publish(mount, { 'policies.yaml': 'policies:\n  - name: k8s-web\n    family: inet\n    protocol: tcp\n    timeouts: { established: 1200 }\n' });
    await agent.next((l) => l['event'] === 'loaded' && l['reason'] === 'file-changed', 'file-changed');
    const update = await agent.next((l) => l['event'] === 'applied', 'apply after the update');
    expect([update['reason'], changes(update)]).toEqual(['file-changed', ['update k8s-web done', 'delete k8s-dns done']]);
    expect(values(ns, 'k8s-web').ESTABLISHED).toBe(1200);
    expect(policyNames(ns).sort()).toEqual(['k8s-web']);

    // A drift: someone changes the node's policy by hand.
    expectRun(ns, ['update', 'timeout', 'k8s-web', 'inet', 'tcp', 'established', '5', '--merge'], 0);
    const drift = await agent.next((l) => l['event'] === 'applied', 'apply after the drift');
    expect([drift['reason'], changes(drift)]).toEqual(['drift', ['update k8s-web done']]);
    expect(values(ns, 'k8s-web').ESTABLISHED).toBe(1200);

    // A broken update is logged once and the last good state kept.
    publish(mount, { 'policies.yaml': 'policies:\n  - name: k8s-web\n    family: inet\n    protocol: tcp\n    timeouts: { bogus: 1 }\n' });
    const bad = await agent.next((l) => l['event'] === 'error', 'error');
    expect(bad).toMatchObject({ reason: 'file' });
    expect(String((bad['error'] as { message: string }).message)).toMatch(/timeouts\.bogus/);
    expectRun(ns, ['delete', 'timeout', 'k8s-web'], 0);
    const restored = await agent.next((l) => l['event'] === 'applied', 'apply with the last good state');
    expect([restored['reason'], changes(restored)]).toEqual(['drift', ['create k8s-web done']]);
    expect(agent.lines.filter((l) => l['event'] === 'error')).toHaveLength(1);

    agent.child.kill('SIGTERM');
    expect(await agent.exit).toBe(0);
    expect(agent.lines.at(-1)).toMatchObject({ event: 'stop', signal: 'SIGTERM' });
    expect(ours(ns, ['get', 'timeout', 'k8s-web']).status).toBe(0);
  });

  it('--verbose and CTTIMEOUT_DEBUG=1 log each request and reply in one line on stderr; stdout stays JSON lines', async () => {
    const f = join(dir, 'verbose.yaml');
    writeFileSync(f, '- {name: v-web, family: inet, protocol: tcp, timeouts: {established: 60}}\n');
    for (const [args, env] of [
      [['--verbose'], process.env],
      [[], { ...process.env, CTTIMEOUT_DEBUG: '1' }],
    ] as const) {
      nfct(ns, ['flush', 'timeout']);
      agent = start(['apply', '-f', f, '--watch', '--interval', '0.3', ...args], env);
      expect(changes(await agent.next((l) => l['event'] === 'applied', 'applied'))).toEqual(['create v-web done']);
      // A drift is re-applied: its requests are logged too.
      expectRun(ns, ['delete', 'timeout', 'v-web'], 0);
      expect(changes(await agent.next((l) => l['event'] === 'applied', 'applied after the drift'))).toEqual(['create v-web done']);
      agent.child.kill('SIGTERM');
      expect(await agent.exit).toBe(0);
      const lines = agent.stderr().trimEnd().split('\n');
      // Every stderr line is one datagram; the probe is labelled; both creates were sent and acknowledged.
      for (const l of lines) expect(l).toMatch(/^cttimeout: (sent|received) \d+ bytes: /);
      expect(lines[0]).toMatch(/^cttimeout: sent 28 bytes: GET "" seq \d+ \(open-time probe/);
      expect(lines.filter((l) => /^cttimeout: sent \d+ bytes: .*NEW "v-web" inet tcp/.test(l)).length).toBeGreaterThanOrEqual(2);
      expect(lines.some((l) => /^cttimeout: received \d+ bytes: .*ACK seq \d+/.test(l))).toBe(true);
      expect(agent.lines.every((l) => typeof l['event'] === 'string')).toBe(true);
      agent = undefined;
    }
    // Without either, stderr stays empty.
    nfct(ns, ['flush', 'timeout']);
    agent = start(['apply', '-f', f, '--watch', '--interval', '0.3'], { ...process.env, CTTIMEOUT_DEBUG: '' });
    await agent.next((l) => l['event'] === 'applied', 'applied');
    agent.child.kill('SIGTERM');
    expect(await agent.exit).toBe(0);
    expect(agent.stderr()).toBe('');
  });

  it('refuses standard input and a bad interval', () => {
    const r = ours(ns, ['apply', '-f', '-', '--watch'], { input: '[]' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/--watch reads its files again on every change/);
    const i = ours(ns, ['apply', '-f', '/dev/null', '--watch', '--interval', '1e3']);
    expect(i.stderr).toMatch(/--interval 1e3: seconds between 0\.05 and 86400/);
    expect(ours(ns, ['apply', '-f', '/dev/null', '--interval', '5']).stderr).toMatch(/--interval only applies to apply --watch/);
  });
});
