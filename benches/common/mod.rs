//! Helpers shared by genie's benchmarks: running a command and measuring its wall
//! time and its own peak RSS, repeating it, and summarising the runs.
//!
//! Peak RSS comes from `wait4(2)`: the kernel's `ru_maxrss` of exactly the child that
//! was waited for. Linux counts into a child's `ru_maxrss` the memory of the process
//! that spawned it (the `fork`/`vfork` image is the child's until `exec`), so a large
//! harness would inflate every figure to its own size. Each command is therefore
//! spawned by a small helper: this same bench binary started afresh with
//! [`HELPER_ARG`], which runs the command, waits for it with `wait4` and prints the
//! figures. Every bench's `main` must start with [`helper_main`]. The floor of a
//! figure is the helper's own size, about 2 MB.

// Each bench uses the part it needs.
#![allow(dead_code)]

use std::ffi::OsString;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

/// First argument of the bench binary when it runs as the measuring helper.
pub const HELPER_ARG: &str = "__genie_bench_measure__";

/// One run of one or more processes.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    /// Wall time from spawn to reap (summed over the processes of a sequence).
    pub wall: Duration,
    /// User plus system CPU time (summed over the processes of a sequence).
    pub cpu: Duration,
    /// The largest peak resident set of the processes, in KiB.
    pub max_rss_kib: u64,
    /// Exit code (128 + signal when killed); the first non-zero one of a sequence.
    pub code: i32,
}

/// Call first in a bench's `main`: when this process is the measuring helper
/// (`<bench> __genie_bench_measure__ DIR PROGRAM ARGS...`), run the command and
/// print `<wall ns> <cpu ns> <peak RSS KiB> <exit code>`, and return the helper's exit code.
pub fn helper_main() -> Option<ExitCode> {
    let mut args = std::env::args_os().skip(1);
    if args.next()? != HELPER_ARG {
        return None;
    }
    let (Some(dir), Some(program)) = (args.next(), args.next()) else {
        eprintln!("usage: {HELPER_ARG} DIR PROGRAM [ARGS...]");
        return Some(ExitCode::from(2));
    };
    let rest: Vec<OsString> = args.collect();
    let mut cmd = Command::new(program);
    cmd.args(rest)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    match wait_measured(&mut cmd) {
        Ok(s) => {
            println!(
                "{} {} {} {}",
                s.wall.as_nanos(),
                s.cpu.as_nanos(),
                s.max_rss_kib,
                s.code
            );
            Some(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("cannot run {:?}: {e}", cmd.get_program());
            Some(ExitCode::FAILURE)
        }
    }
}

/// Run `cmd` to completion through the helper and measure it: its program, arguments,
/// working folder and environment changes are used; its output is discarded.
pub fn measure(cmd: &Command) -> io::Result<Sample> {
    let mut helper = Command::new(std::env::current_exe()?);
    helper
        .arg(HELPER_ARG)
        .arg(cmd.get_current_dir().unwrap_or(Path::new(".")))
        .arg(cmd.get_program())
        .args(cmd.get_args())
        .stdin(Stdio::null())
        .stderr(Stdio::inherit());
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => helper.env(k, v),
            None => helper.env_remove(k),
        };
    }
    let out = helper.output()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let bad = || {
        io::Error::other(format!(
            "measuring {:?} failed: {text:?}",
            cmd.get_program()
        ))
    };
    if !out.status.success() {
        return Err(bad());
    }
    let f: Vec<u64> = text
        .split_whitespace()
        .map(str::parse)
        .collect::<Result<_, _>>()
        .map_err(|_| bad())?;
    let [wall, cpu, rss, code] = f[..] else {
        return Err(bad());
    };
    Ok(Sample {
        wall: Duration::from_nanos(wall),
        cpu: Duration::from_nanos(cpu),
        max_rss_kib: rss,
        code: code as i32,
    })
}

/// Spawn `cmd`, reap it with `wait4` and return its wall time, peak RSS and exit code.
fn wait_measured(cmd: &mut Command) -> io::Result<Sample> {
    let started = Instant::now();
    let child = cmd.spawn()?;
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is plain old data; zeroed is a valid value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: `pid` is our own unreaped child; the pointers are to live locals.
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if r == pid {
            break;
        }
        let err = io::Error::last_os_error();
        if err.kind() != io::ErrorKind::Interrupted {
            return Err(err);
        }
    }
    let wall = started.elapsed();
    // The child is reaped; dropping the handle neither waits nor kills.
    drop(child);
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else if libc::WIFSIGNALED(status) {
        128 + libc::WTERMSIG(status)
    } else {
        -1
    };
    let time = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec.max(0) as u64) + Duration::from_micros(t.tv_usec.max(0) as u64)
    };
    Ok(Sample {
        wall,
        cpu: time(usage.ru_utime) + time(usage.ru_stime),
        // Linux reports ru_maxrss in KiB.
        max_rss_kib: usage.ru_maxrss.max(0) as u64,
        code,
    })
}

/// Run the commands one after another: the total wall time, the largest peak RSS.
pub fn measure_all(cmds: &[Command]) -> io::Result<Sample> {
    let mut total = Sample {
        wall: Duration::ZERO,
        cpu: Duration::ZERO,
        max_rss_kib: 0,
        code: 0,
    };
    for c in cmds {
        let s = measure(c)?;
        total.wall += s.wall;
        total.cpu += s.cpu;
        total.max_rss_kib = total.max_rss_kib.max(s.max_rss_kib);
        if total.code == 0 {
            total.code = s.code;
        }
    }
    Ok(total)
}

/// `program args… files…`, split like `xargs` into commands whose argument lists
/// stay under `max_arg_bytes`, to run in `dir`.
pub fn chunked(
    program: &str,
    args: &[&str],
    files: &[PathBuf],
    dir: &Path,
    max_arg_bytes: usize,
) -> Vec<Command> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < files.len() {
        let mut bytes = 0;
        let mut end = start;
        while end < files.len() {
            let len = files[end].as_os_str().len() + 1 + std::mem::size_of::<usize>();
            if end > start && bytes + len > max_arg_bytes {
                break;
            }
            bytes += len;
            end += 1;
        }
        let mut c = Command::new(program);
        c.args(args).args(&files[start..end]).current_dir(dir);
        out.push(c);
        start = end;
    }
    out
}

/// Summary of repeated runs.
#[derive(Debug, Clone)]
pub struct Stats {
    pub runs: usize,
    pub median: Duration,
    pub min: Duration,
    pub max: Duration,
    /// Median CPU time (user + system).
    pub cpu: Duration,
    /// The largest peak RSS over the runs, in KiB.
    pub max_rss_kib: u64,
    /// Exit code of the last run.
    pub code: i32,
}

/// The median of durations (the mean of the middle two for an even count).
pub fn median(samples: &[Duration]) -> Duration {
    assert!(!samples.is_empty(), "median of nothing");
    let mut v = samples.to_vec();
    v.sort();
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2
    }
}

/// One warm-up run (not counted), then `runs` measured runs.
pub fn bench(runs: usize, mut run: impl FnMut() -> io::Result<Sample>) -> io::Result<Stats> {
    run()?;
    let mut walls = Vec::with_capacity(runs);
    let mut cpus = Vec::with_capacity(runs);
    let mut max_rss_kib = 0;
    let mut code = 0;
    for _ in 0..runs.max(1) {
        let s = run()?;
        walls.push(s.wall);
        cpus.push(s.cpu);
        max_rss_kib = max_rss_kib.max(s.max_rss_kib);
        code = s.code;
    }
    Ok(Stats {
        runs: walls.len(),
        median: median(&walls),
        min: *walls.iter().min().expect("runs"),
        max: *walls.iter().max().expect("runs"),
        cpu: median(&cpus),
        max_rss_kib,
        code,
    })
}

/// A number from the environment, else `default`.
pub fn env_usize(name: &str, default: usize) -> usize {
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => v
            .trim()
            .replace('_', "")
            .parse()
            .unwrap_or_else(|_| panic!("{name}={v} is not a number")),
        _ => default,
    }
}

/// The root of the genie repository (where Cargo.toml is).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Files below `dir` whose extension is one of `exts`, relative to `base`, sorted.
/// Symlinks are not followed; hidden entries are included.
pub fn files_with_ext(dir: &Path, base: &Path, exts: &[&str]) -> io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d)? {
            let e = e?;
            let ft = e.file_type()?;
            let p = e.path();
            if ft.is_dir() {
                stack.push(p);
            } else if ft.is_file()
                && p.extension()
                    .and_then(|x| x.to_str())
                    .is_some_and(|x| exts.contains(&x))
            {
                out.push(p.strip_prefix(base).unwrap_or(&p).to_path_buf());
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Total size of files (relative to `base`) in bytes.
pub fn total_bytes(base: &Path, files: &[PathBuf]) -> io::Result<u64> {
    let mut n = 0;
    for f in files {
        n += std::fs::metadata(base.join(f))?.len();
    }
    Ok(n)
}

/// Whether `program` can be run (`program --version` succeeds).
pub fn available(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// KiB (as `ru_maxrss` counts) to decimal megabytes.
pub fn mb(kib: u64) -> f64 {
    kib as f64 * 1024.0 / 1e6
}
