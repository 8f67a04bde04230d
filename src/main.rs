use std::process::ExitCode;

mod cli;

// genie allocates many small strings (every field of every document) and frees
// them all at exit; mimalloc does both several times faster than the system
// allocator.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // Most runs last milliseconds and touch a few megabytes: the kernel zeroing
    // a 2 MiB transparent huge page for each fresh allocator region costs more
    // than it saves (a third of `genie search`). Only this process is affected.
    #[cfg(target_os = "linux")]
    // SAFETY: prctl with PR_SET_THP_DISABLE only sets a flag on this process.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
    cli::main()
}
