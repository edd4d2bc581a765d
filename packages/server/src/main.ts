import { buildProgram, runProgram } from './cli/program.js';

/** The `switchboard` command. The only module that reads `process.env`. */
const program = buildProgram(process.env, { stdout: process.stdout, stderr: process.stderr });

runProgram(program, process.argv).then(
  (code) => {
    if (code !== undefined) process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
