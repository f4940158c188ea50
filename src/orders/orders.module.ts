import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { BillingModule } from '../billing/billing.module';
import { CatalogModule } from '../catalog/catalog.module';
import { OrderSettlement } from '../billing/order-settlement';
import { OrderLine } from './entities/order-line.entity';
import { Order } from './entities/order.entity';
import { OrdersController } from './orders.controller';
import { OrdersService } from './orders.service';

@Module({
  imports: [TypeOrmModule.forFeature([Order, OrderLine]), CatalogModule, BillingModule],
  controllers: [OrdersController],
  providers: [OrdersService, { provide: OrderSettlement, useExisting: OrdersService }],
})
export class OrdersModule {}
