//! The `gridbook-server` binary; everything lives in the library (`cli.rs`).

fn main() -> std::process::ExitCode {
    gridbook_server::cli::main()
}
