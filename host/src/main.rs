fn main() -> std::process::ExitCode {
    pungi_host::cli::main()
}
