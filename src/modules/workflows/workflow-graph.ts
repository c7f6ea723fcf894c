import type { FieldIssue } from '../../core/http';

/** The shape of a definition the graph rules read (states by code, transitions by code). */
export interface WorkflowGraph {
  states: readonly { code: string; isInitial: boolean; isFinal: boolean }[];
  transitions: readonly { action: string; from: string; to: string }[];
}

/**
 * The activation rules of a workflow's graph (SPEC-P3 §7): exactly one initial state, every state
 * reachable from it, no transition out of a final state. Returns one issue per problem with its
 * JSON pointer into the definition (`/states`, `/states/2`, `/transitions/1/from`); empty when
 * the graph may be activated. Transitions naming unknown states are refused earlier (on save).
 */
export function graphProblems(graph: WorkflowGraph): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const initial = graph.states.filter((s) => s.isInitial);
  if (initial.length === 0) {
    issues.push({
      pointer: '/states',
      detail: 'A workflow needs exactly one initial state; it has none',
    });
  } else if (initial.length > 1) {
    graph.states.forEach((state, index) => {
      if (state.isInitial && state !== initial[0])
        issues.push({
          pointer: `/states/${index}/isInitial`,
          detail: `A workflow needs exactly one initial state; ${state.code} is a second one`,
        });
    });
  }
  const final = new Set(graph.states.filter((s) => s.isFinal).map((s) => s.code));
  graph.transitions.forEach((transition, index) => {
    if (final.has(transition.from))
      issues.push({
        pointer: `/transitions/${index}/from`,
        detail: `${transition.action} leaves ${transition.from}, a final state`,
      });
  });
  if (initial.length === 1) {
    const reached = new Set([initial[0].code]);
    const queue = [initial[0].code];
    while (queue.length) {
      const from = queue.shift()!;
      for (const t of graph.transitions) {
        if (t.from === from && !reached.has(t.to)) {
          reached.add(t.to);
          queue.push(t.to);
        }
      }
    }
    graph.states.forEach((state, index) => {
      if (!reached.has(state.code))
        issues.push({
          pointer: `/states/${index}`,
          detail: `${state.code} cannot be reached from the initial state ${initial[0].code}`,
        });
    });
  }
  return issues;
}
