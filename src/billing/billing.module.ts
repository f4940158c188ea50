import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Environment } from '../platform/config/environment';
import { Invoice } from './entities/invoice.entity';
import { Payment } from './entities/payment.entity';
import { Refund } from './entities/refund.entity';
import { WebhookEvent } from './entities/webhook-event.entity';
import { InvoicesController } from './invoices.controller';
import { InvoicesService } from './invoices.service';
import { PaymentProvider } from './payment-provider';
import { PaymentsController } from './payments.controller';
import { PaymentsService } from './payments.service';
import { SimulatedPaymentProvider } from './simulated-payment-provider';
import { WebhooksController } from './webhooks.controller';

/** The providers PAYMENT_PROVIDER chooses from. */
const PAYMENT_PROVIDERS = { simulated: SimulatedPaymentProvider } as const;

@Module({
  imports: [TypeOrmModule.forFeature([Invoice, Payment, Refund, WebhookEvent])],
  controllers: [InvoicesController, PaymentsController, WebhooksController],
  providers: [
    InvoicesService,
    PaymentsService,
    {
      provide: PaymentProvider,
      inject: [Environment],
      useFactory: (environment: Environment) => new PAYMENT_PROVIDERS[environment.PAYMENT_PROVIDER](environment),
    },
  ],
  exports: [InvoicesService],
})
export class BillingModule {}
