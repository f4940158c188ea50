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
import { CategoriesService } from './categories.service';
import { CategoryDto, CategoryPageDto } from './dto/category.dto';
import { CreateCategoryDto } from './dto/create-category.dto';
import { UpdateCategoryDto } from './dto/update-category.dto';
import { ResourceNotFoundError } from '../access/access.errors';
import { InvalidCursorError } from '../platform/http/cursor';
import {
  CategoryCycleError,
  CategoryInUseError,
  InvalidSlugError,
  SlugTakenError,
  UnknownCategoriesError,
} from './catalog.errors';

@ApiTags('catalog')
@Controller('categories')
export class CategoriesController {
  constructor(private readonly categories: CategoriesService) {}

  @Get()
  @PublicShowingMoreWhenSignedIn()
  @ApiOperation({ summary: 'List categories by name; `parentId` gives the tree' })
  @Throws(InvalidCursorError)
  list(@Query() page: PageQueryDto): Promise<CategoryPageDto> {
    return this.categories.list(page);
  }

  @Post()
  @Authorize('create', 'Category')
  @Creates(CategoryDto, (category) => `/v1/categories/${category.id}`)
  @ApiOperation({
    summary: 'Create a category',
    description: 'The slug is derived from the name when not sent. Slug taken: 409. Unknown parent: 400.',
  })
  @Throws(InvalidSlugError, SlugTakenError, UnknownCategoriesError)
  create(@CurrentActor() actor: Actor, @Body() input: CreateCategoryDto): Promise<CategoryDto> {
    return this.categories.create(actor, input);
  }

  @Get(':id')
  @PublicShowingMoreWhenSignedIn()
  @ReadsWithETag(CategoryDto)
  @ApiOperation({ summary: 'Get a category' })
  @Throws(ResourceNotFoundError)
  get(@CurrentPrincipal() principal: Principal, @UuidParam('id') id: string): Promise<CategoryDto> {
    return this.categories.get(principal, id);
  }

  @Patch(':id')
  @Authorize('update', 'Category')
  @ReturnsETag(CategoryDto)
  @AcceptsIfMatch()
  @ApiOperation({
    summary: 'Edit a category: rename, change its slug, move it',
    description: 'Moving it under itself or one of its subcategories: 409. Slug taken: 409.',
  })
  @Throws(ResourceNotFoundError, InvalidSlugError, SlugTakenError, UnknownCategoriesError, CategoryCycleError)
  update(
    @CurrentActor() actor: Actor,
    @UuidParam('id') id: string,
    @Body() input: UpdateCategoryDto,
    @IfMatchHeader() ifMatch: IfMatch,
  ): Promise<CategoryDto> {
    return this.categories.update(actor, id, input, ifMatch);
  }

  @Delete(':id')
  @Authorize('archive', 'Category')
  @HttpCode(HttpStatus.NO_CONTENT)
  @AcceptsIfMatch()
  @ApiOperation({
    summary: 'Delete an empty category',
    description: 'A category that still has subcategories or products is 409: move or recategorize them first.',
  })
  @Throws(ResourceNotFoundError, CategoryInUseError)
  async remove(
    @CurrentActor() actor: Actor,
    @UuidParam('id') id: string,
    @IfMatchHeader() ifMatch: IfMatch,
  ): Promise<void> {
    await this.categories.remove(actor, id, ifMatch);
  }
}
