/** Single-use codes that stand in for a TOTP code (login, disabling MFA). Shown once: store them safely. */
export class RecoveryCodesDto {
  recoveryCodes!: string[];
}
