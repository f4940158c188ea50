import { nestsDeeperThan } from './json-body-parser';

describe('nestsDeeperThan', () => {
  it('counts arrays and objects opened inside each other', () => {
    expect(nestsDeeperThan('[[{"a":[1]}]]', 4)).toBe(false);
    expect(nestsDeeperThan('[[{"a":[[1]]}]]', 4)).toBe(true);
  });

  it('counts depth, not the number of brackets', () => {
    expect(nestsDeeperThan('[[1],[2],[3],{"a":1},{"b":[]}]', 3)).toBe(false);
    expect(nestsDeeperThan('[[1],[2],[3],{"a":1},{"b":[]}]', 2)).toBe(true);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(nestsDeeperThan('{"a":"[[[[{{{{"}', 1)).toBe(false);
    expect(nestsDeeperThan('{"a":"\\"[[[[\\\\"}', 1)).toBe(false);
    expect(nestsDeeperThan('{"a\\"":"x","b":[[]]}', 2)).toBe(true);
  });

  it('handles a hundred thousand levels without recursion', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expect(nestsDeeperThan(deep, 32)).toBe(true);
    expect(nestsDeeperThan(deep, 100_000)).toBe(false);
  });
});
