import { Type } from 'class-transformer';
import { IsIn, IsString, Matches, ValidateNested } from 'class-validator';

export class CardPaymentMethodDto {
  @IsIn(['card'])
  type!: 'card';

  /** A card token from the provider's client library (test mode: `tok_visa`, `tok_chargeDeclined`, `tok_pending`). */
  @IsString()
  @Matches(/^tok_[A-Za-z0-9_]{1,100}$/, { message: 'token must be a card token such as tok_visa' })
  token!: string;
}

export class PayInvoiceDto {
  @ValidateNested()
  @Type(() => CardPaymentMethodDto)
  paymentMethod!: CardPaymentMethodDto;
}
