// What the test/package files share: the kernel's TCP defaults as written down from
// PROTOCOL.md (literal on purpose: the tests hold the product's table to them) and a matcher
// for the ApplyError an apply must throw.
import { ApplyError } from '../../packages/cttimeout/src/apply/index.js';
import { rejected } from '../helpers/errors.js';

/** nf_conntrack_proto_tcp's defaults, seconds. */
export const TCP_DEFAULTS = {
  SYN_SENT: 120,
  SYN_RECV: 60,
  ESTABLISHED: 432000,
  FIN_WAIT: 120,
  CLOSE_WAIT: 60,
  LAST_ACK: 30,
  TIME_WAIT: 120,
  CLOSE: 10,
  SYN_SENT2: 120,
  RETRANS: 300,
  UNACKNOWLEDGED: 300,
};

/** The ApplyError `p` rejects with; fails the test when it resolves or rejects otherwise. */
export const applyError = (p: Promise<unknown>): Promise<ApplyError> => rejected(p, ApplyError);
