// The field filter language as pure functions: what parses, what each field and operator
// means, and errors that give the column.
import { describe, expect, it } from 'vitest';
import { FilterSyntaxError, isExpression, matches, parseFilter, type Facts } from '../../packages/inspector/src/filter-lang.js';

const base: Facts = {
  type: 'NEW',
  dir: 'out',
  seq: 42,
  pid: 0,
  flags: 0x405,
  len: 96,
  error: false,
  ack: false,
  malformed: false,
  probe: false,
  unanswered: false,
  orphan: false,
};
const web: Facts = { ...base, name: 'web', family: 'inet', protocol: 'tcp', timeouts: { ESTABLISHED: 3600, CLOSE: 10 } };
const ebusy: Facts = { ...base, type: 'ERROR', dir: 'in', seq: 7, pid: 4242, flags: 0x100, len: 36, error: true, errno: 16, code: 'EBUSY', latency: 0.4 };
const ack: Facts = { ...base, type: 'ACK', dir: 'in', error: false, ack: true, errno: 0, latency: 12 };
const run = (src: string, f: Facts) => matches(parseFilter(src), f);

describe('filter language', () => {
  it.each([
    ['name == "web"', web, true],
    ['name == "Web"', web, true],
    ['name != "web"', web, false],
    ['name ~ "we"', web, true],
    ['name == "dns"', web, false],
    ['protocol == tcp && ESTABLISHED > 3000', web, true],
    ['protocol == tcp && ESTABLISHED > 3600', web, false],
    ['protocol == udp || CLOSE <= 10', web, true],
    ['timeouts.ESTABLISHED == 3600', web, true],
    ['established >= 3600', web, true],
    ['SYN_SENT', web, false],
    ['CLOSE', web, true],
    ['error', ebusy, true],
    ['error', web, false],
    ['!error', web, true],
    ['not error and dir == out', web, true],
    ['errno == EBUSY', ebusy, true],
    ['errno == ebusy', ebusy, true],
    ['errno == 16', ebusy, true],
    ['errno == ENOENT', ebusy, false],
    ['errno != ENOENT', ebusy, true],
    ['errno == 0', ack, true],
    ['seq == 42', web, true],
    ['seq == 0x2a', web, true],
    ['seq == 43', web, false],
    ['dir == out', web, true],
    ['dir == in', web, false],
    ['dir == in', ebusy, true],
    ['type == ack', ack, true],
    ['latency > 5', ack, true],
    ['latency > 5', ebusy, false],
    ['latency > 5', web, false],
    ['(error || ack) && dir == in', ack, true],
    ['pid == 4242', ebusy, true],
    ['flags == 0x405', web, true],
    ['ESTABLISHED > 100', ebusy, false],
  ] as Array<[string, Facts, boolean]>)('%s', (src, f, want) => {
    expect(run(src, f)).toBe(want);
  });

  it.each([
    ['name ==', 7, 'expected a value after == at the end'],
    ['name == "web', 8, 'the string is not closed: add a "'],
    ['(error', 6, 'expected ")" at the end'],
    ['error ack', 6, 'expected && or || between conditions, found "ack"'],
    ['&& error', 0, 'expected a field (name, protocol, seq, errno, dir, error, ESTABLISHED, ...), found "&&"'],
    ['error == 1', 0, 'error is true or false: write "error" or "!error"'],
    ['seq == 4 # x', 9, 'unexpected "#"'],
  ])('%s: an error at column %d', (src, column, message) => {
    let err: unknown;
    try {
      parseFilter(src);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FilterSyntaxError);
    expect((err as FilterSyntaxError).column).toBe(column);
    expect((err as Error).message).toBe(message);
  });

  it('tells expressions from words for the substring search', () => {
    for (const e of ['name == "web"', 'error', 'unanswered', '!ack', 'seq==1', '(a)', 'not error']) expect(isExpression(e), e).toBe(true);
    for (const w of ['web', 'error received', 'EBUSY', 'test-tcp', '→']) expect(isExpression(w), w).toBe(false);
  });
});
