import { parseArgs } from 'node:util';
import { CONCURRENCY_MODES, type Concurrency } from '../src/services/shop/index.js';

export interface BenchOptions {
  modes: Concurrency[];
  clients: number[];
  durationS: number;
  warmupS: number;
  json: string | undefined;
}

/** Thrown for a flag the command cannot run with; main prints it with the usage, exit 2. */
export class UsageError extends Error {}

export const USAGE = `Usage: npm run bench:shop -- [options]

Starts the product once per concurrency mode (embedded PostgreSQL in a temp dir, a free port),
runs a closed-loop load of POST /purchase-orders on one hot disc at each client count, then
GET /health on the same server (the yardstick), checks the stock ledger after each mode and
prints Markdown tables.

Options:
  --modes <list>     concurrency modes, comma-separated (default: ${CONCURRENCY_MODES.join(',')})
  --clients <list>   concurrent connections per step, comma-separated (default: 1,16,64,256)
  --duration <s>     measured whole seconds per step (default: 10)
  --warmup <s>       whole seconds of load before each step's measurement, discarded (default: 2)
  --json <file>      also write the results as JSON to <file>
  -h, --help         show this help

Environment: DATABASE_URL, when set, is passed to the server instead of the embedded database.`;

/** A whole number, at least 1 (or 0 when allowed): client counts and seconds alike. */
function whole(flag: string, raw: string, allowZero = false): number {
  const n = Number(raw);
  const ok = Number.isInteger(n) && (allowZero ? n >= 0 : n > 0);
  if (raw.trim() === '' || !ok) {
    throw new UsageError(`--${flag}: expected a whole number${allowZero ? '' : ' above 0'}, got "${raw}"`);
  }
  return n;
}

const list = (raw: string) =>
  raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function modes(raw: string): Concurrency[] {
  const picked = list(raw);
  for (const m of picked) {
    if (!(CONCURRENCY_MODES as readonly string[]).includes(m)) {
      throw new UsageError(`--modes: unknown mode "${m}"; known: ${CONCURRENCY_MODES.join(', ')}`);
    }
  }
  if (picked.length === 0) throw new UsageError('--modes: give at least one mode');
  return picked as Concurrency[];
}

function clients(raw: string): number[] {
  const counts = list(raw).map((c) => whole('clients', c));
  if (counts.length === 0) throw new UsageError('--clients: give at least one client count');
  return counts;
}

/** Returns undefined when --help was asked for. */
export function parseOptions(argv: string[]): BenchOptions | undefined {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        modes: { type: 'string', default: CONCURRENCY_MODES.join(',') },
        clients: { type: 'string', default: '1,16,64,256' },
        duration: { type: 'string', default: '10' },
        warmup: { type: 'string', default: '2' },
        json: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    // parseArgs' own messages already name the flag; only the error class changes.
    throw new UsageError((err as Error).message);
  }
  const { values } = parsed;
  if (values.help) return undefined;
  return {
    modes: modes(values.modes),
    clients: clients(values.clients),
    durationS: whole('duration', values.duration),
    warmupS: whole('warmup', values.warmup, true),
    json: values.json,
  };
}
