import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { HeaderAPIKeyStrategy } from 'passport-headerapikey';
import type { Actor } from '../../access/actor';
import { ApiKeysService } from '../api-keys.service';

/** `X-API-Key: <key>`: verified by ApiKeysService (one lookup by the key's unique prefix). */
@Injectable()
export class ApiKeyStrategy extends PassportStrategy(HeaderAPIKeyStrategy, 'api-key') {
  constructor(private readonly apiKeys: ApiKeysService) {
    super({ header: 'X-API-Key', prefix: '' }, false);
  }

  async validate(rawKey: string): Promise<Actor | false> {
    return (await this.apiKeys.authenticate(rawKey)) ?? false;
  }
}
