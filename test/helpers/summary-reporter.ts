// Prints one plain closing line ("tests: N passed, N failed, N skipped") and
// writes test-artifacts/summary.json, so that .ci/run can refuse a run in
// which a suite was skipped (a missing Redis or Chromium must fail CI).
import { mkdirSync, writeFileSync } from 'node:fs';
import type { Reporter, TestModule } from 'vitest/node';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    const skipped: string[] = [];
    for (const mod of testModules) {
      for (const test of mod.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed += 1;
        else if (state === 'failed') failed += 1;
        else skipped.push(`${mod.moduleId}: ${test.fullName}`);
      }
      if (mod.state() === 'failed' && mod.children.size === 0) failed += 1;
    }
    mkdirSync('test-artifacts', { recursive: true });
    writeFileSync('test-artifacts/summary.json', JSON.stringify({ passed, failed, skipped }, null, 2));
    process.stdout.write(`\ntests: ${passed} passed, ${failed} failed, ${skipped.length} skipped\n`);
  }
}
