#!/usr/bin/env node
// Port of libnetfilter_cttimeout's examples/nfct-timeout-add.c: creates a policy NAME for
// L3PROTO/L4PROTO (numbers, e.g. `test 2 6`) with state 0 set to 100 seconds, using the
// C-style object API. Needs CAP_NET_ADMIN; try it in a throw-away namespace:
//   sudo unshare -n node examples/nfct-timeout-add.mjs test 2 6
import {
  IPCTNL_MSG_TIMEOUT_NEW,
  NFCT_TIMEOUT_ATTR_L3PROTO,
  NFCT_TIMEOUT_ATTR_L4PROTO,
  NFCT_TIMEOUT_ATTR_NAME,
  NLM_F,
  nfctTimeoutAttrSet,
  nfctTimeoutAttrSetU16,
  nfctTimeoutAttrSetU8,
  nfctTimeoutPolicyAttrSetU32,
} from 'cttimeout';
import { argsOrUsage, buildRequest, withSocket } from './nfct-example.mjs';

const [name, l3, l4] = argsOrUsage(3, '[name] [l3proto] [l4proto]', 'nfct-timeout-add test 2 255');

await withSocket(async (nl) => {
  const request = buildRequest(IPCTNL_MSG_TIMEOUT_NEW, NLM_F.CREATE | NLM_F.ACK, (t) => {
    nfctTimeoutAttrSet(t, NFCT_TIMEOUT_ATTR_NAME, name);
    nfctTimeoutAttrSetU16(t, NFCT_TIMEOUT_ATTR_L3PROTO, Number(l3));
    nfctTimeoutAttrSetU8(t, NFCT_TIMEOUT_ATTR_L4PROTO, Number(l4));
    nfctTimeoutPolicyAttrSetU32(t, 0, 100); // the first state (SYN_SENT for TCP, UNREPLIED for UDP)
  });
  await nl.request(request);
});
