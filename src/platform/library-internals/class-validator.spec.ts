import { getMetadataStorage, IsInt } from 'class-validator';
import { validatedClasses } from './class-validator';

describe('class-validator internals', () => {
  it('lists a class as soon as it carries a validation decorator', () => {
    class Decorated {
      @IsInt()
      count!: number;
    }
    expect(validatedClasses()).toContain(Decorated);
  });

  it('fails loudly when the storage no longer keeps its metadata in a Map', () => {
    const storage = getMetadataStorage() as unknown as Record<string, unknown>;
    const kept = storage.validationMetadatas;
    storage.validationMetadatas = {};
    try {
      expect(() => validatedClasses()).toThrow(/no longer keeps its metadata in a Map named validationMetadatas/);
    } finally {
      storage.validationMetadatas = kept;
    }
  });
});
