// Prints what CI's three test runs found, read from their vitest JSON reports: the counts, then
// every failed file (an error outside a test: a hook, an import) and every failed test with the
// start of its message. Printed last, so the end of CI's log says what broke.
import { existsSync, readFileSync } from 'node:fs';
import { basename, relative } from 'node:path';

const MAX_LINES = 25;
const clip = (text) => {
  const lines = String(text).split('\n');
  return lines.length > MAX_LINES ? [...lines.slice(0, MAX_LINES), `… (${lines.length - MAX_LINES} more lines in the log above)`].join('\n') : text;
};

const totals = { passed: 0, failed: 0, skipped: 0 };
const counts = [];
const failures = [];
for (const arg of process.argv.slice(2)) {
  // name=exit-code=report.json
  const [name, exit, file] = arg.split('=');
  if (!existsSync(file)) {
    counts.push(`${name}: no report (exit ${exit})`);
    failures.push(`${name}: exited ${exit} without a report; its log is above`);
    continue;
  }
  const report = JSON.parse(readFileSync(file, 'utf8'));
  totals.passed += report.numPassedTests;
  totals.failed += report.numFailedTests;
  const skipped = report.numPendingTests + (report.numTodoTests ?? 0);
  totals.skipped += skipped;
  counts.push(`${name}: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skipped} skipped (exit ${exit})`);
  let found = 0;
  for (const result of report.testResults) {
    const path = relative(process.cwd(), result.name);
    if (result.status === 'failed' && result.message) {
      found++;
      failures.push(`${name}: ${path} failed outside its tests:\n${clip(result.message)}`);
    }
    for (const test of result.assertionResults.filter((t) => t.status === 'failed')) {
      found++;
      failures.push(`${name}: ${path} > ${test.fullName}\n${clip(test.failureMessages.join('\n'))}`);
    }
  }
  if (exit !== '0' && found === 0) failures.push(`${name}: exited ${exit} with no failed file or test in its report (an unhandled error?); see "${basename(file, '.json')}" in the log above`);
}
for (const f of failures) console.log(`\n✗ ${f}`);
console.log(`\n${counts.join('\n')}`);
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
