import { sqlAnyOf } from './where-any-of';

const COLUMNS = { active: 'p.active', organizationId: 'p.organization_id' };

function render(alternatives: Record<string, unknown>[]): { sql: string | null; parameters: unknown[] } {
  const parameters: unknown[] = [];
  const sql = sqlAnyOf(alternatives, COLUMNS, (value) => `$${parameters.push(value)}`);
  return { sql, parameters };
}

describe('sqlAnyOf (policy scope as SQL)', () => {
  it('matches nothing for no alternative, everything when one alternative is empty', () => {
    expect(render([])).toEqual({ sql: 'false', parameters: [] });
    expect(render([{ active: true }, {}])).toEqual({ sql: null, parameters: [] });
  });

  it('ANDs the fields of an alternative and ORs the alternatives, every value bound', () => {
    expect(render([{ active: true, organizationId: 'o1' }, { organizationId: null }])).toEqual({
      sql: '((p.active = $1 AND p.organization_id = $2) OR (p.organization_id IS NULL))',
      parameters: [true, 'o1'],
    });
  });

  it('refuses a field it has no column for, or a value that is not a scalar, rather than widen the scope', () => {
    expect(() => render([{ placedById: 'u1' }])).toThrow(/placedById/);
    expect(() => render([{ toString: 'x' }])).toThrow(/toString/);
    expect(() => render([{ active: { $ne: false } }])).toThrow(/active/);
  });
});
