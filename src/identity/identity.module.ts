import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Environment } from '../platform/config/environment';
import { AccountLockout } from './account-lockout.service';
import { ApiKeysController } from './api-keys.controller';
import { ApiKeysService } from './api-keys.service';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { AuthenticationGuard } from './authentication.guard';
import { BootstrapService } from './bootstrap.service';
import { ApiKey } from './entities/api-key.entity';
import { Organization } from './entities/organization.entity';
import { RecoveryCode } from './entities/recovery-code.entity';
import { RefreshToken } from './entities/refresh-token.entity';
import { User } from './entities/user.entity';
import { MeCredentialsController } from './me-credentials.controller';
import { MeController } from './me.controller';
import { MeService } from './me.service';
import { MfaService } from './mfa.service';
import { OrganizationsController } from './organizations.controller';
import { OrganizationsService } from './organizations.service';
import { PasswordsService } from './passwords.service';
import { Reauthentication } from './reauthentication.service';
import { ApiKeyStrategy } from './strategies/api-key.strategy';
import { ACCESS_TOKEN_ALGORITHM, JwtStrategy } from './strategies/jwt.strategy';
import { TokensService } from './tokens.service';
import { UserAccounts } from './user-accounts.service';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

@Module({
  imports: [
    TypeOrmModule.forFeature([Organization, User, RefreshToken, ApiKey, RecoveryCode]),
    PassportModule,
    JwtModule.registerAsync({
      inject: [Environment],
      useFactory: (environment: Environment) => ({
        secret: environment.JWT_SECRET,
        signOptions: {
          algorithm: ACCESS_TOKEN_ALGORITHM,
          issuer: environment.JWT_ISSUER,
          audience: environment.JWT_AUDIENCE,
          expiresIn: environment.ACCESS_TOKEN_TTL_SECONDS,
        },
      }),
    }),
  ],
  controllers: [
    ApiKeysController,
    AuthController,
    MeController,
    MeCredentialsController,
    OrganizationsController,
    UsersController,
  ],
  providers: [
    ApiKeysService,
    OrganizationsService,
    UsersService,
    AuthService,
    AccountLockout,
    PasswordsService,
    TokensService,
    UserAccounts,
    JwtStrategy,
    ApiKeyStrategy,
    AuthenticationGuard,
    BootstrapService,
    MeService,
    MfaService,
    Reauthentication,
  ],
  exports: [AuthenticationGuard, PasswordsService, TokensService, UserAccounts],
})
export class IdentityModule {}
