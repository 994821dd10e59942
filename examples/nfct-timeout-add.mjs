#!/usr/bin/env node
// Port of libnetfilter_cttimeout's examples/nfct-timeout-add.c: creates a policy NAME for
// L3PROTO/L4PROTO (numbers, e.g. `test 2 6`) with state 0 set to 100 seconds, using the
// C-style object API. Needs CAP_NET_ADMIN; try it in a throw-away namespace:
//   sudo unshare -n node examples/nfct-timeout-add.mjs test 2 6
import {
  IPCTNL_MSG_TIMEOUT_NEW,
  MNL_SOCKET_BUFFER_SIZE,
  NFCT_TIMEOUT_ATTR_L3PROTO,
  NFCT_TIMEOUT_ATTR_L4PROTO,
  NFCT_TIMEOUT_ATTR_NAME,
  NLM_F,
  NetlinkTransport,
  errnoMessage,
  nfctTimeoutAlloc,
  nfctTimeoutAttrSet,
  nfctTimeoutAttrSetU16,
  nfctTimeoutAttrSetU8,
  nfctTimeoutFree,
  nfctTimeoutNlmsgBuildHdr,
  nfctTimeoutNlmsgBuildPayload,
  nfctTimeoutPolicyAttrSetU32,
} from 'cttimeout';

const args = process.argv.slice(2);
if (args.length !== 3) {
  console.error(`Usage: ${process.argv[1]} [name] [l3proto] [l4proto]`);
  console.error('Example: nfct-timeout-add test 2 255');
  process.exit(1);
}
const [name, l3, l4] = args;

try {
  const t = nfctTimeoutAlloc();
  nfctTimeoutAttrSet(t, NFCT_TIMEOUT_ATTR_NAME, name);
  nfctTimeoutAttrSetU16(t, NFCT_TIMEOUT_ATTR_L3PROTO, Number(l3));
  nfctTimeoutAttrSetU8(t, NFCT_TIMEOUT_ATTR_L4PROTO, Number(l4));
  nfctTimeoutPolicyAttrSetU32(t, 0, 100); // the first state (SYN_SENT for TCP, UNREPLIED for UDP)

  const buf = new Uint8Array(MNL_SOCKET_BUFFER_SIZE);
  const nlh = nfctTimeoutNlmsgBuildHdr(buf, IPCTNL_MSG_TIMEOUT_NEW, NLM_F.CREATE | NLM_F.ACK, Math.floor(Date.now() / 1000));
  nfctTimeoutNlmsgBuildPayload(nlh, t);
  nfctTimeoutFree(t);

  const nl = await NetlinkTransport.open();
  try {
    await nl.request(nlh.bytes());
  } finally {
    await nl.close();
  }
} catch (e) {
  // Kernel errors print like the C example's perror-style "error: <strerror>".
  console.error(`error: ${e.errno ? errnoMessage(e.errno) : e.message}`);
  process.exit(1);
}
