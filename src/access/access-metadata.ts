import type { Action, SubjectType } from './policy';

export const ACCESS_RULE = 'access:rule';

/** What an endpoint requires of its caller; an endpoint without one is refused to everybody. */
export type AccessRule =
  { kind: 'public' } | { kind: 'authenticated' } | { kind: 'permission'; action: Action; subject: SubjectType };
