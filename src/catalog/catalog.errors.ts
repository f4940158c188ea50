import type { SchemaObject } from '@nestjs/swagger';
import { DomainError, type ProblemDeclaration } from '../platform/errors/domain-error';
import { FIELD_ERRORS } from '../platform/errors/invalid-request.error';

const fieldError = (field: string, message: string) => ({ errors: [{ field, message }] });

export class SkuTakenError extends DomainError {
  static readonly problem: ProblemDeclaration = { code: 'SKU_TAKEN', kind: 'conflict', extensions: FIELD_ERRORS };

  constructor(sku: string) {
    super(`Another product already has the SKU ${sku}.`, fieldError('sku', 'is taken'));
  }
}

export class SlugTakenError extends DomainError {
  static readonly problem: ProblemDeclaration = { code: 'SLUG_TAKEN', kind: 'conflict', extensions: FIELD_ERRORS };

  constructor(slug: string) {
    super(`Another category already has the slug ${slug}.`, fieldError('slug', 'is taken'));
  }
}

export class UnknownCategoriesError extends DomainError {
  static readonly problem: ProblemDeclaration = {
    code: 'UNKNOWN_CATEGORY',
    kind: 'invalid_input',
    extensions: FIELD_ERRORS,
  };

  constructor(field: string, ids: string[]) {
    super(`No category has the id ${ids.join(', ')}.`, fieldError(field, 'names no category'));
  }
}

export class InvalidSlugError extends DomainError {
  static readonly problem: ProblemDeclaration = {
    code: 'INVALID_SLUG',
    kind: 'invalid_input',
    extensions: FIELD_ERRORS,
  };

  constructor() {
    const message = 'cannot be derived from the name: send one';
    super(`The category needs a slug: it ${message}.`, fieldError('slug', message));
  }
}

export class CategoryCycleError extends DomainError {
  static readonly problem: ProblemDeclaration = { code: 'CATEGORY_CYCLE', kind: 'conflict', extensions: FIELD_ERRORS };

  constructor() {
    super(
      'A category cannot be moved under itself or one of its own subcategories.',
      fieldError('parentId', 'is this category or one below it'),
    );
  }
}

export class CategoryInUseError extends DomainError {
  static readonly problem: ProblemDeclaration = {
    code: 'CATEGORY_IN_USE',
    kind: 'conflict',
    extensions: { subcategories: { type: 'integer', minimum: 0 }, products: { type: 'integer', minimum: 0 } },
  };

  constructor(subcategories: number, products: number) {
    super(
      `Only an empty category can be deleted: this one has ${subcategories} subcategories and ${products} products.`,
      { subcategories, products },
    );
  }
}

export class InsufficientStockError extends DomainError {
  static readonly problem: ProblemDeclaration = {
    code: 'INSUFFICIENT_STOCK',
    kind: 'conflict',
    extensions: { productId: { type: 'string', format: 'uuid' }, stock: { type: 'integer', minimum: 0 } },
  };

  constructor(productId: string, stock: number, delta: number) {
    super(`Stock cannot go below zero: ${stock} on hand, ${-delta} requested out. Nothing was changed.`, {
      productId,
      stock,
    });
  }
}

export class InvalidPriceRangeError extends DomainError {
  static readonly problem: ProblemDeclaration = {
    code: 'INVALID_PRICE_RANGE',
    kind: 'invalid_input',
    extensions: FIELD_ERRORS,
  };

  constructor() {
    super(
      'minPriceCents is greater than maxPriceCents.',
      fieldError('minPriceCents', 'must not be greater than maxPriceCents'),
    );
  }
}

export interface StockShortage {
  productId: string;
  sku: string;
  requested: number;
  available: number;
}

const SHORTAGES_SCHEMA: SchemaObject = {
  type: 'array',
  minItems: 1,
  items: {
    type: 'object',
    required: ['productId', 'sku', 'requested', 'available'],
    properties: {
      productId: { type: 'string', format: 'uuid' },
      sku: { type: 'string' },
      requested: { type: 'integer', minimum: 1 },
      available: { type: 'integer', minimum: 0 },
    },
  },
};

export class OutOfStockError extends DomainError {
  static readonly problem: ProblemDeclaration = {
    code: 'INSUFFICIENT_STOCK',
    kind: 'conflict',
    extensions: { shortages: SHORTAGES_SCHEMA },
  };

  constructor(shortages: StockShortage[]) {
    super(`Not enough stock for ${shortages.map(({ sku }) => sku).join(', ')}. Nothing was reserved.`, { shortages });
  }
}

export class UnavailableProductsError extends DomainError {
  static readonly problem: ProblemDeclaration = {
    code: 'PRODUCT_UNAVAILABLE',
    kind: 'invalid_input',
    extensions: FIELD_ERRORS,
  };

  constructor(fields: string[]) {
    super('Some products do not exist or are no longer sold.', {
      errors: fields.map((field) => ({ field, message: 'names no active product' })),
    });
  }
}
