import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';

type Phase = 'starting' | 'serving' | 'draining';

/**
 * Where this process is in its life, as the probes report it: starting until
 * every module has started (migrations applied, first admin and demo data in
 * place), then serving, then draining from the shutdown signal on (readiness
 * answers 503 while in-flight requests finish).
 */
@Injectable()
export class AppLifecycle {
  private phase: Phase = 'starting';

  get started(): boolean {
    return this.phase !== 'starting';
  }

  get draining(): boolean {
    return this.phase === 'draining';
  }

  markStarted(): void {
    if (this.phase === 'starting') this.phase = 'serving';
  }

  beginDraining(): void {
    this.phase = 'draining';
  }
}

/**
 * Marks the app started. Provided by the root module: Nest runs the root
 * module's bootstrap hooks after every other module's, so this runs once the
 * rest (migrations, bootstrap, demo data) has finished.
 */
@Injectable()
export class StartupCompletion implements OnApplicationBootstrap {
  constructor(private readonly lifecycle: AppLifecycle) {}

  onApplicationBootstrap(): void {
    this.lifecycle.markStarted();
  }
}
