#!/usr/bin/env node
// The delete example the C library's README mentions but never shipped: deletes policy NAME.
//   sudo unshare -n sh -c 'node examples/nfct-timeout-add.mjs test 2 6; node examples/nfct-timeout-del.mjs test'
import { IPCTNL_MSG_TIMEOUT_DELETE, NFCT_TIMEOUT_ATTR_NAME, NLM_F, nfctTimeoutAttrSet } from 'cttimeout';
import { argsOrUsage, buildRequest, withSocket } from './nfct-example.mjs';

const [name] = argsOrUsage(1, '[name]');

await withSocket(async (nl) => {
  await nl.request(buildRequest(IPCTNL_MSG_TIMEOUT_DELETE, NLM_F.ACK, (t) => nfctTimeoutAttrSet(t, NFCT_TIMEOUT_ATTR_NAME, name)));
});
