// What the scale-out stage (scale-out.ts, a process of its own) hands `pnpm bench` (run.ts) for its
// targets table: one line of JSON after this prefix, at the end of its output.
export const SCALE_OUT_JSON_PREFIX = 'SCALE_OUT_JSON ';

export interface Counted {
  dialect: string;
  request: string;
  statements: number;
  writes: number;
  roundTrips: number | null;
}

export interface Measured {
  setup: string;
  request: string;
  rps: number;
  p99: number;
  errors: number;
  /** CPU cores other processes on the machine used meanwhile. */
  otherCpu: number;
}

export interface ScaleOutFigures {
  counted: Counted[];
  measured: Measured[];
  /** Requests per second of the raw baseline on the invoices page (no raw payInvoice exists). */
  rawPage: number;
}

/** The figures in a scale-out run's output, and the output without their line. */
export function splitScaleOutOutput(output: string): { text: string; figures: ScaleOutFigures | null } {
  const lines = output.trimEnd().split('\n');
  const line = lines.find((l) => l.startsWith(SCALE_OUT_JSON_PREFIX));
  return {
    text: lines.filter((l) => l !== line).join('\n'),
    figures: line ? (JSON.parse(line.slice(SCALE_OUT_JSON_PREFIX.length)) as ScaleOutFigures) : null,
  };
}
