import { StateMachine, StateMachineError } from './state-machine';

type S = 'draft' | 'active' | 'closed';
type A = 'activate' | 'close';

const machine = new StateMachine<S, A, { admin: boolean }>({
  states: ['draft', 'active', 'closed'],
  final: ['closed'],
  transitions: [
    { action: 'activate', from: 'draft', to: 'active' },
    { action: 'close', from: ['draft', 'active'], to: 'closed', guard: (ctx) => ctx.admin },
  ],
});

describe('StateMachine', () => {
  it('lists the actions whose guard passes', () => {
    expect(machine.availableActions('draft', { admin: false })).toEqual([
      { action: 'activate', to: 'active' },
    ]);
    expect(machine.availableActions('draft', { admin: true }).map((a) => a.action)).toEqual([
      'activate',
      'close',
    ]);
    expect(machine.availableActions('closed', { admin: true })).toEqual([]);
    expect(machine.targets('draft')).toEqual(['active', 'closed']);
    expect(machine.isFinal('closed')).toBe(true);
  });

  it('applies an action or throws a typed reason', () => {
    expect(machine.apply('draft', 'activate', { admin: false })).toBe('active');
    const reason = (state: S, action: string, admin: boolean) => {
      try {
        machine.apply(state, action, { admin });
        return null;
      } catch (error) {
        return (error as StateMachineError).reason;
      }
    };
    expect(reason('active', 'fly', true)).toBe('unknown_action');
    expect(reason('active', 'activate', true)).toBe('not_available');
    expect(reason('active', 'close', false)).toBe('guard_refused');
    expect(reason('closed', 'close', true)).toBe('not_available');
  });

  it('refuses a definition with an exit from a final state, an unknown state or a repeated action', () => {
    expect(
      () =>
        new StateMachine({
          states: ['a', 'b'],
          final: ['b'],
          transitions: [{ action: 'x', from: 'b', to: 'a' }],
        }),
    ).toThrow(/final/);
    expect(
      () => new StateMachine({ states: ['a'], transitions: [{ action: 'x', from: 'a', to: 'z' }] }),
    ).toThrow(/unknown/);
    expect(
      () =>
        new StateMachine({
          states: ['a', 'b'],
          transitions: [
            { action: 'x', from: 'a', to: 'b' },
            { action: 'x', from: 'a', to: 'a' },
          ],
        }),
    ).toThrow(/twice/);
  });
});
