// The detector's verdict on one upstream (health/detector.ts writes it, selection and /status read it).

/** Where an upstream stands for the detector. */
export type DetectionState = 'clear' | 'suspect' | 'down';

export interface Detection {
  state: DetectionState;
  /** Why it is suspect or down ('' while clear). */
  reason: string;
  /** When the state began (epoch ms). */
  sinceMs: number;
}
