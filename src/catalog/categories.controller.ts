import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor, Principal } from '../access/actor';
import { Authorize, PublicShowingMoreWhenSignedIn } from '../access/authorize.decorator';
import { CurrentActor, CurrentPrincipal } from '../access/principal.decorator';
import { ApiProblemResponses } from '../platform/errors/api-problem-responses.decorator';
import type { IfMatch } from '../platform/http/etag';
import { AcceptsIfMatch, IfMatchHeader, ReadsWithETag, ReturnsETag } from '../platform/http/etag.decorator';
import { Creates } from '../platform/http/location.decorator';
import { PageQueryDto } from '../platform/http/page-query.dto';
import { UuidParam } from '../platform/http/uuid-param.decorator';
import { CategoriesService } from './categories.service';
import { CategoryDto, CategoryPageDto } from './dto/category.dto';
import { CreateCategoryDto } from './dto/create-category.dto';
import { UpdateCategoryDto } from './dto/update-category.dto';

@ApiTags('catalog')
@Controller('categories')
export class CategoriesController {
  constructor(private readonly categories: CategoriesService) {}

  @Get()
  @PublicShowingMoreWhenSignedIn()
  @ApiOperation({ summary: 'List categories by name; `parentId` gives the tree' })
  @ApiProblemResponses(400)
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
  @ApiProblemResponses(400, 409)
  create(@CurrentActor() actor: Actor, @Body() input: CreateCategoryDto): Promise<CategoryDto> {
    return this.categories.create(actor, input);
  }

  @Get(':id')
  @PublicShowingMoreWhenSignedIn()
  @ReadsWithETag(CategoryDto)
  @ApiOperation({ summary: 'Get a category' })
  @ApiProblemResponses(400, 404)
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
  @ApiProblemResponses(400, 404, 409)
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
  @ApiProblemResponses(400, 404, 409)
  async remove(
    @CurrentActor() actor: Actor,
    @UuidParam('id') id: string,
    @IfMatchHeader() ifMatch: IfMatch,
  ): Promise<void> {
    await this.categories.remove(actor, id, ifMatch);
  }
}
