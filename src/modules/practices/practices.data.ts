import type { ListedPractices } from './practices.repository.js';

/** Best practices as plain data, between the use cases that read them and the views that draw them. */

export interface PracticeFormDefaults {
  unit: string | null;
  service: string | null;
  /** The round whose result invited this practice, when it came from one. */
  roundId: number | undefined;
}

export interface UnitPractices {
  unit: string;
  practices: ListedPractices;
}
