import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor, Principal } from '../access/actor';
import { Authorize, PublicShowingMoreWhenSignedIn } from '../access/authorize.decorator';
import { CurrentActor, CurrentPrincipal } from '../access/principal.decorator';
import { Throws } from '../platform/errors/throws.decorator';
import type { IfMatch } from '../platform/http/etag';
import { AcceptsIfMatch, IfMatchHeader, ReadsWithETag, ReturnsETag } from '../platform/http/etag.decorator';
import { Creates } from '../platform/http/location.decorator';
import { PageQueryDto } from '../platform/http/page-query.dto';
import { UuidParam } from '../platform/http/uuid-param.decorator';
import { CreateProductDto } from './dto/create-product.dto';
import { ListProductsQueryDto } from './dto/list-products-query.dto';
import { ProductDto, ProductPageDto } from './dto/product.dto';
import { StockAdjustmentDto } from './dto/stock-adjustment.dto';
import { StockMovementDto, StockMovementPageDto } from './dto/stock-movement.dto';
import { UpdateProductDto } from './dto/update-product.dto';
import { ProductsService } from './products.service';
import { StockService } from './stock.service';
import { ResourceNotFoundError } from '../access/access.errors';
import { InvalidCursorError } from '../platform/http/cursor';
import {
  InsufficientStockError,
  InvalidPriceRangeError,
  SkuTakenError,
  UnknownCategoriesError,
} from './catalog.errors';

@ApiTags('catalog')
@Controller('products')
export class ProductsController {
  constructor(
    private readonly products: ProductsService,
    private readonly stock: StockService,
  ) {}

  @Get()
  @PublicShowingMoreWhenSignedIn()
  @ApiOperation({
    summary: 'Search and list products',
    description:
      'Anonymous callers and customers see active products; staff who may read archived ones see those too. ' +
      '`q` matches every word in SKU, name or description, stemmed, in any order. Pages are keyset-based: stable ' +
      'while products are added, with ties broken by id.',
  })
  @Throws(InvalidPriceRangeError, InvalidCursorError)
  list(@CurrentPrincipal() principal: Principal, @Query() query: ListProductsQueryDto): Promise<ProductPageDto> {
    return this.products.list(principal, query);
  }

  @Post()
  @Authorize('create', 'Product')
  @Creates(ProductDto, (product) => `/v1/products/${product.id}`)
  @ApiOperation({
    summary: 'Create a product',
    description: 'An initial `stock` is recorded as a stock movement `initial`. SKU taken: 409.',
  })
  @Throws(SkuTakenError, UnknownCategoriesError)
  create(@CurrentActor() actor: Actor, @Body() input: CreateProductDto): Promise<ProductDto> {
    return this.products.create(actor, input);
  }

  @Get(':id')
  @PublicShowingMoreWhenSignedIn()
  @ReadsWithETag(ProductDto)
  @ApiOperation({ summary: 'Get a product; an archived one is 404 to those who may not see it' })
  @Throws(ResourceNotFoundError)
  get(@CurrentPrincipal() principal: Principal, @UuidParam('id') id: string): Promise<ProductDto> {
    return this.products.get(principal, id);
  }

  @Patch(':id')
  @Authorize('update', 'Product')
  @ReturnsETag(ProductDto)
  @AcceptsIfMatch()
  @ApiOperation({
    summary: 'Edit a product',
    description:
      '`categoryIds` replaces the whole list; `active` archives (false) or restores (true). Stock is not edited ' +
      'here: use stock adjustments. SKU taken: 409.',
  })
  @Throws(ResourceNotFoundError, SkuTakenError, UnknownCategoriesError)
  update(
    @CurrentActor() actor: Actor,
    @UuidParam('id') id: string,
    @Body() input: UpdateProductDto,
    @IfMatchHeader() ifMatch: IfMatch,
  ): Promise<ProductDto> {
    return this.products.update(actor, id, input, ifMatch);
  }

  @Delete(':id')
  @Authorize('archive', 'Product')
  @HttpCode(HttpStatus.NO_CONTENT)
  @AcceptsIfMatch()
  @ApiOperation({
    summary: 'Archive a product: hidden from customers, kept for orders and reports (idempotent)',
  })
  @Throws(ResourceNotFoundError)
  async archive(
    @CurrentActor() actor: Actor,
    @UuidParam('id') id: string,
    @IfMatchHeader() ifMatch: IfMatch,
  ): Promise<void> {
    await this.products.archive(actor, id, ifMatch);
  }

  @Post(':id/stock-adjustments')
  @Authorize('adjust', 'Stock')
  // A movement has no URL of its own: its product's movements list it, newest first.
  @Creates(StockMovementDto, (movement) => `/v1/products/${movement.productId}/stock-movements`)
  @ApiOperation({
    summary: 'Move stock by hand: goods received, a count, damage',
    description: 'Recorded as a stock movement with its reason. Stock never goes below zero: 409, nothing changed.',
  })
  @Throws(ResourceNotFoundError, InsufficientStockError)
  adjustStock(
    @CurrentActor() actor: Actor,
    @UuidParam('id') id: string,
    @Body() input: StockAdjustmentDto,
  ): Promise<StockMovementDto> {
    return this.stock.move(actor, { productId: id, delta: input.delta, reason: input.reason, note: input.note });
  }

  @Get(':id/stock-movements')
  @Authorize('read', 'Stock')
  @ApiOperation({ summary: "A product's stock movements, newest first: its stock on hand, line by line" })
  @Throws(ResourceNotFoundError, InvalidCursorError)
  async stockMovements(
    @CurrentActor() actor: Actor,
    @UuidParam('id') id: string,
    @Query() page: PageQueryDto,
  ): Promise<StockMovementPageDto> {
    await this.products.get(actor, id);
    return this.stock.movements(id, page);
  }
}
