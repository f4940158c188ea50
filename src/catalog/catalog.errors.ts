import { DomainError } from '../platform/errors/domain-error';

const fieldError = (field: string, message: string) => ({ errors: [{ field, message }] });

export class SkuTakenError extends DomainError {
  readonly kind = 'conflict';
  constructor(sku: string) {
    super('SKU_TAKEN', `Another product already has the SKU ${sku}.`, fieldError('sku', 'is taken'));
  }
}

export class SlugTakenError extends DomainError {
  readonly kind = 'conflict';
  constructor(slug: string) {
    super('SLUG_TAKEN', `Another category already has the slug ${slug}.`, fieldError('slug', 'is taken'));
  }
}

export class UnknownCategoriesError extends DomainError {
  readonly kind = 'invalid_input';
  constructor(field: string, ids: string[]) {
    super('UNKNOWN_CATEGORY', `No category has the id ${ids.join(', ')}.`, fieldError(field, 'names no category'));
  }
}

export class InvalidSlugError extends DomainError {
  readonly kind = 'invalid_input';
  constructor() {
    const message = 'cannot be derived from the name: send one';
    super('INVALID_SLUG', `The category needs a slug: it ${message}.`, fieldError('slug', message));
  }
}

export class CategoryCycleError extends DomainError {
  readonly kind = 'conflict';
  constructor() {
    super(
      'CATEGORY_CYCLE',
      'A category cannot be moved under itself or one of its own subcategories.',
      fieldError('parentId', 'is this category or one below it'),
    );
  }
}

export class CategoryInUseError extends DomainError {
  readonly kind = 'conflict';
  constructor(subcategories: number, products: number) {
    super(
      'CATEGORY_IN_USE',
      `Only an empty category can be deleted: this one has ${subcategories} subcategories and ${products} products.`,
      { subcategories, products },
    );
  }
}

export class InsufficientStockError extends DomainError {
  readonly kind = 'conflict';
  constructor(productId: string, stock: number, delta: number) {
    super(
      'INSUFFICIENT_STOCK',
      `Stock cannot go below zero: ${stock} on hand, ${-delta} requested out. Nothing was changed.`,
      { productId, stock },
    );
  }
}

export class InvalidPriceRangeError extends DomainError {
  readonly kind = 'invalid_input';
  constructor() {
    super(
      'INVALID_PRICE_RANGE',
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

export class OutOfStockError extends DomainError {
  readonly kind = 'conflict';
  constructor(shortages: StockShortage[]) {
    super(
      'INSUFFICIENT_STOCK',
      `Not enough stock for ${shortages.map(({ sku }) => sku).join(', ')}. Nothing was reserved.`,
      { shortages },
    );
  }
}

export class UnavailableProductsError extends DomainError {
  readonly kind = 'invalid_input';
  constructor(fields: string[]) {
    super('PRODUCT_UNAVAILABLE', 'Some products do not exist or are no longer sold.', {
      errors: fields.map((field) => ({ field, message: 'names no active product' })),
    });
  }
}
