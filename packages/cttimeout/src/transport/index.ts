/**
 * The kernel transport: netlink bytes to and from the kernel's NETLINK_NETFILTER socket, with
 * sequence numbers, reply matching, flow control, timeouts, aborts, streams, network
 * namespaces and pcap capture. Linux only; it knows netlink framing, not policies.
 */
export { NetlinkTransport } from './transport.js';
export type { RequestOptions, StreamOptions, TransportOptions, TransportStats } from './transport.js';
export type { NetlinkSocket, OpenSocket, SocketEvent, SocketOpenOptions } from './socket.js';
export { addonPaths, loadNative } from './native.js';
