import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Environment } from '../config/environment';
import { useFieldEncryptionKeys } from '../crypto/encrypted-text.transformer';
import { KeyRing } from '../crypto/key-ring';
import { dataSourceOptions } from './data-source-options';

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [Environment],
      useFactory: (environment: Environment) => {
        if (!environment.DATABASE_URL) {
          throw new Error('DATABASE_URL must be resolved (or the embedded database started) before the app is created');
        }
        useFieldEncryptionKeys(KeyRing.parse(environment.ENCRYPTION_KEYS, environment.ENCRYPTION_KEY_ID));
        return { ...dataSourceOptions(environment, environment.DATABASE_URL), autoLoadEntities: true };
      },
    }),
  ],
})
export class DatabaseModule {}
