import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SqlReads } from '../platform/database/sql-reads';
import { CategoriesController } from './categories.controller';
import { CategoriesService } from './categories.service';
import { DemoCatalog } from './demo/demo-catalog.service';
import { Category } from './entities/category.entity';
import { ProductCategory } from './entities/product-category.entity';
import { Product } from './entities/product.entity';
import { StockMovement } from './entities/stock-movement.entity';
import { ProductCategories } from './product-categories';
import { ProductsController } from './products.controller';
import { ProductsRepository } from './products.repository';
import { ProductsService } from './products.service';
import { StockService } from './stock.service';

@Module({
  imports: [TypeOrmModule.forFeature([Product, Category, ProductCategory, StockMovement])],
  controllers: [ProductsController, CategoriesController],
  providers: [
    ProductsService,
    ProductsRepository,
    CategoriesService,
    ProductCategories,
    StockService,
    DemoCatalog,
    SqlReads,
  ],
  exports: [StockService],
})
export class CatalogModule {}
