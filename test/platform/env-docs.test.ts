import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENV_VARS } from '../../src/platform/config.js';
import { SERVICES } from '../../src/services/registry.js';

const documented: Record<string, { default: string }> = Object.assign(
  {},
  ENV_VARS,
  ...SERVICES.map((s) => s.envVars ?? {}),
);
// Defaults such as "(unset: embedded PostgreSQL)" describe an empty value.
const concrete = (value: string) => !value.startsWith('(');

describe('the documented environment', () => {
  const example = readFileSync('.env.example', 'utf8');
  const readme = readFileSync('README.md', 'utf8');
  const lines = new Map(
    example
      .split('\n')
      .filter((line) => /^[A-Z][A-Z0-9_]*=/.test(line))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );

  it('.env.example lists every variable the code reads, with its default, and no other', () => {
    for (const [name, { default: value }] of Object.entries(documented))
      expect(lines.get(name), name).toBe(concrete(value) ? value : '');
    expect([...lines.keys()].sort()).toEqual(Object.keys(documented).sort());
  });

  it('the README table lists every variable with its default', () => {
    for (const [name, { default: value }] of Object.entries(documented)) {
      const row = readme.split('\n').find((line) => line.startsWith(`| \`${name}\` |`));
      expect(row, name).toBeDefined();
      if (concrete(value)) expect(row, name).toContain(`\`${value}\``);
    }
  });
});
