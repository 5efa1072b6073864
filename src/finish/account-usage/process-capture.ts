import { RuntimeLogWriter, type LogMaking, type RuntimeLogOptions } from '../runtime-log/write-runtime-log.js';
import { RunReportBuilder } from './report-builder.js';
import type { RunReport } from './run-report.js';

/**
 * The runtime log and its report in one call, with nothing between the two stages (no session
 * files): what tests and benchmarks of the log itself use. The post step runs the stages itself.
 */
export async function processCaptureLog(options: RuntimeLogOptions): Promise<RunReport> {
  return (await writeRuntimeLogWithReport(options)).report;
}

export async function writeRuntimeLogWithReport(options: RuntimeLogOptions): Promise<{ report: RunReport; log: LogMaking }> {
  const report = new RunReportBuilder();
  const writer = new RuntimeLogWriter({
    ...options,
    onEvent: (event) => {
      report.add(event);
      options.onEvent?.(event);
    },
  });
  await writer.writeCapture();
  await writer.appendTokenEvents();
  return { report: report.finish(writer.stats), log: writer.log };
}
