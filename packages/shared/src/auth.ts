import { Type, type Static } from 'typebox';
import { LineText } from './common.ts';

export const USERNAME_PATTERN = '^[A-Za-z0-9_][A-Za-z0-9_.-]{2,31}$';

export const ChannelSummary = Type.Object({
  id: Type.String(),
  handle: Type.String(),
  name: Type.String(),
});
export type ChannelSummary = Static<typeof ChannelSummary>;

export const User = Type.Object({
  id: Type.String(),
  username: Type.String(),
  email: Type.Union([Type.String(), Type.Null()]),
  role: Type.Union([Type.Literal('user'), Type.Literal('admin')]),
  createdAt: Type.String({ format: 'date-time' }),
  channel: Type.Union([ChannelSummary, Type.Null()]),
});
export type User = Static<typeof User>;

export const RegisterBody = Type.Object(
  {
    username: Type.String({ pattern: USERNAME_PATTERN, description: '3–32 letters, digits, _ . -; unique ignoring case' }),
    email: Type.String({ format: 'email', maxLength: 254 }),
    password: Type.String({ minLength: 8, maxLength: 256 }),
  },
  { additionalProperties: false },
);
export type RegisterBody = Static<typeof RegisterBody>;

export const LoginBody = Type.Object(
  {
    login: LineText({ minLength: 1, maxLength: 254, description: 'username or email' }),
    password: Type.String({ minLength: 1, maxLength: 256 }),
  },
  { additionalProperties: false },
);
export type LoginBody = Static<typeof LoginBody>;

export const RefreshBody = Type.Object({ refreshToken: Type.String({ minLength: 10, maxLength: 200 }) }, { additionalProperties: false });
export type RefreshBody = Static<typeof RefreshBody>;

export const TokenPair = Type.Object({
  accessToken: Type.String(),
  refreshToken: Type.String(),
  expiresIn: Type.Integer({ description: 'access token lifetime in seconds' }),
});
export type TokenPair = Static<typeof TokenPair>;

export const AuthResult = Type.Object({
  user: User,
  accessToken: Type.String(),
  refreshToken: Type.String(),
  expiresIn: Type.Integer(),
});
export type AuthResult = Static<typeof AuthResult>;

export const Session = Type.Object({
  id: Type.String(),
  userAgent: Type.Union([Type.String(), Type.Null()]),
  ip: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  lastUsedAt: Type.String({ format: 'date-time' }),
  expiresAt: Type.String({ format: 'date-time' }),
  current: Type.Boolean(),
});
export type Session = Static<typeof Session>;

export const SessionList = Type.Object({ items: Type.Array(Session) });
export type SessionList = Static<typeof SessionList>;
