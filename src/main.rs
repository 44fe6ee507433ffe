fn main() -> std::process::ExitCode {
    iislint::cli::main()
}
