/** A new TOTP secret, pending until confirmed with POST /v1/me/mfa/enable. Shown once. */
export class MfaSetupDto {
  /** Base32, for typing into an authenticator app by hand. */
  secret!: string;

  /** The same secret as an otpauth:// URI, for a QR code (SHA-1, 6 digits, 30 s). */
  otpauthUrl!: string;
}
