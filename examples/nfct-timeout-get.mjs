#!/usr/bin/env node
// Port of libnetfilter_cttimeout's examples/nfct-timeout-get.c: with one argument prints that
// policy, otherwise every policy, each as nfct_timeout_snprintf formats it.
//   sudo unshare -n sh -c 'node examples/nfct-timeout-add.mjs test 2 6; node examples/nfct-timeout-get.mjs test'
import {
  IPCTNL_MSG_TIMEOUT_GET,
  NFCT_TIMEOUT_ATTR_NAME,
  NLM_F,
  decode,
  nfctTimeoutAlloc,
  nfctTimeoutAttrSet,
  nfctTimeoutFree,
  nfctTimeoutNlmsgParsePayload,
  nfctTimeoutSnprintf,
} from 'cttimeout';
import { buildRequest, withSocket } from './nfct-example.mjs';

const [name] = process.argv.slice(2);
const request =
  process.argv.length === 3
    ? buildRequest(IPCTNL_MSG_TIMEOUT_GET, NLM_F.ACK, (t) => nfctTimeoutAttrSet(t, NFCT_TIMEOUT_ATTR_NAME, name))
    : buildRequest(IPCTNL_MSG_TIMEOUT_GET, NLM_F.DUMP);

await withSocket(async (nl) => {
  const out = new Uint8Array(4096);
  for await (const chunk of nl.stream(request)) {
    // One chunk may hold several messages: parse each policy one at a time, as the C
    // callback does.
    for (const m of decode(chunk).messages) {
      if (m.kind !== 'timeout') continue;
      const t = nfctTimeoutAlloc();
      nfctTimeoutNlmsgParsePayload(chunk.subarray(m.offset, m.offset + m.header.len), t);
      const n = nfctTimeoutSnprintf(out, t);
      process.stdout.write(new TextDecoder().decode(out.subarray(0, n)) + '\n');
      nfctTimeoutFree(t);
    }
  }
});
