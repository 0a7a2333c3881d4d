import type { FanOutCall } from './contract';

/** What a fan-out with finish does in each of its calls. */
export interface Phases<Plan, Part, Finish> {
  plan(): Promise<Plan>;
  part(part: number): Promise<Part>;
  finish(): Promise<Finish>;
}

/** The phase a fan-out task's call asks for; a call without one (a task run whole) is a plan. */
export function byPhase<Plan, Part, Finish>(fanOut: FanOutCall | undefined, phases: Phases<Plan, Part, Finish>): Promise<Plan | Part | Finish> {
  switch (fanOut?.phase) {
    case 'part':
      return phases.part(fanOut.part);
    case 'finish':
      return phases.finish();
    default:
      return phases.plan();
  }
}
