//! Thin wrappers over the libc calls the transport needs. Every function returns
//! `io::Result` and takes or returns owned file descriptors, so nothing leaks on an error path.

use std::ffi::CString;
use std::io;
use std::mem::{size_of, zeroed};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

pub const SOL_NETLINK: libc::c_int = 270;
pub const NETLINK_CAP_ACK: libc::c_int = 10;
pub const NETLINK_EXT_ACK: libc::c_int = 11;

fn check(ret: libc::c_int) -> io::Result<libc::c_int> {
    if ret < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(ret)
    }
}

/// `socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol)`.
pub fn netlink_socket(protocol: libc::c_int) -> io::Result<OwnedFd> {
    // SAFETY: plain syscall; the returned fd is owned from here on.
    let fd = check(unsafe { libc::socket(libc::AF_NETLINK, libc::SOCK_RAW | libc::SOCK_CLOEXEC, protocol) })?;
    // SAFETY: fd was just returned by socket() and is not owned by anything else.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// Binds with `nl_pid = 0` (the kernel assigns the port id) and returns the port id.
pub fn bind_autoport(fd: &OwnedFd) -> io::Result<u32> {
    // SAFETY: sockaddr_nl is plain data; all-zero is a valid value.
    let mut addr: libc::sockaddr_nl = unsafe { zeroed() };
    addr.nl_family = libc::AF_NETLINK as libc::sa_family_t;
    let len = size_of::<libc::sockaddr_nl>() as libc::socklen_t;
    // SAFETY: addr is a valid sockaddr_nl of the given length.
    check(unsafe { libc::bind(fd.as_raw_fd(), (&addr as *const libc::sockaddr_nl).cast(), len) })?;
    let mut got: libc::sockaddr_nl = unsafe { zeroed() };
    let mut got_len = len;
    // SAFETY: got is writable and got_len holds its size.
    check(unsafe { libc::getsockname(fd.as_raw_fd(), (&mut got as *mut libc::sockaddr_nl).cast(), &mut got_len) })?;
    Ok(got.nl_pid)
}

pub fn set_int_opt(fd: RawFd, level: libc::c_int, name: libc::c_int, value: libc::c_int) -> io::Result<()> {
    // SAFETY: value is a live c_int of the size passed.
    check(unsafe {
        libc::setsockopt(
            fd,
            level,
            name,
            (&value as *const libc::c_int).cast(),
            size_of::<libc::c_int>() as libc::socklen_t,
        )
    })
    .map(drop)
}

pub fn get_int_opt(fd: RawFd, level: libc::c_int, name: libc::c_int) -> io::Result<libc::c_int> {
    let mut value: libc::c_int = 0;
    let mut len = size_of::<libc::c_int>() as libc::socklen_t;
    // SAFETY: value is writable and len holds its size.
    check(unsafe { libc::getsockopt(fd, level, name, (&mut value as *mut libc::c_int).cast(), &mut len) })?;
    Ok(value)
}

/// Sets a socket buffer (SO_RCVBUF/SO_SNDBUF). Tries the FORCE variant first, which ignores
/// the net.core.*mem_max limits but needs CAP_NET_ADMIN in the initial user namespace; falls
/// back to the plain option, which the kernel caps silently. Returns what the kernel reports
/// afterwards (it doubles the value for its bookkeeping overhead).
pub fn set_buffer(fd: RawFd, rcv: bool, bytes: usize) -> io::Result<usize> {
    let (force, plain) =
        if rcv { (libc::SO_RCVBUFFORCE, libc::SO_RCVBUF) } else { (libc::SO_SNDBUFFORCE, libc::SO_SNDBUF) };
    let v = libc::c_int::try_from(bytes).unwrap_or(libc::c_int::MAX / 2);
    if set_int_opt(fd, libc::SOL_SOCKET, force, v).is_err() {
        set_int_opt(fd, libc::SOL_SOCKET, plain, v)?;
    }
    Ok(get_int_opt(fd, libc::SOL_SOCKET, plain)?.max(0) as usize)
}

/// A non-blocking, close-on-exec eventfd used to wake the I/O thread.
pub fn eventfd() -> io::Result<OwnedFd> {
    // SAFETY: plain syscall.
    let fd = check(unsafe { libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) })?;
    // SAFETY: fd was just created and is owned here.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

pub fn eventfd_signal(fd: RawFd) {
    let one: u64 = 1;
    // SAFETY: writes 8 bytes from a live u64. A full counter (EAGAIN) still wakes the reader,
    // so the result does not matter.
    unsafe { libc::write(fd, (&one as *const u64).cast(), 8) };
}

pub fn eventfd_drain(fd: RawFd) {
    let mut v: u64 = 0;
    // SAFETY: reads 8 bytes into a live u64; EAGAIN when nothing was signalled is fine.
    unsafe { libc::read(fd, (&mut v as *mut u64).cast(), 8) };
}

/// Waits until `fd` (when `want_fd`) or `wake` is readable. Returns (fd ready, wake ready).
pub fn poll2(fd: RawFd, want_fd: bool, wake: RawFd) -> io::Result<(bool, bool)> {
    let mut fds = [
        libc::pollfd { fd: if want_fd { fd } else { -1 }, events: libc::POLLIN, revents: 0 },
        libc::pollfd { fd: wake, events: libc::POLLIN, revents: 0 },
    ];
    loop {
        // SAFETY: fds is a valid array of two pollfd.
        let r = unsafe { libc::poll(fds.as_mut_ptr(), 2, -1) };
        if r >= 0 {
            break;
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
    let ready = |p: &libc::pollfd| p.revents & (libc::POLLIN | libc::POLLERR | libc::POLLHUP) != 0;
    Ok((want_fd && ready(&fds[0]), ready(&fds[1])))
}

/// `sendto` the kernel (port 0). Netlink processes the request inside this call.
pub fn send_to_kernel(fd: RawFd, buf: &[u8]) -> io::Result<()> {
    // SAFETY: sockaddr_nl is plain data.
    let mut addr: libc::sockaddr_nl = unsafe { zeroed() };
    addr.nl_family = libc::AF_NETLINK as libc::sa_family_t;
    loop {
        // SAFETY: buf and addr are valid for the lengths given.
        let n = unsafe {
            libc::sendto(
                fd,
                buf.as_ptr().cast(),
                buf.len(),
                0,
                (&addr as *const libc::sockaddr_nl).cast(),
                size_of::<libc::sockaddr_nl>() as libc::socklen_t,
            )
        };
        if n >= 0 {
            return Ok(());
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

/// One datagram read without blocking.
pub struct Received {
    /// Bytes copied into the buffer.
    pub len: usize,
    /// The datagram's real length (larger than `len` when it was truncated).
    pub real_len: usize,
    /// Port id of the sender (0 = the kernel).
    pub sender: u32,
}

/// `recvmsg(MSG_DONTWAIT | MSG_TRUNC)`: `Ok(None)` when nothing is queued.
pub fn recv(fd: RawFd, buf: &mut [u8]) -> io::Result<Option<Received>> {
    // SAFETY: all-zero is valid for these plain-data structs.
    let mut addr: libc::sockaddr_nl = unsafe { zeroed() };
    let mut iov = libc::iovec { iov_base: buf.as_mut_ptr().cast(), iov_len: buf.len() };
    let mut msg: libc::msghdr = unsafe { zeroed() };
    msg.msg_name = (&mut addr as *mut libc::sockaddr_nl).cast();
    msg.msg_namelen = size_of::<libc::sockaddr_nl>() as libc::socklen_t;
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    loop {
        // SAFETY: msg points at live iov/addr for the duration of the call.
        let n = unsafe { libc::recvmsg(fd, &mut msg, libc::MSG_DONTWAIT | libc::MSG_TRUNC) };
        if n >= 0 {
            let real_len = n as usize;
            return Ok(Some(Received { len: real_len.min(buf.len()), real_len, sender: addr.nl_pid }));
        }
        let e = io::Error::last_os_error();
        match e.raw_os_error() {
            Some(libc::EINTR) => continue,
            Some(libc::EAGAIN) => return Ok(None),
            _ => return Err(e),
        }
    }
}

/// Where a namespace spec points: a bare name (no '/', not '.' or '..') is /run/netns/NAME, an
/// absolute path is itself; anything else (empty, relative, `../x`) is refused rather than
/// guessed, so `../../proc/self/ns/net` never lands under /run/netns.
pub fn netns_path(spec: &str) -> io::Result<String> {
    if spec.starts_with('/') {
        Ok(spec.to_string())
    } else if !spec.is_empty() && !spec.contains('/') && spec != "." && spec != ".." {
        Ok(format!("/run/netns/{spec}"))
    } else {
        Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "a namespace is a name under /run/netns (no '/') or an absolute path",
        ))
    }
}

/// `open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)`, plus `flags`: O_NONBLOCK so that a FIFO
/// (or a device) never blocks the opener; the caller checks what it got.
fn open_nonblocking(path: &Path, flags: libc::c_int, mode: libc::mode_t) -> io::Result<OwnedFd> {
    let c = CString::new(path.as_os_str().as_bytes())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "the path holds a NUL byte"))?;
    // SAFETY: c is a valid NUL-terminated path.
    let fd =
        check(unsafe { libc::open(c.as_ptr(), flags | libc::O_NONBLOCK | libc::O_CLOEXEC, mode as libc::c_uint) })?;
    // SAFETY: fd was just opened and is owned here.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// The st_mode file type bits of an open fd.
fn file_type(fd: &OwnedFd) -> io::Result<libc::mode_t> {
    // SAFETY: all-zero is a valid stat; fstat fills it.
    let mut st: libc::stat = unsafe { zeroed() };
    check(unsafe { libc::fstat(fd.as_raw_fd(), &mut st) })?;
    Ok(st.st_mode & libc::S_IFMT)
}

const NSFS_MAGIC: i64 = 0x6e73_6673;

/// Opens a network namespace file (see [`netns_path`]) without ever blocking, and checks that
/// it is a namespace (a file on nsfs): anything else is EINVAL before setns sees it.
pub fn open_netns(spec: &str) -> io::Result<OwnedFd> {
    let fd = open_nonblocking(Path::new(&netns_path(spec)?), libc::O_RDONLY, 0)?;
    // SAFETY: all-zero is a valid statfs; fstatfs fills it.
    let mut fs: libc::statfs = unsafe { zeroed() };
    check(unsafe { libc::fstatfs(fd.as_raw_fd(), &mut fs) })?;
    if fs.f_type as i64 != NSFS_MAGIC {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a namespace file (expected /run/netns/NAME or /proc/PID/ns/net)",
        ));
    }
    Ok(fd)
}

/// Opens (creating or truncating) a capture file without ever blocking: a FIFO, device or
/// directory is refused; only a regular file is written.
pub fn open_capture(path: &Path) -> io::Result<std::fs::File> {
    // No O_TRUNC yet: a FIFO or device must be refused before anything is done to it.
    let fd = open_nonblocking(path, libc::O_WRONLY | libc::O_CREAT, 0o666)?;
    if file_type(&fd)? != libc::S_IFREG {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "not a regular file"));
    }
    // SAFETY: fd is a valid open fd; ftruncate and fcntl only change its file and flags.
    check(unsafe { libc::ftruncate(fd.as_raw_fd(), 0) })?;
    let fl = check(unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_GETFL) })?;
    check(unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_SETFL, fl & !libc::O_NONBLOCK) })?;
    Ok(std::fs::File::from(fd))
}

/// Moves the calling thread into the network namespace `ns`.
pub fn setns_net(ns: &OwnedFd) -> io::Result<()> {
    // SAFETY: plain syscall on a valid fd.
    check(unsafe { libc::setns(ns.as_raw_fd(), libc::CLONE_NEWNET) }).map(drop)
}

/// Switches only the calling thread to an unprivileged uid/gid (raw syscalls: glibc's
/// wrappers would change every thread of the process). Used to create a socket the kernel
/// treats as opened by an unprivileged user, which is how the EPERM path is tested.
pub fn drop_thread_privileges(uid: u32, gid: u32) -> io::Result<()> {
    // SAFETY: raw credential syscalls with plain integer arguments; they affect this thread only.
    unsafe {
        if libc::syscall(libc::SYS_setgroups, 0, std::ptr::null::<libc::gid_t>()) < 0
            || libc::syscall(libc::SYS_setresgid, gid, gid, gid) < 0
            || libc::syscall(libc::SYS_setresuid, uid, uid, uid) < 0
        {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}
