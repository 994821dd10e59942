//! Paces the I/O thread's sendmsg calls. The kernel executes every cttimeout request of a
//! sendmsg before the call returns, and a kernel built without preemption (`PREEMPT_NONE`, as
//! this one) does not give the CPU up meanwhile: 256 NEWs into a table of 100,000 policies (each
//! NEW walks the list) held a CPU for ~250 ms. Any thread waiting for that CPU waited as long,
//! among them V8's GC helpers, whose scavenge the JS thread then waited on (event-loop gaps of
//! 30+ ms with the JS thread blocked, not running). So a datagram whose requests would take the
//! kernel longer than SLICE_BUDGET_NS, going by the time per message of the sends before it, goes
//! out as several sendmsg calls of whole messages, in order. The kernel runs them the same way
//! (cttimeout requests are independent: no batch transaction), and the replies are the same.

use std::time::Duration;

use cttimeout_codec::framing::messages;

/// Kernel time one sendmsg should take at most, as far as the estimate knows.
pub const SLICE_BUDGET_NS: f64 = 1_000_000.0;
/// Messages in the first sendmsg of a large datagram when no send has been timed yet.
pub const PROBE_MESSAGES: usize = 16;

/// The kernel's recent time per request message, from the I/O thread's own sends.
#[derive(Debug, Default, Clone)]
pub struct Pacer {
    /// Nanoseconds per message, an average over recent sends weighted to the latest; 0 = none yet.
    ns_per_message: f64,
}

impl Pacer {
    /// How many messages the next sendmsg may carry.
    pub fn slice_messages(&self) -> usize {
        if self.ns_per_message <= 0.0 {
            PROBE_MESSAGES
        } else {
            ((SLICE_BUDGET_NS / self.ns_per_message) as usize).max(1)
        }
    }

    /// A sendmsg of `count` messages took `took`.
    pub fn record(&mut self, count: usize, took: Duration) {
        if count == 0 {
            return;
        }
        let per = took.as_nanos() as f64 / count as f64;
        // Half the weight to the latest send: the table, and so the time per NEW, changes as
        // the requests run (it grows with each NEW), and a probe must count quickly.
        self.ns_per_message = if self.ns_per_message <= 0.0 { per } else { (self.ns_per_message + per) / 2.0 };
    }

    /// Sends `data` with one or more calls of `send`, each whole messages, in order; `send`
    /// makes one sendmsg and says how long it took, or its errno. Bytes that are not whole
    /// netlink messages go in one call: the kernel is the one to judge them. On a failure the
    /// rest is not sent: Err((offset of the first byte not sent, errno)).
    pub fn send(
        &mut self,
        data: &[u8],
        mut send: impl FnMut(&[u8]) -> Result<Duration, i32>,
    ) -> Result<(), (usize, i32)> {
        let ends = match message_ends(data) {
            Some(ends) if ends.len() > self.slice_messages() => ends,
            whole => {
                let took = send(data).map_err(|errno| (0, errno))?;
                self.record(whole.map_or(1, |e| e.len()), took);
                return Ok(());
            }
        };
        let (mut start, mut i) = (0, 0);
        while i < ends.len() {
            let count = self.slice_messages().min(ends.len() - i);
            let end = ends[i + count - 1];
            let took = send(&data[start..end]).map_err(|errno| (start, errno))?;
            self.record(count, took);
            (start, i) = (end, i + count);
        }
        Ok(())
    }
}

/// Where each message of `data` ends; None unless `data` is whole netlink messages.
fn message_ends(data: &[u8]) -> Option<Vec<usize>> {
    let mut ends = Vec::new();
    for m in messages(data) {
        let m = m.ok()?;
        ends.push(m.offset + m.header.len as usize);
    }
    (ends.last().copied().unwrap_or(0) == data.len()).then_some(ends)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(seq: u32, payload: usize) -> Vec<u8> {
        let mut v = Vec::new();
        v.extend_from_slice(&(16 + payload as u32).to_le_bytes());
        v.extend_from_slice(&0x0800u16.to_le_bytes());
        v.extend_from_slice(&5u16.to_le_bytes());
        v.extend_from_slice(&seq.to_le_bytes());
        v.extend_from_slice(&0u32.to_le_bytes());
        v.extend(std::iter::repeat_n(0u8, payload));
        v
    }

    fn datagram(n: u32) -> Vec<u8> {
        (0..n).flat_map(|i| msg(i, 4 * (i as usize % 3))).collect()
    }

    /// Every sendmsg `send` makes, as its messages' sequence numbers, each taking `per_message`
    /// for each message it holds.
    fn sends(data: &[u8], pacer: &mut Pacer, per_message: Duration) -> Vec<Vec<u32>> {
        let mut out = Vec::new();
        pacer
            .send(data, |bytes| {
                out.push(crate::split::seqs(bytes));
                Ok(per_message * crate::split::seqs(bytes).len().max(1) as u32)
            })
            .unwrap();
        out
    }

    #[test]
    fn a_cheap_kernel_gets_the_datagram_whole_after_the_probe() {
        let d = datagram(300);
        let mut p = Pacer::default();
        let s = sends(&d, &mut p, Duration::from_micros(2));
        assert_eq!(s.iter().map(Vec::len).collect::<Vec<_>>(), vec![16, 284]);
        // Then whole: 1 ms / 2 µs is 500 messages a sendmsg.
        assert_eq!(sends(&d, &mut p, Duration::from_micros(2)).len(), 1);
    }

    #[test]
    fn a_slow_kernel_gets_slices_within_the_budget_in_order() {
        let d = datagram(256);
        let mut p = Pacer::default();
        // A NEW into a 100,000-policy table: ~1 ms of kernel time each.
        let s = sends(&d, &mut p, Duration::from_micros(990));
        assert_eq!(s[0].len(), PROBE_MESSAGES);
        assert!(s[1..].iter().all(|x| x.len() == 1), "{s:?}");
        assert_eq!(s.concat(), (0..256).collect::<Vec<u32>>());
        // 250 µs each: four to a sendmsg.
        let mut q = Pacer::default();
        q.record(1, Duration::from_micros(250));
        let s = sends(&d, &mut q, Duration::from_micros(250));
        assert!(s.iter().all(|x| x.len() == 4), "{s:?}");
        assert_eq!(s.concat(), (0..256).collect::<Vec<u32>>());
    }

    #[test]
    fn the_estimate_follows_the_kernel_both_ways() {
        let mut p = Pacer::default();
        p.record(10, Duration::from_millis(10));
        assert_eq!(p.slice_messages(), 1);
        for _ in 0..40 {
            p.record(100, Duration::from_micros(200));
        }
        let settled = p.slice_messages();
        assert!((499..=500).contains(&settled), "{settled}"); // 1 ms / 2 µs, less the first send's trace
        p.record(0, Duration::from_secs(1)); // nothing sent: no change
        assert_eq!(p.slice_messages(), settled);
    }

    #[test]
    fn bytes_that_are_not_whole_messages_go_as_they_are() {
        let mut slow = Pacer::default();
        slow.record(1, Duration::from_millis(5));
        let mut torn = datagram(40);
        torn.extend_from_slice(&[1, 2, 3]);
        for d in [torn, vec![0xff; 7], vec![]] {
            let mut calls = Vec::new();
            slow.send(&d, |b| {
                calls.push(b.len());
                Ok(Duration::from_millis(5))
            })
            .unwrap();
            assert_eq!(calls, vec![d.len()]);
        }
    }

    #[test]
    fn a_failed_sendmsg_stops_the_rest_and_says_where() {
        let d = datagram(10);
        let mut p = Pacer::default();
        p.record(1, Duration::from_millis(1)); // one message a sendmsg
        let mut n = 0;
        let r = p.send(&d, |_| {
            n += 1;
            if n == 4 {
                Err(105)
            } else {
                Ok(Duration::from_millis(1))
            }
        });
        let (at, errno) = r.unwrap_err();
        assert_eq!((n, errno), (4, 105));
        assert_eq!(crate::split::seqs(&d[at..]), (3..10).collect::<Vec<u32>>());
        // Sent whole, a failure is the whole datagram's.
        let mut fast = Pacer::default();
        assert_eq!(fast.send(&d, |_| Err(1)), Err((0, 1)));
    }
}
