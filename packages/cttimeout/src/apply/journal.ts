// apply's journal: before the DELETE half of a recreate is sent, the old and the new policy are
// written here (and synced); the file is removed once every recreate of the batch is settled.
// After a SIGKILL or a crash in between, the next apply finds it and finishes the interrupted
// recreates (or puts the old policy back) before anything else.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { CtTimeoutError } from '../errors.js';
import { policyNameFromJson, policyNameToJson } from '../codec/name.js';
import { checkFamily, checkProtocol, type PolicyName } from '../validate.js';

/** A policy as the journal holds it: every state, so it can be recreated exactly. */
export interface JournalPolicy {
  name: PolicyName;
  family: string | number;
  protocol: string;
  timeouts: Record<string, number>;
}

export interface JournalEntry {
  before: JournalPolicy;
  after: JournalPolicy;
}

const VERSION = 1;

function policyJson(p: JournalPolicy): unknown {
  return { ...p, name: policyNameToJson(p.name) };
}

function policyFromJson(v: unknown): JournalPolicy {
  const x = v as Record<string, unknown>;
  const timeouts = x.timeouts as Record<string, unknown>;
  if (timeouts === null || typeof timeouts !== 'object' || !Object.values(timeouts).every((t) => Number.isInteger(t))) throw new Error('bad timeouts');
  const family = typeof x.family === 'number' ? x.family : checkFamily(x.family);
  return { name: policyNameFromJson(x.name), family, protocol: checkProtocol(x.protocol), timeouts: timeouts as Record<string, number> };
}

function journalError(path: string, message: string, cause?: unknown): CtTimeoutError {
  return new CtTimeoutError('ERR_JOURNAL', `apply: journal ${path}: ${message}`, { source: 'usage', operation: 'apply', field: 'options.journal', cause });
}

/** The entries of an interrupted apply, or [] when there is no journal. */
export function readJournal(path: string): JournalEntry[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw journalError(path, `cannot read it: ${(e as Error).message}`, e);
  }
  try {
    const doc = JSON.parse(text) as { version?: unknown; recreates?: unknown };
    if (doc.version !== VERSION || !Array.isArray(doc.recreates)) throw new Error(`not a version ${VERSION} journal`);
    return doc.recreates.map((r: { before?: unknown; after?: unknown }) => ({ before: policyFromJson(r.before), after: policyFromJson(r.after) }));
  } catch (e) {
    // Never guess: a journal we cannot read may hold the only copy of a policy.
    throw journalError(
      path,
      `cannot parse it (${(e as Error).message}); it holds recreates an earlier apply did not finish: check the policies it names, then remove it`,
      e,
    );
  }
}

/** Records the recreates about to be sent, durably (write, fsync, rename). */
export function writeJournal(path: string, entries: readonly JournalEntry[]): void {
  const tmp = `${path}.tmp`;
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, JSON.stringify({ version: VERSION, recreates: entries.map((e) => ({ before: policyJson(e.before), after: policyJson(e.after) })) }));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    throw journalError(path, `cannot write it: ${(e as Error).message}`, e);
  }
}

export function clearJournal(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch (e) {
    throw journalError(path, `cannot remove it: ${(e as Error).message}`, e);
  }
}
