import { graphProblems } from './workflow-graph';

const state = (code: string, isInitial = false, isFinal = false) => ({ code, isInitial, isFinal });
const go = (action: string, from: string, to: string) => ({ action, from, to });

describe('graphProblems (activation rules)', () => {
  it('accepts a connected graph with one initial state', () => {
    expect(
      graphProblems({
        states: [state('draft', true), state('pending'), state('done', false, true)],
        transitions: [go('submit', 'draft', 'pending'), go('approve', 'pending', 'done')],
      }),
    ).toEqual([]);
  });

  it('needs an initial state', () => {
    expect(graphProblems({ states: [state('a')], transitions: [] })).toEqual([
      expect.objectContaining({ pointer: '/states' }),
    ]);
  });

  it('refuses a second initial state, at its pointer', () => {
    const issues = graphProblems({
      states: [state('a', true), state('b', true)],
      transitions: [go('x', 'a', 'b')],
    });
    expect(issues.map((i) => i.pointer)).toEqual(['/states/1/isInitial']);
  });

  it('names every unreachable state', () => {
    const issues = graphProblems({
      states: [state('a', true), state('b'), state('c')],
      transitions: [go('x', 'a', 'b'), go('y', 'c', 'b')],
    });
    expect(issues.map((i) => i.pointer)).toEqual(['/states/2']);
  });

  it('refuses an exit from a final state', () => {
    const issues = graphProblems({
      states: [state('a', true), state('b', false, true)],
      transitions: [go('x', 'a', 'b'), go('back', 'b', 'a')],
    });
    expect(issues.map((i) => i.pointer)).toEqual(['/transitions/1/from']);
  });
});
