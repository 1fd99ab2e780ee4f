import { Command } from 'commander';
import { startCommand } from './commands/start.ts';

const program = new Command('pcs')
  .description('Prompt Card System: regression-test prompts against local models, durably.')
  .showHelpAfterError();

program
  .command('start')
  .description('Start everything on this machine: Temporal dev server, worker and API')
  .action(startCommand);

await program.parseAsync(process.argv);
