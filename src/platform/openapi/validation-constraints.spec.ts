import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayNotEmpty,
  ArrayUnique,
  IsBoolean,
  IsEmail,
  IsEnum,
  IsIn,
  IsInt,
  IsISO31661Alpha2,
  IsISO4217CurrencyCode,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { forgetValidatedClasses } from '../library-internals/class-validator';
import { documentedConstraints } from './validation-constraints';

enum Colour {
  Red = 'red',
  Blue = 'blue',
}

enum Level {
  Low = 1,
  High = 2,
}

describe('documentedConstraints', () => {
  it('documents what each validator enforces, in OpenAPI keywords', () => {
    class Everything {
      @IsInt() @Min(1) @Max(10) count!: number;
      @IsUUID() id!: string;
      @IsEmail() email!: string;
      @IsString() @Length(2, 5) @Matches(/^[a-z]+$/) code!: string;
      @MinLength(3) @MaxLength(8) name!: string;
      @Length(4) atLeastFour!: string;
      @IsIn(['a', 'b']) letter!: string;
      @IsEnum(Colour) colour!: Colour;
      @IsEnum(Level) level!: Level;
      @IsISO4217CurrencyCode() currency!: string;
      @IsISO31661Alpha2() country!: string;
      @ArrayMinSize(1) @ArrayMaxSize(3) @ArrayUnique() tags!: string[];
      @ArrayNotEmpty() nonEmpty!: string[];
      @IsNotEmpty() text!: string;
      @IsNotEmpty() anything!: number;
      @IsOptional() @IsBoolean() flag?: boolean;
    }
    expect(Object.fromEntries(documentedConstraints(Everything))).toEqual({
      count: { type: 'integer', minimum: 1, maximum: 10 },
      id: { format: 'uuid' },
      email: { format: 'email' },
      code: { minLength: 2, maxLength: 5, pattern: '^[a-z]+$' },
      name: { minLength: 3, maxLength: 8 },
      atLeastFour: { minLength: 4 },
      letter: { enum: ['a', 'b'] },
      colour: { enum: ['red', 'blue'] },
      level: { enum: [1, 2] },
      currency: { pattern: '^[A-Z]{3}$' },
      country: { pattern: '^[A-Z]{2}$' },
      tags: { minItems: 1, maxItems: 3, uniqueItems: true },
      nonEmpty: { minItems: 1 },
      text: { minLength: 1 },
    });
  });

  it("documents a validator with `each` on an array's items", () => {
    class Lists {
      @IsInt({ each: true }) @Min(0, { each: true }) counts!: number[];
      @IsIn(['x', 'y'], { each: true }) letters!: string[];
      @IsUUID('all', { each: true }) ids!: string[];
    }
    expect(Object.fromEntries(documentedConstraints(Lists))).toEqual({
      // The document builder moves the value keywords (minimum, format) of an array property into its items.
      counts: { type: 'integer', isArray: true, minimum: 0 },
      letters: { enum: ['x', 'y'], isArray: true },
      ids: { format: 'uuid' },
    });
  });

  it('documents the validators a class inherits', () => {
    class Base {
      @IsInt() version!: number;
    }
    class Derived extends Base {
      @IsUUID() id!: string;
    }
    expect(Object.fromEntries(documentedConstraints(Derived))).toEqual({
      id: { format: 'uuid' },
      version: { type: 'integer' },
    });
  });

  it('keeps the tighter bound when two validators bound a property', () => {
    class Bounded {
      @Length(1, 100) @MaxLength(50) @MinLength(2) name!: string;
      @Min(0) @Min(5) @Max(9) @Max(7) count!: number;
    }
    expect(Object.fromEntries(documentedConstraints(Bounded))).toEqual({
      name: { minLength: 2, maxLength: 50 },
      count: { minimum: 5, maximum: 7 },
    });
  });

  it('refuses what the document cannot say: two patterns, or a pattern with flags', () => {
    class TwoPatterns {
      @Matches(/^a/) @Matches(/b$/) text!: string;
    }
    class CaseInsensitive {
      @Matches(/^abc$/i) text!: string;
    }
    try {
      expect(() => documentedConstraints(TwoPatterns)).toThrow(/TwoPatterns.text: two validators set pattern/);
      expect(() => documentedConstraints(CaseInsensitive)).toThrow(/cannot carry the flags "i"/);
    } finally {
      forgetValidatedClasses(TwoPatterns, CaseInsensitive);
    }
  });

  it('documents a Unicode pattern as it is, since JSON Schema patterns are read as Unicode', () => {
    class Printable {
      @Matches(/^\P{Cc}+$/u) text!: string;
    }
    expect(documentedConstraints(Printable).get('text')).toEqual({ pattern: '^\\P{Cc}+$' });
  });
});
