import { spawn } from 'node:child_process';
import net from 'node:net';
import { expect, it } from 'vitest';
import { listenerPid, processTreeCpu } from '../../src/scenarios/cpu.js';

it.runIf(process.platform === 'linux')(
  "counts a process's CPU with its children's, and nothing for a process that is gone",
  async () => {
    // A parent that idles while its child spins for 600 ms of CPU, then both wait to be killed.
    const script = `
      const { spawn } = require('node:child_process');
      spawn(process.execPath, ['-e', 'const end = Date.now() + 600; while (Date.now() < end); console.log("spun"); setInterval(() => {}, 1000)'], { stdio: ['ignore', 'inherit', 'ignore'] });
      setInterval(() => {}, 1000);`;
    // Its own process group, so one kill stops the child too.
    const parent = spawn(process.execPath, ['-e', script], {
      stdio: ['ignore', 'pipe', 'ignore'],
      detached: true,
    });
    try {
      await new Promise<void>((resolve) =>
        parent.stdout.on('data', (d: Buffer) => d.includes('spun') && resolve()),
      );
      const tree = processTreeCpu(parent.pid!)!;
      expect(tree.seconds).toBeGreaterThanOrEqual(0.45);
      expect(tree.seconds).toBeLessThan(30);
      // Both processes are node: the spinning child's CPU is under its name.
      expect(Object.keys(tree.byName)).toEqual(['node']);
      expect(tree.byName.node).toBe(tree.seconds);
    } finally {
      process.kill(-parent.pid!, 'SIGKILL');
    }
    await new Promise((r) => parent.once('exit', r));
    expect(processTreeCpu(parent.pid!)).toBeUndefined();
  },
);

it.runIf(process.platform === 'linux')(
  'keeps the CPU of a child that has exited, as short-lived database workers do',
  async () => {
    // A parent that idles while a child spins for 600 ms of CPU (not of wall clock, which a busy
    // machine would turn into less CPU) and exits, then reports.
    const script = `
      const { spawn } = require('node:child_process');
      spawn(process.execPath, ['-e', 'while (process.cpuUsage().user < 600000);'], { stdio: 'ignore' })
        .on('exit', () => console.log('gone'));
      setInterval(() => {}, 1000);`;
    const parent = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      await new Promise<void>((resolve) =>
        parent.stdout.on('data', (d: Buffer) => d.includes('gone') && resolve()),
      );
      // The parent alone used far less than the child's 600 ms: only the child's CPU gets here.
      expect(processTreeCpu(parent.pid!)!.seconds).toBeGreaterThanOrEqual(0.45);
    } finally {
      parent.kill('SIGKILL');
    }
  },
);

it.runIf(process.platform === 'linux')(
  'finds the process listening on a port, and none once it closes',
  async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    try {
      expect(listenerPid(port)).toBe(process.pid);
    } finally {
      await new Promise((r) => server.close(r));
    }
    expect(listenerPid(port)).toBeUndefined();
  },
);
