//! The binary: runs the CLI and returns its exit code; everything else is in
//! the library.

fn main() -> std::process::ExitCode {
    touchpoint::cli::run()
}
