import type { SecondSample } from './model.js';

const fmt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/**
 * One line per second: elapsed, requests/s, p99, errors. On a terminal the line is rewritten in
 * place; in a log (CI) every fifth second is printed, so the log stays readable.
 */
export function progressPrinter(label: string, write: (s: string) => void, tty: boolean) {
  let errors = 0;
  let total = 0;
  let last = '';
  let printed = '';
  return {
    second(s: SecondSample, totals: { requests: number; good: number }) {
      total = totals.requests;
      errors = totals.requests - totals.good;
      const rate = totals.requests ? (errors / totals.requests) * 100 : 0;
      const line =
        `  ${label}  ${String(s.t + 1).padStart(4)} s  ${fmt.format(s.completed).padStart(7)} req/s` +
        `  p99 ${s.p99.toFixed(1).padStart(7)} ms  errors ${rate.toFixed(2)} %  total ${fmt.format(total)}`;
      last = line;
      if (tty) write(`\r${line}\x1b[K`);
      else if ((s.t + 1) % 5 === 0) {
        write(line + '\n');
        printed = line;
      }
    },
    end() {
      if (tty) write('\n');
      else if (last && last !== printed) write(last + '\n');
    },
  };
}
