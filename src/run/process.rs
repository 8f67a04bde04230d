//! Running one task's command: its own process group, output to a log file, a
//! timeout that terminates then kills the whole group.
//!
//! [`run`] starts `sh -c <command>` as the leader of a new process group, with
//! stdin from `/dev/null` and stdout and stderr on one pipe. A reader thread
//! appends what arrives to the log, keeps the last few KiB for
//! [`Finished::tail`], counts the bytes and, past [`Spec::max_log_bytes`], reads
//! and discards, so a chatty command never blocks and never grows memory.
//!
//! The whole group is the unit of control. On timeout or [`cancel_all`] the
//! group gets SIGTERM, then SIGKILL after [`Spec::grace`]. When the shell exits
//! on its own while members of its group are still alive (`sleep 100 &`), those
//! members get the same treatment, so nothing started by a task outlives it and
//! the output pipe closes. Processes that leave the group on purpose (`setsid`,
//! daemons) are out of reach: the reader stops waiting for them a moment after
//! the group is gone, so `run` still returns.
//!
//! On Linux the direct child (the shell, or what it `exec`s) also gets SIGKILL
//! when genie dies, even by SIGKILL. That covers only the direct child; the rest
//! of the group is reached by [`cancel_all`] and [`install_signal_handlers`]
//! while genie is alive to send signals.

use std::fs::{self, File, OpenOptions};
use std::io::{self, PipeReader, Read, Write};
use std::os::fd::{AsRawFd, IntoRawFd};
use std::os::unix::net::UnixStream;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// How often the supervisor looks at the child, the clock and the cancel flag.
const POLL: Duration = Duration::from_millis(20);
/// How much of the end of the output [`Finished::tail`] keeps.
const TAIL_BYTES: usize = 4096;
/// Size of one read from the output pipe.
const CHUNK: usize = 64 * 1024;
/// How long the reader keeps going once the group is gone, for processes that
/// left the group and still hold the pipe open.
const DRAIN: Duration = Duration::from_secs(1);
/// How long to wait, after SIGKILL, for the group to disappear (killed orphans
/// are reaped by init, not by us).
const REAP: Duration = Duration::from_secs(2);

/// One command to run.
#[derive(Debug, Clone)]
pub struct Spec<'a> {
    /// Run with `sh -c`.
    pub command: &'a str,
    /// Working directory; it must exist.
    pub cwd: &'a Path,
    /// Added to the inherited environment.
    pub env: Vec<(String, String)>,
    /// stdout and stderr are appended here, between a header and a footer line;
    /// the file and its parent directories are created.
    pub log: &'a Path,
    /// Measured from the start of `run`.
    pub timeout: Duration,
    /// Between SIGTERM and SIGKILL.
    pub grace: Duration,
    /// Output beyond this many bytes is read and discarded, and a line
    /// `[genie: output truncated after N bytes]` is appended once.
    pub max_log_bytes: u64,
}

/// How a command ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The shell exited with this code (127: command not found).
    Exited(i32),
    /// The shell was killed by this signal, not by genie.
    Signalled(i32),
    /// The timeout passed; the group was terminated.
    TimedOut,
    /// The command could not be started (or the log could not be opened, or
    /// genie lost track of the child); the reason.
    SpawnFailed(String),
    /// [`cancel_all`] was called; the group was terminated.
    Cancelled,
}

impl Outcome {
    /// The exit code a shell would report for this outcome.
    pub fn exit_code(&self) -> i32 {
        match self {
            Outcome::Exited(code) => *code,
            Outcome::Signalled(signal) => 128 + signal,
            Outcome::TimedOut => 124,
            Outcome::SpawnFailed(_) => 127,
            Outcome::Cancelled => 130,
        }
    }
}

/// What [`run`] reports.
#[derive(Debug, Clone)]
pub struct Finished {
    pub outcome: Outcome,
    pub duration: Duration,
    /// Bytes the command printed, including those discarded past the limit.
    pub log_bytes: u64,
    /// The last ~4 KiB of output as lossy UTF-8, from a line start when possible.
    pub tail: String,
}

/// Runs one command to its end, as described in the module documentation.
///
/// Never panics and never blocks forever: every failure becomes an
/// [`Outcome`]. A failure to write the footer to the log is not reported.
pub fn run(spec: &Spec) -> Finished {
    let start = Instant::now();
    let mut log = match open_log(spec) {
        Ok(log) => log,
        Err(reason) => {
            return Finished {
                outcome: Outcome::SpawnFailed(reason),
                duration: start.elapsed(),
                log_bytes: 0,
                tail: String::new(),
            };
        }
    };
    let (outcome, capture) = execute(spec, &log, start);
    let duration = start.elapsed();
    let mut footer = String::new();
    if !capture.ends_with_newline {
        footer.push('\n');
    }
    match &outcome {
        Outcome::TimedOut => footer.push_str(&format!(
            "# genie: timed out after {}s; process group terminated\n",
            seconds(spec.timeout)
        )),
        Outcome::Cancelled => footer.push_str("# genie: cancelled; process group terminated\n"),
        Outcome::SpawnFailed(reason) => {
            footer.push_str(&format!("# genie: could not run: {}\n", one_line(reason)));
        }
        Outcome::Signalled(signal) => {
            footer.push_str(&format!("# genie: killed by signal {signal}\n"));
        }
        Outcome::Exited(_) => {}
    }
    footer.push_str(&format!(
        "# genie: exit {} after {}s\n",
        outcome.exit_code(),
        seconds(duration)
    ));
    // Nothing useful is left to do if the footer cannot be written.
    let _ = log.write_all(footer.as_bytes());
    Finished {
        outcome,
        duration,
        log_bytes: capture.total,
        tail: tail_text(&capture.tail, capture.total <= capture.tail.len() as u64),
    }
}

/// Asks every running command to stop: SIGTERM to each live group now, SIGKILL
/// after its grace (sent by its `run`, which returns [`Outcome::Cancelled`]).
/// Commands that `run` would start afterwards are not started.
///
/// Safe to call from any thread, including one that handles signals; it takes
/// a lock, so not from an asynchronous signal handler itself.
pub fn cancel_all() {
    CANCELLED.store(true, Ordering::SeqCst);
    for group in groups().iter_mut() {
        group.cancelled = true;
        if !group.term_sent {
            signal_group(group.pgid, libc::SIGTERM);
            group.term_sent = true;
        }
    }
}

/// Like [`cancel_all`], but SIGKILL to every live group at once, without grace.
pub fn kill_all() {
    CANCELLED.store(true, Ordering::SeqCst);
    KILL_NOW.store(true, Ordering::SeqCst);
    for group in groups().iter_mut() {
        group.cancelled = true;
        signal_group(group.pgid, libc::SIGKILL);
    }
}

/// True once [`cancel_all`] (or [`kill_all`]) has been called.
pub fn cancelled() -> bool {
    CANCELLED.load(Ordering::SeqCst)
}

/// How many commands are running now.
pub fn running() -> usize {
    groups().len()
}

/// The first of SIGINT, SIGTERM or SIGHUP received since
/// [`install_signal_handlers`], if any; for the orchestrator's own exit code.
pub fn received_signal() -> Option<i32> {
    match FIRST_SIGNAL.load(Ordering::SeqCst) {
        0 => None,
        signal => Some(signal),
    }
}

/// Installs SIGINT, SIGTERM and SIGHUP handling for the orchestrator process:
/// the first signal calls [`cancel_all`], so running groups are terminated,
/// then killed, and genie can write its records and exit; a second signal (of
/// any of the three) calls [`kill_all`]. genie itself no longer dies of these
/// signals. Idempotent; failures are ignored (see
/// [`try_install_signal_handlers`]).
pub fn install_signal_handlers() {
    // Without handlers the signals keep their default effect: genie dies, and
    // its direct children with it on Linux. Nothing better to do here.
    let _ = try_install_signal_handlers();
}

/// [`install_signal_handlers`], reporting why it failed.
///
/// The handler only writes the signal number to a pipe; a thread named
/// `genie-signals` reads it and does the work.
pub fn try_install_signal_handlers() -> io::Result<()> {
    static INSTALLED: Mutex<bool> = Mutex::new(false);
    let mut installed = INSTALLED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if *installed {
        return Ok(());
    }
    let (receiver, sender) = UnixStream::pair()?;
    // The handler must never block.
    sender.set_nonblocking(true)?;
    thread::Builder::new()
        .name("genie-signals".to_owned())
        .spawn(move || watch_signals(receiver))?;
    // Kept open for the life of the process.
    SIGNAL_FD.store(sender.into_raw_fd(), Ordering::SeqCst);
    for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
        let handler: extern "C" fn(libc::c_int) = on_signal;
        // SAFETY: a zeroed sigaction is a valid value to fill in; the handler
        // only does async-signal-safe work (atomics, write, errno).
        let status = unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = handler as libc::sighandler_t;
            action.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(signal, &action, std::ptr::null_mut())
        };
        if status != 0 {
            return Err(io::Error::last_os_error());
        }
    }
    *installed = true;
    Ok(())
}

// ---------------------------------------------------------------------------
// Global state: the cancel flags and the registry of live process groups.

static CANCELLED: AtomicBool = AtomicBool::new(false);
static KILL_NOW: AtomicBool = AtomicBool::new(false);
static GROUPS: Mutex<Vec<Group>> = Mutex::new(Vec::new());
/// Write end of the signal pipe, -1 until handlers are installed.
static SIGNAL_FD: AtomicI32 = AtomicI32::new(-1);
static FIRST_SIGNAL: AtomicI32 = AtomicI32::new(0);

struct Group {
    pgid: libc::pid_t,
    /// SIGTERM was sent already (by `cancel_all` or the supervisor): once is
    /// enough, and some programs read a second one as "force".
    term_sent: bool,
    /// `cancel_all` or `kill_all` signalled it: its outcome is `Cancelled`
    /// even when the leader exits of that signal before the supervisor looks.
    cancelled: bool,
}

fn groups() -> MutexGuard<'static, Vec<Group>> {
    GROUPS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn register(pgid: libc::pid_t) {
    groups().push(Group {
        pgid,
        term_sent: false,
        cancelled: false,
    });
}

fn cancelled_group(pgid: libc::pid_t) -> bool {
    groups()
        .iter()
        .any(|group| group.pgid == pgid && group.cancelled)
}

fn unregister(pgid: libc::pid_t) {
    groups().retain(|group| group.pgid != pgid);
}

/// SIGTERM to the group unless it already had one.
fn terminate_group(pgid: libc::pid_t) {
    let mut groups = groups();
    match groups.iter_mut().find(|group| group.pgid == pgid) {
        Some(group) if group.term_sent => {}
        Some(group) => {
            signal_group(pgid, libc::SIGTERM);
            group.term_sent = true;
        }
        None => signal_group(pgid, libc::SIGTERM),
    }
}

/// Sends `signal` to every member of the group. A group that is already gone
/// (ESRCH) is what we want anyway, and there is nothing to do about EPERM.
fn signal_group(pgid: libc::pid_t, signal: libc::c_int) {
    if pgid > 1 {
        // SAFETY: kill has no memory-safety preconditions.
        unsafe { libc::kill(-pgid, signal) };
    }
}

/// True while a process that is not a zombie is in the group. Killed orphans
/// stay in the group as zombies until init reaps them, which some container
/// inits do only every few seconds; on Linux they do not count.
fn group_alive(pgid: libc::pid_t) -> bool {
    // SAFETY: kill with signal 0 only checks for existence and permission.
    pgid > 1 && unsafe { libc::kill(-pgid, 0) } == 0 && group_has_live_members(pgid)
}

#[cfg(target_os = "linux")]
fn group_has_live_members(pgid: libc::pid_t) -> bool {
    let Ok(entries) = fs::read_dir("/proc") else {
        return true;
    };
    let mut members = 0;
    for entry in entries.flatten() {
        let is_pid = entry
            .file_name()
            .to_str()
            .is_some_and(|name| name.bytes().all(|b| b.is_ascii_digit()));
        if !is_pid {
            continue;
        }
        // A process that vanished while we look is not alive.
        let Some((state, group)) = fs::read_to_string(entry.path().join("stat"))
            .ok()
            .and_then(|stat| state_and_group(&stat))
        else {
            continue;
        };
        if group == pgid {
            if state != 'Z' && state != 'X' {
                return true;
            }
            members += 1;
        }
    }
    // kill() saw the group but /proc shows none of it: this /proc is not our
    // pid namespace's, so trust kill().
    members == 0
}

#[cfg(not(target_os = "linux"))]
fn group_has_live_members(_pgid: libc::pid_t) -> bool {
    true
}

/// The state and process group from a `/proc/<pid>/stat` line. The command
/// name in parentheses may itself contain spaces and parentheses.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn state_and_group(stat: &str) -> Option<(char, libc::pid_t)> {
    let (_, rest) = stat.rsplit_once(')')?;
    let mut fields = rest.split_whitespace();
    let state = fields.next()?.chars().next()?;
    let _parent = fields.next()?;
    let group = fields.next()?.parse().ok()?;
    Some((state, group))
}

extern "C" fn on_signal(signal: libc::c_int) {
    let _ = FIRST_SIGNAL.compare_exchange(0, signal, Ordering::SeqCst, Ordering::SeqCst);
    let fd = SIGNAL_FD.load(Ordering::SeqCst);
    if fd < 0 {
        return;
    }
    let errno = errno_location();
    // SAFETY: errno_location points at this thread's errno; write is
    // async-signal-safe, and the fd stays open for the life of the process.
    unsafe {
        let saved = errno.map(|errno| *errno);
        let byte = signal as u8;
        libc::write(fd, (&byte as *const u8).cast(), 1);
        if let (Some(errno), Some(saved)) = (errno, saved) {
            *errno = saved;
        }
    }
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn errno_location() -> Option<*mut libc::c_int> {
    // SAFETY: returns a pointer to the calling thread's errno.
    Some(unsafe { libc::__errno_location() })
}

#[cfg(any(target_os = "macos", target_os = "ios", target_os = "freebsd"))]
fn errno_location() -> Option<*mut libc::c_int> {
    // SAFETY: returns a pointer to the calling thread's errno.
    Some(unsafe { libc::__error() })
}

#[cfg(not(any(
    target_os = "linux",
    target_os = "android",
    target_os = "macos",
    target_os = "ios",
    target_os = "freebsd"
)))]
fn errno_location() -> Option<*mut libc::c_int> {
    None
}

fn watch_signals(mut receiver: UnixStream) {
    let mut seen = 0u32;
    let mut byte = [0u8; 1];
    loop {
        match receiver.read(&mut byte) {
            Ok(0) => return,
            Ok(_) => {
                seen += 1;
                if seen == 1 {
                    cancel_all();
                } else {
                    kill_all();
                }
            }
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return,
        }
    }
}

// ---------------------------------------------------------------------------
// Running one command.

fn open_log(spec: &Spec) -> Result<File, String> {
    if let Some(parent) = spec.log.parent()
        && !parent.as_os_str().is_empty()
    {
        fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    let mut log = OpenOptions::new()
        .create(true)
        .append(true)
        .open(spec.log)
        .map_err(|e| format!("cannot open log {}: {e}", spec.log.display()))?;
    let header = format!(
        "# genie: {} (cwd {}) started {}\n",
        one_line(spec.command),
        spec.cwd.display(),
        rfc3339_utc(SystemTime::now())
    );
    log.write_all(header.as_bytes())
        .map_err(|e| format!("cannot write log {}: {e}", spec.log.display()))?;
    Ok(log)
}

/// Starts the command and supervises it to the end; returns the outcome and
/// what the reader saw.
fn execute(spec: &Spec, log: &File, start: Instant) -> (Outcome, Capture) {
    let failed = |reason: String| (Outcome::SpawnFailed(reason), Capture::new(None, 0));
    if cancelled() {
        return (Outcome::Cancelled, Capture::new(None, 0));
    }
    if !spec.cwd.is_dir() {
        return failed(format!(
            "working directory {} does not exist or is not a directory",
            spec.cwd.display()
        ));
    }
    let (reader, stdout) = match io::pipe() {
        Ok(pipe) => pipe,
        Err(e) => return failed(format!("cannot create a pipe: {e}")),
    };
    let (stderr, log_copy) = match (stdout.try_clone(), log.try_clone()) {
        (Ok(stderr), Ok(log_copy)) => (stderr, log_copy),
        (Err(e), _) | (_, Err(e)) => return failed(format!("cannot duplicate a descriptor: {e}")),
    };
    let stop = Arc::new(OnceLock::new());
    let capture = Capture::new(Some(log_copy), spec.max_log_bytes);
    let reader = {
        let stop = Arc::clone(&stop);
        match thread::Builder::new()
            .name("genie-output".to_owned())
            .spawn(move || read_output(reader, capture, &stop))
        {
            Ok(handle) => handle,
            Err(e) => return failed(format!("cannot start the output reader: {e}")),
        }
    };

    let spawned = {
        let mut command = Command::new("sh");
        command
            .arg("-c")
            .arg(spec.command)
            .current_dir(spec.cwd)
            .envs(spec.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(stderr)
            .process_group(0);
        die_with_parent(&mut command);
        command.spawn()
        // `command` drops here with our copies of the pipe's write end, so the
        // reader sees end of file once the group is gone.
    };
    let outcome = match spawned {
        Ok(mut child) => {
            // The child is the leader of its own group, set before exec.
            let pgid = child.id() as libc::pid_t;
            register(pgid);
            let outcome = supervise(&mut child, pgid, spec, start);
            unregister(pgid);
            outcome
        }
        Err(e) => {
            Outcome::SpawnFailed(format!("cannot run `sh -c` in {}: {e}", spec.cwd.display()))
        }
    };
    let _ = stop.set(
        Instant::now()
            .checked_add(DRAIN)
            .unwrap_or_else(Instant::now),
    );
    let capture = reader.join().unwrap_or_else(|_| Capture::new(None, 0));
    (outcome, capture)
}

/// Makes the direct child get SIGKILL when the thread that spawned it dies
/// (Linux only). `run` blocks that thread until the child is gone, so in
/// practice this means "when genie dies". Grandchildren are not covered: the
/// setting is not inherited across fork.
#[cfg(target_os = "linux")]
fn die_with_parent(command: &mut Command) {
    let parent = std::process::id() as libc::pid_t;
    let hook = move || {
        // SAFETY: only async-signal-safe calls and no allocation between fork
        // and exec.
        unsafe {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong) == -1 {
                return Err(io::Error::last_os_error());
            }
            // genie died before prctl took effect: the signal will never come.
            if libc::getppid() != parent {
                return Err(io::Error::from_raw_os_error(libc::ESRCH));
            }
        }
        Ok(())
    };
    // SAFETY: the hook is async-signal-safe (see above).
    unsafe {
        command.pre_exec(hook);
    }
}

#[cfg(not(target_os = "linux"))]
fn die_with_parent(_command: &mut Command) {}

/// What is known about the group's leader (the shell).
#[derive(Default)]
struct Leader {
    status: Option<ExitStatus>,
    lost: Option<io::Error>,
}

impl Leader {
    fn done(&self) -> bool {
        self.status.is_some() || self.lost.is_some()
    }

    fn poll(&mut self, child: &mut Child) {
        if self.done() {
            return;
        }
        match child.try_wait() {
            Ok(Some(status)) => self.status = Some(status),
            Ok(None) => {}
            Err(e) => self.lost = Some(e),
        }
    }
}

fn supervise(child: &mut Child, pgid: libc::pid_t, spec: &Spec, start: Instant) -> Outcome {
    let mut leader = Leader::default();
    let stopped = loop {
        leader.poll(child);
        if leader.done() {
            break cancelled_group(pgid).then_some(Outcome::Cancelled);
        }
        if cancelled() {
            break Some(Outcome::Cancelled);
        }
        if start.elapsed() >= spec.timeout {
            break Some(Outcome::TimedOut);
        }
        thread::sleep(POLL);
    };
    // Whatever ended the wait, nothing of the group may stay behind.
    end_group(child, &mut leader, pgid, spec.grace);
    match (stopped, leader.status, leader.lost) {
        (Some(outcome), _, _) => outcome,
        (None, Some(status), _) => match (status.code(), status.signal()) {
            (Some(code), _) => Outcome::Exited(code),
            (None, Some(signal)) => Outcome::Signalled(signal),
            (None, None) => Outcome::SpawnFailed(format!("unexpected wait status {status}")),
        },
        (None, None, Some(e)) => Outcome::SpawnFailed(format!("lost track of the command: {e}")),
        (None, None, None) => Outcome::SpawnFailed("lost track of the command".to_owned()),
    }
}

/// SIGTERM to the group, up to `grace` for it to go, then SIGKILL; reaps the
/// leader on the way. Returns at once when the leader is done and the group
/// is empty. Every wait is bounded.
fn end_group(child: &mut Child, leader: &mut Leader, pgid: libc::pid_t, grace: Duration) {
    let gone = |leader: &Leader| leader.done() && !group_alive(pgid);
    if gone(leader) {
        return;
    }
    terminate_group(pgid);
    let since = Instant::now();
    loop {
        leader.poll(child);
        if gone(leader) {
            return;
        }
        if since.elapsed() >= grace || KILL_NOW.load(Ordering::SeqCst) {
            break;
        }
        thread::sleep(POLL);
    }
    signal_group(pgid, libc::SIGKILL);
    let since = Instant::now();
    loop {
        leader.poll(child);
        if gone(leader) || since.elapsed() >= REAP {
            return;
        }
        thread::sleep(POLL);
    }
}

/// The output reader's state: the log, the byte counts and the tail.
struct Capture {
    /// None once a write failed: output is still read and counted.
    log: Option<File>,
    max: u64,
    total: u64,
    written: u64,
    truncated: bool,
    /// Whether the log ends with a newline, for the footer.
    ends_with_newline: bool,
    /// The last bytes seen, between TAIL_BYTES and 2 * TAIL_BYTES of them.
    tail: Vec<u8>,
}

impl Capture {
    fn new(log: Option<File>, max: u64) -> Capture {
        Capture {
            log,
            max,
            total: 0,
            written: 0,
            truncated: false,
            ends_with_newline: true,
            tail: Vec::with_capacity(2 * TAIL_BYTES),
        }
    }

    fn feed(&mut self, chunk: &[u8]) {
        self.total += chunk.len() as u64;
        let keep = chunk.len().min(TAIL_BYTES);
        self.tail.extend_from_slice(&chunk[chunk.len() - keep..]);
        if self.tail.len() > 2 * TAIL_BYTES {
            let excess = self.tail.len() - TAIL_BYTES;
            self.tail.drain(..excess);
        }
        if self.truncated {
            return;
        }
        let room = self.max.saturating_sub(self.written);
        let take = usize::try_from(room).map_or(chunk.len(), |room| room.min(chunk.len()));
        if take > 0 {
            self.write(&chunk[..take]);
            self.written += take as u64;
        }
        if take < chunk.len() {
            self.truncated = true;
            let newline = if self.ends_with_newline { "" } else { "\n" };
            let note = format!(
                "{newline}[genie: output truncated after {} bytes]\n",
                self.max
            );
            self.write(note.as_bytes());
        }
    }

    fn write(&mut self, bytes: &[u8]) {
        if let Some(log) = &mut self.log {
            match log.write_all(bytes) {
                Ok(()) => {
                    if let Some(&last) = bytes.last() {
                        self.ends_with_newline = last == b'\n';
                    }
                }
                Err(_) => self.log = None,
            }
        }
    }
}

/// Reads the pipe to its end, or until `stop` holds a deadline that has passed.
fn read_output(mut pipe: PipeReader, mut capture: Capture, stop: &OnceLock<Instant>) -> Capture {
    let mut buffer = vec![0u8; CHUNK];
    loop {
        if stop
            .get()
            .is_some_and(|deadline| Instant::now() >= *deadline)
        {
            return capture;
        }
        let mut poll = libc::pollfd {
            fd: pipe.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd, for the duration of the call.
        let ready = unsafe { libc::poll(&mut poll, 1, 100) };
        if ready < 0 {
            if io::Error::last_os_error().kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return capture;
        }
        if ready == 0 {
            continue;
        }
        match pipe.read(&mut buffer) {
            Ok(0) => return capture,
            Ok(n) => capture.feed(&buffer[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return capture,
        }
    }
}

// ---------------------------------------------------------------------------
// Small pure helpers.

/// The last TAIL_BYTES of `bytes` as lossy UTF-8. When that cuts the output
/// (`whole` is false or the window is shorter than `bytes`), it starts after
/// the first newline in the window, if one leaves something to show.
fn tail_text(bytes: &[u8], whole: bool) -> String {
    let start = bytes.len().saturating_sub(TAIL_BYTES);
    let mut window = &bytes[start..];
    if (start > 0 || !whole)
        && let Some(newline) = window.iter().position(|&b| b == b'\n')
        && newline + 1 < window.len()
    {
        window = &window[newline + 1..];
    }
    String::from_utf8_lossy(window).into_owned()
}

/// Seconds with one decimal, for log lines.
fn seconds(duration: Duration) -> String {
    format!("{:.1}", duration.as_secs_f64())
}

/// The command on one line, for the header.
fn one_line(text: &str) -> String {
    text.replace('\r', "\\r").replace('\n', "\\n")
}

/// `2024-05-01T12:34:56Z`. Times before 1970 are shown as 1970.
fn rfc3339_utc(time: SystemTime) -> String {
    let secs = time.duration_since(UNIX_EPOCH).map_or(0, |since| {
        i64::try_from(since.as_secs()).unwrap_or(i64::MAX)
    });
    format_utc(secs)
}

/// Formats seconds since the Unix epoch as RFC 3339 UTC, using the
/// days-to-civil algorithm from Howard Hinnant's date library.
fn format_utc(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let of_day = secs.rem_euclid(86_400);
    let (hour, minute, second) = (of_day / 3600, of_day % 3600 / 60, of_day % 60);
    let z = days.saturating_add(719_468);
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}Z")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    const MIB: u64 = 1024 * 1024;
    /// Set in a child test process started by `isolated`.
    const CHILD: &str = "GENIE_PROCESS_TEST_CHILD";

    struct Fixture {
        dir: tempfile::TempDir,
        log: PathBuf,
    }

    fn fixture() -> Fixture {
        let dir = tempfile::tempdir().expect("temp dir");
        let log = dir.path().join("logs/nested/task.log");
        Fixture { dir, log }
    }

    impl Fixture {
        fn spec<'a>(&'a self, command: &'a str) -> Spec<'a> {
            Spec {
                command,
                cwd: self.dir.path(),
                env: Vec::new(),
                log: &self.log,
                timeout: Duration::from_secs(60),
                grace: Duration::from_millis(200),
                max_log_bytes: 10 * MIB,
            }
        }

        fn log_text(&self) -> String {
            String::from_utf8_lossy(&fs::read(&self.log).expect("log")).into_owned()
        }

        fn path(&self, name: &str) -> PathBuf {
            self.dir.path().join(name)
        }

        /// The pid a command wrote to `name`.
        fn pid(&self, name: &str) -> libc::pid_t {
            let text = fs::read_to_string(self.path(name)).expect("pid file");
            text.trim().parse().expect("pid")
        }
    }

    /// True once `pid` no longer runs: gone, or a zombie waiting for init.
    fn gone(pid: libc::pid_t) -> bool {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            // SAFETY: signal 0 only checks for existence.
            let missing = unsafe { libc::kill(pid, 0) } == -1
                && io::Error::last_os_error().raw_os_error() == Some(libc::ESRCH);
            let zombie = fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
                stat.rsplit_once(')')
                    .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z'))
            });
            if missing || zombie {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            thread::sleep(Duration::from_millis(50));
        }
    }

    fn wait_for(what: &str, condition: impl Fn() -> bool) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !condition() {
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// A command that runs the test `name` alone in this test binary.
    fn test_process(name: &str) -> Command {
        let module = module_path!().split_once("::").map_or("", |(_, rest)| rest);
        let exe = std::env::current_exe().expect("test binary");
        let mut command = Command::new(exe);
        command
            .args([
                &format!("{module}::{name}"),
                "--exact",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD, name);
        command
    }

    /// Runs the test `name` alone in a fresh test process, so the global cancel
    /// flag and signal handlers do not reach other tests. Returns true inside
    /// that process, where the caller does the real work.
    fn isolated(name: &str) -> bool {
        if std::env::var(CHILD).as_deref() == Ok(name) {
            return true;
        }
        let output = test_process(name).output().expect("run the test binary");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success() && stdout.contains("1 passed"),
            "isolated test {name} failed:\n{stdout}\n{stderr}"
        );
        false
    }

    #[test]
    fn exit_codes_are_reported() {
        let fx = fixture();
        let ok = run(&fx.spec("true"));
        assert_eq!(ok.outcome, Outcome::Exited(0));
        assert_eq!(ok.outcome.exit_code(), 0);
        let three = run(&fx.spec("exit 3"));
        assert_eq!(three.outcome, Outcome::Exited(3));
        assert_eq!(three.outcome.exit_code(), 3);
        // Both runs appended to the same log.
        let footers = fx
            .log_text()
            .lines()
            .filter(|line| line.starts_with("# genie: exit ") && line.contains(" after "))
            .count();
        assert_eq!(footers, 2);
    }

    #[test]
    fn missing_command_is_127() {
        let fx = fixture();
        let done = run(&fx.spec("genie-surely-not-a-command --help"));
        assert_eq!(done.outcome, Outcome::Exited(127));
        assert_eq!(done.outcome.exit_code(), 127);
        assert!(done.tail.contains("not found"), "{}", done.tail);
    }

    #[test]
    fn missing_cwd_fails_to_spawn() {
        let fx = fixture();
        let missing = fx.path("no/such/dir");
        let spec = Spec {
            cwd: &missing,
            ..fx.spec("true")
        };
        let done = run(&spec);
        match &done.outcome {
            Outcome::SpawnFailed(reason) => assert!(reason.contains("no/such/dir"), "{reason}"),
            other => panic!("expected SpawnFailed, got {other:?}"),
        }
        assert_eq!(done.outcome.exit_code(), 127);
        let log = fx.log_text();
        assert!(
            log.contains("# genie: could not run: working directory"),
            "{log}"
        );
        assert!(log.contains("# genie: exit 127 after"), "{log}");
    }

    #[test]
    fn signalled_shell_is_reported() {
        let fx = fixture();
        let done = run(&fx.spec("kill -KILL $$"));
        assert_eq!(done.outcome, Outcome::Signalled(libc::SIGKILL));
        assert_eq!(done.outcome.exit_code(), 137);
    }

    #[test]
    fn output_is_logged_between_header_and_footer() {
        let fx = fixture();
        let done = run(&fx.spec("echo to-stdout; echo to-stderr >&2; printf no-newline"));
        assert_eq!(done.outcome, Outcome::Exited(0));
        let log = fx.log_text();
        let lines: Vec<&str> = log.lines().collect();
        assert_eq!(lines.len(), 5, "{log}");
        let header = format!(
            "# genie: echo to-stdout; echo to-stderr >&2; printf no-newline (cwd {}) started ",
            fx.dir.path().display()
        );
        assert!(lines[0].starts_with(&header), "{log}");
        assert!(lines[0].ends_with('Z'), "{log}");
        assert_eq!(&lines[1..4], ["to-stdout", "to-stderr", "no-newline"]);
        assert!(lines[4].starts_with("# genie: exit 0 after "), "{log}");
        assert!(lines[4].ends_with('s'), "{log}");
        assert_eq!(done.log_bytes, 30);
        assert_eq!(done.tail, "to-stdout\nto-stderr\nno-newline");
    }

    #[test]
    fn tail_is_the_end_of_long_output_from_a_line_start() {
        let fx = fixture();
        let done = run(&fx.spec("i=0; while [ $i -lt 3000 ]; do i=$((i+1)); echo line-$i; done"));
        assert_eq!(done.outcome, Outcome::Exited(0));
        assert!(
            done.tail.ends_with("line-2999\nline-3000\n"),
            "{}",
            done.tail
        );
        assert!(done.tail.starts_with("line-"), "{}", done.tail);
        assert!(done.tail.len() <= TAIL_BYTES && done.tail.len() > TAIL_BYTES - 20);
        assert!(done.log_bytes > 20_000);
    }

    #[test]
    fn big_output_is_counted_but_truncated_in_the_log() {
        let fx = fixture();
        let spec = Spec {
            max_log_bytes: MIB,
            ..fx.spec("yes 0123456789abcdefghi | head -c 5000000")
        };
        let done = run(&spec);
        assert_eq!(done.outcome, Outcome::Exited(0));
        assert_eq!(done.log_bytes, 5_000_000);
        let size = fs::metadata(&fx.log).expect("log").len();
        assert!(size > MIB && size < MIB + 2000, "log is {size} bytes");
        let log = fx.log_text();
        let note = format!("\n[genie: output truncated after {MIB} bytes]\n# genie: exit 0");
        assert_eq!(log.matches("[genie: output truncated").count(), 1);
        assert!(log.contains(&note), "{}", &log[log.len() - 200..]);
        assert!(
            done.tail.ends_with("\n0123456789abcdefghi\n"),
            "{}",
            done.tail
        );
    }

    #[test]
    fn timeout_terminates_the_group() {
        let fx = fixture();
        let spec = Spec {
            timeout: Duration::from_millis(300),
            ..fx.spec("sleep 30")
        };
        let done = run(&spec);
        assert_eq!(done.outcome, Outcome::TimedOut);
        assert_eq!(done.outcome.exit_code(), 124);
        assert!(
            done.duration < Duration::from_secs(10),
            "{:?}",
            done.duration
        );
        let log = fx.log_text();
        assert!(log.contains("# genie: timed out after 0.3s"), "{log}");
        assert!(log.contains("# genie: exit 124 after "), "{log}");
    }

    #[test]
    fn children_ignoring_sigterm_are_killed_after_grace() {
        let fx = fixture();
        let spec = Spec {
            timeout: Duration::from_millis(300),
            ..fx.spec("trap '' TERM; sleep 100 & echo $! > sleeper; echo $$ > shell; wait")
        };
        let done = run(&spec);
        assert_eq!(done.outcome, Outcome::TimedOut);
        assert!(
            done.duration < Duration::from_secs(10),
            "{:?}",
            done.duration
        );
        assert!(gone(fx.pid("shell")), "the shell survived");
        assert!(gone(fx.pid("sleeper")), "the sleeper survived");
    }

    #[test]
    fn background_grandchild_does_not_survive_a_timeout() {
        let fx = fixture();
        let spec = Spec {
            timeout: Duration::from_millis(500),
            ..fx.spec("sleep 30 & echo $! > pidfile; wait")
        };
        let done = run(&spec);
        assert_eq!(done.outcome, Outcome::TimedOut);
        assert!(gone(fx.pid("pidfile")), "the grandchild survived");
    }

    #[test]
    fn background_grandchild_holding_the_pipe_is_ended_when_the_shell_exits() {
        let fx = fixture();
        let done = run(&fx.spec("sleep 30 & echo $! > pidfile; echo shell-done"));
        assert_eq!(done.outcome, Outcome::Exited(0));
        assert!(
            done.duration < Duration::from_secs(10),
            "{:?}",
            done.duration
        );
        assert_eq!(done.tail, "shell-done\n");
        assert!(gone(fx.pid("pidfile")), "the grandchild survived");
    }

    #[test]
    fn env_is_added_to_the_inherited_environment() {
        let fx = fixture();
        let spec = Spec {
            env: vec![("GENIE_PROCESS_TEST".to_owned(), "hello there".to_owned())],
            ..fx.spec("printf '%s|%s' \"$GENIE_PROCESS_TEST\" \"${PATH:+inherited}\"")
        };
        let done = run(&spec);
        assert_eq!(done.outcome, Outcome::Exited(0));
        assert_eq!(done.tail, "hello there|inherited");
    }

    #[test]
    fn cwd_is_respected_and_stdin_is_empty() {
        let fx = fixture();
        let sub = fx.path("work");
        fs::create_dir(&sub).expect("mkdir");
        let spec = Spec {
            cwd: &sub,
            ..fx.spec("pwd -P; cat; echo end")
        };
        let done = run(&spec);
        assert_eq!(done.outcome, Outcome::Exited(0));
        let expected = fs::canonicalize(&sub).expect("canonical");
        assert_eq!(done.tail, format!("{}\nend\n", expected.display()));
    }

    #[test]
    fn cancel_all_stops_running_commands_and_later_ones() {
        if !isolated("cancel_all_stops_running_commands_and_later_ones") {
            return;
        }
        let fx = fixture();
        assert!(!cancelled());
        let done = thread::scope(|scope| {
            let running_task = scope.spawn(|| run(&fx.spec("echo started; sleep 30")));
            wait_for("the command to start", || running() == 1);
            cancel_all();
            running_task.join().expect("run thread")
        });
        assert!(cancelled());
        assert_eq!(done.outcome, Outcome::Cancelled);
        assert_eq!(done.outcome.exit_code(), 130);
        assert!(
            done.duration < Duration::from_secs(10),
            "{:?}",
            done.duration
        );
        assert_eq!(running(), 0);
        // Nothing new starts once cancelled.
        let later = run(&fx.spec("echo should-not-run"));
        assert_eq!(later.outcome, Outcome::Cancelled);
        assert_eq!(later.log_bytes, 0);
        let log = fx.log_text();
        assert!(!log.contains("should-not-run\n"), "{log}");
        assert_eq!(log.matches("# genie: cancelled").count(), 2, "{log}");
    }

    #[test]
    fn signals_cancel_then_kill() {
        if !isolated("signals_cancel_then_kill") {
            return;
        }
        install_signal_handlers();
        install_signal_handlers();
        assert_eq!(received_signal(), None);
        let fx = fixture();
        let spec = Spec {
            grace: Duration::from_secs(120),
            ..fx.spec("trap '' TERM; sleep 100 & echo $! > sleeper; wait")
        };
        let start = Instant::now();
        let done = thread::scope(|scope| {
            let task = scope.spawn(|| run(&spec));
            wait_for("the command to start", || {
                running() == 1 && fx.path("sleeper").exists()
            });
            // SAFETY: sends a signal to this process, which handles it.
            unsafe { libc::kill(libc::getpid(), libc::SIGINT) };
            wait_for("the cancel", cancelled);
            // SIGTERM is ignored and the grace is long: still running.
            thread::sleep(Duration::from_millis(300));
            assert!(!task.is_finished());
            // SAFETY: as above.
            unsafe { libc::kill(libc::getpid(), libc::SIGINT) };
            task.join().expect("run thread")
        });
        assert_eq!(done.outcome, Outcome::Cancelled);
        assert!(start.elapsed() < Duration::from_secs(10));
        assert_eq!(received_signal(), Some(libc::SIGINT));
        assert!(gone(fx.pid("sleeper")), "the sleeper survived");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn direct_child_dies_with_genie() {
        const NAME: &str = "direct_child_dies_with_genie";
        const PIDFILE: &str = "GENIE_PROCESS_TEST_PIDFILE";
        if std::env::var(CHILD).as_deref() == Ok(NAME) {
            // Inside the test process that gets killed.
            let pidfile = std::env::var(PIDFILE).expect("pid file");
            let fx = fixture();
            let command = format!(
                "echo $$ > '{pidfile}.new' && mv '{pidfile}.new' '{pidfile}' && exec sleep 30"
            );
            run(&fx.spec(&command));
            return;
        }
        let fx = fixture();
        let pidfile = fx.path("pid");
        let mut genie = test_process(NAME)
            .env(PIDFILE, &pidfile)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("run the test binary");
        wait_for("the command to start", || pidfile.exists());
        genie.kill().expect("kill the test process");
        genie.wait().expect("reap the test process");
        assert!(gone(fx.pid("pid")), "the command outlived genie");
    }

    #[test]
    fn exit_codes_follow_shell_conventions() {
        assert_eq!(Outcome::Exited(1).exit_code(), 1);
        assert_eq!(Outcome::Signalled(15).exit_code(), 143);
        assert_eq!(Outcome::TimedOut.exit_code(), 124);
        assert_eq!(Outcome::SpawnFailed("x".into()).exit_code(), 127);
        assert_eq!(Outcome::Cancelled.exit_code(), 130);
    }

    #[test]
    fn capture_truncates_once_and_keeps_counting() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("log");
        let file = File::create(&path).expect("log");
        let mut capture = Capture::new(Some(file), 10);
        capture.feed(b"12345");
        capture.feed(b"67890abc");
        capture.feed(b"more");
        assert_eq!(capture.total, 17);
        assert_eq!(capture.written, 10);
        assert!(capture.ends_with_newline);
        assert_eq!(
            fs::read_to_string(&path).expect("log"),
            "1234567890\n[genie: output truncated after 10 bytes]\n"
        );
        assert_eq!(tail_text(&capture.tail, true), "1234567890abcmore");
    }

    #[test]
    fn capture_tail_stays_bounded() {
        let mut capture = Capture::new(None, 0);
        for _ in 0..1000 {
            capture.feed(&[b'x'; 1000]);
        }
        assert!(capture.tail.len() <= 2 * TAIL_BYTES);
        assert_eq!(capture.total, 1_000_000);
        assert_eq!(tail_text(&capture.tail, false).len(), TAIL_BYTES);
    }

    #[test]
    fn tail_text_starts_at_a_line_when_cut() {
        assert_eq!(tail_text(b"a\nb\n", true), "a\nb\n");
        assert_eq!(tail_text(b"rest of a line\nnext\n", false), "next\n");
        // A newline only at the very end leaves the cut line as it is.
        assert_eq!(tail_text(b"partial\n", false), "partial\n");
        let mut long = vec![b'y'; 5000];
        long.extend_from_slice(b"\nlast line");
        assert_eq!(tail_text(&long, true), "last line");
        assert_eq!(tail_text(&[0xff, b'a'], true), "\u{fffd}a");
    }

    #[test]
    fn utc_times_are_formatted_as_rfc3339() {
        assert_eq!(format_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_utc(-1), "1969-12-31T23:59:59Z");
        assert_eq!(format_utc(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(format_utc(951_868_800), "2000-03-01T00:00:00Z");
        assert_eq!(format_utc(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(format_utc(4_107_542_399), "2100-02-28T23:59:59Z");
        assert_eq!(format_utc(253_402_300_799), "9999-12-31T23:59:59Z");
        assert_eq!(rfc3339_utc(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339_utc(SystemTime::now()).len(), 20);
    }

    #[test]
    fn proc_stat_lines_are_parsed() {
        assert_eq!(
            state_and_group("4242 (sleep) S 1 4240 4240 0 -1 4194560 97 0"),
            Some(('S', 4240))
        );
        assert_eq!(state_and_group("7 (a) (b c)) Z 1 9 9 0"), Some(('Z', 9)));
        assert_eq!(state_and_group("7 (cut"), None);
        assert_eq!(state_and_group("7 (x) R 1"), None);
    }

    #[test]
    fn header_command_is_one_line() {
        assert_eq!(one_line("a\nb\r\nc"), "a\\nb\\r\\nc");
    }
}
