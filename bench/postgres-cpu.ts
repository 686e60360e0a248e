import { processCpuTable } from '../src/scenarios/cpu.js';

/** CPU seconds used so far by every process named postgres; undefined off Linux. */
function postgresSeconds(): number | undefined {
  const table = processCpuTable();
  if (!table) return undefined;
  let seconds = 0;
  for (const p of table.values()) if (p.name === 'postgres') seconds += p.seconds;
  return seconds;
}

/** What one way of doing the work achieved. */
export interface Figure {
  label: string;
  /** Units of work per second of wall time. */
  perS: number;
  /** PostgreSQL CPU per unit, µs; undefined off Linux. */
  cpuUs: number | undefined;
}

const cpuText = (us: number | undefined) => (us === undefined ? 'n/a' : `${us.toFixed(1)} µs`);

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
): Promise<Figure> {
  const before = postgresSeconds();
  const start = performance.now();
  for (const item of steps) await step(item);
  const seconds = (performance.now() - start) / 1000;
  const after = postgresSeconds();
  const figure: Figure = {
    label,
    perS: count / seconds,
    cpuUs: before === undefined || after === undefined ? undefined : ((after - before) * 1e6) / count,
  };
  console.log(
    `${label.padEnd(48)} ${Math.round(figure.perS)
      .toLocaleString('en')
      .padStart(9)} ${unit}s/s   PostgreSQL CPU per ${unit} ${cpuText(figure.cpuUs)}`,
  );
  return figure;
}

/**
 * The figures as a Markdown table, each beside its ratio to the yardstick measured in the same
 * run (how far the way falls short of the bare operation on this machine, whatever its speed).
 */
export function ratioTable(unit: string, figures: Figure[], yardstick: Figure): string[] {
  const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [
    row(['way', `${unit}s/s`, `÷ ${yardstick.label}`, `PostgreSQL CPU per ${unit}`]),
    row(['---', '---:', '---:', '---:']),
    ...[...figures, yardstick].map((f) =>
      row([
        f.label,
        Math.round(f.perS).toLocaleString('en'),
        (f.perS / yardstick.perS).toFixed(2),
        cpuText(f.cpuUs),
      ]),
    ),
  ];
}
