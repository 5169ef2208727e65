// `npm run admin -- <command>`: the operator's command line, on the server's own configuration
// (environment and .env) and database. Exit codes: 0 done, 1 refused or failed, 2 bad usage.
import { config as loadDotenv } from 'dotenv';
import pino from 'pino';
import { billingStack } from '../billing-stack';
import { ConfigError, loadConfig } from '../config';
import { migrate, openDatabase } from '../db/connect';
import {
  type AdminContext,
  AdminError,
  backupSqlite,
  complimentary,
  failedWebhooks,
  reconcileAll,
  replayWebhooks,
  rotateSigningKey,
  setPlan,
  showUser,
  signOutEverywhere,
  syncUser,
} from './commands';
import { plainText } from './plain-text';

const USAGE = `Usage: npm run admin -- <command> [arguments] [--json]

  user <email>                      plan, subscription, usage, devices, webhooks, billing actions, disputes
  set-plan <email> studio|free      give the studio plan, or hand the plan back to Stripe's word
  comp <email> <YYYY-MM-DD|none>    complimentary Pro until the end of that day (UTC), or end it
  sync <email>                      read the musician's subscriptions from Stripe now
  reconcile                         reconcile every customer with Stripe now
  webhooks                          list failed webhooks (unprocessed or unprocessable)
  replay <event_id>|--all-failed    fetch an event from Stripe again and handle it
  sign-out <email>                  sign the musician out on every device
  rotate-key                        add a new entitlement signing key (published now, signs in 10 min)
  backup <file>                     copy the SQLite database while the server runs

--json prints the result as JSON.`;

type Command = { args: number; run: (ctx: AdminContext, ...args: string[]) => Promise<unknown> };
const COMMANDS: Record<string, Command> = {
  user: { args: 1, run: (ctx, email) => showUser(ctx, email as string) },
  'set-plan': { args: 2, run: (ctx, email, plan) => setPlan(ctx, email as string, plan as string) },
  comp: { args: 2, run: (ctx, email, until) => complimentary(ctx, email as string, until as string) },
  sync: { args: 1, run: (ctx, email) => syncUser(ctx, email as string) },
  reconcile: { args: 0, run: (ctx) => reconcileAll(ctx) },
  webhooks: { args: 0, run: (ctx) => failedWebhooks(ctx) },
  replay: { args: 1, run: (ctx, which) => replayWebhooks(ctx, which as string) },
  'sign-out': { args: 1, run: (ctx, email) => signOutEverywhere(ctx, email as string) },
  'rotate-key': { args: 0, run: (ctx) => rotateSigningKey(ctx) },
  backup: { args: 1, run: (ctx, file) => backupSqlite(ctx, file as string) },
};

async function main(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  const [name, ...args] = argv.filter((a) => a !== '--json');
  if (!name || name === 'help' || name === '--help') {
    process.stdout.write(`${USAGE}\n`);
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`Unknown command "${name}".\n\n${USAGE}\n`);
    return 2;
  }
  if (args.length !== command.args) {
    process.stderr.write(`"${name}" takes ${command.args} argument(s), got ${args.length}.\n\n${USAGE}\n`);
    return 2;
  }
  loadDotenv({ quiet: true });
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    process.stderr.write(`${e.message}\n`);
    return 2;
  }
  const logger = pino({ level: config.logLevel === 'info' ? 'warn' : config.logLevel }, pino.destination(2));
  const db = openDatabase(config.database);
  try {
    await migrate(db);
    const now = () => new Date();
    const stack = billingStack(config, { db, logger, now, publicUrl: () => config.publicUrl ?? '' });
    const result = await command.run({ db, config, stack, now }, ...args);
    process.stdout.write(json ? `${JSON.stringify(result, null, 2)}\n` : plainText(result));
    return 0;
  } catch (e) {
    process.stderr.write(
      `${e instanceof AdminError ? '' : 'Failed: '}${e instanceof Error ? e.message : String(e)}\n`,
    );
    return 1;
  } finally {
    await db.destroy();
  }
}

process.exitCode = await main(process.argv.slice(2));
