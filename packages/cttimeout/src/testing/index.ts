/**
 * `cttimeout/testing`: test the code that uses cttimeout without root or a kernel. A scripted
 * fake kernel behind the transport's socket seam, and fault injection as a socket decorator
 * over the fake or the real socket. Pass `kernel.socket` as the `socket` option of
 * `CtTimeout.open()` or `NetlinkTransport.open()`.
 */
export {
  cttimeoutKernel,
  fakeKernel,
  modelHandler,
  type CttimeoutKernel,
  type FakeHandler,
  type FakeKernel,
  type FakeKernelOptions,
  type FakeMessage,
  type FakeReply,
  type FakeRequest,
} from './fake-kernel.js';
export { REPLY_FAULTS, SEND_FAULTS, withFaults, type Fault, type FaultKind, type FaultLog, type ReplyFault, type SendFault } from './faults.js';
export { nativeSocket, type NativeSocketOptions, type NetlinkSocket, type OpenSocket, type SocketEvent, type SocketOpenOptions } from '../transport/socket.js';
export { KernelModel, type ModelOptions, type ModelPolicy, type RuleHandle } from './model.js';
