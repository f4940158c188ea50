import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../access/actor';
import { Authenticated } from '../access/authorize.decorator';
import { CurrentActor } from '../access/principal.decorator';
import { ProfileDto } from './dto/profile.dto';
import { MeService } from './me.service';

@ApiTags('me')
@Controller('me')
export class MeController {
  constructor(private readonly me: MeService) {}

  @Get()
  @Authenticated()
  @ApiOperation({ summary: 'Your own account: who you are signed in as, your roles and whether MFA is on' })
  profile(@CurrentActor() actor: Actor): Promise<ProfileDto> {
    return this.me.profile(actor);
  }
}
