//! The `picket` command.

/// mimalloc instead of the system allocator: the analysis allocates many
/// small, short-lived values on every core, where glibc's allocator spent a
/// fifth of the time and fragmented the heap.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(picket::cli::main());
}
