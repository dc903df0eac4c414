export { createRedisConnection, isCluster, masterNodes, type ConnectionOptions, type RedisConnection } from './connection';
export {
  asRedisTarget,
  DEFAULT_REDIS_URL,
  redisEnvironment,
  redisTargetFromConfig,
  type ClusterTarget,
  type RedisAddress,
  type RedisTarget,
  type RedisTargetLike,
  type SentinelTarget,
  type SingleNodeTarget,
} from './target';
