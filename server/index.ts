/// <reference types="node" />
// rxsync/server entry (Node only). Re-exports only: importing this module does no work.
export { createHub, type DrainOptions, type Hub, type HubOptions } from './hub.js';
export { defaultLogger, isLogLevel, LOG_LEVELS, type HubLogger, type LogLevel } from './logger.js';
export type { HubLimits } from './limits.js';
export { allow, deny, type Authenticate, type AuthGrant, type AuthRefusal, type AuthResult } from './auth.js';
export {
  jwtTokens,
  type JwksCacheOptions,
  type JwksObject,
  type JwtCheck,
  type JwtClaims,
  type JwtKey,
  type JwtRefusal,
  type JwtTokens,
  type JwtTokensOptions,
} from './jwtTokens.js';
export {
  hmacTokens,
  type HmacTokens,
  type HmacTokensOptions,
  type SignTokenOptions,
  type TokenCheck,
  type TokenClaims,
} from './hmacToken.js';
export { memoryLog } from './memoryLog.js';
export { openSqliteLog, type SqliteLogOptions } from './sqliteLog.js';
export { postgresLog, type PostgresLogOptions } from './postgresLog.js';
export type { PostgresClient, PostgresPool } from './postgresPool.js';
export type { AppendResult, LoggedOp, OpLog, RoomSnapshot, SnapshotDoc } from './opLog.js';
export type { BusEvent, BusNotice, HubBus } from './hubBus.js';
export { memoryBusNetwork, type MemoryBusNetwork } from './memoryBus.js';
export { redisBus, type RedisBus, type RedisBusOptions } from './redisBus.js';
