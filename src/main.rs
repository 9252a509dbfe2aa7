fn main() -> std::process::ExitCode {
    touchpoint::cli::run()
}
