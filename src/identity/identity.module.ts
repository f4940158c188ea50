import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiKey } from './entities/api-key.entity';
import { Organization } from './entities/organization.entity';
import { RecoveryCode } from './entities/recovery-code.entity';
import { RefreshToken } from './entities/refresh-token.entity';
import { User } from './entities/user.entity';

@Module({
  imports: [TypeOrmModule.forFeature([Organization, User, RefreshToken, ApiKey, RecoveryCode])],
})
export class IdentityModule {}
