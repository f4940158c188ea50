/** Routes benchmarked side by side on the app and the bare baseline. */
export interface Scenario {
  name: string;
  path: string;
}

export const SCENARIOS: Scenario[] = [
  { name: 'liveness (framework overhead only)', path: '/health/live' },
  { name: 'readiness (two database round trips)', path: '/health/ready' },
];
