/**
 * Watches the load generator itself, so that a run where the generator could not keep up is
 * marked as such instead of being blamed on the server: schedule lag of the open model's sends,
 * the CPU the generator process burns each second, and the delay of its event loop.
 */
import {
  monitorEventLoopDelay,
  performance,
  type EventLoopUtilization,
  type IntervalHistogram,
} from 'node:perf_hooks';
import type { LoadResult, Workload } from '../model.js';
import { maxMs, newHistogram, percentileMs, recordMs } from './histogram.js';

/**
 * Sends leaving late change the arrival process the server sees (bursts instead of a steady
 * rate). Timer granularity gives ~1-2 ms and a GC pause ~10-20 ms; when 1 % of the sends leave
 * more than 50 ms late, the generator, not the server, shaped the load. (Open model only: a
 * closed model has no schedule to be late against.)
 */
export const LAG_P99_LIMIT_MS = 50;

/**
 * JavaScript runs on one core: a generator whose event loop never rests, or that burns more than
 * 95 % of one core, is at its limit: its timers fire late and answers wait to be read, which
 * inflates the latencies measured. (Event-loop utilization catches it even when other processes
 * keep the CPU share below 95 %.) A second or two at the limit happens (start-up, GC); more than
 * 20 % of the seconds means the run was generator-bound.
 */
export const BUSY_PERCENT = 95;
export const BUSY_SHARE = 0.2;

/**
 * Every latency includes the time the answer waited for the event loop to read it. Sampled every
 * 10 ms; when 1 % of the samples find the loop blocked more than 50 ms beyond that, latencies of
 * that order are the generator's, not the server's (this is the closed model's lag).
 */
export const EVENT_LOOP_RESOLUTION_MS = 10;
export const EVENT_LOOP_P99_LIMIT_MS = 50;

type GeneratorReport = LoadResult['generator'];

export class GeneratorWatch {
  private readonly lag = newHistogram();
  private readonly loop: IntervalHistogram;
  private cpuAtSample = process.cpuUsage();
  private wallAtSample = performance.now();
  private eluAtSample: EventLoopUtilization = performance.eventLoopUtilization();
  private seconds = 0;
  private busySeconds = 0;
  private readonly cpuAtStart = process.cpuUsage();
  private readonly wallAtStart = performance.now();

  constructor() {
    this.loop = monitorEventLoopDelay({ resolution: EVENT_LOOP_RESOLUTION_MS });
    this.loop.enable();
  }

  /** A send of the open model left `ms` after its intended time. */
  noteLag(ms: number): void {
    recordMs(this.lag, ms);
  }

  /**
   * Closes `seconds` seconds of the timeline (more than one when the loop was blocked): returns
   * the CPU used since the previous call, in percent of one core, and counts the seconds in which
   * the generator was at its limit.
   */
  closeSeconds(now: number, seconds: number): number {
    const cpu = process.cpuUsage();
    const used = { user: cpu.user - this.cpuAtSample.user, system: cpu.system - this.cpuAtSample.system };
    const elu = performance.eventLoopUtilization();
    const utilization = performance.eventLoopUtilization(elu, this.eluAtSample).utilization;
    const percent = percentOfCore(used, now - this.wallAtSample);
    this.cpuAtSample = cpu;
    this.eluAtSample = elu;
    this.wallAtSample = now;
    this.seconds += seconds;
    if (percent > BUSY_PERCENT || utilization * 100 > BUSY_PERCENT) this.busySeconds += seconds;
    return percent;
  }

  /** Stops the event-loop monitor and judges the run. */
  finish(now: number, model: Workload['model']): GeneratorReport {
    this.loop.disable();
    const loopP99Ms =
      this.loop.count > 0 ? Math.max(0, this.loop.percentile(99) / 1e6 - EVENT_LOOP_RESOLUTION_MS) : 0;
    return judge({
      model,
      seconds: this.seconds,
      busySeconds: this.busySeconds,
      maxLagMs: maxMs(this.lag),
      p99LagMs: percentileMs(this.lag, 99),
      cpuPercent: percentOfCore(process.cpuUsage(this.cpuAtStart), now - this.wallAtStart),
      loopP99Ms: round1(loopP99Ms),
    });
  }
}

export interface GeneratorMeasures {
  model: Workload['model'];
  /** Seconds in the timeline, and those in which the generator was at its limit. */
  seconds: number;
  busySeconds: number;
  maxLagMs: number;
  p99LagMs: number;
  /** Mean over the run, percent of one core. */
  cpuPercent: number;
  /** p99 event-loop delay beyond the sampling interval, ms. */
  loopP99Ms: number;
}

/** The verdict on the generator: saturated, with every rule that fired, or not. */
export function judge(m: GeneratorMeasures): GeneratorReport {
  const reasons: string[] = [];
  if (m.model === 'open' && m.p99LagMs > LAG_P99_LIMIT_MS) {
    reasons.push(`p99 schedule lag ${m.p99LagMs} ms > ${LAG_P99_LIMIT_MS} ms: sends left later than planned`);
  }
  if (m.seconds > 0 && m.busySeconds > BUSY_SHARE * m.seconds) {
    reasons.push(
      `generator at its limit (event loop or CPU above ${BUSY_PERCENT} % of one core) in ` +
        `${m.busySeconds} of ${m.seconds} s (limit ${BUSY_SHARE * 100} % of the seconds)`,
    );
  }
  if (m.loopP99Ms > EVENT_LOOP_P99_LIMIT_MS) {
    reasons.push(
      `p99 event-loop delay ${m.loopP99Ms} ms > ${EVENT_LOOP_P99_LIMIT_MS} ms: answers waited to be read`,
    );
  }
  return {
    maxLagMs: m.maxLagMs,
    p99LagMs: m.p99LagMs,
    cpuPercent: m.cpuPercent,
    saturated: reasons.length > 0,
    ...(reasons.length > 0 ? { reason: reasons.join('; ') } : {}),
  };
}

const round1 = (x: number) => Math.round(x * 10) / 10;

function percentOfCore(used: NodeJS.CpuUsage, wallMs: number): number {
  if (wallMs <= 0) return 0;
  return round1(((used.user + used.system) / 1000 / wallMs) * 100);
}
