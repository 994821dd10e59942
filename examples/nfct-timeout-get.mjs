#!/usr/bin/env node
// Port of libnetfilter_cttimeout's examples/nfct-timeout-get.c: with one argument prints that
// policy, otherwise every policy, each as nfct_timeout_snprintf formats it.
//   sudo unshare -n sh -c 'node examples/nfct-timeout-add.mjs test 2 6; node examples/nfct-timeout-get.mjs test'
import {
  IPCTNL_MSG_TIMEOUT_GET,
  MNL_SOCKET_BUFFER_SIZE,
  NFCT_TIMEOUT_ATTR_NAME,
  NLM_F,
  NetlinkTransport,
  decode,
  errnoMessage,
  nfctTimeoutAlloc,
  nfctTimeoutAttrSet,
  nfctTimeoutFree,
  nfctTimeoutNlmsgBuildHdr,
  nfctTimeoutNlmsgBuildPayload,
  nfctTimeoutNlmsgParsePayload,
  nfctTimeoutSnprintf,
} from 'cttimeout';

const args = process.argv.slice(2);
const buf = new Uint8Array(MNL_SOCKET_BUFFER_SIZE);
const seq = Math.floor(Date.now() / 1000);
let nlh;
if (args.length === 1) {
  nlh = nfctTimeoutNlmsgBuildHdr(buf, IPCTNL_MSG_TIMEOUT_GET, NLM_F.ACK, seq);
  const t = nfctTimeoutAlloc();
  nfctTimeoutAttrSet(t, NFCT_TIMEOUT_ATTR_NAME, args[0]);
  nfctTimeoutNlmsgBuildPayload(nlh, t);
  nfctTimeoutFree(t);
} else {
  nlh = nfctTimeoutNlmsgBuildHdr(buf, IPCTNL_MSG_TIMEOUT_GET, NLM_F.DUMP, seq);
}

const nl = await NetlinkTransport.open();
try {
  const out = new Uint8Array(4096);
  for await (const chunk of nl.stream(nlh.bytes())) {
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
} catch (e) {
  console.error(`error: ${e.errno ? errnoMessage(e.errno) : e.message}`);
  process.exitCode = 1;
} finally {
  await nl.close();
}
