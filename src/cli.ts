// `aep-graphql serve | emulator`: the one place where the emulator and the
// gateway meet (through src/commands/). Each command parses its own flags.
const commands: Record<string, () => Promise<{ run(argv: string[]): Promise<void> }>> = {
  serve: () => import('./commands/serve.ts'),
  emulator: () => import('./commands/emulator.ts'),
};

const [name = 'serve', ...argv] = process.argv.slice(2);
const load = commands[name];
if (!load) {
  process.stderr.write(`usage: aep-graphql <${Object.keys(commands).join('|')}> [options]\n`);
  process.exit(2);
}
const command = await load();
await command.run(argv);
