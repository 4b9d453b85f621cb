// `switchyard bench ...` subcommands.
export async function runBenchCommand(argv: string[]): Promise<number> {
  console.error(
    `switchyard bench: unknown subcommand "${argv[0] ?? ''}" (try: switchyard bench providers --config FILE)`,
  );
  return 1;
}
