import type { ProjectFile } from '../../contracts/project';

/**
 * Debounced autosave: the last project wins, at most one save in flight, nothing sent when the
 * project is the one already saved (or just restored).
 */
export class Autosaver {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private latest: ProjectFile | null = null;
  private saved: ProjectFile | null = null;
  private inFlight = false;

  constructor(
    private readonly save: (project: ProjectFile) => Promise<{ ok: boolean }>,
    private readonly delayMs: number,
  ) {}

  /** Marks a project as already saved (the one restored at start). */
  skip(project: ProjectFile): void {
    this.saved = project;
  }

  schedule(project: ProjectFile): void {
    if (project === this.saved) return;
    this.latest = project;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), this.delayMs);
  }

  async flush(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const project = this.latest;
    if (!project || project === this.saved) return;
    if (this.inFlight) {
      this.timer = setTimeout(() => void this.flush(), this.delayMs);
      return;
    }
    this.inFlight = true;
    try {
      const result = await this.save(project);
      if (result.ok) this.saved = project;
    } catch {
      // The next change tries again; autosave must never interrupt the musician.
    } finally {
      this.inFlight = false;
    }
  }
}
