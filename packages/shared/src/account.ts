import { Type, type Static } from 'typebox';
import { AuthResult, USERNAME_PATTERN } from './auth.ts';
import { Nullable } from './common.ts';

const Password = Type.String({ minLength: 8, maxLength: 256 });
/** A 6-digit authenticator code or a recovery code (xxxxx-xxxxx). */
const TwoFactorCode = Type.String({ minLength: 6, maxLength: 32, description: 'authenticator code or recovery code' });
const EmailToken = Type.String({ minLength: 20, maxLength: 200 });

/** What the sign-in page needs to know about how accounts work on this server. */
export const AuthOptions = Type.Object({
  emailVerification: Type.Union([Type.Literal('required'), Type.Literal('optional'), Type.Literal('off')]),
  usernameChanges: Type.Boolean(),
  deletionGraceDays: Type.Integer(),
  /** The configured external identity provider, when sign-in through it is set up. */
  externalProvider: Nullable(Type.Object({ name: Type.String(), startUrl: Type.String() })),
});
export type AuthOptions = Static<typeof AuthOptions>;

/** Returned by login instead of tokens when the account has two-factor authentication on. */
export const TwoFactorChallenge = Type.Object({
  twoFactorRequired: Type.Literal(true),
  challengeToken: Type.String(),
  expiresIn: Type.Integer({ description: 'seconds the challenge stays valid' }),
});
export type TwoFactorChallenge = Static<typeof TwoFactorChallenge>;

export const LoginResult = Type.Union([AuthResult, TwoFactorChallenge]);
export type LoginResult = Static<typeof LoginResult>;

/** Returned by register when EMAIL_VERIFICATION=required: no session until the address is confirmed. */
export const VerificationPending = Type.Object({ verificationRequired: Type.Literal(true), email: Type.String() });
export type VerificationPending = Static<typeof VerificationPending>;

export const TwoFactorLoginBody = Type.Object(
  { challengeToken: Type.String({ minLength: 20, maxLength: 200 }), code: TwoFactorCode },
  { additionalProperties: false },
);
export type TwoFactorLoginBody = Static<typeof TwoFactorLoginBody>;

export const EmailBody = Type.Object({ email: Type.String({ format: 'email', maxLength: 254 }) }, { additionalProperties: false });
export type EmailBody = Static<typeof EmailBody>;

export const PasswordResetBody = Type.Object({ token: EmailToken, password: Password }, { additionalProperties: false });
export type PasswordResetBody = Static<typeof PasswordResetBody>;

export const EmailTokenBody = Type.Object({ token: EmailToken }, { additionalProperties: false });
export type EmailTokenBody = Static<typeof EmailTokenBody>;

/** A neutral answer that says the same whether or not an account matched (no account enumeration). */
export const Accepted = Type.Object({ message: Type.String() });
export type Accepted = Static<typeof Accepted>;

export const ChangePasswordBody = Type.Object(
  { currentPassword: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })), newPassword: Password },
  { additionalProperties: false },
);
export type ChangePasswordBody = Static<typeof ChangePasswordBody>;

export const ChangeEmailBody = Type.Object(
  { email: Type.String({ format: 'email', maxLength: 254 }), password: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })) },
  { additionalProperties: false },
);
export type ChangeEmailBody = Static<typeof ChangeEmailBody>;

export const ChangeUsernameBody = Type.Object({ username: Type.String({ pattern: USERNAME_PATTERN }) }, { additionalProperties: false });
export type ChangeUsernameBody = Static<typeof ChangeUsernameBody>;

export const AccountStatus = Type.Object({
  email: Nullable(Type.String()),
  emailVerified: Type.Boolean(),
  /** A new address waiting for its confirmation link to be followed. */
  pendingEmail: Nullable(Type.String()),
  hasPassword: Type.Boolean(),
  twoFactorEnabled: Type.Boolean(),
  recoveryCodesLeft: Type.Integer(),
  deletionScheduledAt: Nullable(Type.String({ format: 'date-time' })),
  notifications: Type.Object({ emailOnNewVideos: Type.Boolean(), emailOnComments: Type.Boolean() }),
});
export type AccountStatus = Static<typeof AccountStatus>;

export const NotificationPreferencesBody = Type.Object(
  { emailOnNewVideos: Type.Optional(Type.Boolean()), emailOnComments: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);
export type NotificationPreferencesBody = Static<typeof NotificationPreferencesBody>;

export const TwoFactorSetup = Type.Object({
  secret: Type.String({ description: 'base32, for typing into an authenticator by hand' }),
  otpauthUri: Type.String(),
  qrCodeSvg: Type.String({ description: 'the otpauth URI as an SVG QR code' }),
});
export type TwoFactorSetup = Static<typeof TwoFactorSetup>;

export const TwoFactorCodeBody = Type.Object({ code: TwoFactorCode }, { additionalProperties: false });
export type TwoFactorCodeBody = Static<typeof TwoFactorCodeBody>;

export const RecoveryCodes = Type.Object({ codes: Type.Array(Type.String()) });
export type RecoveryCodes = Static<typeof RecoveryCodes>;

export const DeleteAccountBody = Type.Object(
  { password: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })), code: Type.Optional(TwoFactorCode) },
  { additionalProperties: false },
);
export type DeleteAccountBody = Static<typeof DeleteAccountBody>;

export const AccountDeletion = Type.Object({ deletionScheduledAt: Type.String({ format: 'date-time' }) });
export type AccountDeletion = Static<typeof AccountDeletion>;

export const OidcExchangeBody = Type.Object({ code: Type.String({ minLength: 20, maxLength: 200 }) }, { additionalProperties: false });
export type OidcExchangeBody = Static<typeof OidcExchangeBody>;

/** Everything Tube keeps about one account, for "export my data". */
export const AccountExport = Type.Object({
  exportedAt: Type.String({ format: 'date-time' }),
  account: Type.Object({ id: Type.String(), username: Type.String(), email: Nullable(Type.String()), createdAt: Type.String({ format: 'date-time' }) }),
  channels: Type.Array(
    Type.Object({ id: Type.String(), handle: Type.String(), name: Type.String(), description: Type.String(), createdAt: Type.String({ format: 'date-time' }) }),
  ),
  videos: Type.Array(
    Type.Object({
      id: Type.String(),
      channelId: Type.String(),
      title: Type.String(),
      description: Type.String(),
      tags: Type.Array(Type.String()),
      visibility: Type.String(),
      status: Type.String(),
      createdAt: Type.String({ format: 'date-time' }),
      originalFilename: Nullable(Type.String()),
      /** Authenticated download of the uploaded file, when it was kept. */
      originalUrl: Nullable(Type.String()),
    }),
  ),
  comments: Type.Array(Type.Object({ id: Type.String(), videoId: Type.String(), body: Type.String(), createdAt: Type.String({ format: 'date-time' }) })),
  playlists: Type.Array(Type.Object({ id: Type.String(), title: Type.String(), visibility: Type.String(), videoIds: Type.Array(Type.String()) })),
  subscriptions: Type.Array(Type.Object({ channelId: Type.String(), createdAt: Type.String({ format: 'date-time' }) })),
  watchHistory: Type.Array(Type.Object({ videoId: Type.String(), positionSeconds: Type.Number(), watchedAt: Type.String({ format: 'date-time' }) })),
});
export type AccountExport = Static<typeof AccountExport>;
