import { Command, CommanderError, Option } from 'commander';
import { InvalidOverridesError } from '../client/start-run.ts';
import { CardError } from '../core/card/parse.ts';
import { ConfigError } from '../core/config.ts';
import { EXPORT_FORMATS } from '../core/export/index.ts';
import { keysCreateCommand, keysListCommand, keysRevokeCommand } from './commands/keys.ts';
import { EXIT, parseIntegerOption, parsePassRate, runCommand } from './commands/run.ts';
import { registerScheduleCommands } from './commands/schedule.ts';
import { startCommand } from './commands/start.ts';
import { InputError } from './errors.ts';

const program = new Command('pcs')
  .description('Prompt Card System: regression-test prompts against local models, durably.')
  .showHelpAfterError()
  .exitOverride();

program
  .command('start')
  .description('Start everything on this machine: Temporal dev server, worker and API')
  .action(startCommand);

program
  .command('run')
  .description('Run a card file through Temporal, show live progress and a summary; exit 1 if any cell fails')
  .argument('<card>', 'card file (YAML or JSON)')
  .option('-m, --model <model...>', "run these models instead of the card's (e.g. ollama:llama3.2:3b)")
  .option('-r, --repeat <n>', 'runs per case and model', parseIntegerOption(1, 100))
  .option('-c, --concurrency <n>', 'cells generated at once', parseIntegerOption(1, 64))
  .option('--no-cache', 'bypass the response cache for this run')
  .option('-o, --output <file>', 'write results: .json, .csv or .xml (JUnit)')
  .addOption(new Option('-f, --format <format>', 'format of --output').choices(EXPORT_FORMATS))
  .option('--min-pass-rate <rate>', 'exit 0 when at least this share of cells pass (0..1)', parsePassRate)
  .action(async (card: string, options) => {
    process.exitCode = await runCommand(card, options);
  });

registerScheduleCommands(program.command('schedule'));

const keys = program.command('keys').description('Manage the API keys the HTTP API accepts');
keys
  .command('create')
  .description('Create a key and print it (once)')
  .argument('<name>')
  .action(keysCreateCommand);
keys.command('list').description('List keys: id, name, prefix, created, revoked').action(keysListCommand);
keys
  .command('revoke')
  .description('Revoke a key: requests with it get 403')
  .argument('<id>', 'key id (see pcs keys list)', parseIntegerOption(1, Number.MAX_SAFE_INTEGER))
  .action(keysRevokeCommand);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  const userErrors = [CardError, ConfigError, InvalidOverridesError, InputError];
  if (error instanceof CommanderError) {
    // Commander has printed its message already; help and version are not errors.
    const informational = ['commander.helpDisplayed', 'commander.help', 'commander.version'].includes(
      error.code,
    );
    process.exitCode = informational ? EXIT.ok : EXIT.badInput;
  } else if (userErrors.some((kind) => error instanceof kind)) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exitCode = EXIT.badInput;
  } else {
    process.stderr.write(`pcs: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
