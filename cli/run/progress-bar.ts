import cliProgress from 'cli-progress';
import type { RunProgress } from '../../core/run/progress.ts';

/** A live bar on stderr (stdout stays clean for the summary); plain lines when stderr is not a TTY. */
export function createProgressBar(total: number): { update(progress: RunProgress): void; stop(): void } {
  if (!process.stderr.isTTY) return plainProgress(total);
  const bar = new cliProgress.SingleBar(
    {
      format:
        ' {bar} {percentage}% | {value}/{total} cells | pass {passed} fail {failed} error {errored} | running {running}',
      stream: process.stderr,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { passed: 0, failed: 0, errored: 0, running: 0 });
  return {
    update: (p) =>
      bar.update(p.done, { passed: p.passed, failed: p.failed, errored: p.errored, running: p.running }),
    stop: () => bar.stop(),
  };
}

function plainProgress(total: number): { update(progress: RunProgress): void; stop(): void } {
  let lastTenth = -1;
  return {
    update(p) {
      const tenth = total === 0 ? 10 : Math.floor((p.done / total) * 10);
      if (tenth === lastTenth) return;
      lastTenth = tenth;
      process.stderr.write(
        `progress: ${p.done}/${total} cells (pass ${p.passed}, fail ${p.failed}, error ${p.errored})\n`,
      );
    },
    stop() {},
  };
}
