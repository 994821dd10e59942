#!/usr/bin/env node
// The delete example the C library's README mentions but never shipped: deletes policy NAME.
//   sudo unshare -n sh -c 'node examples/nfct-timeout-add.mjs test 2 6; node examples/nfct-timeout-del.mjs test'
import {
  IPCTNL_MSG_TIMEOUT_DELETE,
  MNL_SOCKET_BUFFER_SIZE,
  NFCT_TIMEOUT_ATTR_NAME,
  NLM_F,
  NetlinkTransport,
  errnoMessage,
  nfctTimeoutAlloc,
  nfctTimeoutAttrSet,
  nfctTimeoutFree,
  nfctTimeoutNlmsgBuildHdr,
  nfctTimeoutNlmsgBuildPayload,
} from 'cttimeout';

const args = process.argv.slice(2);
if (args.length !== 1) {
  console.error(`Usage: ${process.argv[1]} [name]`);
  process.exit(1);
}
try {
  const t = nfctTimeoutAlloc();
  nfctTimeoutAttrSet(t, NFCT_TIMEOUT_ATTR_NAME, args[0]);
  const nlh = nfctTimeoutNlmsgBuildHdr(new Uint8Array(MNL_SOCKET_BUFFER_SIZE), IPCTNL_MSG_TIMEOUT_DELETE, NLM_F.ACK, Math.floor(Date.now() / 1000));
  nfctTimeoutNlmsgBuildPayload(nlh, t);
  nfctTimeoutFree(t);
  const nl = await NetlinkTransport.open();
  try {
    await nl.request(nlh.bytes());
  } finally {
    await nl.close();
  }
} catch (e) {
  console.error(`error: ${e.errno ? errnoMessage(e.errno) : e.message}`);
  process.exit(1);
}
