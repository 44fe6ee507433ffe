// On Linux, mimalloc instead of glibc's malloc: a run allocates and frees many small strings and
// trees per file on every thread, and glibc's arenas spent a sixth of the instructions on it
// (consolidating free chunks, mostly). Other systems keep their own allocator.
#[cfg(target_os = "linux")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    iislint::cli::main()
}
