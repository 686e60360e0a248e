import { processCpuTable } from '../src/scenarios/cpu.js';

/** CPU seconds used so far by every process named postgres; undefined off Linux. */
function postgresSeconds(): number | undefined {
  const table = processCpuTable();
  if (!table) return undefined;
  let seconds = 0;
  for (const p of table.values()) if (p.name === 'postgres') seconds += p.seconds;
  return seconds;
}

/**
 * Runs `steps` one after another and prints how many `unit`s a second they did and the
 * PostgreSQL CPU each cost (every postgres process on the machine: run it on a quiet one).
 */
export async function measurePostgres<T>(
  label: string,
  unit: string,
  count: number,
  steps: T[],
  step: (item: T) => Promise<unknown>,
): Promise<void> {
  const before = postgresSeconds();
  const start = performance.now();
  for (const item of steps) await step(item);
  const seconds = (performance.now() - start) / 1000;
  const after = postgresSeconds();
  const cpu =
    before === undefined || after === undefined
      ? 'n/a'
      : `${(((after - before) * 1e6) / count).toFixed(1)} µs`;
  console.log(
    `${label.padEnd(48)} ${Math.round(count / seconds)
      .toLocaleString('en')
      .padStart(9)} ${unit}s/s   PostgreSQL CPU per ${unit} ${cpu}`,
  );
}
