use std::process::ExitCode;

mod cli;

// genie allocates many small strings (every field of every document) and frees
// them all at exit; mimalloc does both several times faster than the system
// allocator.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    cli::main()
}
