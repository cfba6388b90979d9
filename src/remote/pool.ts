/**
 * The machines a run may build on, their free slots and their health. A job
 * goes to a machine that supports its system and features and has a free
 * slot, the least loaded for its speed first (load ÷ speed factor, as Nix and
 * Hydra choose). A machine that fails (cannot be reached, dies mid-build) is
 * down for a while, longer each time.
 */
import { type Machine, machineCanBuild, machineName } from "./machines.js";

export interface MachineState {
  machine: Machine;
  name: string;
  running: number;
  failures: number;
  downUntil: number;
}

export class BuilderPool {
  readonly states: MachineState[];

  constructor(
    machines: Machine[],
    private readonly now: () => number = Date.now,
    /** Back-off after the first failure, doubled for each further one, at most 10 minutes. */
    private readonly backoffMs = 30_000,
  ) {
    this.states = machines.map((machine) => ({
      machine,
      name: machineName(machine),
      running: 0,
      failures: 0,
      downUntil: 0,
    }));
  }

  /** Machines that could ever build this, up or down, busy or not. */
  capable(system: string, features: string[]): MachineState[] {
    return this.states.filter((s) => machineCanBuild(s.machine, system, features));
  }

  /** The machine to build on now, or null when every capable one is busy or down. */
  pick(system: string, features: string[]): MachineState | null {
    const t = this.now();
    const free = this.capable(system, features).filter(
      (s) => s.downUntil <= t && s.running < s.machine.maxJobs,
    );
    if (free.length === 0) return null;
    // Stable: among equals, the first listed.
    return free.reduce((best, s) =>
      s.running / s.machine.speedFactor < best.running / best.machine.speedFactor ? s : best,
    );
  }

  /** True when a capable machine is up (busy perhaps) or will be back. */
  anyAlive(system: string, features: string[]): boolean {
    return this.capable(system, features).length > 0;
  }

  /** When the next down machine comes back, or null. */
  nextRecovery(): number | null {
    const t = this.now();
    const later = this.states.filter((s) => s.downUntil > t).map((s) => s.downUntil);
    return later.length > 0 ? Math.min(...later) : null;
  }

  acquire(s: MachineState): void {
    s.running++;
  }

  release(s: MachineState, ok: boolean | "fault"): void {
    s.running--;
    if (ok === "fault") {
      s.failures++;
      s.downUntil = this.now() + Math.min(this.backoffMs * 2 ** (s.failures - 1), 600_000);
    } else if (ok) {
      s.failures = 0;
    }
  }
}
