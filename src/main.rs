fn main() -> std::process::ExitCode {
    datapact::cli::main()
}
