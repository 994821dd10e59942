// What the nfct-timeout-* examples share, as the C examples share libmnl's boilerplate: the
// usage check, building one request (nfct_timeout_nlmsg_build_hdr + _build_payload), a socket
// opened and closed around the exchange, and errors printed perror-style.
import {
  MNL_SOCKET_BUFFER_SIZE,
  NetlinkTransport,
  errnoMessage,
  nfctTimeoutAlloc,
  nfctTimeoutFree,
  nfctTimeoutNlmsgBuildHdr,
  nfctTimeoutNlmsgBuildPayload,
} from 'cttimeout';

/** The command-line arguments; with another count, the C example's usage text and exit 1. */
export function argsOrUsage(count, usage, example) {
  const args = process.argv.slice(2);
  if (args.length === count) return args;
  console.error(`Usage: ${process.argv[1]} ${usage}`);
  if (example) console.error(`Example: ${example}`);
  process.exit(1);
}

/**
 * One request's bytes: the header (seq from the clock, as the C examples), then the policy
 * `fill` sets up as payload; without `fill`, the header alone (the dump).
 */
export function buildRequest(type, flags, fill) {
  const nlh = nfctTimeoutNlmsgBuildHdr(new Uint8Array(MNL_SOCKET_BUFFER_SIZE), type, flags, Math.floor(Date.now() / 1000));
  if (fill) {
    const t = nfctTimeoutAlloc();
    fill(t);
    nfctTimeoutNlmsgBuildPayload(nlh, t);
    nfctTimeoutFree(t);
  }
  return nlh.bytes();
}

/** Runs `talk(nl)` on a socket opened for it; any error prints as "error: <strerror>", exit 1. */
export async function withSocket(talk) {
  try {
    const nl = await NetlinkTransport.open();
    try {
      await talk(nl);
    } finally {
      await nl.close();
    }
  } catch (e) {
    console.error(`error: ${e.errno ? errnoMessage(e.errno) : e.message}`);
    process.exit(1);
  }
}
