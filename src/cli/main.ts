import { main } from './program.js';

// The process entry: everything testable lives in program.ts; only exiting happens here.
const code = await main(process.argv.slice(2), {
  env: process.env,
  out: (line) => console.log(line),
  err: (line) => console.error(line),
});
if (code !== 0) process.exit(code);
