/**
 * A finite state machine over string states and actions (SPEC-P3 §7 "Code lifecycles share a
 * StateMachine helper"). Used by code-defined lifecycles (products) and, with transitions loaded
 * from the database, by configurable workflows. Pure: no I/O; guards are synchronous predicates
 * over a caller-supplied context.
 */
export interface MachineTransition<S extends string, A extends string, C> {
  /** The verb the caller sends (`activate`, `approve`). */
  readonly action: A;
  /** The state(s) it leaves from. */
  readonly from: S | readonly S[];
  readonly to: S;
  /** Whether it may fire in `ctx` (absent: always). */
  readonly guard?: (ctx: C) => boolean;
}

export interface MachineDefinition<S extends string, A extends string, C> {
  readonly states: readonly S[];
  /** States with no way out (a transition from one throws at construction). */
  readonly final?: readonly S[];
  readonly transitions: readonly MachineTransition<S, A, C>[];
}

/** Why `apply` refused: no such action at all, none from this state, or its guard said no. */
export type StateMachineErrorReason = 'unknown_action' | 'not_available' | 'guard_refused';

/** Thrown by {@link StateMachine.apply}; callers map `reason` to their module's error codes. */
export class StateMachineError extends Error {
  constructor(
    readonly reason: StateMachineErrorReason,
    readonly state: string,
    readonly action: string,
  ) {
    super(`${action} is not possible from ${state} (${reason})`);
    this.name = 'StateMachineError';
  }
}

/** One action possible from a state: its name and the state it leads to. */
export interface AvailableAction<S extends string, A extends string> {
  action: A;
  to: S;
}

/**
 * The machine. Construction checks the definition (every `from`/`to` a known state, no transition
 * out of a final state, no two transitions with the same action from one state) and throws an
 * `Error` on a programming mistake.
 */
export class StateMachine<S extends string, A extends string, C = void> {
  private readonly transitions: readonly MachineTransition<S, A, C>[];

  constructor(private readonly definition: MachineDefinition<S, A, C>) {
    const known = new Set<string>(definition.states);
    const final = new Set<string>(definition.final ?? []);
    const seen = new Set<string>();
    for (const transition of definition.transitions) {
      for (const from of fromsOf(transition)) {
        if (!known.has(from) || !known.has(transition.to))
          throw new Error(`StateMachine: ${transition.action} names an unknown state`);
        if (final.has(from))
          throw new Error(`StateMachine: ${transition.action} leaves the final state ${from}`);
        const key = `${from}\u0000${transition.action}`;
        if (seen.has(key))
          throw new Error(`StateMachine: ${transition.action} is defined twice from ${from}`);
        seen.add(key);
      }
    }
    this.transitions = definition.transitions;
  }

  /** Every state, in definition order. */
  get states(): readonly S[] {
    return this.definition.states;
  }

  /** Whether `state` is final (no actions). */
  isFinal(state: S): boolean {
    return (this.definition.final ?? []).includes(state);
  }

  /** The actions whose guard passes in `ctx` from `state`, in definition order. */
  availableActions(state: S, ctx: C): AvailableAction<S, A>[] {
    return this.transitions
      .filter((t) => fromsOf(t).includes(state) && (!t.guard || t.guard(ctx)))
      .map((t) => ({ action: t.action, to: t.to }));
  }

  /** The states reachable in one step from `state`, ignoring guards. */
  targets(state: S): S[] {
    return [
      ...new Set(this.transitions.filter((t) => fromsOf(t).includes(state)).map((t) => t.to)),
    ];
  }

  /**
   * The state `action` leads to from `state` in `ctx`; throws {@link StateMachineError}
   * (`unknown_action`, `not_available`, `guard_refused`).
   */
  apply(state: S, action: string, ctx: C): S {
    const named = this.transitions.filter((t) => t.action === action);
    if (named.length === 0) throw new StateMachineError('unknown_action', state, action);
    const transition = named.find((t) => fromsOf(t).includes(state));
    if (!transition) throw new StateMachineError('not_available', state, action);
    if (transition.guard && !transition.guard(ctx))
      throw new StateMachineError('guard_refused', state, action);
    return transition.to;
  }
}

function fromsOf<S extends string>(transition: { from: S | readonly S[] }): readonly S[] {
  return typeof transition.from === 'string' ? [transition.from] : transition.from;
}
