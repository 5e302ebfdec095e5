import type { Stats } from '../stats.js';

/** A page of the dashboard: renders once into its root, then updates every second. */
export interface View {
  readonly root: HTMLElement;
  update(stats: Stats): void | Promise<void>;
  /** Called when the user leaves the page. */
  dispose?(): void;
}
