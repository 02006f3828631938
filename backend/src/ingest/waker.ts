/**
 * Wakes a tailer when its folder changes (fs.watch: inotify on Linux, immediate) and every poll interval
 * anyway: notifications are lost on network file systems, across a symbolic link's target folder, or when the
 * inotify watch limit is reached, and a folder that does not exist yet cannot be watched at all.
 */
import { watch, type FSWatcher } from 'node:fs';

export class ChangeWaker {
  private watcher: FSWatcher | null = null;
  private signalled = false;
  private wakeUp: (() => void) | null = null;
  private closed = false;

  /** `wanted(name)` says whether a change to that entry of the folder concerns the tailer. */
  constructor(
    private readonly folder: string,
    private readonly pollMs: number,
    private readonly wanted: (name: string | null) => boolean
  ) {}

  /** Resolves at the next relevant change (or at once if one came since the last wait), the poll, or close. */
  wait(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.ensureWatcher();
    if (this.signalled) {
      this.signalled = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = null;
        this.signalled = false;
        resolve();
      };
      const timer = setTimeout(done, this.pollMs);
      this.wakeUp = done;
    });
  }

  close(): void {
    this.closed = true;
    this.watcher?.close();
    this.watcher = null;
    this.notify();
  }

  private notify(): void {
    if (this.wakeUp) this.wakeUp();
    else this.signalled = true;
  }

  private ensureWatcher(): void {
    if (this.watcher !== null || this.closed) return;
    try {
      const watcher = watch(this.folder, { persistent: false }, (_type, name) => {
        if (this.wanted(name === null ? null : String(name))) this.notify();
      });
      watcher.on('error', () => {
        // The folder went away or the watch broke: poll, and watch again at the next wait.
        watcher.close();
        if (this.watcher === watcher) this.watcher = null;
        this.notify();
      });
      this.watcher = watcher;
    } catch {
      // No folder yet, or no inotify watch left: polling alone.
    }
  }
}
