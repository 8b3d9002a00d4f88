import { main } from './index.ts';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`posterity: ${(err as Error).message}\n`);
    process.exitCode = 1;
  },
);
