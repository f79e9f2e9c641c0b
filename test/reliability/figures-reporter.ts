import type { Reporter, TestCase, TestModule } from 'vitest/node';

/**
 * One line per reliability test: its outcome, its name and the figure it recorded (task.meta.figure); a failure
 * adds its first error line. Nothing else, so CI's log reads as a table of figures.
 */
export default class FiguresReporter implements Reporter {
  onTestRunStart(): void {
    const scale = process.env.RACKBOOT_RELIABILITY_SCALE || '1';
    process.stdout.write(`reliability (issue 9), RACKBOOT_RELIABILITY_SCALE=${scale}\n`);
  }

  onTestCaseResult(test: TestCase): void {
    const r = test.result();
    const mark = r.state === 'passed' ? 'PASS' : r.state === 'failed' ? 'FAIL' : 'SKIP';
    const fig = test.meta().figure;
    // The whole message on the same line (clipped): a client's output often says more than its first line.
    const err = r.state === 'failed' ? ` | ${(r.errors?.[0]?.message ?? 'failed').replace(/\s*\n\s*/g, ' / ').slice(0, 1500)}` : '';
    const name = `${test.module.moduleId.replace(/^.*\/test\/reliability\//, '').replace(/\.test\.ts$/, '')} > ${test.name}`;
    process.stdout.write(`${mark} ${name}${fig ? `: ${fig}` : ''}${err}\n`);
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    for (const m of modules) {
      const errors = m.errors();
      if (errors.length) process.stdout.write(`FAIL ${m.moduleId}: ${errors[0]!.message.split('\n')[0]}\n`);
    }
  }
}
