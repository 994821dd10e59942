//! The socket and its I/O thread, without Node: open (optionally inside another network
//! namespace), send, receive, split replies into chunks, capture, pause for backpressure,
//! close. The napi layer (lib.rs) only converts types; Rust tests drive this directly.

use std::collections::VecDeque;
use std::io;
use std::os::fd::{AsRawFd, OwnedFd};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Instant;

use crate::capture::{self, Capture, Direction};
use crate::pace::Pacer;
use crate::split::{self, Chunk};
use crate::sys;
use cttimeout_codec::consts::{NLMSG_DONE, NLMSG_ERROR};

/// Read buffer: larger than any datagram cttimeout sends (dumps are capped at 32 KiB).
pub const DEFAULT_READ_BUFFER: usize = 64 * 1024;
/// Initial SO_RCVBUF request. The transport grows it with the requests in flight.
pub const DEFAULT_RECEIVE_BUFFER: usize = 1024 * 1024;
/// SO_SNDBUF request: the largest sendmsg the kernel accepts is this minus 32 bytes.
pub const SEND_BUFFER: usize = 1024 * 1024;
/// Datagrams (and bytes) read per wake-up before the events go to the sink in one call:
/// large enough to amortise the hop to JS, small enough to keep memory bounded.
const MAX_BATCH_DATAGRAMS: usize = 256;
const MAX_BATCH_BYTES: usize = 128 * 1024;

#[derive(Debug, Clone, Default)]
pub struct OpenOptions {
    /// Network namespace: a path (/proc/PID/ns/net, /run/netns/NAME) or a name in /run/netns.
    pub netns: Option<String>,
    pub receive_buffer: Option<usize>,
    pub read_buffer: Option<usize>,
    pub capture: Option<String>,
    /// Create the socket as this uid/gid (on the helper thread only): tests use it to get the
    /// kernel's EPERM for an unprivileged opener.
    pub unprivileged: Option<(u32, u32)>,
    /// NETLINK_* protocol; 12 (NETLINK_NETFILTER) unless a test asks otherwise.
    pub protocol: Option<i32>,
}

/// Why open failed: which step, and the OS error.
#[derive(Debug)]
pub struct OpenError {
    pub code: &'static str,
    pub message: String,
    pub errno: Option<i32>,
}

impl OpenError {
    fn new(code: &'static str, what: &str, e: io::Error) -> Self {
        // Our own refusals (not a namespace, not a regular file) are EINVAL for the caller.
        let errno = e.raw_os_error().or((e.kind() == io::ErrorKind::InvalidInput).then_some(libc::EINVAL));
        OpenError { code, message: format!("{what}: {e}"), errno }
    }
}

/// What the I/O thread reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Chunk(Chunk),
    /// recvmsg said ENOBUFS: the kernel dropped replies because the receive buffer was full.
    Overrun,
    /// A datagram longer than the read buffer. `seq` is the first message's, if readable;
    /// `terminal` says the kept header is an ACK/error/DONE (nothing more will come for it).
    Truncated {
        seq: Option<u32>,
        terminal: bool,
        len: usize,
        real_len: usize,
    },
    /// sendmsg failed; none of these requests reached the kernel.
    SendFailed {
        seqs: Vec<u32>,
        errno: i32,
    },
    /// A datagram or message that is not a reply to us (another sender or port id) or that
    /// the framing check rejected; dropped.
    Dropped {
        reason: String,
    },
    /// The socket is unusable (an unexpected recvmsg error); the thread stops.
    Fatal {
        errno: i32,
        message: String,
    },
}

/// Receives batches of events on the I/O thread. Returns false when nobody listens any more
/// (the JS side is gone), which stops the thread.
pub type Sink = Box<dyn FnMut(Vec<Event>) -> bool + Send>;

struct Shared {
    fd: OwnedFd,
    port_id: u32,
    wake: OwnedFd,
    outbox: Mutex<VecDeque<Vec<u8>>>,
    /// The read buffer; whoever holds it may read the socket (the I/O thread, or the JS thread
    /// in send_now), so datagrams are read, captured and reported in the kernel's order.
    rx: Mutex<Vec<u8>>,
    /// send_now may run on the caller's thread (not in the unprivileged test mode, whose
    /// capabilities only the I/O thread has dropped).
    direct: bool,
    stop: AtomicBool,
    paused: AtomicBool,
    /// The I/O thread watches the socket only while replies are expected from it: otherwise
    /// every reply read by send_now would also wake it (a context switch per request).
    listening: AtomicBool,
    capture: Option<Arc<Capture>>,
    sent: AtomicU64,
    received: AtomicU64,
}

impl Shared {
    fn wake(&self) {
        sys::eventfd_signal(self.wake.as_raw_fd());
    }
}

/// An open NETLINK_NETFILTER socket with its I/O thread.
pub struct Conn {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
    pub port_id: u32,
    pub ext_ack: bool,
}

/// Creates, configures and binds the socket. Runs on a helper thread when it must enter
/// another network namespace or drop privileges, so no long-lived thread ever changes them.
fn create(opts: &OpenOptions) -> Result<(OwnedFd, u32, bool), OpenError> {
    let protocol = opts.protocol.unwrap_or(cttimeout_codec::consts::NETLINK_NETFILTER);
    let fd = sys::netlink_socket(protocol).map_err(|e| OpenError::new("ERR_SOCKET", "socket(AF_NETLINK)", e))?;
    let raw = fd.as_raw_fd();
    // Extended ACK gives the kernel's reason text; older kernels lack it (ENOPROTOOPT), which
    // only loses that text.
    let ext_ack = sys::set_int_opt(raw, sys::SOL_NETLINK, sys::NETLINK_EXT_ACK, 1).is_ok();
    // Errors echo only the request's header, not the whole request.
    let _ = sys::set_int_opt(raw, sys::SOL_NETLINK, sys::NETLINK_CAP_ACK, 1);
    sys::set_buffer(raw, true, opts.receive_buffer.unwrap_or(DEFAULT_RECEIVE_BUFFER))
        .map_err(|e| OpenError::new("ERR_SOCKET", "SO_RCVBUF", e))?;
    sys::set_buffer(raw, false, SEND_BUFFER).map_err(|e| OpenError::new("ERR_SOCKET", "SO_SNDBUF", e))?;
    let port = sys::bind_autoport(&fd).map_err(|e| OpenError::new("ERR_SOCKET", "bind", e))?;
    Ok((fd, port, ext_ack))
}

fn create_elsewhere(opts: &OpenOptions) -> Result<(OwnedFd, u32, bool), OpenError> {
    let ns = match &opts.netns {
        Some(spec) => Some(
            sys::open_netns(spec)
                .map_err(|e| OpenError::new("ERR_NETNS", &format!("cannot open network namespace {spec}"), e))?,
        ),
        None => None,
    };
    let opts = opts.clone();
    let helper = std::thread::Builder::new()
        .name("cttimeout-netns".into())
        .spawn(move || {
            if let Some(ns) = &ns {
                sys::setns_net(ns).map_err(|e| {
                    OpenError::new(
                        "ERR_NETNS",
                        &format!("cannot enter network namespace {}", opts.netns.as_deref().unwrap_or("")),
                        e,
                    )
                })?;
            }
            if let Some((uid, gid)) = opts.unprivileged {
                sys::drop_thread_privileges(uid, gid)
                    .map_err(|e| OpenError::new("ERR_SOCKET", "drop privileges", e))?;
            }
            create(&opts)
        })
        .map_err(|e| OpenError::new("ERR_SOCKET", "spawn helper thread", e))?;
    helper.join().unwrap_or_else(|_| {
        Err(OpenError { code: "ERR_SOCKET", message: "the namespace helper thread panicked".into(), errno: None })
    })
}

impl Conn {
    pub fn open(opts: &OpenOptions, sink: Sink) -> Result<Conn, OpenError> {
        let (fd, port_id, ext_ack) =
            if opts.netns.is_some() || opts.unprivileged.is_some() { create_elsewhere(opts)? } else { create(opts)? };
        let capture = match opts.capture.as_deref().filter(|p| !p.is_empty()) {
            Some(p) => Some(
                capture::open(p.as_ref())
                    .map_err(|e| OpenError::new("ERR_CAPTURE", &format!("cannot write capture file {p}"), e))?,
            ),
            None => None,
        };
        let wake = sys::eventfd().map_err(|e| OpenError::new("ERR_SOCKET", "eventfd", e))?;
        let shared = Arc::new(Shared {
            fd,
            port_id,
            wake,
            outbox: Mutex::new(VecDeque::new()),
            rx: Mutex::new(vec![0u8; opts.read_buffer.unwrap_or(DEFAULT_READ_BUFFER).max(16)]),
            direct: opts.unprivileged.is_none(),
            stop: AtomicBool::new(false),
            paused: AtomicBool::new(false),
            listening: AtomicBool::new(true),
            capture,
            sent: AtomicU64::new(0),
            received: AtomicU64::new(0),
        });
        let s = shared.clone();
        let unprivileged = opts.unprivileged;
        let thread = std::thread::Builder::new()
            .name("cttimeout-io".into())
            .spawn(move || {
                let mut sink = sink;
                // sendto() with a destination address makes the kernel check the sending
                // thread's capabilities (NETLINK_SKB_DST), not the opener's: the unprivileged
                // test mode must therefore drop them on the I/O thread too.
                if let Some((uid, gid)) = unprivileged {
                    if let Err(e) = sys::drop_thread_privileges(uid, gid) {
                        let _ = sink(vec![Event::Fatal {
                            errno: e.raw_os_error().unwrap_or(0),
                            message: format!("drop privileges: {e}"),
                        }]);
                        return;
                    }
                }
                io_loop(&s, sink)
            })
            .map_err(|e| OpenError::new("ERR_SOCKET", "spawn I/O thread", e))?;
        Ok(Conn { shared, thread: Some(thread), port_id, ext_ack })
    }

    /// Queues one sendmsg (one or more whole requests). Returns at once.
    pub fn send(&self, data: Vec<u8>) {
        self.shared.outbox.lock().unwrap_or_else(|e| e.into_inner()).push_back(data);
        self.shared.listening.store(true, Ordering::SeqCst);
        self.shared.wake();
    }

    /// Sends one sendmsg on the calling thread and reads, without waiting, the replies the
    /// kernel queued meanwhile (it executes a cttimeout request inside sendmsg). None when it
    /// cannot without waiting or reordering (the I/O thread is reading, sends are queued,
    /// reading is paused): nothing was sent, use send(). Replies that come later (a dump's
    /// rest) reach the sink as usual.
    pub fn send_now(&self, data: &[u8]) -> Option<Vec<Event>> {
        let s = &*self.shared;
        if !s.direct || s.paused.load(Ordering::SeqCst) || s.stop.load(Ordering::SeqCst) {
            return None;
        }
        // try_lock: the I/O thread may hold the buffer while its sink waits for this thread.
        let mut buf = s.rx.try_lock().ok()?;
        if !s.outbox.lock().unwrap_or_else(|e| e.into_inner()).is_empty() {
            return None;
        }
        let mut events = Vec::new();
        // Alone on the socket, the last of these requests' ACKs (or errors) is the last datagram
        // queued: stop there instead of paying one more recvmsg for its EAGAIN.
        let mut waiting: VecDeque<u32> = split::seqs(data).into();
        send_one(s, data, &mut events);
        if events.is_empty() && receive_some(s, &mut buf, &mut events, Some(&mut waiting)) {
            // A fatal recvmsg error: the I/O thread must stop too.
            s.stop.store(true, Ordering::SeqCst);
            s.wake();
        }
        if let Some(c) = &s.capture {
            c.flush();
        }
        // Not all answered yet (or a reply may follow a dropped one): the I/O thread takes over.
        let answered = waiting.is_empty() || events.iter().any(|e| matches!(e, Event::SendFailed { .. }));
        if !answered || events.iter().any(|e| matches!(e, Event::Overrun | Event::Truncated { .. })) {
            s.listening.store(true, Ordering::SeqCst);
            s.wake();
        }
        Some(events)
    }

    /// Nothing is in flight: the I/O thread stops watching the socket until send() or an
    /// unanswered send_now needs it again.
    pub fn set_idle(&self) {
        if self.shared.listening.swap(false, Ordering::SeqCst) {
            self.shared.wake();
        }
    }

    /// Stops or restarts reading. While paused the kernel keeps dump data to itself (a dump
    /// only advances when we read), so a slow consumer bounds memory on both sides.
    pub fn set_paused(&self, paused: bool) {
        self.shared.paused.store(paused, Ordering::SeqCst);
        self.shared.wake();
    }

    /// Asks for a receive buffer of `bytes`; returns what the kernel granted.
    pub fn set_receive_buffer(&self, bytes: usize) -> io::Result<usize> {
        sys::set_buffer(self.shared.fd.as_raw_fd(), true, bytes)
    }

    pub fn receive_buffer(&self) -> io::Result<usize> {
        sys::get_int_opt(self.shared.fd.as_raw_fd(), libc::SOL_SOCKET, libc::SO_RCVBUF).map(|v| v.max(0) as usize)
    }

    /// Datagrams sent and received so far.
    pub fn counters(&self) -> (u64, u64) {
        (self.shared.sent.load(Ordering::Relaxed), self.shared.received.load(Ordering::Relaxed))
    }

    /// Tells the I/O thread to stop, without waiting.
    pub fn signal_stop(&self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        self.shared.wake();
    }

    /// Stops the I/O thread and waits for it; the socket closes when the last reference goes.
    pub fn close(mut self) {
        self.signal_stop();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Conn {
    /// A socket dropped without close() still stops its thread (which then frees the fd).
    fn drop(&mut self) {
        self.signal_stop();
    }
}

/// A chunk the JS side can take as plain memory: no extended-ACK text (rare: errors only).
fn is_plain(c: &Chunk) -> bool {
    c.ext_ack_message.is_none() && c.ext_ack_offset.is_none()
}

/// A chunk's entry: seq, length, terminal (0/1), errno.
fn entry(c: &Chunk) -> [i32; 4] {
    [c.seq as i32, c.data.len() as i32, c.terminal as i32, c.errno]
}

/// An event that goes as an object: its entry's length is -1.
const OBJECT_ENTRY: [i32; 4] = [0, -1, 0, 0];

/// Events as plain memory for the JS side, in order, in one buffer: per event an entry of four
/// little-endian i32 (seq, length, terminal 0/1, errno), then the chunks' bytes back to back. An
/// event that is not a plain chunk (ENOBUFS, an error with extended-ACK text, ...) has
/// OBJECT_ENTRY and goes in `others`. An object and a buffer per reply cost more than the
/// kernel's work on a DELETE; this is one buffer per batch.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Packed {
    pub bytes: Vec<u8>,
    pub entries: usize,
    pub others: Vec<Event>,
}

impl Packed {
    pub fn new(events: Vec<Event>) -> Packed {
        let entries = events.len();
        let data: usize = events.iter().map(|e| if let Event::Chunk(c) = e { c.data.len() } else { 0 }).sum();
        let mut bytes = vec![0u8; entries * 16];
        bytes.reserve(data);
        let mut others = Vec::new();
        for (i, e) in events.into_iter().enumerate() {
            let n = match e {
                Event::Chunk(c) if is_plain(&c) => {
                    bytes.extend_from_slice(&c.data);
                    entry(&c)
                }
                other => {
                    others.push(other);
                    OBJECT_ENTRY
                }
            };
            for (k, v) in n.iter().enumerate() {
                bytes[i * 16 + k * 4..i * 16 + k * 4 + 4].copy_from_slice(&v.to_le_bytes());
            }
        }
        Packed { bytes, entries, others }
    }
}

/// Writes the events of a send_now into memory the caller gives, in Packed's format, when they
/// are only plain chunks that fit: `out` gets the bytes, `meta` the entries. Returns how many
/// events; None when they must go as objects.
pub fn pack(events: &[Event], out: &mut [u8], meta: &mut [i32]) -> Option<usize> {
    if events.len() * 4 > meta.len() {
        return None;
    }
    let mut at = 0;
    for (i, e) in events.iter().enumerate() {
        let Event::Chunk(c) = e else { return None };
        if !is_plain(c) || at + c.data.len() > out.len() {
            return None;
        }
        out[at..at + c.data.len()].copy_from_slice(&c.data);
        at += c.data.len();
        meta[i * 4..i * 4 + 4].copy_from_slice(&entry(c));
    }
    Some(events.len())
}

fn io_loop(s: &Shared, mut sink: Sink) {
    let fd = s.fd.as_raw_fd();
    let mut events: Vec<Event> = Vec::new();
    let mut pacer = Pacer::default();
    loop {
        if s.stop.load(Ordering::SeqCst) {
            break;
        }
        let watch = !s.paused.load(Ordering::SeqCst) && s.listening.load(Ordering::SeqCst);
        let (readable, woken) = match sys::poll2(fd, watch, s.wake.as_raw_fd()) {
            Ok(r) => r,
            Err(e) => {
                let _ =
                    sink(vec![Event::Fatal { errno: e.raw_os_error().unwrap_or(0), message: format!("poll: {e}") }]);
                break;
            }
        };
        if woken {
            sys::eventfd_drain(s.wake.as_raw_fd());
        }
        if s.stop.load(Ordering::SeqCst) {
            break;
        }
        send_queued(s, &mut pacer, &mut events);
        let mut fatal = false;
        if readable && !s.paused.load(Ordering::SeqCst) {
            let mut buf = s.rx.lock().unwrap_or_else(|e| e.into_inner());
            fatal = receive_some(s, &mut buf, &mut events, None);
        }
        if let Some(c) = &s.capture {
            c.flush();
        }
        if !events.is_empty() && !sink(std::mem::take(&mut events)) {
            break;
        }
        if fatal {
            break;
        }
    }
}

/// Sends what JS queued, a datagram at a time, each in sendmsg calls short enough for the
/// kernel to give the CPU up between them (pace.rs). A sendmsg that fails fails its requests and
/// the rest of its datagram, unsent.
fn send_queued(s: &Shared, pacer: &mut Pacer, events: &mut Vec<Event>) {
    loop {
        let next = s.outbox.lock().unwrap_or_else(|e| e.into_inner()).pop_front();
        let Some(data) = next else { break };
        let sent = pacer.send(&data, |slice| {
            let t = Instant::now();
            send_bytes(s, slice).map(|()| t.elapsed())
        });
        if let Err((at, errno)) = sent {
            events.push(Event::SendFailed { seqs: split::seqs(&data[at..]), errno });
        }
    }
}

fn send_one(s: &Shared, data: &[u8], events: &mut Vec<Event>) {
    if let Err(errno) = send_bytes(s, data) {
        events.push(Event::SendFailed { seqs: split::seqs(data), errno });
    }
}

/// One sendmsg, captured; its errno when it fails.
fn send_bytes(s: &Shared, data: &[u8]) -> Result<(), i32> {
    if let Some(c) = &s.capture {
        c.record(Direction::Sent, data, data.len());
    }
    match sys::send_to_kernel(s.fd.as_raw_fd(), data) {
        Ok(()) => {
            s.sent.fetch_add(1, Ordering::Relaxed);
            Ok(())
        }
        Err(e) => Err(e.raw_os_error().unwrap_or(libc::EIO)),
    }
}

/// Takes the requests these chunks end out of `waiting`; true when none is left.
fn all_ended(waiting: &mut VecDeque<u32>, chunks: &[Chunk]) -> bool {
    for c in chunks.iter().filter(|c| c.terminal) {
        // Replies come in request order: the request ending is the oldest one.
        if waiting.front() == Some(&c.seq) {
            waiting.pop_front();
        } else {
            waiting.retain(|seq| *seq != c.seq);
        }
    }
    waiting.is_empty()
}

/// Reads what is queued (up to a batch), or up to the datagram that ends the last of the
/// requests `until` (whose sequence numbers it takes out as they end).
/// Returns true if the socket failed for good.
fn receive_some(s: &Shared, buf: &mut Vec<u8>, events: &mut Vec<Event>, mut until: Option<&mut VecDeque<u32>>) -> bool {
    let fd = s.fd.as_raw_fd();
    let mut bytes = 0;
    for _ in 0..MAX_BATCH_DATAGRAMS {
        if s.paused.load(Ordering::SeqCst) {
            return false;
        }
        if bytes >= MAX_BATCH_BYTES {
            break;
        }
        match sys::recv(fd, buf) {
            Ok(None) => return false,
            Ok(Some(r)) => {
                s.received.fetch_add(1, Ordering::Relaxed);
                bytes += r.len;
                if let Some(c) = &s.capture {
                    c.record(Direction::Received, &buf[..r.len], r.real_len);
                }
                if r.sender != 0 {
                    events.push(Event::Dropped { reason: format!("datagram from port {} (not the kernel)", r.sender) });
                    continue;
                }
                if r.real_len > r.len {
                    let kept = &buf[..r.len];
                    let ty = kept.get(4..6).map(|b| u16::from_le_bytes([b[0], b[1]]));
                    events.push(Event::Truncated {
                        seq: split::first_seq(kept),
                        terminal: matches!(ty, Some(NLMSG_ERROR | NLMSG_DONE)),
                        len: r.len,
                        real_len: r.real_len,
                    });
                    // Never cut twice: the next datagram of that size fits.
                    buf.resize(r.real_len.next_power_of_two(), 0);
                    continue;
                }
                // Kernel replies carry our port id in every message; split drops the rest.
                let sp = split::split(buf[..r.len].to_vec(), s.port_id);
                if sp.foreign > 0 {
                    events.push(Event::Dropped { reason: format!("{} message(s) for another port id", sp.foreign) });
                }
                if let Some((offset, text)) = sp.malformed {
                    events.push(Event::Dropped { reason: format!("malformed datagram at byte {offset}: {text}") });
                }
                let ended = until.as_deref_mut().is_some_and(|w| all_ended(w, &sp.chunks));
                events.extend(sp.chunks.into_iter().map(Event::Chunk));
                if ended {
                    return false;
                }
            }
            Err(e) if e.raw_os_error() == Some(libc::ENOBUFS) => events.push(Event::Overrun),
            Err(e) => {
                events.push(Event::Fatal { errno: e.raw_os_error().unwrap_or(0), message: format!("recvmsg: {e}") });
                return true;
            }
        }
    }
    // More may be queued: come back after handing this batch over.
    s.wake();
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::Duration;

    /// NETLINK_USERSOCK: two user-space sockets talk without touching any kernel state.
    const NETLINK_USERSOCK: i32 = 2;

    fn open_with_channel(opts: OpenOptions) -> (Conn, mpsc::Receiver<Event>) {
        let (tx, rx) = mpsc::channel();
        let sink: Sink = Box::new(move |events| events.into_iter().all(|e| tx.send(e).is_ok()));
        (Conn::open(&opts, sink).expect("open"), rx)
    }

    #[test]
    fn messages_from_another_sender_are_dropped() {
        let (conn, rx) = open_with_channel(OpenOptions { protocol: Some(NETLINK_USERSOCK), ..Default::default() });
        let forger = sys::netlink_socket(NETLINK_USERSOCK).unwrap();
        let forger_port = sys::bind_autoport(&forger).unwrap();
        // A well-formed "ACK" carrying our port id, from a user-space port: must not count.
        let mut ack = [0u8; 36];
        ack[0] = 36;
        ack[4] = 2;
        ack[12..16].copy_from_slice(&conn.port_id.to_le_bytes());
        let mut addr: libc::sockaddr_nl = unsafe { std::mem::zeroed() };
        addr.nl_family = libc::AF_NETLINK as libc::sa_family_t;
        addr.nl_pid = conn.port_id;
        // SAFETY: valid buffer and address for the lengths given.
        let n = unsafe {
            libc::sendto(
                forger.as_raw_fd(),
                ack.as_ptr().cast(),
                ack.len(),
                0,
                (&addr as *const libc::sockaddr_nl).cast(),
                std::mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t,
            )
        };
        assert_eq!(n, 36);
        match rx.recv_timeout(Duration::from_secs(5)).unwrap() {
            Event::Dropped { reason } => {
                assert!(reason.contains(&forger_port.to_string()), "{reason}")
            }
            e => panic!("expected Dropped, got {e:?}"),
        }
        conn.close();
        assert!(rx.recv_timeout(Duration::from_millis(50)).is_err());
    }

    fn chunk(seq: u32, data: &[u8], terminal: bool, errno: i32) -> Event {
        Event::Chunk(Chunk { seq, data: data.to_vec(), terminal, errno, ext_ack_message: None, ext_ack_offset: None })
    }

    #[test]
    fn pack_writes_plain_chunks_and_refuses_everything_else() {
        let (mut out, mut meta) = ([0u8; 8], [0i32; 8]);
        let two = [chunk(7, b"abc", false, 0), chunk(7, b"de", true, 2)];
        assert_eq!(pack(&two, &mut out, &mut meta), Some(2));
        assert_eq!((&out[..5], &meta[..]), (&b"abcde"[..], &[7, 3, 0, 0, 7, 2, 1, 2][..]));
        assert_eq!(pack(&[], &mut out, &mut meta), Some(0));
        // Does not fit: bytes, or more chunks than meta has room for.
        assert_eq!(pack(&[chunk(1, &[0; 9], true, 0)], &mut out, &mut meta), None);
        assert_eq!(
            pack(&[chunk(1, b"a", false, 0), chunk(1, b"b", false, 0), chunk(1, b"c", true, 0)], &mut out, &mut meta),
            None
        );
        // Extended-ACK text and other events go as objects.
        let texted = Event::Chunk(Chunk {
            ext_ack_message: Some("no".into()),
            ..match chunk(1, b"a", true, 22) {
                Event::Chunk(c) => c,
                _ => unreachable!(),
            }
        });
        assert_eq!(pack(&[texted], &mut out, &mut meta), None);
        assert_eq!(pack(&[chunk(1, b"a", true, 0), Event::Overrun], &mut out, &mut meta), None);
    }

    #[test]
    fn packed_keeps_the_order_of_chunks_and_other_events() {
        let p = Packed::new(vec![chunk(5, b"xy", false, 0), Event::Overrun, chunk(5, b"z", true, 0)]);
        let entries: Vec<i32> = p.bytes[..48].chunks(4).map(|b| i32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
        assert_eq!(entries, [5, 2, 0, 0, 0, -1, 0, 0, 5, 1, 1, 0]);
        assert_eq!((&p.bytes[48..], p.entries, p.others.as_slice()), (&b"xyz"[..], 3, &[Event::Overrun][..]));
    }

    #[test]
    fn all_ended_waits_for_every_request_of_the_sendmsg() {
        let mut w: VecDeque<u32> = [1, 2, 3].into();
        let c = |seq, terminal| match chunk(seq, b"x", terminal, 0) {
            Event::Chunk(c) => c,
            _ => unreachable!(),
        };
        assert!(!all_ended(&mut w, &[c(1, true), c(2, false)]));
        assert!(!all_ended(&mut w, &[c(3, true)])); // out of order
        assert_eq!(w, [2]);
        assert!(all_ended(&mut w, &[c(2, true)]));
    }

    #[test]
    fn bad_namespace_is_err_netns() {
        let e = Conn::open(
            &OpenOptions { netns: Some("/nonexistent/netns".into()), ..Default::default() },
            Box::new(|_| true),
        )
        .err()
        .unwrap();
        assert_eq!((e.code, e.errno), ("ERR_NETNS", Some(libc::ENOENT)));
    }

    fn fifo(name: &str) -> std::path::PathBuf {
        let p = std::env::temp_dir().join(format!("cttimeout-{name}-{}", std::process::id()));
        let _ = std::fs::remove_file(&p);
        let c = std::ffi::CString::new(p.to_str().unwrap()).unwrap();
        // SAFETY: valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        p
    }

    fn open_err(opts: OpenOptions) -> OpenError {
        let (tx, rx) = mpsc::channel();
        // A FIFO used to block open() for ever: run it on a thread and bound the wait.
        std::thread::spawn(move || {
            let _ = tx.send(Conn::open(&opts, Box::new(|_| true)).err().unwrap());
        });
        rx.recv_timeout(Duration::from_secs(5)).expect("open must not block")
    }

    #[test]
    fn a_fifo_as_namespace_or_capture_is_refused_without_blocking() {
        let f = fifo("fifo-ns");
        let e = open_err(OpenOptions { netns: Some(f.to_str().unwrap().into()), ..Default::default() });
        assert_eq!((e.code, e.errno), ("ERR_NETNS", Some(libc::EINVAL)));
        assert!(e.message.contains("not a namespace file"), "{}", e.message);
        let e = open_err(OpenOptions {
            protocol: Some(NETLINK_USERSOCK),
            capture: Some(f.to_str().unwrap().into()),
            ..Default::default()
        });
        // No reader on the FIFO: ENXIO from the non-blocking open; with one it is "not a
        // regular file". Either way it is refused at once.
        assert_eq!(e.code, "ERR_CAPTURE");
        assert!(matches!(e.errno, Some(libc::ENXIO | libc::EINVAL)), "{e:?}");
        std::fs::remove_file(&f).unwrap();
    }

    #[test]
    fn namespace_specs_other_than_names_and_absolute_paths_are_refused() {
        for spec in ["", ".", "..", "../../proc/self/ns/net", "a/b"] {
            let e = open_err(OpenOptions { netns: Some(spec.into()), ..Default::default() });
            assert_eq!((e.code, e.errno), ("ERR_NETNS", Some(libc::EINVAL)), "{spec}");
        }
        assert_eq!(sys::netns_path("blue").unwrap(), "/run/netns/blue");
        assert_eq!(sys::netns_path("/proc/1/ns/net").unwrap(), "/proc/1/ns/net");
    }
}
