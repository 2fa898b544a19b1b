// Injected failures: the next `times` requests matching a method and path get the given status (429
// with Retry-After, 500, 503, …) with PayPal's error body, optionally after a delay, then the
// simulator behaves normally again. A fault without a status only delays.

export interface FaultSpec {
  method?: string;
  /** A string matches the path (without query) exactly; a RegExp is tested against it. */
  path: RegExp | string;
  status?: number;
  /** How many matching requests fail; default 1. Infinity fails until cleared. */
  times?: number;
  retryAfterSeconds?: number;
  /** Replaces PayPal's default error body for the status. */
  body?: object;
  delayMs?: number;
}

export interface ActiveFault extends FaultSpec {
  remaining: number;
}

export class FaultRegistry {
  private readonly faults: ActiveFault[] = [];

  add(spec: FaultSpec): void {
    const times = spec.times ?? 1;
    if (!(times > 0)) throw new Error(`A fault needs times > 0, got ${times}.`);
    if (spec.status === undefined && spec.delayMs === undefined) throw new Error('A fault needs a status, a delayMs, or both.');
    if (spec.status !== undefined && (spec.status < 100 || spec.status > 599)) throw new Error(`A fault status must be an HTTP status, got ${spec.status}.`);
    this.faults.push({ ...spec, remaining: times });
  }

  clear(): void {
    this.faults.length = 0;
  }

  /** The first fault matching this request, consumed once; undefined when none applies. */
  take(method: string, path: string): ActiveFault | undefined {
    const matchesPath = (f: ActiveFault) => {
      if (typeof f.path === 'string') return f.path === path;
      f.path.lastIndex = 0; // a /g or /y RegExp keeps state between calls
      return f.path.test(path);
    };
    const index = this.faults.findIndex((f) => (f.method === undefined || f.method.toUpperCase() === method.toUpperCase()) && matchesPath(f));
    const fault = this.faults[index];
    if (!fault) return undefined;
    fault.remaining--;
    if (fault.remaining <= 0) this.faults.splice(index, 1);
    return fault;
  }
}
