// The request builder: a form for any cttimeout request, protocol-aware (each protocol's
// states with the kernel defaults the codec's table gives), encoded live by the codec. Shows
// the bytes, a copyable hex string and the equivalent cttimeout command line.
import { checkName, CtTimeoutError, encodeRequest, FAMILIES, OPERATIONS, parseSeconds, PROTOCOLS, type RequestSpec } from 'cttimeout/codec';
import { $, clear, copyText, h, human, toast, toHex } from './dom.js';

type Op = RequestSpec['op'];

const OPS: Array<{ op: Op; label: string; hint: string }> = OPERATIONS.map((o) => ({ op: o.op, label: o.label, hint: o.help }));

/** Which fields each op shows (the codec's operations table). */
const USES = Object.fromEntries(
  OPERATIONS.map((o) => [o.op, { name: o.name !== 'no', family: o.l3proto !== 'no', protocol: o.l4proto !== 'no', timeouts: o.timeouts !== 'no' }]),
) as Record<Op, { name: boolean; family: boolean; protocol: boolean; timeouts: boolean }>;

function quote(name: RequestSpec['name']): string {
  const s = typeof name === 'string' ? name : '';
  return /^[A-Za-z0-9_.:+@%=/-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Operations whose command line needs at least one STATE SECONDS pair. */
const NEEDS_PAIR = new Set<Op>(['NEW', 'NEW_REPLACE', 'DEFAULT_SET']);

/** The cttimeout (nfct-syntax) command that sends this request, or why there is none. */
export function commandLine(spec: RequestSpec): string {
  if (NEEDS_PAIR.has(spec.op) && Object.keys(spec.timeouts ?? {}).length === 0) {
    return '# the command line needs at least one STATE SECONDS pair: give a state a value above';
  }
  const states = Object.entries(spec.timeouts ?? {})
    .map(([k, v]) => `${k.toLowerCase()} ${v}`)
    .join(' ');
  const fam = String(spec.l3proto ?? 'inet');
  const proto = String(spec.l4proto ?? '');
  const tail = (s: string) => s.replace(/\s+$/, '');
  switch (spec.op) {
    case 'NEW':
      return tail(`cttimeout add timeout ${quote(spec.name)} ${fam} ${proto} ${states}`);
    case 'NEW_REPLACE':
      return tail(`cttimeout update timeout ${quote(spec.name)} ${fam} ${proto} ${states}`);
    case 'NEW_EXCLUSIVE':
      return '# no command line sets NLM_F_EXCL (nfct add sends CREATE without it): use the API';
    case 'GET':
      return spec.name === undefined ? 'cttimeout list timeout' : `cttimeout get timeout ${quote(spec.name)}`;
    case 'DELETE':
      return spec.name === undefined ? 'cttimeout flush timeout' : `cttimeout delete timeout ${quote(spec.name)}`;
    case 'DEFAULT_SET':
      return tail(`cttimeout default-set timeout ${fam} ${proto} ${states}`);
    case 'DEFAULT_GET':
      return `cttimeout default-get timeout ${fam} ${proto}`;
    case 'DUMP':
      return 'cttimeout list timeout';
    case 'FLUSH':
      return 'cttimeout flush timeout';
  }
}

export class Builder {
  private op = $('b-op') as HTMLSelectElement;
  private name = $('b-name') as HTMLInputElement;
  private family = $('b-family') as HTMLSelectElement;
  private protocol = $('b-protocol') as HTMLSelectElement;
  private seq = $('b-seq') as HTMLInputElement;
  private states = $('b-states');
  private hint = $('b-hint');
  private out = $('b-hex');
  private cmd = $('b-cmd');
  private err = $('b-error');
  private statesBy = new Map<string, HTMLInputElement>();
  spec: RequestSpec | undefined;
  bytes: Uint8Array | undefined;

  constructor(private readonly onBytes: (bytes: Uint8Array | undefined) => void) {
    for (const o of OPS) this.op.append(h('option', { value: o.op, text: o.label }));
    for (const f of FAMILIES) this.family.append(h('option', { value: f.name, text: `${f.name} (${f.number})` }));
    for (const p of PROTOCOLS) this.protocol.append(h('option', { value: p.name, text: `${p.name} (${p.number})${p.availability ? ' *' : ''}` }));
    this.name.value = 'web';
    this.renderStates();
    for (const el of [this.op, this.name, this.family, this.protocol, this.seq]) el.addEventListener('input', () => this.update());
    this.protocol.addEventListener('change', () => {
      this.renderStates();
      this.update();
    });
    $('b-copy-hex').addEventListener('click', () => {
      if (this.bytes) void copyText(toHex(this.bytes)).then((ok) => toast(ok ? 'Hex copied' : 'Copy failed'));
    });
    $('b-copy-cmd').addEventListener('click', () => void copyText(this.cmd.textContent ?? '').then((ok) => toast(ok ? 'Command copied' : 'Copy failed')));
    $('b-reset').addEventListener('click', () => {
      for (const i of this.statesBy.values()) i.value = '';
      this.update();
    });
  }

  private renderStates(): void {
    clear(this.states);
    this.statesBy.clear();
    const p = PROTOCOLS.find((x) => x.name === this.protocol.value) ?? PROTOCOLS[0];
    for (const s of p.states) {
      const input = h('input', {
        id: `b-state-${s.name}`,
        type: 'text',
        inputmode: 'numeric',
        autocomplete: 'off',
        placeholder: String(s.default),
        'aria-describedby': `b-def-${s.name}`,
        'data-state': s.name,
      });
      input.addEventListener('input', () => this.update());
      this.statesBy.set(s.name, input);
      this.states.append(
        h(
          'label',
          { class: 'state', title: `${s.kernel} (attribute ${s.attr})${s.nfct ? '' : ' — nfct cannot set this state'}` },
          h('span', { class: 'sname' }, ...s.name.split(/(?<=_)/).flatMap((part, i) => (i ? [h('wbr'), part] : [part]))),
          input,
          h('span', { class: 'sdef', id: `b-def-${s.name}`, text: `default ${s.default} s${s.default >= 60 ? ` · ${human(s.default)}` : ''}` }),
        ),
      );
    }
    // A request the CLI accepts from the start: one state set (to its kernel default).
    const first = this.statesBy.get('ESTABLISHED') ?? [...this.statesBy.values()][0];
    if (first) first.value = first.placeholder;
    const note = $('b-proto-note');
    note.textContent = p.availability ?? '';
  }

  /** The spec the form describes. */
  currentSpec(): RequestSpec {
    const op = this.op.value as Op;
    const use = USES[op];
    const spec: RequestSpec = { op };
    const seq = this.seq.value.trim();
    if (seq !== '') spec.seq = Number(seq);
    const name = this.name.value;
    if (use.name && (name !== '' || op.startsWith('NEW'))) {
      if (name !== '') checkName(name);
      spec.name = name;
    }
    if (use.family) spec.l3proto = this.family.value as 'inet' | 'inet6';
    if (use.protocol) spec.l4proto = this.protocol.value as RequestSpec['l4proto'];
    if (use.timeouts) {
      const t: Record<string, number> = {};
      for (const [state, input] of this.statesBy) {
        const v = input.value.trim();
        // The one validation layer: plain digits, within what every HZ stores.
        if (v !== '') t[state] = parseSeconds(v, {}, `timeouts.${state}`);
      }
      spec.timeouts = t;
    }
    return spec;
  }

  update(): void {
    const op = this.op.value as Op;
    const use = USES[op];
    $('b-name-f').hidden = !use.name;
    $('b-family-f').hidden = !use.family;
    $('b-protocol-f').hidden = !use.protocol;
    $('b-states-f').hidden = !use.timeouts;
    this.hint.textContent = OPS.find((o) => o.op === op)?.hint ?? '';
    for (const i of this.statesBy.values()) i.classList.remove('bad');
    this.name.classList.remove('bad');
    try {
      const spec = this.currentSpec();
      this.spec = spec;
      this.bytes = encodeRequest(spec).slice();
      this.err.textContent = '';
      this.err.hidden = true;
      this.out.textContent = toHex(this.bytes, ' ');
      this.cmd.textContent = commandLine(spec);
      $('b-len').textContent = `${this.bytes.length} bytes`;
      this.onBytes(this.bytes);
    } catch (e) {
      this.bytes = undefined;
      const err = e instanceof CtTimeoutError ? e : undefined;
      this.err.textContent = err ? `${err.code}: ${err.message}` : String(e);
      this.err.hidden = false;
      this.out.textContent = '';
      this.cmd.textContent = '';
      $('b-len').textContent = '';
      const field = err?.field ?? '';
      if (field.startsWith('timeouts.')) this.statesBy.get(field.slice(9))?.classList.add('bad');
      if (field === 'name') this.name.classList.add('bad');
      this.onBytes(undefined);
    }
  }
}
