//! # cttimeout-socket
//!
//! A Node-API addon that moves netlink bytes between Node and the kernel's NETLINK_NETFILTER
//! socket. It knows netlink framing (from cttimeout-codec), not policies: the TypeScript
//! transport (packages/cttimeout/src/transport) assigns sequence numbers, matches replies to
//! requests, and owns timeouts, aborts and streams.
//!
//! Threads: opening runs on the libuv pool (plus a short-lived helper thread when it must
//! enter another network namespace); each socket then has one I/O thread that does every
//! sendmsg and recvmsg, so the JS thread never blocks on the kernel. Replies reach JS through
//! a thread-safe function with a bounded queue: a JS thread that falls behind stops the I/O
//! thread, and a stopped reader stops the kernel's dump, so memory stays bounded.
//!
//! Nothing here panics across the FFI boundary: errors are values, and locks recover from
//! poisoning.
#![deny(clippy::all)]

pub mod capture;
pub mod conn;
pub mod pace;
pub mod split;
mod sys;

#[cfg(not(test))]
mod node {
    use napi::bindgen_prelude::*;
    use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
    use napi_derive::napi;

    use crate::conn::{Conn, Event, OpenError, OpenOptions};

    /// Options for {@link open}. Sizes are bytes.
    #[napi(object)]
    pub struct NativeOpenOptions {
        /// A path (/proc/PID/ns/net, /run/netns/NAME) or a name under /run/netns.
        pub netns: Option<String>,
        pub receive_buffer_bytes: Option<u32>,
        /// Size of the user-space read buffer (tests make it tiny to provoke MSG_TRUNC).
        pub read_buffer_bytes: Option<u32>,
        /// pcap file to write every datagram to ('' or absent: no capture).
        pub capture: Option<String>,
        /// Internal (tests): create the socket as this uid/gid, on the helper thread only.
        pub unprivileged_uid: Option<u32>,
        pub unprivileged_gid: Option<u32>,
        /// Internal (tests): a netlink protocol other than NETLINK_NETFILTER (12).
        pub protocol: Option<i32>,
    }

    /// Why open failed.
    #[napi(object)]
    pub struct NativeOpenError {
        /// ERR_NETNS, ERR_CAPTURE or ERR_SOCKET.
        pub code: String,
        pub message: String,
        pub errno: Option<i32>,
    }

    /// One thing the I/O thread saw, tagged by `kind`.
    #[napi(discriminant = "kind", discriminant_case = "kebab-case")]
    pub enum NativeEvent {
        /// One or more whole messages of one request; `terminal` when it ends with the
        /// request's ACK, error or DONE, whose positive errno (0 = success) is `errno`.
        Chunk {
            seq: u32,
            data: Buffer,
            terminal: bool,
            errno: i32,
            ext_ack_message: Option<String>,
            ext_ack_offset: Option<u32>,
        },
        /// recvmsg said ENOBUFS: the kernel dropped replies.
        Overrun,
        /// A datagram cut to `length` of its `real_length` bytes; `seq` of its first message if
        /// readable; `terminal` when that message was an ACK, error or DONE.
        Truncated { seq: Option<u32>, terminal: bool, length: u32, real_length: u32 },
        /// A sendmsg failed: none of the requests `seqs` reached the kernel.
        SendFailed { seqs: Vec<u32>, errno: i32 },
        /// A datagram or message that was not a reply for this socket.
        Dropped { message: String },
        /// The socket is unusable; the I/O thread has stopped.
        Fatal { errno: i32, message: String },
    }

    /// A batch of events from the I/O thread, as plain memory (conn::Packed): `entries` entries
    /// of four little-endian i32 (seq, length, terminal, errno) at the start of `packed`, then
    /// the chunks' bytes back to back; an entry of length -1 is the next of `others`.
    #[napi(object)]
    pub struct NativeBatch {
        pub packed: Buffer,
        pub entries: u32,
        pub others: Vec<NativeEvent>,
    }

    fn batch_to_js(events: Vec<Event>) -> NativeBatch {
        let p = crate::conn::Packed::new(events);
        NativeBatch {
            packed: p.bytes.into(),
            entries: p.entries as u32,
            others: p.others.into_iter().map(to_js).collect(),
        }
    }

    fn to_js(e: Event) -> NativeEvent {
        match e {
            Event::Chunk(c) => NativeEvent::Chunk {
                seq: c.seq,
                data: c.data.into(),
                terminal: c.terminal,
                errno: c.errno,
                ext_ack_message: c.ext_ack_message,
                ext_ack_offset: c.ext_ack_offset,
            },
            Event::Overrun => NativeEvent::Overrun,
            Event::Truncated { seq, terminal, len, real_len } => {
                NativeEvent::Truncated { seq, terminal, length: len as u32, real_length: real_len as u32 }
            }
            Event::SendFailed { seqs, errno } => NativeEvent::SendFailed { seqs, errno },
            Event::Dropped { reason } => NativeEvent::Dropped { message: reason },
            Event::Fatal { errno, message } => NativeEvent::Fatal { errno, message },
        }
    }

    /// As to_js, but reply bytes are copied into memory V8 owns. An external Buffer is freed by
    /// a finalizer Node runs on a later event-loop turn, and a loop of awaited requests answered
    /// here (microtasks only) gives it none: 1,000,000 `await ct.get()` grew RSS by ~350 bytes
    /// per request until the loop yielded. The replies are small (an ACK is 36 bytes).
    fn to_js_copied(env: &Env, e: Event) -> Result<NativeEvent> {
        Ok(match e {
            Event::Chunk(c) => NativeEvent::Chunk {
                seq: c.seq,
                data: BufferSlice::copy_from(env, &c.data)?.into_buffer(env)?,
                terminal: c.terminal,
                errno: c.errno,
                ext_ack_message: c.ext_ack_message,
                ext_ack_offset: c.ext_ack_offset,
            },
            other => to_js(other),
        })
    }

    /// Weak (does not keep Node alive by itself: the JS side holds the loop open while requests
    /// are pending), not callee-handled, and bounded: at most 2 batches (of about 128 KiB)
    /// wait for the JS thread; then the I/O thread blocks, and with it the kernel's dump.
    type EventFn = ThreadsafeFunction<NativeBatch, Unknown<'static>, NativeBatch, Status, false, true, 2>;

    pub struct OpenTask {
        opts: OpenOptions,
        events: Option<EventFn>,
    }

    impl Task for OpenTask {
        type Output = std::result::Result<Conn, OpenError>;
        type JsValue = Either<NativeSocket, NativeOpenError>;

        fn compute(&mut self) -> Result<Self::Output> {
            let Some(tsfn) = self.events.take() else {
                return Err(Error::from_reason("open ran twice"));
            };
            let sink = Box::new(move |events: Vec<Event>| {
                tsfn.call(batch_to_js(events), ThreadsafeFunctionCallMode::Blocking) == Status::Ok
            });
            Ok(Conn::open(&self.opts, sink))
        }

        fn resolve(&mut self, _env: Env, output: Self::Output) -> Result<Self::JsValue> {
            Ok(match output {
                Ok(conn) => Either::A(NativeSocket { port_id: conn.port_id, ext_ack: conn.ext_ack, conn: Some(conn) }),
                Err(e) => Either::B(NativeOpenError { code: e.code.into(), message: e.message, errno: e.errno }),
            })
        }
    }

    /// Opens a NETLINK_NETFILTER socket. `onEvents` receives batches of events (NativeBatch) on the JS
    /// thread. Resolves to the socket, or to a NativeOpenError describing what failed.
    #[napi(ts_return_type = "Promise<NativeSocket | NativeOpenError>")]
    pub fn open(
        options: NativeOpenOptions,
        on_events: Function<'_, NativeBatch, Unknown<'static>>,
    ) -> Result<AsyncTask<OpenTask>> {
        let events = on_events
            .build_threadsafe_function::<NativeBatch>()
            .callee_handled::<false>()
            .weak::<true>()
            .max_queue_size::<2>()
            .build_callback(|ctx| Ok(ctx.value))?;
        let unprivileged = options.unprivileged_uid.map(|uid| (uid, options.unprivileged_gid.unwrap_or(uid)));
        let opts = OpenOptions {
            netns: options.netns,
            receive_buffer: options.receive_buffer_bytes.map(|v| v as usize),
            read_buffer: options.read_buffer_bytes.map(|v| v as usize),
            capture: options.capture,
            unprivileged,
            protocol: options.protocol,
        };
        Ok(AsyncTask::new(OpenTask { opts, events: Some(events) }))
    }

    pub struct CloseTask {
        conn: Option<Conn>,
    }

    impl Task for CloseTask {
        type Output = ();
        type JsValue = ();

        fn compute(&mut self) -> Result<()> {
            // Joins the I/O thread here, on the libuv pool, never on the JS thread.
            if let Some(c) = self.conn.take() {
                c.close();
            }
            Ok(())
        }

        fn resolve(&mut self, _env: Env, _output: ()) -> Result<()> {
            Ok(())
        }
    }

    #[napi]
    pub struct NativeSocket {
        conn: Option<Conn>,
        port_id: u32,
        ext_ack: bool,
    }

    fn closed() -> Error {
        Error::from_reason("the netlink socket is closed")
    }

    #[napi]
    impl NativeSocket {
        /// The kernel-assigned netlink port id.
        #[napi(getter)]
        pub fn port_id(&self) -> u32 {
            self.port_id
        }

        /// Whether NETLINK_EXT_ACK could be turned on.
        #[napi(getter)]
        pub fn ext_ack(&self) -> bool {
            self.ext_ack
        }

        /// Queues one sendmsg with one or more whole requests (copied). Returns at once.
        #[napi]
        pub fn send(&self, data: Uint8Array) -> Result<()> {
            let conn = self.conn.as_ref().ok_or_else(closed)?;
            conn.send(data.to_vec());
            Ok(())
        }

        /// Sends one sendmsg on this thread and returns the replies already queued (the kernel
        /// answers a cttimeout request inside sendmsg), with no hop to the I/O thread; null when
        /// that cannot be done without waiting (nothing was sent: use send). Later replies
        /// arrive through onEvents. With `out` and `meta`, replies that are plain chunks are
        /// written there instead (see conn::pack) and the result is their count: creating the
        /// event objects and buffers cost more than the kernel's work on a DELETE.
        #[napi(ts_return_type = "number | Array<NativeEvent> | null")]
        pub fn send_now(
            &self,
            env: Env,
            data: &[u8],
            out: Option<&mut [u8]>,
            meta: Option<&mut [i32]>,
        ) -> Result<Option<Either<u32, Vec<NativeEvent>>>> {
            let conn = self.conn.as_ref().ok_or_else(closed)?;
            let Some(events) = conn.send_now(data) else { return Ok(None) };
            if let (Some(out), Some(meta)) = (out, meta) {
                if let Some(n) = crate::conn::pack(&events, out, meta) {
                    return Ok(Some(Either::A(n as u32)));
                }
            }
            events.into_iter().map(|e| to_js_copied(&env, e)).collect::<Result<_>>().map(|v| Some(Either::B(v)))
        }

        /// Nothing is in flight: the I/O thread stops watching the socket until the next send
        /// (send_now reads the replies it expects itself).
        #[napi]
        pub fn set_idle(&self) -> Result<()> {
            self.conn.as_ref().ok_or_else(closed)?.set_idle();
            Ok(())
        }

        /// Stops (true) or restarts (false) reading from the socket.
        #[napi]
        pub fn set_paused(&self, paused: bool) -> Result<()> {
            self.conn.as_ref().ok_or_else(closed)?.set_paused(paused);
            Ok(())
        }

        /// Requests SO_RCVBUF = bytes (SO_RCVBUFFORCE when allowed); returns what the kernel
        /// reports afterwards (twice the usable size, as getsockopt does).
        #[napi]
        pub fn set_receive_buffer(&self, bytes: u32) -> Result<u32> {
            let conn = self.conn.as_ref().ok_or_else(closed)?;
            conn.set_receive_buffer(bytes as usize)
                .map(|v| v.min(u32::MAX as usize) as u32)
                .map_err(|e| Error::from_reason(format!("SO_RCVBUF: {e}")))
        }

        /// The current SO_RCVBUF as getsockopt reports it.
        #[napi]
        pub fn receive_buffer(&self) -> Result<u32> {
            let conn = self.conn.as_ref().ok_or_else(closed)?;
            conn.receive_buffer()
                .map(|v| v.min(u32::MAX as usize) as u32)
                .map_err(|e| Error::from_reason(format!("SO_RCVBUF: {e}")))
        }

        /// [datagrams sent, datagrams received].
        #[napi]
        pub fn counters(&self) -> Vec<f64> {
            let (s, r) = self.conn.as_ref().map_or((0, 0), |c| c.counters());
            vec![s as f64, r as f64]
        }

        /// Stops the I/O thread and closes the socket. Resolves once both are gone.
        #[napi]
        pub fn close(&mut self) -> AsyncTask<CloseTask> {
            let conn = self.conn.take();
            if let Some(c) = &conn {
                c.signal_stop();
            }
            AsyncTask::new(CloseTask { conn })
        }
    }
}
