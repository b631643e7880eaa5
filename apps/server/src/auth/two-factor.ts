import { createHash, randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';
import { sql } from 'kysely';
import type { Db } from '../infra/db/database.ts';

const PERIOD_SECONDS = 30;
const RECOVERY_CODE_COUNT = 10;

function totpFor(secretBase32: string, label = 'account', issuer = 'Tube'): TOTP {
  return new TOTP({ issuer, label, algorithm: 'SHA1', digits: 6, period: PERIOD_SECONDS, secret: Secret.fromBase32(secretBase32) });
}

function hashRecoveryCode(code: string): string {
  return createHash('sha256').update(code.replace(/[\s-]/g, '').toLowerCase()).digest('base64url');
}

/** Ten characters from an alphabet without look-alikes, shown as xxxxx-xxxxx. */
function newRecoveryCode(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  const bytes = randomBytes(10);
  const chars = [...bytes].map((byte) => alphabet[byte % alphabet.length]).join('');
  return `${chars.slice(0, 5)}-${chars.slice(5)}`;
}

/**
 * TOTP (RFC 6238: SHA-1, 6 digits, 30 s) with single-use recovery codes. The TOTP secret has to be readable to check
 * codes, so it is stored as is; recovery codes are stored hashed. A code is accepted one step either side of now, and
 * never twice: the last step used is remembered.
 */
export class TwoFactor {
  constructor(
    private readonly db: Db,
    private readonly issuer: string,
  ) {}

  async isEnabled(userId: string): Promise<boolean> {
    const row = await this.db.selectFrom('users').select('totp_enabled_at').where('id', '=', userId).executeTakeFirst();
    return Boolean(row?.totp_enabled_at);
  }

  /** Starts enrolment: a new secret waits in `totp_pending_secret` until a code from it is confirmed. */
  async begin(userId: string, label: string): Promise<{ secret: string; otpauthUri: string; qrCodeSvg: string }> {
    const secret = new Secret({ size: 20 }).base32;
    await this.db.updateTable('users').set({ totp_pending_secret: secret }).where('id', '=', userId).execute();
    const otpauthUri = totpFor(secret, label, this.issuer).toString();
    const qrCodeSvg = await QRCode.toString(otpauthUri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    return { secret, otpauthUri, qrCodeSvg };
  }

  /** Confirms enrolment with a code from the pending secret; returns the recovery codes (shown once), or null. */
  async confirm(userId: string, code: string): Promise<string[] | null> {
    const row = await this.db.selectFrom('users').select(['totp_pending_secret']).where('id', '=', userId).executeTakeFirst();
    if (!row?.totp_pending_secret) return null;
    const step = this.matchingStep(row.totp_pending_secret, code);
    if (step === null) return null;
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('users')
        .set({ totp_secret: row.totp_pending_secret, totp_pending_secret: null, totp_enabled_at: sql`now()`, totp_last_step: step })
        .where('id', '=', userId)
        .execute();
      await trx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
      await trx
        .insertInto('recovery_codes')
        .values(codes.map((c) => ({ user_id: userId, code_hash: hashRecoveryCode(c) })))
        .execute();
    });
    return codes;
  }

  /** Replaces every recovery code (the old ones stop working). */
  async regenerateRecoveryCodes(userId: string): Promise<string[]> {
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
      await trx
        .insertInto('recovery_codes')
        .values(codes.map((c) => ({ user_id: userId, code_hash: hashRecoveryCode(c) })))
        .execute();
    });
    return codes;
  }

  async disable(userId: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('users')
        .set({ totp_secret: null, totp_pending_secret: null, totp_enabled_at: null, totp_last_step: null })
        .where('id', '=', userId)
        .execute();
      await trx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
    });
  }

  async recoveryCodesLeft(userId: string): Promise<number> {
    const row = await this.db
      .selectFrom('recovery_codes')
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .where('user_id', '=', userId)
      .where('used_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  /** Checks an authenticator code or spends a recovery code. Each succeeds once. */
  async verify(userId: string, code: string): Promise<boolean> {
    const trimmed = code.trim();
    if (/^\d{6}$/.test(trimmed)) {
      const row = await this.db.selectFrom('users').select(['totp_secret', 'totp_last_step']).where('id', '=', userId).executeTakeFirst();
      if (!row?.totp_secret) return false;
      const step = this.matchingStep(row.totp_secret, trimmed);
      if (step === null) return false;
      // Conditional update: of two requests with the same code, only one moves the step forward.
      const result = await this.db
        .updateTable('users')
        .set({ totp_last_step: step })
        .where('id', '=', userId)
        .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', String(step))]))
        .executeTakeFirst();
      return result.numUpdatedRows === 1n;
    }
    const result = await this.db
      .updateTable('recovery_codes')
      .set({ used_at: sql`now()` })
      .where('user_id', '=', userId)
      .where('code_hash', '=', hashRecoveryCode(trimmed))
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  private matchingStep(secret: string, code: string, now = Date.now()): number | null {
    const delta = totpFor(secret).validate({ token: code.trim(), timestamp: now, window: 1 });
    if (delta === null) return null;
    return Math.floor(now / 1000 / PERIOD_SECONDS) + delta;
  }
}

/** The current code for a secret (tests and the CLI use it; the server never needs to generate codes). */
export function currentTotpCode(secretBase32: string, timestamp = Date.now()): string {
  return totpFor(secretBase32).generate({ timestamp });
}
