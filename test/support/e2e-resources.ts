import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { E2eJob } from './e2e.js';
import { startFakeModel, type FakeModel, type FakeModelScenario } from './fake-model.js';

/**
 * What an end-to-end test starts (jobs, fake models, temporary folders), kept so that one
 * `afterEach(() => resources.release())` ends and removes all of it, whatever the test reached.
 */
export class E2eResources {
  private readonly jobs: E2eJob[] = [];
  private readonly models: FakeModel[] = [];
  private readonly dirs: string[] = [];

  constructor(private readonly dirPrefix = 'beacon-e2e-') {}

  /** The start step of a job (see E2eJob.start). */
  async job(inputs: Record<string, string> = {}): Promise<E2eJob> {
    return this.keep(this.jobs, await E2eJob.start(inputs));
  }

  async model(scenario: FakeModelScenario): Promise<FakeModel> {
    return this.keep(this.models, await startFakeModel(scenario));
  }

  /** A fresh temporary folder. */
  dir(): string {
    return this.keep(this.dirs, fs.mkdtempSync(path.join(os.tmpdir(), this.dirPrefix)));
  }

  /** Post steps that did not run, the fake models and the folders, in that order. */
  async release(): Promise<void> {
    for (const job of this.jobs.splice(0)) await job.dispose();
    for (const model of this.models.splice(0)) await model.close();
    for (const dir of this.dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  }

  private keep<T>(list: T[], item: T): T {
    list.push(item);
    return item;
  }
}
